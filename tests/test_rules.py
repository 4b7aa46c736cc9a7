"""The rules that derive required talks, material progress, steps and readiness from a meeting."""

from __future__ import annotations

import datetime as dt
import re
import textwrap

import pytest

from macros.model import placeholders
from macros.rules import lifecycle
from macros.rules import preparation as rules
from macros.model import yamlfile
from macros.model.errors import DataErrors
from macros.model.meeting import convert

NAME = "data/meetings/t.yml"


def meeting_from(members: str, body: str = ""):
    text = textwrap.dedent(
        """\
        id: t
        year: 2022
        group:
          name: 测试党组
          short_name: 党组班子
          member_title: 党组成员
          members:
        """
    ) + textwrap.indent(textwrap.dedent(members), "    ") + textwrap.dedent(body) + textwrap.dedent(
        """\
        report:
          opening: 开头。
          sections:
            - {step: study, heading: 学习。, text: 内容。}
        """
    )
    meeting, errors = convert(yamlfile.parse(text, NAME), NAME)
    if errors:
        raise DataErrors(errors)
    return meeting


THREE = """\
- {name: 甲, post: 局长, role: 党组书记, units: [办公室], branch: 一支部}
- {name: 乙, post: 副局长, role: 党组成员, units: [规划科, 价格科], branch: 一支部}
- {name: 丙, post: 副局长, role: 党组成员, branch: 二支部}
"""


def held(meeting):
    return {t.label: t.held for t in rules.required_talks(meeting)}


def test_required_talks_of_three_members():
    talks = held(meeting_from(THREE))
    assert set(talks) == {
        "甲与乙", "甲与丙", "乙与丙",
        "甲与办公室主要负责同志", "乙与规划科主要负责同志", "乙与价格科主要负责同志",
        "甲与一支部党员代表", "乙与一支部党员代表", "丙与二支部党员代表",
    }
    assert not any(talks.values())


def test_group_of_one_needs_only_unit_and_branch_talks():
    meeting = meeting_from("- {name: 甲, post: 局长, role: 党组书记, units: [办公室], branch: 一支部}\n")
    assert set(held(meeting)) == {"甲与办公室主要负责同志", "甲与一支部党员代表"}
    assert rules.talk_matrix(meeting, rules.required_talks(meeting)) == [[None]]


def test_member_without_units_has_no_unit_talks():
    talks = held(meeting_from(THREE))
    assert not [label for label in talks if label.startswith("丙与") and "主要负责同志" in label]


def test_a_pair_counts_in_either_direction_and_once():
    body = """\
    talks:
      records:
        - {member: 乙, with: 甲, date: 2022-12-05}
        - {member: 甲, with: 乙, date: 2022-12-01}
        - {member: 甲, with: 乙, date: 2022-12-09}
    """
    meeting = meeting_from(THREE, body)
    talks = rules.required_talks(meeting)
    pair = [t for t in talks if t.label == "甲与乙"]
    assert len(pair) == 1 and pair[0].held and pair[0].held_on == dt.date(2022, 12, 1)
    step = rules.checklist(meeting).steps[2]
    assert (step.done_count, len(step.items)) == (1, 9)


def test_record_naming_someone_outside_the_group_is_a_data_error_with_line():
    body = """\
    talks:
      records:
        - {member: 甲, with: 丁, date: 2022-12-05}
    """
    with pytest.raises(DataErrors) as caught:
        meeting_from(THREE, body)
    message = str(caught.value.errors[0])
    assert message.startswith(f"{NAME}:13: talks.records[0].with: “丁”不是本班子成员")


def test_unit_talk_must_name_a_unit_the_member_oversees():
    body = """\
    talks:
      records:
        - {member: 丙, unit: 办公室}
    """
    with pytest.raises(DataErrors) as caught:
        meeting_from(THREE, body)
    assert "talks.records[0].unit: “办公室”不是丙的分管单位（无）" in str(caught.value)


def test_materials_behind_and_review():
    body = """\
    materials:
      group: 已修改
      members:
        - {member: 甲, status: 已修改}
        - {member: 乙, status: 书记已审阅}
    """
    meeting = meeting_from(THREE, body)
    assert [status for _, status in rules.member_materials(meeting)] == ["已修改", "书记已审阅", "未起草"]
    steps = {step.key: step for step in rules.checklist(meeting).steps}
    assert [item.label for item in steps["materials"].missing] == ["丙个人对照检查材料"]
    assert [item.label for item in steps["review"].missing] == ["乙个人材料经书记审阅后修改完善", "丙个人材料经书记审阅后修改完善"]


def test_due_dates_count_back_from_the_meeting_and_can_be_overridden():
    body = """\
    arrangement:
      date: 2023-01-12
    deadlines:
      talks: 2023-01-10
    """
    meeting = meeting_from(THREE, body)
    steps = {step.key: step for step in rules.checklist(meeting, today=dt.date(2023, 1, 8)).steps}
    assert steps["study"].due == dt.date(2022, 12, 13)
    assert steps["study"].overdue
    assert steps["talks"].due == dt.date(2023, 1, 10)
    assert not steps["talks"].overdue
    custom = {step.key: step for step in rules.checklist(meeting, lead_days={**rules.DEFAULT_LEAD_DAYS, "study": 1}).steps}
    assert custom["study"].due == dt.date(2023, 1, 11)


def test_no_due_dates_without_a_meeting_date():
    steps = rules.checklist(meeting_from(THREE)).steps
    assert all(step.due is None and not step.overdue for step in steps)


def test_ready_only_when_every_item_is_complete():
    meeting = meeting_from(THREE)
    result = rules.checklist(meeting)
    assert not result.ready and result.percent < 100


def test_placeholders_are_found_once_each():
    assert placeholders.find("根据xx组综〔2021〕x号，于x月x日待定，xx") == ["xx", "x号", "x月x日", "待定"]
    assert placeholders.find("2021年12月20日在局三楼会议室") == []


def test_agenda_rounds_follow_rank_order():
    rounds = rules.agenda_rounds(meeting_from(THREE))
    assert [(r.number, r.member.name, r.for_group) for r in rounds] == [(1, "甲", True), (2, "乙", False), (3, "丙", False)]


def test_make_status_prints_the_next_steps_of_the_checklist(monkeypatch):
    import io

    from macros.adapters import cli
    from tests.support import ROOT

    monkeypatch.setenv("PORTAL_TODAY", "2023-01-03")
    out = io.StringIO()
    assert cli.status("2022-county-development-reform-bureau", root=ROOT, out=out) == 0
    text = out.getvalue()
    assert text.startswith("县发展和改革局党组2022年度民主生活会（2022-county-development-reform-bureau）：准备中（尚缺 8 项，其中 3 项已逾期）；有逾期事项")
    assert "    1. 谈心谈话：张志强与赵晓东（未谈）；办理：张志强、赵晓东；期限：2023年1月2日" in text
    assert "    7. 审核把关：陈静个人材料经书记审阅后修改完善（目前：已起草）；办理：王建国（书记）；期限：2023年1月7日" in text
    assert "    9." not in text
    assert "    谈心谈话：37/40 进行中" in text
    assert "2021-county-gov-office" not in text
    assert cli.status("no-such-meeting", root=ROOT, out=io.StringIO()) == 2


def test_make_status_lists_what_the_checklist_page_lists(monkeypatch):
    import io

    from macros.adapters import cli
    from macros.outputs.portal import Portal
    from tests.support import ROOT

    monkeypatch.setenv("PORTAL_TODAY", "2023-01-03")
    out = io.StringIO()
    cli.status("2022-county-development-reform-bureau", root=ROOT, out=out)
    portal = Portal.load(ROOT)
    meeting = next(m for m in portal.meetings if m.id == "2022-county-development-reform-bureau")
    expected = [(n.step.title, n.item.label, n.actor, rules.due_text(n.due, n.overdue)) for n in portal.renderer.checklist(meeting).next_steps]
    printed = re.findall(r"^    \d+\. (.+?)：(.+?)（[^；]*）；办理：(.+?)；期限：(.+)$", out.getvalue(), re.M)
    assert printed == expected
    assert "截至2023年1月3日" in out.getvalue()
    assert sum("已逾期" in line for line in out.getvalue().splitlines() if line.startswith("    ") and "办理" in line) == 3


def test_who_acts_on_each_open_item():
    body = """\
    materials:
      group: 书记已审阅
      members:
        - {member: 甲, status: 已修改}
        - {member: 乙, status: 已起草}
    talks:
      records:
        - {member: 甲, unit: 办公室}
    """
    steps = {n.item.label: n.actor for n in rules.checklist(meeting_from(THREE, body)).next_steps}
    assert steps["甲与乙"] == "甲、乙"
    assert steps["丙与二支部党员代表"] == "丙"
    assert steps["丙个人对照检查材料"] == "丙"
    assert steps["乙个人材料经书记审阅后修改完善"] == "甲（书记）"
    assert steps["班子对照检查材料修改完善"] == rules.OFFICE
    assert steps["开展集中学习研讨"] == rules.OFFICE
    assert "甲与办公室主要负责同志" not in steps


def test_next_steps_run_by_due_date_and_only_past_due_is_overdue():
    body = """\
    arrangement:
      date: 2023-01-12
    deadlines:
      report: 2022-12-01
    """
    result = rules.checklist(meeting_from(THREE, body), today=dt.date(2022, 12, 20))
    dues = [n.due for n in result.next_steps]
    assert dues == sorted(dues)
    assert result.next_steps[0].step.key == "report"
    overdue = {n.step.key for n in result.next_steps if n.overdue}
    assert overdue == {"report", "study", "opinions"}
    state = lifecycle.lifecycle(meeting_from(THREE, body), result, dt.date(2022, 12, 20))
    assert state.stage == "preparing" and state.overdue and state.tone == "overdue"
    assert state.label == f"准备中（尚缺 {result.open_count} 项，其中 {result.overdue_count} 项已逾期）"
    assert result.days_to_meeting == 23 == state.days_to_meeting


def test_meeting_without_a_date_is_never_behind_or_overdue():
    from tests.support import renderer

    meeting = meeting_from(THREE, "arrangement:\n  place: 三楼会议室\n")
    result = rules.checklist(meeting, today=dt.date(2030, 1, 1))
    assert result.next_steps and not any(n.overdue or n.due for n in result.next_steps)
    state = lifecycle.lifecycle(meeting, result, dt.date(2030, 1, 1))
    assert state.stage == "preparing" and not state.overdue and state.label == f"准备中（尚缺 {result.open_count} 项）"
    for kind in ("checklist", "overview"):
        page = renderer().page(kind, meeting)
        assert "滞后" not in page and "逾期" not in page, kind
    assert "会议日期待定，各环节的完成期限待会议日期确定后推算。" in renderer().page("checklist", meeting)


def test_members_not_listed_is_open_and_not_a_complete_count():
    from tests.support import renderer

    meeting = meeting_from("- {name: 甲, post: 局长, role: 党组书记, branch: 一支部}\n", """\
    talks:
      records:
        - {member: 甲, branch: 一支部}
    """)
    result = rules.checklist(meeting)
    talks = next(step for step in result.steps if step.key == "talks")
    assert not result.members_listed and not talks.complete and not result.ready
    assert "在会议文件中列出班子全部成员" in [item.label for item in talks.missing]
    page = renderer().page("checklist", meeting)
    assert not re.search(r"应谈 \d+ 次", page)
    assert "会议文件中只列出了书记，班子其他成员尚未列出。“四必谈”应谈次数待列出全部成员后计算。" in page
    listed = rules.checklist(meeting_from(THREE))
    assert listed.members_listed and "在会议文件中列出班子全部成员" not in [n.item.label for n in listed.next_steps]


def test_a_material_reads_the_same_in_every_table():
    from tests.support import load, renderer

    page = renderer().page("checklist", load()["2022-county-development-reform-bureau"])
    assert "滞后" not in page
    rows = {}
    for line in page.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 3 and "张志强个人" in cells[0]:
            # The materials' items link to the outline: the label is the link's text.
            rows[re.sub(r"\[(.*?)\]\(.*?\)", r"\1", cells[0])] = (cells[1], cells[2])
    # Drafted (done for 撰写), reviewed but not revised (not done for 审核): the stage is the detail, never the status.
    assert rows == {"张志强个人对照检查材料": ("书记已审阅", "—"), "张志强个人材料经书记审阅后修改完善": ("**未完成**", "目前：书记已审阅")}


def test_make_status_says_a_held_meeting_is_held_and_what_follows(monkeypatch):
    import io

    from macros.adapters import cli
    from tests.support import ROOT

    monkeypatch.setenv("PORTAL_TODAY", "2023-01-03")
    out = io.StringIO()
    assert cli.status("2021-county-development-reform-bureau", root=ROOT, out=out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0] == "县发展和改革局党组2021年度专题民主生活会（2021-county-development-reform-bureau）：整改中（3 项未完成，2 项已逾期）；有逾期事项（截至2023年1月3日）"
    assert lines[1] == "  会议时间：2022年1月14日（已召开）"
    assert lines[2] == "  会后：下一步是落实整改；期限：2022年10月31日（已逾期）"
    out = io.StringIO()
    cli.status("2022-county-development-reform-bureau", root=ROOT, out=out)
    assert "会后" not in out.getvalue()  # its date (2023-01-12) is still ahead
