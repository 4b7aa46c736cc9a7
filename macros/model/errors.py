"""Data errors: what a user did wrong in a meeting file, kept apart from bugs."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field as dataclass_field

QUOTE_LIMIT = 60
"""How many characters of a line an error quotes."""


@dataclass(frozen=True, order=True)
class DataError:
    """One problem in one data file, at one line, for one field; ``quote`` is that line as written
    (filled in by the loader, for finding the line in an editor that shows no line numbers)."""

    file: str
    line: int
    field: str
    message: str
    quote: str = dataclass_field(default="", compare=False)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        said = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        return f"{said}\n    第 {self.line} 行写的是：{self.quote}" if self.quote else said


def visible_line(line: str) -> str:
    """A line as an error quotes it: trimmed, cut at QUOTE_LIMIT characters, and with every invisible
    character (tab, control, zero-width, direction mark) shown by name, as [制表符] or [U+202E]."""
    shown = []
    for char in line.strip():
        if char == "\t":
            shown.append("[制表符]")
        elif unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"):
            shown.append(f"[U+{ord(char):04X}]")
        else:
            shown.append(char)
    text = "".join(shown)
    return text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT] + "…"


class DataErrors(Exception):
    """All data errors found in one pass, reported together."""

    def __init__(self, errors: list[DataError]):
        self.errors = sorted(set(errors))
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.errors)
        lines = [str(error) for error in self.errors]
        lines.append(f"数据有误：共 {count} 处，请按上面所列的文件和行号修改后重新生成。")
        return "\n".join(lines)
