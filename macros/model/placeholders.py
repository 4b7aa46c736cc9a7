"""The placeholder rule: how a report marks what is not known yet, in one place.

Real reports write an unknown count as ``x`` or ``xx`` (“x个方面x条”, “xx余人次”),
an unknown date as ``x月x日`` or, with the month known, ``12月x日``, and an unknown
name or number as ``xx`` (“xx县委”, “x委组通〔2021〕x号”). The loader keeps such
values as written, the checklist counts them as not yet known, and the report's
on-screen warning lists every placeholder left in the text — all through this module.

A placeholder is a run of Latin x (or X) that touches no other ASCII letter and is
not followed by a digit, so ``docx``, ``Excel`` or ``x64`` are ordinary words, while
``x县``, ``x同志``, ``x个``, ``〔2021〕x号`` are placeholders. ``xjp`` (a name the
samples abbreviate) and ``待定`` count as placeholders too.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MARK = r"(?:x+|X+)"
"""A run of the placeholder letter: x, xx, XX."""

COUNT = re.compile(rf"(\d+|{MARK})(余|多)?")
"""A count as written: 120, 120余, 30多, x, xx, xx余."""

ROUGH_DATE = re.compile(rf"(?:(\d{{4}})年)?({MARK}|\d{{1,2}})月({MARK})日")
"""A date whose day (and perhaps month) is not known yet: x月x日, 12月x日, 2021年12月x日."""

_ALONE = r"(?<![A-Za-z])"
_END = r"(?![A-Za-z0-9])"
# Longer readings first, so that “x月x日” is one placeholder and not two.
_WORDS = "中全会|个方面|人次|同志|个|名|人|条|份|次|项|号|县|市|区|乡|镇|村|委|年|月|日|余|多"
IN_TEXT = re.compile(
    rf"(?<!\d)\d{{1,2}}月{MARK}日"
    rf"|{_ALONE}{MARK}月{MARK}日"
    rf"|〔{MARK}〕"
    rf"|{_ALONE}xjp{_END}"
    rf"|{_ALONE}{MARK}(?:{_WORDS})"
    rf"|{_ALONE}{MARK}{_END}"
    r"|待定"
    r"|【待补】"
)


def is_mark(text: str) -> bool:
    """Whether ``text`` is a bare placeholder (x, xx, XX)."""
    return re.fullmatch(MARK, text) is not None


@dataclass(frozen=True)
class RoughDate:
    """A date not known to the day, kept as the report writes it (x月x日, 12月x日)."""

    text: str
    year: int | None = None
    month: int | None = None

    def __str__(self) -> str:
        return self.text


def rough_date(text: str) -> RoughDate | None:
    """The placeholder date ``text`` stands for, or None when it is not one."""
    match = ROUGH_DATE.fullmatch(text)
    if not match:
        return None
    year, month, _day = match.groups()
    month_number = None if is_mark(month) else int(month)
    if month_number is not None and not 1 <= month_number <= 12:
        return None
    return RoughDate(text, int(year) if year else None, month_number)


def is_known(value) -> bool:
    """Whether a count or a date is known: given, and not a placeholder."""
    if value is None:
        return False
    if isinstance(value, RoughDate):
        return False
    if isinstance(value, dt.date):
        return True
    return getattr(value, "known", True)


def known_date(value) -> dt.date | None:
    """A date that can be compared and counted from; None for a placeholder or no date."""
    return value if isinstance(value, dt.date) else None


def find(text: str) -> list[str]:
    """Placeholders left in a text (xx, x月x日, x号, x县, 待定 …), each once, in order of appearance."""
    found: list[str] = []
    for match in IN_TEXT.finditer(text):
        if match.group(0) not in found:
            found.append(match.group(0))
    return found
