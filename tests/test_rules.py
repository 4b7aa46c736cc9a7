"""The rules that derive required talks, material progress, steps and readiness from a meeting."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from macros import placeholders, rules, yamlfile
from macros.errors import DataErrors
from macros.meeting import convert

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


def test_make_status_names_what_is_missing(capsys):
    import io

    from macros import cli
    from tests.support import ROOT

    out = io.StringIO()
    assert cli.status("2022-county-development-reform-bureau", root=ROOT, out=out) == 0
    text = out.getvalue()
    assert "县发展和改革局党组2022年度民主生活会（2022-county-development-reform-bureau）：已完成 62/70（88%），尚不具备开会条件" in text
    assert "  谈心谈话：37/40 进行中" in text
    assert "    - 缺：张志强与赵晓东" in text
    assert "    - 缺：孙丽华个人对照检查材料（未起草）" in text
    assert "2021-county-gov-office" not in text
    assert cli.status("no-such-meeting", root=ROOT, out=io.StringIO()) == 2
