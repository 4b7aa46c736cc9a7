"""The meeting file's schema: which fields exist, their types, and what each means.

One declaration serves three purposes: converting a YAML tree into typed
records (collecting every error with its line), generating the JSON Schema that
editors use for completion, and writing the scaffold of a new meeting file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from typing import Any, Callable

from macros.model import placeholders
from macros.model.errors import DataError
from macros.model.text import tidy_text
from macros.model.yamlfile import FORBIDDEN_CHARACTERS, Mapping, Node, Scalar, Sequence, character_problem

MAX_TEXT = 5000
MAX_ITEMS = 500
"""Most items of any list: far above real files, below what would make the pages expensive."""
MAX_COUNT_DIGITS = 7


class Record:
    """A converted mapping: fields read as attributes (``member.name``) or items, and keep their lines.

    Not a dict subclass, so that a field named like a dict method (``items``) reads as the field.
    """

    __slots__ = ("_values", "line", "lines", "source")

    def __init__(self, values: dict[str, Any], line: int, lines: dict[str, int]):
        self._values = values
        self.line = line
        self.lines = lines
        self.source = ""

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __setitem__(self, name: str, value: Any) -> None:
        self._values[name] = value

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def __repr__(self) -> str:
        return f"Record({self._values!r})"

    def line_of(self, name: str) -> int:
        return self.lines.get(name, self.line)

    def __reduce__(self):
        # Pickled by the build cache; the default protocol would look up its hooks through __getattr__.
        return (_record, (self._values, self.line, self.lines, self.source))


def _record(values: dict[str, Any], line: int, lines: dict[str, int], source: str) -> Record:
    record = Record(values, line, lines)
    record.source = source
    return record


@dataclass(frozen=True)
class Count:
    """A count as reports write it: 120, 120余, 30多, or a placeholder kept as written (x, xx, xx余)."""

    number: int | None
    qualifier: str = ""
    mark: str = "xx"

    def __str__(self) -> str:
        return f"{self.mark if self.number is None else self.number}{self.qualifier}"

    @property
    def known(self) -> bool:
        return self.number is not None


class Context:
    """Collects the errors of one file while it is converted."""

    def __init__(self, file: str):
        self.file = file
        self.errors: list[DataError] = []
        self._unknown: dict[str, tuple[int, str, list[int]]] = {}

    def error(self, line: int, path: str, message: str) -> None:
        self.errors.append(DataError(self.file, line, path, message))

    def known_member(self, record, key: str, by_name: dict, path: str):
        """The group member ``record[key]`` names (``by_name``: name → member record), or None; a name
        that is no member is reported (see ``unknown_member``)."""
        name = record[key]
        if name in by_name:
            return by_name[name]
        if name:
            members = {known: member.line_of("name") for known, member in by_name.items()}
            self.unknown_member(record.line_of(key), f"{path}.{key}", name, members)
        return None

    def unknown_member(self, line: int, path: str, name: str, members: dict[str, int]) -> None:
        """A name that is not one of the group's ``members`` (name → line of the member list): said
        once, at its first line, naming the member it nearly matches and the other lines it recurs on
        (a one-character typo in the member list would otherwise give one error at every correct use)."""
        if name in self._unknown:
            index, message, lines = self._unknown[name]
            lines.append(line)
            more = "、".join(str(other) for other in lines)
            self.errors[index] = DataError(self.file, self.errors[index].line, self.errors[index].field,
                                           f"{message}同样的写法还出现在第 {more} 行。")
            return
        listing = "、".join(members) or "无"
        message = f"“{name}”不是本班子成员（{listing}）。"
        close = one_character_apart(name, members)
        if close:
            message += (f"成员名单第 {members[close]} 行写的是“{close}”，只差一个字：如果是同一个人，请把两处改成同样的写法；"
                        "如果不是，请先在 group.members 中添加。")
        else:
            message += "请核对姓名，或先在 group.members 中添加。"
        self._unknown[name] = (len(self.errors), message, [])
        self.error(line, path, message)


def one_character_apart(name: str, names) -> str | None:
    """The one name of ``names`` that differs from ``name`` by a character changed, added or left out
    (names of two characters or more; none when several do, as 王伟 and 王强 for 王刚)."""
    found = [other for other in names if _one_apart(name, other)]
    return found[0] if len(found) == 1 else None


def _one_apart(name: str, other: str) -> bool:
    if other == name or min(len(name), len(other)) < 2 or abs(len(other) - len(name)) > 1:
        return False
    if len(other) == len(name):
        return sum(a != b for a, b in zip(other, name)) == 1
    shorter, longer = sorted((name, other), key=len)
    return any(longer[:i] + longer[i + 1:] == shorter for i in range(len(longer)))


_INVALID = object()
EMPTY = "<empty>"
"""Default of an optional group of fields that is always present, filled with its own defaults."""


class Type:
    description = ""

    def convert(self, node: Node, ctx: Context, path: str) -> Any:
        raise NotImplementedError

    def json_schema(self) -> dict:
        raise NotImplementedError


    def missing(self) -> Any:
        """The value of a field of this type that the file leaves out."""
        return None


class ScalarType(Type):
    kind = "文字"

    def convert(self, node: Node, ctx: Context, path: str) -> Any:
        if not isinstance(node, Scalar):
            if isinstance(node, Mapping) and len(node.items) == 1 and not next(iter(node.items)).isascii():
                ctx.error(node.line, path, colon_advice(next(iter(node.items))))
                return _INVALID
            ctx.error(node.line, path, f"这里应填{self.kind}，不能是列表或下级字段。")
            return _INVALID
        problem = _HIDDEN.search(node.text) and hidden_character_problem(node.text)
        if problem:
            # Reported once here; the value is read without them so that no check repeats the error.
            ctx.error(node.line, path, problem)
            text = INVISIBLE_CHARACTERS.sub("", FORBIDDEN_CHARACTERS.sub("", node.text))
            node = Scalar(text, node.line, node.is_null)
        return self.parse(node.text.strip(), node, ctx, path)


def colon_advice(key: str) -> str:
    """What to do when a line of prose was read as a field because of a half-width colon (“- 会议时间: 上午”)."""
    return (
        f"这一行被读成了字段“{key}”：文字中的半角冒号后跟空格，在 YAML 中表示“字段: 值”。"
        f"正文中的冒号请改用全角“：”（如“{key}：……”），或把整行文字用引号括起来。"
    )

    def parse(self, text: str, node: Scalar, ctx: Context, path: str) -> Any:
        raise NotImplementedError


INVISIBLE_CHARACTERS = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
"""Zero-width characters and text-direction controls: invisible, they make two equal-looking names
differ, and a direction override shows 党组 for a stored 组党 (search then misses it)."""
_HIDDEN = re.compile(f"{FORBIDDEN_CHARACTERS.pattern}|{INVISIBLE_CHARACTERS.pattern}")
"""Either kind of character, to pass the values that have none at once."""
_DIRECTION_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def hidden_character_problem(text: str) -> str:
    """What to say about a control or invisible character in a value (an escape such as "\\x01"
    in double quotes puts one there), or "" when there is none."""
    found = FORBIDDEN_CHARACTERS.search(text)
    if found:
        return character_problem(found.group())
    found = INVISIBLE_CHARACTERS.search(text)
    if not found:
        return ""
    char = found.group()
    if char in _DIRECTION_CONTROLS:
        return f"有一个看不见的文字方向控制符（U+{ord(char):04X}），它使显示的文字与实际保存的不同（如显示“党组”、保存的却是“组党”）。请删去这段文字后重新输入。"
    return f"有一个看不见的零宽字符（U+{ord(char):04X}），它使看起来相同的名称被当作不同的两个，搜索也找不到。请删去这段文字后重新输入。"


def shown(text: str, limit: int = 30) -> str:
    """A value as an error message quotes it: a long one cut short."""
    return text if len(text) <= limit else f"{text[:limit]}……（共 {len(text)} 字）"


class Text(ScalarType):
    def __init__(self, pattern: str | None = None, hint: str = ""):
        self.pattern = re.compile(pattern) if pattern else None
        self.hint = hint

    def parse(self, text, node, ctx, path):
        text = tidy_text(node.text)
        if len(text) > MAX_TEXT:
            ctx.error(node.line, path, f"内容过长（{len(text)} 字，最多 {MAX_TEXT} 字）。请分成几段或删减。")
            return _INVALID
        if self.pattern and not self.pattern.fullmatch(text):
            ctx.error(node.line, path, f"“{shown(text)}”格式不对：{self.hint}")
            return _INVALID
        return text

    def json_schema(self):
        schema: dict = {"type": "string"}
        if self.pattern:
            schema["pattern"] = f"^(?:{self.pattern.pattern})$"
        return schema


_DIGITS = re.compile(r"\d+")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


class Int(ScalarType):
    kind = "整数"

    def __init__(self, low: int = 0, high: int = 100_000):
        self.low, self.high = low, high

    def parse(self, text, node, ctx, path):
        # Digits counted before int(): a number thousands of digits long is refused without converting it.
        digits = _DIGITS.fullmatch(text) and len(text.lstrip("0")) <= len(str(self.high))
        if not digits or not self.low <= int(text) <= self.high:
            ctx.error(node.line, path, f"“{shown(text)}”不是 {self.low} 到 {self.high} 之间的整数。")
            return _INVALID
        return int(text)

    def json_schema(self):
        return {"type": "integer", "minimum": self.low, "maximum": self.high}



class CountType(ScalarType):
    kind = "数目"

    def parse(self, text, node, ctx, path):
        match = placeholders.COUNT.fullmatch(text)
        if not match:
            ctx.error(node.line, path, f"“{shown(text)}”不是数目。请写数字，可加“余”或“多”（如 120、120余），未统计时写 x 或 xx。")
            return _INVALID
        if len(match.group(1).lstrip("0")) > MAX_COUNT_DIGITS:
            ctx.error(node.line, path, f"“{shown(text)}”数目过大（最多 {MAX_COUNT_DIGITS} 位数）。请核对。")
            return _INVALID
        written, qualifier = match.group(1), match.group(2) or ""
        if placeholders.is_mark(written):
            return Count(None, qualifier, written)
        return Count(int(written), qualifier)

    def json_schema(self):
        return {"type": ["integer", "string"], "pattern": f"^(?:{placeholders.COUNT.pattern})$"}



class Date(ScalarType):
    """A date 2021-12-20; with ``rough`` also a date not known to the day, kept as written (x月x日, 12月x日)."""

    kind = "日期"

    def __init__(self, rough: bool = False):
        self.rough = rough

    def parse(self, text, node, ctx, path):
        rough = placeholders.rough_date(text) if self.rough else None
        if rough is not None:
            return rough
        match = _ISO_DATE.fullmatch(text)
        try:
            if not match:
                raise ValueError
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            hint = "；日期未定时可写 x月x日，月份已定时可写 12月x日" if self.rough else ""
            ctx.error(node.line, path, f"“{shown(text)}”不是有效日期。请按 2021-12-20 的格式填写{hint}。")
            return _INVALID

    def json_schema(self):
        if self.rough:
            return {"type": "string", "anyOf": [{"format": "date"}, {"pattern": f"^(?:{placeholders.ROUGH_DATE.pattern})$"}]}
        return {"type": "string", "format": "date"}



class Bool(ScalarType):
    kind = "true 或 false"

    def parse(self, text, node, ctx, path):
        if text in ("true", "false"):
            return text == "true"
        ctx.error(node.line, path, f"“{shown(text)}”应填 true（是）或 false（否）。")
        return _INVALID

    def json_schema(self):
        return {"type": "boolean"}



class Choice(ScalarType):
    """One of ``choices``; ``names`` gives a choice's Chinese name, accepted in its place."""

    def __init__(self, *choices: str, names: dict[str, str] | None = None):
        self.choices = choices
        self.names = names or {}
        self._by_name = {name: choice for choice, name in self.names.items()}

    def parse(self, text, node, ctx, path):
        if text in self.choices:
            return text
        if text in self._by_name:
            return self._by_name[text]
        listed = "、".join(f"{choice}（{self.names[choice]}）" if choice in self.names else choice for choice in self.choices)
        ctx.error(node.line, path, f"“{shown(text)}”不在可选值中。可选：{listed}。")
        return _INVALID

    def json_schema(self):
        return {"type": "string", "enum": list(self.choices) + list(self._by_name)}



class List(Type):
    def __init__(self, item: Type, min_items: int = 0, max_items: int = MAX_ITEMS):
        self.item = item
        self.min_items = min_items
        self.max_items = max_items

    def convert(self, node, ctx, path):
        if isinstance(node, Scalar) and node.is_null:
            node = Sequence(node.line)
        if not isinstance(node, Sequence):
            ctx.error(node.line, path, "这里应是列表：每项另起一行，以“- ”开头。")
            return _INVALID
        items = [item for item in node.items if not is_blank(item)]
        if len(items) < self.min_items:
            ctx.error(node.line, path, f"至少要填 {self.min_items} 项。")
        if len(items) > self.max_items:
            ctx.error(node.line, path, f"填了 {len(items)} 项，最多 {self.max_items} 项。请核对是否重复粘贴，或删减。")
            items = items[: self.max_items]
        values = [self.item.convert(item, ctx, f"{path}[{index}]") for index, item in enumerate(items)]
        return [value for value in values if value is not _INVALID]

    def json_schema(self):
        schema = {"type": "array", "items": self.item.json_schema()}
        if self.min_items:
            schema["minItems"] = self.min_items
        return schema


    def missing(self):
        return []


def is_blank(node: Node) -> bool:
    """Nothing filled in: an empty value, or a group or list whose every value is empty.

    A scaffolded file leaves optional groups blank; they count as not given.
    """
    if isinstance(node, Scalar):
        return node.is_null
    if isinstance(node, Sequence):
        return all(is_blank(item) for item in node.items)
    return all(is_blank(child) for child in node.items.values())


@dataclass
class Field:
    type: Type
    doc: str
    required: bool = False
    default: Any = None

    def fallback(self) -> Any:
        """The value of a field left out: its default, an empty list for a list."""
        if self.default is None:
            return self.type.missing()
        return list(self.default) if isinstance(self.default, list) else self.default


class Obj(Type):
    def __init__(self, fields: dict[str, Field], check: Callable[[Record, Context, str], None] | None = None):
        self.fields = fields
        self.check = check
        self._planned: tuple[dict, list] | None = None

    def _plan(self) -> list[tuple[str, Field, bool, bool]]:
        """Each field with what its type makes of a value left blank, worked out once, not per record:
        whether a blank group counts as left out, and whether an empty value does."""
        if self._planned is None or self._planned[0] is not self.fields:
            plan = [
                (name, spec, not spec.required and isinstance(spec.type, Obj), spec.type.missing() is None)
                for name, spec in self.fields.items()
            ]
            self._planned = (self.fields, plan)
        return self._planned[1]

    def convert(self, node, ctx, path):
        if not isinstance(node, Mapping):
            ctx.error(node.line, path, "这里应填下级字段（“名称: 值”的形式，并缩进）。")
            return _INVALID
        prefix = f"{path}." if path else ""
        values: dict[str, Any] = {}
        lines: dict[str, int] = {}
        items, key_lines = node.items, node.key_lines
        for key in items:
            if key not in self.fields:
                close = difflib.get_close_matches(key, list(self.fields), n=1, cutoff=0.6)
                hint = f"是不是“{close[0]}”？" if close else f"可用字段：{', '.join(self.fields)}。"
                ctx.error(key_lines[key], f"{prefix}{key}", f"没有这个字段。{hint}")
        for name, spec, blank_is_missing, null_is_missing in self._plan():
            child = items.get(name)
            if child is not None and blank_is_missing and is_blank(child):
                child = None
            if child is None or (null_is_missing and isinstance(child, Scalar) and child.is_null):
                if spec.default == EMPTY:
                    values[name] = spec.type.convert(Mapping(node.line), ctx, f"{prefix}{name}")
                    lines[name] = key_lines.get(name, node.line)
                    continue
                if spec.required:
                    line = key_lines.get(name, node.line)
                    ctx.error(line, f"{prefix}{name}", f"必填字段没有填写：{spec.doc}")
                values[name] = spec.fallback()
                lines[name] = key_lines.get(name, node.line)
                continue
            value = spec.type.convert(child, ctx, f"{prefix}{name}")
            values[name] = spec.fallback() if value is _INVALID else value
            lines[name] = key_lines[name]
        record = Record(values, node.line, lines)
        if self.check:
            self.check(record, ctx, path)
        return record

    def json_schema(self):
        return {
            "type": "object",
            "additionalProperties": False,
            "required": [name for name, spec in self.fields.items() if spec.required],
            "properties": {
                name: {**spec.type.json_schema(), "description": spec.doc} for name, spec in self.fields.items()
            },
        }


def scaffold(obj: Obj, values: dict[str, str] | None = None, indent: int = 0, first_prefix: str = "") -> list[str]:
    """YAML lines with every field of ``obj`` present and a Chinese comment on each.

    ``values`` fills top-level fields (e.g. id, year); everything else is left empty
    for the user to fill, and a field's default is named in its comment.
    """
    values = values or {}
    lines: list[str] = []
    for position, (name, spec) in enumerate(obj.fields.items()):
        pad = " " * indent
        if position == 0 and first_prefix:
            pad = " " * (indent - len(first_prefix)) + first_prefix
        note = f"  # {spec.doc}{'（必填）' if spec.required else ''}"
        if spec.default not in (None, EMPTY, []):
            shown = str(spec.default).lower() if isinstance(spec.default, bool) else spec.default
            note += f"（不填时为 {shown}）"
        kind = spec.type
        if isinstance(kind, Obj):
            lines.append(f"{pad}{name}:{note}")
            lines += scaffold(kind, indent=indent + 2)
        elif isinstance(kind, List) and isinstance(kind.item, Obj):
            lines.append(f"{pad}{name}:{note}")
            lines += scaffold(kind.item, indent=indent + 4, first_prefix="- ")
        elif isinstance(kind, List):
            lines.append(f"{pad}{name}: []{note}")
        else:
            value = values.get(name)
            lines.append(f"{pad}{name}:{' ' + value if value else ''}{note}")
    return lines
