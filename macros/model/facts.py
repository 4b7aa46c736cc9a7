"""Named facts that a report's prose may cite (``- fact: opinions.forms``).

The report's wording differs from office to office, so its sentences are data;
the facts inside them must still come from one field, so that changing the
field changes every page. Each entry here names one fact, the fields it reads
and how it reads in a sentence. Only these names can be cited: a paragraph
cannot run code.

A citation may say how its fact is written there: ``sep`` and ``last`` join a
list (“甲、乙，以及丙”), ``item`` takes one entry of a list (the second alias,
the first session's date), and ``numerals`` writes a count in Arabic (5) or
Chinese (五) numerals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from macros.model.placeholders import RoughDate
from macros.model.schema import Count
from macros.model.text import book_title, cn_join, cn_month_day, cn_numeral

NUMERALS = ("arabic", "chinese")


@dataclass(frozen=True)
class Fact:
    """One citable fact: what it is, the fields it reads, and its default form in a sentence."""

    doc: str
    fields: tuple[str, ...]
    get: Callable[[Any], Any]
    sep: str = "、"
    quote: bool = False
    numerals: str = "arabic"
    number: bool = False


@dataclass(frozen=True)
class Number:
    """How many items a list has: a count the report usually writes in Chinese numerals (五个方面)."""

    value: int


def _write(value, fact: Fact, numerals: str | None) -> str | None:
    """One value as a sentence shows it; None when there is nothing to show."""
    style = numerals or fact.numerals
    if value is None or value == "":
        return None
    if isinstance(value, Number):
        return str(value.value) if style == "arabic" else _chinese(value.value)
    if isinstance(value, Count):
        if value.number is None or style == "arabic":
            return str(value)
        return _chinese(value.number) + value.qualifier
    if isinstance(value, (dt.date, RoughDate)):
        return cn_month_day(value)
    text = str(value)
    return f"“{text}”" if fact.quote else text


def _chinese(number: int) -> str:
    # Numbers past 9999 stay in Arabic numerals, as reports write large counts.
    return cn_numeral(number) if number < 10000 else str(number)


def read(
    meeting,
    name: str,
    sep: str | None = None,
    last: str | None = None,
    numerals: str | None = None,
    item: int | None = None,
) -> str | None:
    """The text of fact ``name`` in ``meeting``, or None when the meeting does not give it."""
    fact = CATALOGUE[name]
    value = fact.get(meeting)
    if isinstance(value, list):
        if item is not None:
            return _write(value[item - 1], fact, numerals) if 0 < item <= len(value) else None
        shown = [text for text in (_write(entry, fact, numerals) for entry in value) if text is not None]
        return cn_join(shown, sep=sep or fact.sep, last=last or None) if shown else None
    return _write(value, fact, numerals)


def cite(meeting, part) -> str | None:
    """The text of one citation (a ``fact:`` part of a paragraph) with its own options."""
    return read(meeting, part.fact, part.sep, part.last, part.numerals, part.item)


def length(meeting, name: str) -> int | None:
    """How many entries a list fact has (None for a fact that is not a list)."""
    value = CATALOGUE[name].get(meeting)
    return len(value) if isinstance(value, list) else None


def _in(section: str, name: str):
    def get(meeting):
        record = meeting[section]
        return None if record is None else record[name]

    return get


def _each(section: str, items: str, name: str):
    """One field of every entry of a list, in order (None where an entry leaves it out)."""

    def get(meeting):
        record = meeting[section]
        return [entry[name] for entry in record[items]] if record is not None else None

    return get


def _number_of(section: str, items: str):
    def get(meeting):
        record = meeting[section]
        values = record[items] if record is not None else None
        return Number(len(values)) if values else None

    return get


def _basis(meeting) -> list[str]:
    notices = []
    for notice in meeting.basis:
        text = cn_join(notice.issuers) + book_title(notice.title)
        if notice.number:
            text += f"（{notice.number}）"
        notices.append(text)
    return notices


def _warning(meeting):
    warning = meeting.study.warning
    return None if warning is None else warning.kind + book_title(warning.title)


def opinion_count(meeting):
    """The number of opinions: counted from the opinions written out one by one, else as the file gives it."""
    opinions = meeting.opinions
    if opinions is None:
        return None
    records = opinions.records if "records" in opinions else []
    return Count(len(records)) if records else opinions["items"]


def _records_count(meeting, group: bool):
    records = meeting.opinions.records if meeting.opinions is not None and "records" in meeting.opinions else []
    if not records:
        return None
    return Count(sum((not record.member) == group for record in records))


def _reach(meeting):
    reach = meeting.opinions.reach if meeting.opinions is not None and "reach" in meeting.opinions else []
    return [f"{entry.count}{entry.unit}{entry.what}" for entry in reach] or None


def _titled(getter):
    def get(meeting):
        value = getter(meeting)
        return None if not value else book_title(value)

    return get


def secretary(meeting):
    """The secretary: the first member in rank order (None while the group has no members)."""
    return meeting.group.members[0] if meeting.group and meeting.group.members else None


def _secretary(name: str):
    def get(meeting):
        member = secretary(meeting)
        return None if member is None else member[name]

    return get


def _fact(doc: str, fields: str, get: Callable, **options) -> Fact:
    return Fact(doc, tuple(fields.split()), get, **options)


CATALOGUE: dict[str, Fact] = {
    "group": _fact("班子名称", "group.name", _in("group", "name")),
    "group.short_name": _fact("班子简称", "group.short_name", _in("group", "short_name")),
    "group.aliases": _fact("班子的其他称呼，用 item 选其中一个", "group.aliases", _in("group", "aliases")),
    "group.member_title": _fact("成员称谓", "group.member_title", _in("group", "member_title")),
    "group.member_count": _fact("班子成员人数", "group.members", _number_of("group", "members"), number=True),
    "secretary.name": _fact("书记姓名", "group.members", _secretary("name")),
    "secretary.post": _fact("书记职务", "group.members", _secretary("post")),
    "year": _fact("年度", "year", lambda m: m.year),
    "kind": _fact("会议类别", "kind", lambda m: m.kind),
    "theme": _fact("主题", "theme", lambda m: m.theme),
    "supervisor": _fact("督导组", "supervisor", lambda m: m.supervisor),
    "basis": _fact("依据的通知（发文单位《标题》（文号））", "basis", _basis, sep="，"),
    "inspection.team": _fact("巡察组", "inspection", _in("inspection", "team")),
    "inspection.feedback_title": _fact("巡察反馈意见《标题》", "inspection", _titled(_in("inspection", "feedback_title"))),
    "inspection.rectification_by": _fact("部署整改的单位", "inspection", _in("inspection", "rectification_by")),
    "study.materials": _fact("自学材料", "study.materials", _in("study", "materials"), sep="，"),
    "study.material_count": _fact("自学材料的项数", "study.materials", _number_of("study", "materials"), number=True),
    "study.session_themes": _fact("集中学习研讨的主题", "study.sessions", _each("study", "sessions", "theme")),
    "study.session_kinds": _fact("各次学习的形式，如“常委会（扩大）会议”", "study.sessions", _each("study", "sessions", "kind")),
    "study.session_titles": _fact("各次学习的名称或内容", "study.sessions", _each("study", "sessions", "title")),
    "study.session_dates": _fact("各次学习的日期（如“11月25日”“x月x日”）", "study.sessions", _each("study", "sessions", "date")),
    "study.session_count": _fact("集中学习研讨的次数（一、二、三）", "study.sessions", _number_of("study", "sessions"), numerals="chinese", number=True),
    "study.warning": _fact("警示教育（形式《名称》）", "study.warning", _warning),
    "study.warning_date": _fact("警示教育的日期", "study.warning", lambda m: m.study.warning and m.study.warning.date),
    "opinions.notice_title": _fact("征求意见通知《标题》", "opinions.notice_title", _titled(_in("opinions", "notice_title"))),
    "opinions.methods": _fact("征求意见的方式", "opinions.methods", _in("opinions", "methods")),
    "opinions.places": _fact("走访的地方", "opinions.places", _in("opinions", "places")),
    "opinions.visited": _fact("走访的对象", "opinions.visited", _in("opinions", "visited")),
    "opinions.scope": _fact("征求意见的范围", "opinions.scope", _in("opinions", "scope")),
    "opinions.targets": _fact("征求意见的对象", "opinions.targets", _in("opinions", "targets")),
    "opinions.people": _fact("人次", "opinions.people", _in("opinions", "people"), number=True),
    "opinions.forms": _fact("征求意见表份数", "opinions.forms", _in("opinions", "forms"), number=True),
    "opinions.aspects": _fact("意见涉及的方面数", "opinions.aspects", _in("opinions", "aspects"), number=True),
    "opinions.items": _fact("意见建议条数", "opinions.items opinions.records", lambda m: opinion_count(m), number=True),
    "opinions.group_items": _fact("对班子的意见建议条数（按逐条填写的意见建议）", "opinions.records", lambda m: _records_count(m, group=True), number=True),
    "opinions.member_items": _fact("对班子成员个人的意见建议条数（按逐条填写的意见建议）", "opinions.records", lambda m: _records_count(m, group=False), number=True),
    "opinions.reach": _fact("征求意见覆盖的范围（如“12个乡镇街道、160名干部”）", "opinions.reach", lambda m: _reach(m)),
    "talks.rule": _fact("谈话要求的名称", "talks.rule", _in("talks", "rule")),
    "talks.forms": _fact("谈话方式（如“一对一”“面对面”）", "talks.forms", _in("talks", "forms"), quote=True),
    "materials.sources": _fact("问题来源", "materials.sources", _in("materials", "sources")),
    "materials.aspects_name": _fact("对照检视的方面", "materials.aspects_name", _in("materials", "aspects_name")),
    "materials.aspects": _fact("对照检视的各个方面", "materials.aspects", _in("materials", "aspects")),
    "materials.aspect_count": _fact("对照检视的方面数（一、二、三）", "materials.aspects", _number_of("materials", "aspects"), numerals="chinese", number=True),
    "readiness": _fact("准备就绪的表述", "readiness", _in("readiness", "statement")),
}
