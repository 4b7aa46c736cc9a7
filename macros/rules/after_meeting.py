"""What is left to do once a meeting's date has come: record it, report it, list and carry out the
rectification.

The home page and the checklist read one answer from here, so a held meeting shows 已召开 and the work
that follows it rather than the preparation it no longer needs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from macros.model import rectification

GUIDE = "guide.md#会后会议情况报告和整改清单"
"""Where the guide tells how to record the meeting held and its rectification list (from the site root)."""


@dataclass(frozen=True)
class AfterStep:
    """The one thing to do next after the meeting: its title, the meeting's page it is done on
    (``None``: the guide tells how), when it is due and whether that has passed."""

    title: str
    page: str | None
    due: dt.date | None = None
    overdue: bool = False


def next_step(meeting, today: dt.date, report_days: int = rectification.DEFAULT_REPORT_DAYS) -> AfterStep | None:
    """The next step after the meeting, or ``None`` while the meeting is ahead or when all is done.

    In order: a meeting whose date has passed but is not recorded as held is recorded; a held one's
    会议情况报告 is sent; its rectification list is drawn up; its open items are carried out (due at
    the earliest open deadline, overdue when any open item is past its deadline).
    """
    if not rectification.is_held(meeting):
        planned = meeting.arrangement.date if meeting.arrangement else None
        if planned and today > planned:
            return AfterStep("填写会议召开情况", None)
        return None
    if attendance_problem(meeting):
        return AfterStep("重新召开会议（到会班子成员不足三分之二）", None, None, True)
    if meeting.held.reported_on is None:
        due = rectification.report_due(meeting, report_days)
        return AfterStep("报送会议情况报告", "meeting-report", due, today > due)
    if not meeting.rectification:
        return AfterStep("制定整改清单", None)
    open_items = [item for _, item in rectification.open_items(meeting.rectification)]
    if not open_items:
        return None
    deadlines = [item.deadline for item in open_items if item.deadline]
    overdue = any(rectification.is_overdue(item, today) for item in open_items)
    return AfterStep("落实整改", "rectification", min(deadlines) if deadlines else None, overdue)



QUORUM = (2, 3)
"""At least two thirds of the members due must attend; below that the meeting has to be held again."""


def quorum(due: int) -> int:
    """How many members must attend: two thirds of those due, rounded up."""
    return -(-due * QUORUM[0] // QUORUM[1])


def attendance_problem(meeting) -> str:
    """What is wrong with the recorded attendance, or "" (no meeting held, or enough members present)."""
    if not rectification.is_held(meeting):
        return ""
    due, present = rectification.attendance(meeting)
    if present >= quorum(due):
        return ""
    return f"到会班子成员{present}人，不足应到{due}人的三分之二（{quorum(due)}人），会议应当重新召开"
