"""What happens after a meeting: its rectification list, the facts of the meeting held, and the link
from one year's meeting to the group's previous one.

The schema of the ``rectification`` list and of the ``held`` facts, their cross-checks, and the rules
computed from them: counts by status, overdue items as of a date, the 会议情况报告's due date and the
previous meeting of the same group. Nothing here reads files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from macros.model.errors import DataError
from macros.model.schema import Choice, Context, CountType, Date, Field, List, Obj, Record, Text

STATUSES = ("未开始", "推进中", "已完成", "长期坚持")
OPEN_STATUSES = ("未开始", "推进中")
DEFAULT_REPORT_DAYS = 15

ITEM = Obj(
    {
        "problem": Field(Text(), "存在的问题", required=True),
        "source": Field(Text(), "问题来源，如“征求意见”“谈心谈话”“巡察反馈”“对照检查”"),
        "measures": Field(List(Text()), "整改措施，每条一行"),
        "member": Field(Text(), "责任人（班子成员姓名）", required=True),
        "deadline": Field(Date(), "完成时限，如 2022-06-30；长期坚持的事项可不填"),
        "status": Field(Choice(*STATUSES), "整改状态：未开始、推进中、已完成或长期坚持", default="未开始"),
        "completed_on": Field(Date(), "完成日期（状态为“已完成”时填写）"),
        "evidence": Field(Text(), "完成情况或佐证材料，如“已制定《……》”"),
    }
)

ABSENCE = Obj(
    {
        "member": Field(Text(), "未出席的班子成员", required=True),
        "reason": Field(Text(), "原因，如“因公出差”"),
    }
)

HELD = Obj(
    {
        "date": Field(Date(), "会议召开日期", required=True),
        "place": Field(Text(), "会议地点（不填时同会议安排中的地点）"),
        "absent": Field(List(ABSENCE), "未出席的班子成员及原因（全部出席时不填）"),
        "superior": Field(List(Text()), "到会指导的上级领导和督导组成员，如“县委第三督导组组长周xx”"),
        "criticisms": Field(CountType(), "会上提出的批评意见条数"),
        "addressee": Field(Text(), "会议情况报告的主送机关，如“县委组织部”"),
        "report_due": Field(Date(), "会议情况报告的报送期限（不填时按会议召开日期往后推算）"),
        "reported_on": Field(Date(), "会议情况报告的报送日期（报送后填写）"),
        "signed_by": Field(Text(), "会议情况报告的署名（不填时同准备工作情况报告）"),
    }
)

FIELDS = {
    "previous": Field(Text(r"[a-z0-9][a-z0-9-]*", "应填上一年度会议文件的编号（文件名去掉 .yml）。"),
                      "本班子上一年度会议的编号；不填时按班子名称和年度自动查找"),
    "rectification": Field(List(ITEM), "整改清单：会上查摆的问题及整改措施、责任人、时限和进度"),
    "held": Field(HELD, "会议召开后的情况（会议召开后填写）"),
}
"""The meeting file's fields this module adds (all optional)."""

PREVIOUS_KEY = "previous_meeting"
"""Where a loaded meeting keeps the previous meeting it is linked to (None when there is none)."""


def check(meeting: Record, by_name: dict, ctx: Context) -> None:
    """Cross-checks: responsible and absent members belong to the group; dates agree with statuses."""
    for index, item in enumerate(meeting.rectification):
        path = f"rectification[{index}]"
        ctx.known_member(item, "member", by_name, path)
        if any(error.field == f"{path}.status" for error in ctx.errors):
            # A status that was refused reads as the default here: say nothing about a value never written.
            continue
        if item.status == "已完成" and item.completed_on is None:
            ctx.error(item.line_of("status"), f"{path}.status", "状态为“已完成”，请填写完成日期 completed_on（如 2022-06-30）。")
        if item.completed_on is not None and item.status != "已完成":
            ctx.error(item.line_of("completed_on"), f"{path}.completed_on", f"填写了完成日期，但状态是“{item.status}”。已完成的请把状态改为“已完成”，否则删去完成日期。")
    held = meeting.held
    if held is None:
        return
    for index, absence in enumerate(held.absent):
        ctx.known_member(absence, "member", by_name, f"held.absent[{index}]")
    if held.reported_on and held.date and held.reported_on < held.date:
        ctx.error(held.line_of("reported_on"), "held.reported_on", f"报送日期 {held.reported_on} 早于会议召开日期 {held.date}。请核对。")


def link_years(meetings: list[Record], complete: bool = True) -> list[DataError]:
    """Link each meeting to its group's previous meeting; errors for a ``previous`` that does not fit.

    A meeting names its previous one with ``previous``; otherwise the previous one is the meeting of the
    same group (by name) in the year before. ``complete`` is False when only some files were loaded (a
    focused preview): a named meeting that was not loaded is then no error, just not linked.
    """
    by_id = {meeting.id: meeting for meeting in meetings}
    by_group_year: dict[tuple, Record] = {}
    for meeting in meetings:
        if meeting.group and meeting.year is not None:
            by_group_year.setdefault((meeting.group.name, meeting.year), meeting)
    for meeting in meetings:
        # A second meeting of the same year names the first as its previous: the next year follows it.
        key = (meeting.group.name, meeting.year) if meeting.group else None
        if key and meeting.previous and by_group_year.get(key) is by_id.get(meeting.previous):
            by_group_year[key] = meeting
    errors = []
    for meeting in meetings:
        previous = None
        if not meeting.group or meeting.year is None:
            # The file's own errors (a missing group, a year out of range) are reported already.
            meeting[PREVIOUS_KEY] = None
            continue
        if meeting.previous:
            previous = by_id.get(meeting.previous)
            line = meeting.line_of("previous")
            if previous is None and complete:
                errors.append(DataError(meeting.source, line, "previous", f"没有编号为“{meeting.previous}”的会议文件。请核对编号（即文件名去掉 .yml）。"))
            elif previous is meeting:
                errors.append(DataError(meeting.source, line, "previous", "上一年度会议不能是本次会议自己。"))
                previous = None
            elif previous is not None and (previous.year > meeting.year or (previous.year == meeting.year and previous.group.name != meeting.group.name)):
                errors.append(DataError(meeting.source, line, "previous", f"“{previous.id}”是{previous.year}年的会议，不早于本次会议（{meeting.year}年）。"))
                previous = None
        else:
            previous = by_group_year.get((meeting.group.name, meeting.year - 1))
        meeting[PREVIOUS_KEY] = previous
    return errors


def previous_meeting(meeting: Record) -> Record | None:
    """The group's previous meeting, as linked when the meetings were loaded."""
    return meeting[PREVIOUS_KEY] if PREVIOUS_KEY in meeting else None


@dataclass(frozen=True)
class Counts:
    """A rectification list in numbers: all items, and how many are in each status."""

    total: int
    by_status: dict

    @property
    def done(self) -> int:
        return self.by_status["已完成"]

    @property
    def in_progress(self) -> int:
        return self.by_status["推进中"]

    @property
    def open(self) -> int:
        return sum(self.by_status[status] for status in OPEN_STATUSES)

    def summary(self) -> str:
        """“共8项，已完成4项，推进中3项，未开始1项”: the total and every status."""
        return f"共{self.total}项，{self.status_summary()}"

    def status_summary(self) -> str:
        """“已完成4项，推进中3项”, then 长期坚持 and 未开始 only when there are any."""
        parts = [f"已完成{self.done}项", f"推进中{self.in_progress}项"]
        parts += [f"{status}{self.by_status[status]}项" for status in ("长期坚持", "未开始") if self.by_status[status]]
        return "，".join(parts)


def counts(items: list[Record]) -> Counts:
    by_status = {status: 0 for status in STATUSES}
    for item in items:
        by_status[item.status] += 1
    return Counts(len(items), by_status)


def is_open(item: Record) -> bool:
    return item.status in OPEN_STATUSES


def is_overdue(item: Record, today: dt.date) -> bool:
    """Not started or in progress, and its deadline has passed."""
    return is_open(item) and item.deadline is not None and today > item.deadline


def open_items(items: list[Record]) -> list[tuple[int, Record]]:
    """The items not completed (未开始, 推进中), with their number in the list (from 1)."""
    return [(number, item) for number, item in enumerate(items, 1) if is_open(item)]


def by_member(meeting: Record) -> list[tuple[Record, list[tuple[int, Record]]]]:
    """Members in rank order, each with their items and the items' numbers; members without items left out."""
    rows = []
    for member in meeting.group.members:
        items = [(number, item) for number, item in enumerate(meeting.rectification, 1) if item.member == member.name]
        if items:
            rows.append((member, items))
    return rows


def by_status(meeting: Record) -> list[tuple[str, list[tuple[int, Record]]]]:
    """Each status that has items, in the order 未开始, 推进中, 已完成, 长期坚持."""
    rows = []
    for status in STATUSES:
        items = [(number, item) for number, item in enumerate(meeting.rectification, 1) if item.status == status]
        if items:
            rows.append((status, items))
    return rows


def is_held(meeting: Record) -> bool:
    return meeting.held is not None and meeting.held.date is not None


def report_due(meeting: Record, days: int = DEFAULT_REPORT_DAYS) -> dt.date | None:
    """When the 会议情况报告 is due: the file's date, or ``days`` after the meeting was held."""
    if not is_held(meeting):
        return None
    return meeting.held.report_due or meeting.held.date + dt.timedelta(days=days)


def attendance(meeting: Record) -> tuple[int, int]:
    """Members expected and members present at the meeting held."""
    expected = len(meeting.group.members)
    return expected, expected - len(meeting.held.absent)


def has_list(meeting: Record | None) -> bool:
    """Whether the meeting has a rectification list (and so a 整改清单 page)."""
    return meeting is not None and bool(meeting.rectification)
