"""Where a meeting stands, computed once from its facts and the build date.

Every view — the home page's row and summary, its filters, a year page, the overview, the checklist's
lead, ``make status``, the draft mark and the overdue marks — reads the word and the numbers from here,
so that a meeting reads the same everywhere. The stages, in order:

准备中（尚缺 N 项，其中 M 项已逾期）→ 已就绪 → 待填写召开情况 (the date has passed, nothing recorded)
→ 已召开 → 会议情况报告已报送 → 整改中（N 项未完成，M 项已逾期）→ 整改完成.

Anything past its due date — an open preparation item, the unrecorded meeting, the 会议情况报告, a
rectification item — makes the meeting overdue, before or after the meeting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from macros.model import rectification
from macros.rules import after_meeting
from macros.rules import preparation

STAGES = {
    "preparing": "准备中",
    "ready": "已就绪",
    "unrecorded": "待填写召开情况",
    "held": "已召开",
    "reported": "会议情况报告已报送",
    "rectifying": "整改中",
    "rectified": "整改完成",
}
"""Each stage's key (for filters and styles) and its word (what every page, paper and command shows)."""

OVERDUE = "有逾期事项"
"""The filter and summary word for a meeting with anything overdue, in whatever stage."""

FINISHED = ("ready", "rectified")
"""Stages in which nothing is left to do for now."""


@dataclass(frozen=True)
class Action:
    """The one thing to do next: its title, the meeting's page it is done on (``checklist.md#next-steps``,
    ``meeting-report.md`` …; ``None``: the guide tells how), when it is due and whether that has passed."""

    title: str
    page: str | None
    due: dt.date | None = None
    overdue: bool = False


@dataclass(frozen=True)
class Lifecycle:
    """A meeting's stage as of a date, with the counts its label shows and the next thing to do.

    ``open_count`` and ``overdue_count`` count the stage's own items: the preparation checklist's
    while preparing, the rectification list's while rectifying. ``overdue`` is true when anything at
    all is past its due date.
    """

    stage: str
    as_of: dt.date
    date: dt.date | None
    open_count: int = 0
    overdue_count: int = 0
    overdue: bool = False
    action: Action | None = None
    preparation_open: int = 0

    @property
    def word(self) -> str:
        return STAGES[self.stage]

    @property
    def label(self) -> str:
        """The word with its numbers: 准备中（尚缺 8 项，其中 3 项已逾期）, 整改中（2 项未完成）, 已就绪."""
        if self.stage == "preparing":
            late = f"，其中 {self.overdue_count} 项已逾期" if self.overdue_count else ""
            return f"{self.word}（尚缺 {self.open_count} 项{late}）"
        if self.stage == "rectifying":
            late = f"，{self.overdue_count} 项已逾期" if self.overdue_count else ""
            return f"{self.word}（{self.open_count} 项未完成{late}）"
        return self.word

    @property
    def tone(self) -> str:
        """How the state is coloured: ``overdue``, ``done`` (nothing left for now) or ``open``."""
        if self.overdue:
            return "overdue"
        return "done" if self.stage in FINISHED else "open"

    @property
    def held(self) -> bool:
        return self.stage not in ("preparing", "ready", "unrecorded")

    @property
    def days_to_meeting(self) -> int | None:
        return None if self.date is None else (self.date - self.as_of).days


def lifecycle(meeting, checklist: preparation.Checklist, today: dt.date,
              report_days: int = rectification.DEFAULT_REPORT_DAYS) -> Lifecycle:
    """The meeting's stage as of ``today``; ``checklist`` is its preparation checklist (closed once the
    meeting is held), computed for the same date."""
    items = meeting.rectification
    late_items = sum(rectification.is_overdue(item, today) for item in items)
    after = after_meeting.next_step(meeting, today, report_days)
    if rectification.is_held(meeting):
        held = meeting.held
        action = Action(after.title, after.page and after.page + ".md", after.due, after.overdue) if after else None
        open_items = len(rectification.open_items(items))
        if held.reported_on is None:
            stage = "held"
        elif not items:
            stage = "reported"
        else:
            stage = "rectifying" if open_items else "rectified"
        overdue = bool(late_items) or bool(action and action.overdue)
        return Lifecycle(stage, today, held.date, open_items if stage == "rectifying" else 0,
                         late_items if stage == "rectifying" else 0, overdue, action)
    planned = checklist.held_on
    preparation_open = checklist.open_count
    if planned and today > planned:
        action = Action("填写会议召开情况", None, planned, True)
        return Lifecycle("unrecorded", today, planned, 0, 0, True, action, preparation_open)
    late = checklist.overdue_count
    overdue = bool(late) or bool(late_items)
    if checklist.ready:
        return Lifecycle("ready", today, planned, 0, 0, overdue, None, 0)
    first = checklist.next_steps[0]
    action = Action(first.step.title, "checklist.md#next-steps", first.due, first.overdue)
    return Lifecycle("preparing", today, planned, checklist.open_count, late, overdue, action, preparation_open)


def year_summary(states: list[Lifecycle]) -> dict:
    """How many groups, how many in each stage (every stage listed, in order, so the counts add up to
    the groups), and how many have anything overdue."""
    counts = {stage: 0 for stage in STAGES}
    for state in states:
        counts[state.stage] += 1
    return {
        "groups": len(states),
        "stages": [(stage, STAGES[stage], count) for stage, count in counts.items()],
        "overdue": sum(state.overdue for state in states),
    }


def summary_sentence(summary: dict) -> str:
    """“共 5 个班子：准备中 2 个，已就绪 1 个，整改中 2 个；其中 3 个有逾期事项。”: the stages that have
    meetings, which add up to the groups."""
    parts = [f"{word} {count} 个" for _, word, count in summary["stages"] if count]
    text = f"共 {summary['groups']} 个班子"
    if parts:
        text += "：" + "，".join(parts)
    return text + f"；其中 {summary['overdue']} 个{OVERDUE}。"
