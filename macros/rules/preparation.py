"""What the rules of a 民主生活会 derive from the facts of one meeting.

The agenda's rounds of criticism, the talks the 四必谈 rule requires, the
preparation checklist with each step's status, due date and missing items, and
the next steps: every open item with who must act, by when, and whether it is
overdue as of the build date. Everything here is computed from a loaded
meeting; nothing reads files. Every status word a page, the terminal or paper
shows comes from here, so one fact reads the same everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations

from macros.model import placeholders
from macros.model.facts import opinion_count, secretary
from macros.model.meeting import DEFAULT_LEAD_DAYS, MATERIAL_STATUSES, STEP_TITLES
from macros.model.text import cn_date
from macros.rules import notice


OFFICE = "办公室"
NOT_APPLICABLE = "不适用"


@dataclass(frozen=True)
class AgendaRound:
    """One turn of 批评和自我批评: a member examines themself and the others criticise."""

    number: int
    member: object
    for_group: bool


def agenda_rounds(meeting) -> list[AgendaRound]:
    """The secretary first (for the group and for themself), then each member in rank order."""
    return [AgendaRound(index + 1, member, index == 0) for index, member in enumerate(meeting.group.members)]


@dataclass
class RequiredTalk:
    """A talk the 四必谈 rule requires, and the record that shows it held, if any."""

    kind: str  # "pair", "unit" or "branch"
    member: str
    other: str
    held_on: dt.date | None = None
    held: bool = False
    item: "Item | None" = None
    """The checklist's item for this talk (its 不适用 and closed state), once the checklist is made."""

    @property
    def label(self) -> str:
        if self.kind == "pair":
            return f"{self.member}与{self.other}"
        if self.kind == "unit":
            return f"{self.member}与{self.other}主要负责同志"
        return f"{self.member}与{self.other}党员代表"


def required_talks(meeting) -> list[RequiredTalk]:
    """Every talk the rule requires, in rank order, each marked held when a record shows it.

    A pair of members counts once, whichever of the two is recorded as the one who talked,
    and a talk recorded twice counts once (the earliest date is kept).
    """
    members = meeting.group.members
    talks: dict[tuple, RequiredTalk] = {}
    for first, second in combinations(members, 2):
        talks[("pair", frozenset((first.name, second.name)))] = RequiredTalk("pair", first.name, second.name)
    for member in members:
        for unit in member.units:
            talks[("unit", member.name, unit)] = RequiredTalk("unit", member.name, unit)
        talks[("branch", member.name)] = RequiredTalk("branch", member.name, member.branch or "所在党支部")
    for record in meeting.talks.records:
        talk = talks.get(talk_key(record))
        if talk is None:
            continue
        talk.held = True
        date = placeholders.known_date(record.date)
        if date and (talk.held_on is None or date < talk.held_on):
            talk.held_on = date
    return list(talks.values())


def talk_key(record) -> tuple:
    """Which required talk a talk record is of: a pair of members, a member and a unit, or a member
    and their branch (the keys of ``required_talks``)."""
    if record["with"]:
        return ("pair", frozenset((record.member, record["with"])))
    if record.unit:
        return ("unit", record.member, record.unit)
    return ("branch", record.member)


def talk_matrix(meeting, talks: list[RequiredTalk]) -> list[list[RequiredTalk | None]]:
    """Rows and columns in rank order; the diagonal is None."""
    pairs = {frozenset((t.member, t.other)): t for t in talks if t.kind == "pair"}
    names = [m.name for m in meeting.group.members]
    return [[None if a == b else pairs[frozenset((a, b))] for b in names] for a in names]


def material_rank(status: str) -> int:
    return MATERIAL_STATUSES.index(status)


def member_materials(meeting) -> list[tuple[object, str]]:
    """Each member in rank order with the status of their material (未起草 when not listed)."""
    listed = {item.member: item.status for item in meeting.materials.members}
    return [(member, listed.get(member.name, "未起草")) for member in meeting.group.members]


@dataclass
class Item:
    """One thing to be done; ``state`` is the word shown for it once done (a material's own status),
    ``open_word`` while not done, ``actor`` who acts. ``key`` names it for 不适用 (``not_applicable``
    holds the file's reason); ``closed`` once the meeting is held: what was not done by then stays not
    done, but is no longer open."""

    label: str
    done: bool
    detail: str = ""
    actor: str = OFFICE
    state: str = ""
    overdue: bool = False
    key: str = ""
    open_word: str = "未完成"
    not_applicable: str = ""
    closed: bool = False

    @property
    def applicable(self) -> bool:
        return not self.not_applicable

    @property
    def open(self) -> bool:
        """Still to be done: applicable, not done, and the meeting not yet held."""
        return self.applicable and not self.done and not self.closed

    @property
    def status(self) -> str:
        """The word for where it stands: done (its own word), not done, overdue, closed or 不适用."""
        if not self.applicable:
            return NOT_APPLICABLE
        if self.done:
            return self.state or "已完成"
        if self.closed:
            return "会前" + self.open_word
        return self.open_word + ("（已逾期）" if self.overdue else "")

    @property
    def tone(self) -> str:
        """How the status is emphasised: ``done``, ``open`` (not done), ``overdue``, or ``none``
        (不适用, or not done by a meeting already held: a closed record)."""
        if not self.applicable or (self.closed and not self.done):
            return "none"
        if self.done:
            return "done"
        return "overdue" if self.overdue else "open"

    @property
    def note(self) -> str:
        """What the checklist says beside the status: the reason it does not apply, or its detail."""
        if not self.applicable:
            return f"不适用：{self.not_applicable}"
        return self.detail


@dataclass
class Step:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    due: dt.date | None = None
    overdue: bool = False

    @property
    def applicable(self) -> list[Item]:
        """The items that count: those not marked 不适用."""
        return [item for item in self.items if item.applicable]

    @property
    def done_count(self) -> int:
        return sum(item.done for item in self.applicable)

    @property
    def total(self) -> int:
        return len(self.applicable)

    @property
    def complete(self) -> bool:
        return self.done_count == self.total

    @property
    def closed(self) -> bool:
        return any(item.closed for item in self.items)

    @property
    def status(self) -> str:
        if not self.applicable:
            return NOT_APPLICABLE
        if self.complete:
            return "已完成"
        if self.closed:
            return "会前未完成"
        return "进行中" if self.done_count else "未开始"

    @property
    def tone(self) -> str:
        if not self.applicable or (self.closed and not self.complete):
            return "none"
        if self.complete:
            return "done"
        return "overdue" if self.overdue else "open"

    @property
    def missing(self) -> list[Item]:
        return [item for item in self.applicable if not item.done]


@dataclass(frozen=True)
class NextStep:
    """An open item of the checklist: what, in which step, who must act, by when."""

    step: Step
    item: Item

    @property
    def actor(self) -> str:
        return self.item.actor

    @property
    def due(self) -> dt.date | None:
        return self.step.due

    @property
    def overdue(self) -> bool:
        return self.item.overdue


@dataclass
class Checklist:
    steps: list[Step]
    talks: list[RequiredTalk]
    as_of: dt.date | None = None
    members_listed: bool = True
    held_on: dt.date | None = None
    closed: bool = False
    """The meeting is held: the checklist is the record of what was done by then, with nothing open."""

    @property
    def done_count(self) -> int:
        return sum(step.done_count for step in self.steps)

    @property
    def total(self) -> int:
        return sum(step.total for step in self.steps)

    @property
    def not_applicable(self) -> list[tuple[Step, Item]]:
        return [(step, item) for step in self.steps for item in step.items if not item.applicable]

    @property
    def open_count(self) -> int:
        return self.total - self.done_count

    @property
    def percent(self) -> int:
        return 100 * self.done_count // self.total if self.total else 100

    @property
    def ready(self) -> bool:
        return all(step.complete for step in self.steps)

    @cached_property
    def next_steps(self) -> list[NextStep]:
        """Every open item, soonest due first (items of steps without a due date last), in step order otherwise."""
        order = {step.key: index for index, step in enumerate(self.steps)}
        found = [NextStep(step, item) for step in self.steps for item in step.items if item.open]
        return sorted(found, key=lambda n: (n.due is None, n.due or dt.date.min, order[n.step.key]))

    @property
    def overdue_count(self) -> int:
        return sum(n.overdue for n in self.next_steps)

    @property
    def days_to_meeting(self) -> int | None:
        if self.held_on is None or self.as_of is None:
            return None
        return (self.held_on - self.as_of).days


def due_text(due: dt.date | None, overdue: bool = False) -> str:
    """2023年1月2日, 2023年1月2日（已逾期）, or 待定 while neither a meeting date nor a deadline gives one."""
    if due is None:
        return "待定"
    return cn_date(due) + ("（已逾期）" if overdue else "")


def countdown(days: int | None) -> str:
    """还有 9 天, 今天, 已过 3 天; empty without a date."""
    if days is None:
        return ""
    if days > 0:
        return f"还有 {days} 天"
    return "今天" if days == 0 else f"已过 {-days} 天"


def checklist(meeting, today: dt.date | None = None, lead_days: dict | None = None, closed: bool = False) -> Checklist:
    """The preparation steps of the meeting, each with its items, status and due date.

    A step is due ``lead_days[step]`` days before the meeting date unless the meeting's
    ``deadlines`` name a date; it is overdue when ``today`` is past that and it is not complete.
    Items the file marks 不适用 count neither as done nor as missing. ``closed`` (the meeting is
    held): nothing is open or overdue any more; what was not done by then reads 会前未完成.
    """
    lead_days = lead_days or DEFAULT_LEAD_DAYS
    talks = required_talks(meeting)
    steps = [
        _study(meeting),
        _opinions(meeting),
        _talks(meeting, talks),
        _materials(meeting),
        _review(meeting),
        _report(meeting),
    ]
    held_on = meeting.arrangement.date if meeting.arrangement else None
    overrides = meeting.deadlines
    marked = {entry.what: entry.reason for entry in meeting.not_applicable}
    for step in steps:
        for item in step.items:
            reason = marked.get(step.key) or marked.get(item.key)
            if reason:
                item.not_applicable = reason
            item.closed = closed
        if overrides and overrides[step.key]:
            step.due = overrides[step.key]
        elif held_on:
            step.due = held_on - dt.timedelta(days=lead_days[step.key])
        step.overdue = bool(step.due and today and today > step.due and not step.complete and not closed)
        for item in step.items:
            item.overdue = step.overdue and item.open
    return Checklist(steps, talks, today, members_listed(meeting), held_on, closed)


def members_listed(meeting) -> bool:
    """Whether the file lists the group beyond its secretary (a 班子 never has only one member)."""
    return len(meeting.group.members) > 1


def _talks(meeting, talks: list[RequiredTalk]) -> Step:
    items = []
    if not members_listed(meeting):
        items.append(Item("在会议文件中列出班子全部成员", False, f"目前只列出了书记，“{meeting.talks.rule}”应谈次数待列出后计算"))
    keys = {"pair": "talks.pairs", "unit": "talks.units", "branch": "talks.branches"}
    for talk in talks:
        actor = f"{talk.member}、{talk.other}" if talk.kind == "pair" else talk.member
        talk.item = Item(talk.label, talk.held, cn_date(talk.held_on), actor, "已谈", key=keys[talk.kind], open_word="未谈")
        items.append(talk.item)
    return Step("talks", STEP_TITLES["talks"], items)


def _study(meeting) -> Step:
    study = meeting.study
    sessions = study.sessions
    items = [Item("确定自学材料", bool(study.materials), f"{len(study.materials)}项" if study.materials else "", key="study.materials")]
    # The study meetings listed are the items; the one line stands for them only while none is listed.
    if sessions:
        items += [Item(session_label(s), placeholders.is_known(s.date), _date_detail(s.date), key="study.sessions") for s in sessions]
    else:
        items.append(Item("开展集中学习研讨", False, "尚未列出集中学习研讨", key="study.sessions"))
    items.append(Item("开展警示教育", study.warning is not None, study.warning.title if study.warning else "", key="study.warning"))
    return Step("study", STEP_TITLES["study"], items)


def session_label(session) -> str:
    """A study event as the checklist names it: its theme, else its kind and title."""
    if session.theme:
        return f"集中研讨：{session.theme}"
    return "：".join(part for part in (session.kind or "集中学习", session.title) if part)


def _date_detail(date) -> str:
    if date is None:
        return "未填日期"
    return cn_date(date) if placeholders.is_known(date) else f"日期未定（{date}）"


_known = placeholders.is_known


def _opinions(meeting) -> Step:
    opinions = meeting.opinions
    count = opinion_count(meeting)
    items = [
        Item("确定征求意见方式", bool(opinions.methods or opinions.notice_title), key="opinions.methods"),
        Item("统计征求意见人次", _known(opinions.people), str(opinions.people or ""), key="opinions.people"),
        Item("统计征求意见表份数", _known(opinions.forms), str(opinions.forms or ""), key="opinions.forms"),
        Item("汇总意见建议", _known(opinions.aspects) and _known(count),
             f"{opinions.aspects}个方面{count}条" if opinions.aspects and count else "", key="opinions.items"),
        Item("意见分解到每位班子成员", opinions.assigned, key="opinions.assigned"),
    ]
    if opinions.records:
        # Opinions written out one by one: each member is given what was said about them before the meeting.
        given = {entry.member: entry.date for entry in opinions.fed_back}
        for member in meeting.group.members:
            date = given.get(member.name)
            items.append(Item(f"向{member.name}反馈意见", member.name in given, _date_detail(date) if date else "", OFFICE))
    return Step("opinions", STEP_TITLES["opinions"], items)


def _progress(status: str, done: bool) -> str:
    """A material's stage as the detail of an item not yet done (目前：书记已审阅); none once done."""
    return "" if done or status == "未起草" else f"目前：{status}"


def _materials(meeting) -> Step:
    group_status = meeting.materials.group
    items = [Item("班子对照检查材料", material_rank(group_status) >= 1, actor=OFFICE, state=group_status, key="materials.group",
                  open_word="未起草")]
    items += [
        Item(f"{member.name}个人对照检查材料", material_rank(status) >= 1, actor=member.name, state=status, open_word="未起草")
        for member, status in member_materials(meeting)
    ]
    if not members_listed(meeting):
        items.append(Item("其他班子成员个人对照检查材料", False, "班子其他成员尚未列出"))
    return Step("materials", STEP_TITLES["materials"], items)


def review_actor(status: str, author: str, reviewer: str) -> str:
    """Who moves a material on towards 已修改: its author drafts or revises, the secretary reviews a draft."""
    return reviewer if status == "已起草" else author


def _review(meeting) -> Step:
    group_status = meeting.materials.group
    revised = MATERIAL_STATUSES.index("已修改")
    sec = secretary(meeting)
    reviewer = f"{sec.name}（书记）"
    done = material_rank(group_status) >= revised
    items = [
        Item("班子对照检查材料修改完善", done, _progress(group_status, done),
             actor=review_actor(group_status, OFFICE, reviewer), state=group_status, key="review.group")
    ]
    for member, status in member_materials(meeting):
        done = material_rank(status) >= revised
        items.append(Item(f"{member.name}个人材料经书记审阅后修改完善", done, _progress(status, done),
                          actor=review_actor(status, member.name, reviewer), state=status))
    if not members_listed(meeting):
        items.append(Item("其他班子成员个人材料经书记审阅后修改完善", False, "班子其他成员尚未列出"))
    return Step("review", STEP_TITLES["review"], items)


def _report(meeting) -> Step:
    arrangement = meeting.arrangement
    if arrangement is None:
        return Step("report", STEP_TITLES["report"], [Item("提出会议安排", False, "会议时间、地点、参加人员待定")])
    items = [
        Item("确定会议时间", arrangement.date is not None, cn_date(arrangement.date) or "待定"),
        Item("确定会议地点", bool(arrangement.place), arrangement.place or "待定"),
        Item("确定参加人员", bool(arrangement.attendees), f"{len(arrangement.attendees)}类" if arrangement.attendees else "待定",
             key="report.attendees"),
    ]
    period = notice.period_item(meeting)
    if period:
        items.append(Item(*period))
    return Step("report", STEP_TITLES["report"], items)


def cites_readiness(meeting) -> bool:
    """Whether the report's closing states that the meeting is ready."""
    parts = list(meeting.report.opening) + list(meeting.report.closing)
    for section in meeting.report.sections:
        parts += list(section.text)
    return any(not isinstance(part, str) and "fact" in part and part.fact == "readiness" for part in parts)


def unit_and_branch_talks(meeting, talks: list[RequiredTalk]) -> list[tuple[object, list[RequiredTalk], RequiredTalk]]:
    """For each member in rank order: their talks with unit heads, and with their branch."""
    rows = []
    for member in meeting.group.members:
        units = [t for t in talks if t.kind == "unit" and t.member == member.name]
        branch = next(t for t in talks if t.kind == "branch" and t.member == member.name)
        rows.append((member, units, branch))
    return rows


def arrangement_gaps(meeting) -> list[str]:
    """What the agenda still shows as 待定, each with the field of the meeting file that fills it."""
    arrangement = meeting.arrangement
    if arrangement is None:
        return ["会议时间、地点和参加人员待定：确定后请在会议文件的“会议安排”（arrangement）中填写 date、time、place 和 attendees。"]
    gaps = []
    if arrangement.date is None:
        gaps.append("会议时间待定：确定后请填写 arrangement.date（日期）和 arrangement.time（时间）。")
    if not arrangement.place:
        gaps.append("会议地点待定：确定后请填写 arrangement.place。")
    if not arrangement.attendees:
        gaps.append("参加人员待定：确定后请填写 arrangement.attendees。")
    return gaps
