"""Named facts that a report's prose may cite (``- fact: opinions.forms``).

The report's wording differs from office to office, so its sentences are data;
the facts inside them must still come from one field, so that changing the
field changes every page. Each entry here names one fact and says how it reads
in a sentence. Only these names can be cited: a paragraph cannot run code.
"""

from __future__ import annotations

from typing import Any, Callable

from .text import book_title, cn_join, cn_numeral


def _list(getter: Callable[[Any], list], sep: str = "、", quote: bool = False):
    def read(meeting, part_sep=None, last=None):
        items = getter(meeting)
        if items is None or not items:
            return None
        if quote:
            items = [f"“{item}”" for item in items]
        return cn_join(items, sep=part_sep or sep, last=last)

    return read


def _value(getter: Callable[[Any], Any]):
    def read(meeting, part_sep=None, last=None):
        value = getter(meeting)
        return None if value is None or value == "" else str(value)

    return read


def _section(name: str):
    def get(meeting):
        return meeting[name]

    return get


def _field(section: str, name: str):
    def get(meeting):
        record = meeting[section]
        return None if record is None else record[name]

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


def _count_of(items_getter):
    def get(meeting):
        items = items_getter(meeting)
        return cn_numeral(len(items)) if items else None

    return get


def _title(getter):
    def get(meeting):
        value = getter(meeting)
        return None if not value else book_title(value)

    return get


def secretary(meeting):
    """The secretary: the first member in rank order (None while the group has no members)."""
    return meeting.group.members[0] if meeting.group and meeting.group.members else None


CATALOGUE: dict[str, tuple[str, Callable]] = {
    "group": ("班子名称", _value(lambda m: m.group.name)),
    "group.short_name": ("班子简称", _value(lambda m: m.group.short_name)),
    "group.member_title": ("成员称谓", _value(lambda m: m.group.member_title)),
    "secretary.name": ("书记姓名", _value(lambda m: secretary(m) and secretary(m).name)),
    "secretary.post": ("书记职务", _value(lambda m: secretary(m) and secretary(m).post)),
    "year": ("年度", _value(_section("year"))),
    "kind": ("会议类别", _value(_section("kind"))),
    "theme": ("主题", _value(_section("theme"))),
    "supervisor": ("督导组", _value(_section("supervisor"))),
    "basis": ("依据的通知（发文单位《标题》（文号））", _list(_basis, sep="，")),
    "inspection.team": ("巡察组", _value(_field("inspection", "team"))),
    "inspection.feedback_title": ("巡察反馈意见《标题》", _value(_title(_field("inspection", "feedback_title")))),
    "inspection.rectification_by": ("部署整改的单位", _value(_field("inspection", "rectification_by"))),
    "study.materials": ("自学材料", _list(_field("study", "materials"), sep="，")),
    "study.session_themes": ("集中学习研讨的主题", _list(lambda m: [s.theme for s in m.study.sessions])),
    "study.session_count": ("集中学习研讨的次数（一、二、三）", _value(_count_of(lambda m: m.study.sessions))),
    "study.warning": ("警示教育（形式《名称》）", _value(_warning)),
    "opinions.notice_title": ("征求意见通知《标题》", _value(_title(_field("opinions", "notice_title")))),
    "opinions.methods": ("征求意见的方式", _list(_field("opinions", "methods"))),
    "opinions.places": ("走访的地方", _list(_field("opinions", "places"))),
    "opinions.visited": ("走访的对象", _list(_field("opinions", "visited"))),
    "opinions.scope": ("征求意见的范围", _list(_field("opinions", "scope"))),
    "opinions.targets": ("征求意见的对象", _value(_field("opinions", "targets"))),
    "opinions.people": ("人次", _value(_field("opinions", "people"))),
    "opinions.forms": ("征求意见表份数", _value(_field("opinions", "forms"))),
    "opinions.aspects": ("意见涉及的方面数", _value(_field("opinions", "aspects"))),
    "opinions.items": ("意见建议条数", _value(_field("opinions", "items"))),
    "talks.rule": ("谈话要求的名称", _value(_field("talks", "rule"))),
    "talks.forms": ("谈话方式（“一对一”和“面对面”）", _list(_field("talks", "forms"), quote=True)),
    "materials.sources": ("问题来源", _list(_field("materials", "sources"))),
    "materials.aspects_name": ("对照检视的方面", _value(_field("materials", "aspects_name"))),
    "materials.aspect_count": ("对照检视的方面数（一、二、三）", _value(_count_of(lambda m: m.materials.aspects))),
    "readiness": ("准备就绪的表述", _value(_field("readiness", "statement"))),
}


def read(meeting, name: str, sep: str | None = None, last: str | None = None) -> str | None:
    """The text of fact ``name`` in ``meeting``, or None when the meeting does not give it."""
    _doc, reader = CATALOGUE[name]
    return reader(meeting, sep, last)
