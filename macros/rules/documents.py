"""What the documents before and on the day of the meeting are made of, computed from one meeting:
the plan's timetable, the talk record sheets, the opinions by member, the sign-in rows and the rule on
attendance. Nothing here reads files or formats a page; the templates print these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from macros.model import placeholders
from macros.model.facts import secretary
from macros.model.meeting import STEP_TITLES
from macros.model.text import cn_join
from macros.rules import preparation
from macros.rules.notice import GAP, notice

DEFAULT_LEADS = {
    "study": "办公室",
    "opinions": "办公室",
    "talks": "班子成员",
    "materials": "{secretary}同志（班子材料），班子成员（个人发言提纲）",
    "review": "{secretary}同志",
    "report": "办公室",
}
"""Who leads each step in the plan's timetable when the meeting file does not say (the usual division)."""


@dataclass(frozen=True)
class PlanRow:
    """One row of the plan's 时间安排: the step, what is done, by when, who leads it."""

    title: str
    content: str
    due: dt.date | None
    lead: str


def timetable(meeting, checklist) -> list[PlanRow]:
    """The preparation steps in order, each with its content (from the meeting file), due date (the
    checklist's: the meeting's deadlines, else the settings' lead days) and lead."""
    sec = secretary(meeting)
    leads = meeting.plan.leads if meeting.plan and meeting.plan.leads else None
    due = {step.key: step.due for step in checklist.steps}
    rows = []
    for key, title in STEP_TITLES.items():
        lead = (leads[key] if leads else None) or DEFAULT_LEADS[key].format(secretary=sec.name if sec else "书记")
        rows.append(PlanRow(title, step_content(meeting, key, checklist), due[key], lead))
    return rows


def step_content(meeting, key: str, checklist) -> str:
    """What the plan says a step consists of, in the words of the meeting file's facts."""
    facts = notice(meeting)
    if key == "study":
        study = meeting.study
        parts = []
        if study.materials:
            parts.append(f"自学{cn_join(study.materials, sep='，')}")
        if study.sessions:
            parts.append(f"开展集中学习研讨{len(study.sessions)}次")
        if study.warning:
            parts.append(f"开展警示教育")
        return "，".join(parts) or "班子成员自学和集中学习研讨"
    if key == "opinions":
        methods = meeting.opinions.methods
        return f"采取{cn_join(methods)}等方式广泛征求意见建议，归纳梳理后原汁原味反馈本人" if methods else "广泛征求意见建议，归纳梳理后原汁原味反馈本人"
    if key == "talks":
        return f"落实“{meeting.talks.rule}”要求，应谈{len(checklist.talks)}人次"
    if key == "materials":
        aspects = facts.aspects_name or ("、".join(facts.aspects) if facts.aspects else GAP)
        case = "，剖析反面典型案例" if facts.case_study else ""
        return f"查摆问题{case}，围绕{aspects}撰写班子对照检查材料和个人发言提纲"
    if key == "review":
        supervisor = meeting.supervisor or "上级党组织"
        return f"书记逐一审阅班子成员发言提纲，班子对照检查材料报{supervisor}审核"
    return "向上级报告会前准备情况和会议安排"


TALK_CATEGORIES = {"pair": "班子成员之间", "unit": "与分管单位主要负责同志", "branch": "与所在党支部党员代表"}


@dataclass(frozen=True)
class TalkSheet:
    """One required talk's record sheet: the two sides, the category, the deadline, and the record if any."""

    number: int
    talk: object
    member: object
    other_member: object | None
    category: str
    record: object | None


def talk_sheets(meeting) -> list[TalkSheet]:
    """A sheet for every talk the rule requires, in rank order, with the (earliest dated) record of it."""
    members = {member.name: member for member in meeting.group.members}
    sec = secretary(meeting)
    records: dict[tuple, object] = {}
    for record in meeting.talks.records:
        key = preparation.talk_key(record)
        known = placeholders.known_date(record.date)
        earlier = records.get(key)
        if earlier is None or (known and (placeholders.known_date(earlier.date) is None or known < earlier.date)):
            records[key] = record
    sheets = []
    for number, talk in enumerate(preparation.required_talks(meeting), 1):
        if talk.kind == "pair":
            key = ("pair", frozenset((talk.member, talk.other)))
            category = "书记与班子成员" if sec and sec.name in (talk.member, talk.other) else TALK_CATEGORIES["pair"]
        else:
            key = (talk.kind, talk.member, talk.other) if talk.kind == "unit" else ("branch", talk.member)
            category = TALK_CATEGORIES[talk.kind]
        record = records.get(key)
        member, other = members[talk.member], members.get(talk.other) if talk.kind == "pair" else None
        if record is not None and talk.kind == "pair" and record.member != talk.member:
            member, other = members[record.member], members[talk.member]
        sheets.append(TalkSheet(number, talk, member, other, category, record))
    return sheets


def opinions_by_member(meeting) -> list[tuple[object | None, list]]:
    """The opinions written out one by one: those on the group (None) first, then each member's in rank order."""
    records = meeting.opinions.records
    rows = [(None, [record for record in records if not record.member])]
    rows += [(member, [record for record in records if record.member == member.name]) for member in meeting.group.members]
    return rows


def fed_back_on(meeting, member) -> object | None:
    """The date (or placeholder) a member was given their opinions, or None while not yet."""
    for entry in meeting.opinions.fed_back:
        if entry.member == member.name:
            return entry.date or True
    return None
