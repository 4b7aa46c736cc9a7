"""What the year's notice requires of one meeting: when it may be held, and what its materials are
organised under. Computed from a loaded meeting and the year file it takes (``model.years``)."""

from __future__ import annotations

from macros.model.text import cn_date
from macros.model.years import notice

GAP = "【待补】"
"""What a document shows where the meeting file and the year file leave a fact out (a draft mark on paper)."""


def in_period(meeting) -> bool | None:
    """Whether the meeting date lies in the notice's period; None while the date or the period is not known."""
    period = notice(meeting).period
    held_on = meeting.arrangement.date if meeting.arrangement else None
    if period is None or held_on is None:
        return None
    return period[0] <= held_on <= period[1]


def period_text(meeting) -> str:
    """2024年10月1日至2025年1月31日, or "" without a period."""
    period = notice(meeting).period
    return f"{cn_date(period[0])}至{cn_date(period[1])}" if period else ""


def period_item(meeting) -> tuple[str, bool, str] | None:
    """The checklist's item on the meeting date against the notice's period (label, done, detail), or
    None when there is nothing to check (no period, no date)."""
    inside = in_period(meeting)
    if inside is None:
        return None
    if inside:
        return ("会议时间符合通知要求", True, f"通知要求{period_text(meeting)}召开")
    approval = meeting.approval if "approval" in meeting else None
    if approval:
        when = f"{cn_date(approval.date)}" if approval.date else ""
        return ("会议时间经上级同意", True, f"{approval.by}{when}同意")
    return ("会议时间经上级同意", False, f"通知要求{period_text(meeting)}召开，会议日期在此之外，须经上级同意")


def missing_year_file(meeting) -> str:
    """The screen note for a document that needs the year's aspects when neither file gives them."""
    facts = notice(meeting)
    if facts.aspects:
        return ""
    if facts.has_year_file:
        return f"对照检视的方面尚未填写：请在 {facts.year_file} 的 aspects.items 中按通知填写，或在会议文件的 materials.aspects 中逐项填写。"
    return f"对照检视的方面尚未填写：请添加年度通知文件 {facts.year_file}（见使用说明“年度通知文件”），或在会议文件的 materials.aspects 中逐项填写。"
