"""Chinese formatting helpers used as Jinja filters by every page template.

They follow the conventions of the reports in ``shared/seeds``: numerals 一二三,
dates written 2021年12月20日 without zero padding, lists joined with 、 and
document titles wrapped in 《》.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Iterable

_DIGITS = "零一二三四五六七八九"
_UNITS = ((1000, "千"), (100, "百"), (10, "十"))

OPENING_QUOTES = "“‘《「『"
CLOSING_QUOTES = "”’》」』"


def cn_numeral(number: int) -> str:
    """Write 0 ≤ number < 10000 in Chinese numerals: 1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五."""
    if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number < 10000:
        raise ValueError(f"cn_numeral takes a whole number from 0 to 9999, not {number!r}")
    if number < 10:
        return _DIGITS[number]
    if 10 <= number < 20:
        return "十" + (_DIGITS[number - 10] if number > 10 else "")
    parts: list[str] = []
    rest = number
    pending_zero = False
    for value, unit in _UNITS:
        digit, rest = divmod(rest, value)
        if digit:
            if pending_zero:
                parts.append("零")
                pending_zero = False
            parts.append(_DIGITS[digit] + unit)
        elif parts:
            pending_zero = True
    if rest:
        if pending_zero:
            parts.append("零")
        parts.append(_DIGITS[rest])
    return "".join(parts)


def cn_ordinal(number: int) -> str:
    """第一, 第二 …"""
    return "第" + cn_numeral(number)


def cn_date(value: _dt.date | None) -> str:
    """2021-12-20 → 2021年12月20日; a date with no value stays empty, a placeholder date (x月x日) stays as written."""
    if value is None:
        return ""
    if not isinstance(value, _dt.date):
        return str(value)
    return f"{value.year}年{value.month}月{value.day}日"


def cn_month_day(value: _dt.date | None) -> str:
    """2021-11-25 → 11月25日, as prose names a day within the report's year; a placeholder date stays as written."""
    if value is None:
        return ""
    if not isinstance(value, _dt.date):
        return str(value)
    return f"{value.month}月{value.day}日"


def book_title(title: str) -> str:
    """Wrap a document title in 《》 unless it already is."""
    if title.startswith("《") and title.endswith("》"):
        return title
    return f"《{title}》"


def cn_join(items: Iterable[str], sep: str = "、", last: str | None = None, quoted_tight: bool = True) -> str:
    """Join listed items the way official documents do.

    ``last`` joins the final item (e.g. 和, 以及, ，以及) instead of ``sep``. With
    ``quoted_tight`` no 、 stands between two items that are both wrapped in
    quotation marks or title marks (GB/T 15834: “甲”“乙”, 《甲》《乙》); any other
    separator the text asks for is kept.
    """
    items = [str(item) for item in items]
    out: list[str] = []
    for index, item in enumerate(items):
        if index:
            tight = quoted_tight and sep == "、" and _is_wrapped(items[index - 1]) and _is_wrapped(item)
            if index == len(items) - 1 and last is not None:
                out.append(last)
            elif not tight:
                out.append(sep)
        out.append(item)
    return "".join(out)


def _is_wrapped(item: str) -> bool:
    return bool(item) and item[0] in OPENING_QUOTES and item[-1] in CLOSING_QUOTES


_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’《》"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACE_RUN = re.compile(r"\s+")


def tidy_text(value: str) -> str:
    """Fold line breaks a YAML editor put in a long Chinese sentence.

    Whitespace between two Chinese characters or full-width marks is dropped
    (a folded line must not leave a space inside a sentence); any other run of
    whitespace becomes one space.
    """
    value = value.strip()
    if not _SPACE_RUN.search(value):
        return value
    value = _SPACE_BETWEEN_CJK.sub("", value)
    return _SPACE_RUN.sub(" ", value)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}()#!|])")
_LINE_START_LIST = re.compile(r"^(\s*)(\d+)([.)])")
_LINE_START_MARK = re.compile(r"^(\s*)([-+])")
_NEEDS_ESCAPE = re.compile(rf'[&<>"]|{_MD_SPECIAL.pattern}|{_LINE_START_LIST.pattern}|{_LINE_START_MARK.pattern}')
"""Anything the steps below would change: most values (Chinese prose, names, dates) have nothing."""


def markdown_text(value: str) -> str:
    """Make plain text safe inside a Markdown page: it shows literally, never as markup.

    HTML is escaped to entities, Markdown punctuation is backslash-escaped, and
    a leading "1." or "-" cannot start a list.
    """
    if not _NEEDS_ESCAPE.search(value):
        return value
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    value = _MD_SPECIAL.sub(r"\\\1", value)
    value = _LINE_START_LIST.sub(r"\1\2\\\3", value)
    return _LINE_START_MARK.sub(r"\1\\\2", value)
