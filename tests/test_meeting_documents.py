"""The documents before and on the day of the meeting (会议方案, 征求意见函和征求意见表, 意见反馈表,
谈心谈话记录表 …): golden printed text for every sample meeting, their Word copies, the draft mark, and
that each follows the facts it is made of. Regenerate goldens with UPDATE_GOLDEN=1 and review the diff."""

from __future__ import annotations

import io

import pytest
from docx import Document
from docx.shared import Mm

from macros.model import facts
from macros.outputs import kinds
from macros.outputs.docx_export import report_docx
from macros.outputs.render import DRAFT_MARK, Renderer, has_page
from tests.support import DATA, TODAY, load, renderer
from tests.test_golden_pages import GOLDEN, _check, printed_text

NEW_KINDS = ("plan", "opinions-form", "feedback", "talk-records")
# Every sample meeting's documents before the meeting (the 意见反馈表 of those that write out their opinions).
PRINTED = [(meeting.id, kind) for meeting in load().values() for kind in NEW_KINDS if has_page(kind, meeting)]


@pytest.mark.parametrize("meeting_id, kind", PRINTED)
def test_printed_text_matches_golden(meeting_id, kind):
    meeting = load()[meeting_id]
    _check(GOLDEN / f"{meeting_id}.{kind}.printed.txt", printed_text(renderer().page(kind, meeting)))


def test_every_sample_meeting_has_the_documents_before_the_meeting_and_one_has_feedback():
    meetings = load().values()
    for kind in ("plan", "opinions-form", "talk-records"):
        assert all(has_page(kind, meeting) for meeting in meetings)
    assert [meeting.id for meeting in meetings if has_page("feedback", meeting)] == ["2023-county-audit-bureau"]


@pytest.mark.parametrize("kind", ["plan", "opinions-form", "feedback", "talk-records"])
def test_word_copy_has_the_official_page_setup(kind):
    page = renderer().page(kind, load()["2023-county-audit-bureau"])
    section = Document(io.BytesIO(report_docx(page))).sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1) and abs(section.top_margin - Mm(37)) < Mm(0.1)
    assert abs(section.left_margin - Mm(28)) < Mm(0.1) and abs(section.right_margin - Mm(26)) < Mm(0.1)


def test_a_document_with_something_left_to_fill_prints_as_a_draft_and_says_what_on_screen():
    meetings = load()
    # The 2022 meeting gives no deadline for the call for opinions: its letter shows 【待补】.
    page = renderer().page("opinions-form", meetings["2022-county-development-reform-bureau"])
    assert printed_text(page).startswith(DRAFT_MARK + "\n")
    assert "征求意见函和征求意见表中还有未填写的内容：【待补】。" in page
    finished = renderer().page("opinions-form", meetings["2023-county-audit-bureau"])
    assert not printed_text(finished).startswith(DRAFT_MARK) and "【待补】" not in finished


def test_changing_one_opinions_target_changes_the_members_sheet_and_the_counts():
    meeting = load()["2023-county-audit-bureau"]
    opinion = meeting.opinions.records[0]
    assert opinion.member is None
    before = renderer().page("feedback", meeting)
    counts = (facts.read(meeting, "opinions.group_items"), facts.read(meeting, "opinions.member_items"))
    assert counts == ("3", "9")
    opinion["member"] = "郑国栋"
    after = renderer().page("feedback", meeting)
    assert (facts.read(meeting, "opinions.group_items"), facts.read(meeting, "opinions.member_items")) == ("2", "10")
    section = after.split("对郑国栋同志")[1]
    assert opinion.text in section and opinion.text not in before.split("对郑国栋同志")[1]
    assert facts.read(meeting, "opinions.items") == "12"


def test_the_opinion_count_comes_from_the_opinions_written_out():
    meeting = load()["2023-county-audit-bureau"]
    meeting.opinions.records.pop()
    assert facts.read(meeting, "opinions.items") == "11"
    step = Renderer(today=TODAY).checklist(meeting).steps[1]
    assert "3个方面11条" in [item.detail for item in step.items]


def test_the_checklist_names_members_not_yet_given_their_feedback():
    meeting = load()["2023-county-audit-bureau"]
    meeting.opinions.fed_back.pop()
    step = Renderer(today=TODAY).checklist(meeting).steps[1]
    assert [item.label for item in step.items if not item.done] == ["向郑国栋反馈意见"]


def test_talk_sheets_one_per_required_talk_with_the_recorded_facts():
    meeting = load()["2023-county-audit-bureau"]
    page = renderer().page("talk-records", meeting)
    assert page.count('<div class="portal-sheet"') == 9
    first = page.split('<div class="portal-sheet"')[1]
    assert "局党组书记办公室" in first and "办公室主任孙立" in first and "书记与班子成员" in first
    # A talk not yet held: the sheet names the deadline and leaves the rest to fill in by hand.
    later = load()["2022-county-development-reform-bureau"]
    sheets = renderer().page("talk-records", later).split('<div class="portal-sheet"')[1:]
    assert any("（应于" in sheet for sheet in sheets)


def test_changing_the_years_aspects_changes_the_forms_rows():
    meeting = load()["2023-county-audit-bureau"]
    year = meeting["year_notice"]
    assert "| 廉洁自律 | | |" in renderer().page("opinions-form", meeting)
    year.aspects["items"] = ["政治忠诚", "担当作为"]
    page = renderer().page("opinions-form", meeting)
    assert "| 政治忠诚 | | |" in page and "| 廉洁自律 | | |" not in page
    assert "（一）政治忠诚。" in page


def test_a_meeting_of_a_year_without_a_year_file_still_builds_and_names_the_file_to_add(tmp_path):
    meeting = load()["2021-county-gov-office"]
    page = renderer().page("opinions-form", meeting)
    assert "【待补】" in page.split("portal-document")[1]
    assert "data/years/2021.yml" in page.split("portal-document")[0]


def test_the_plan_takes_due_dates_from_the_settings_lead_days():
    meeting = load()["2023-county-audit-bureau"]
    page = Renderer(today=TODAY, lead_days={"study": 30, "opinions": 25, "talks": 10, "materials": 7, "review": 5, "report": 15}).page("plan", meeting)
    assert "| 会前报告 | 向上级报告会前准备情况和会议安排 | 2023年12月26日前 | 办公室 |" in page


def test_the_plan_lists_requirements_only_when_the_file_gives_them():
    meetings = load()
    assert "七、工作要求" in renderer().page("plan", meetings["2023-county-audit-bureau"])
    assert "工作要求" not in renderer().page("plan", meetings["2022-county-development-reform-bureau"])


def test_every_new_kind_is_in_the_table():
    assert set(NEW_KINDS) <= set(kinds.BY_KEY)


NEW_KINDS_DAY = ("self-review", "host-script", "sign-in")


@pytest.mark.parametrize("meeting_id, kind", [(path.stem, kind) for path in sorted(DATA.glob("*.yml")) for kind in NEW_KINDS_DAY])
def test_printed_text_of_the_days_documents_matches_golden(meeting_id, kind):
    meeting = load()[meeting_id]
    _check(GOLDEN / f"{meeting_id}.{kind}.printed.txt", printed_text(renderer().page(kind, meeting)))


def test_changing_the_years_aspects_changes_the_outlines_headings():
    meeting = load()["2023-county-audit-bureau"]
    meeting["year_notice"].aspects["items"] = ["政治忠诚", "担当作为"]
    meeting["self_review"]["problems"] = [p for p in meeting.self_review.problems if p.aspect == "担当作为"]
    text = printed_text(renderer().page("self-review", meeting))
    assert "（一）政治忠诚方面" in text and "（二）担当作为方面" in text and "理论学习方面" not in text


def test_a_year_requiring_a_case_study_adds_its_section_and_renumbers():
    meeting = load()["2023-county-audit-bureau"]
    meeting["year_notice"].case_study["required"] = True
    text = printed_text(renderer().page("self-review", meeting))
    assert "二、反面典型案例剖析\n【待补】\n三、原因分析" in text and "四、整改措施" in text
    assert text.startswith(DRAFT_MARK)
    meeting["case_study"] = False
    assert "反面典型案例剖析" not in renderer().page("self-review", meeting)


def test_the_outline_is_final_when_every_section_is_filled_and_a_draft_otherwise():
    meetings = load()
    assert not printed_text(renderer().page("self-review", meetings["2023-county-audit-bureau"])).startswith(DRAFT_MARK)
    page = renderer().page("self-review", meetings["2022-county-development-reform-bureau"])
    assert printed_text(page).startswith(DRAFT_MARK) and "【待补】" in page


def test_the_outline_of_a_year_without_aspects_names_the_year_file_to_add():
    page = renderer().page("self-review", load()["2021-county-development-reform-bureau"])
    assert "请在 data/years/2021.yml 的 aspects.items 中按通知填写" in page.split("portal-document")[0]


def test_a_problem_under_an_aspect_the_year_does_not_have_is_an_error(tmp_path):
    import shutil

    from macros.model.errors import DataErrors
    from macros.model.meeting import load_meetings
    from tests.support import ROOT

    (tmp_path / "data" / "meetings").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "years", tmp_path / "data" / "years")
    text = (DATA / "2023-county-audit-bureau.yml").read_text(encoding="utf-8").replace("    - aspect: 政治素质\n", "    - aspect: 政治能力\n")
    (tmp_path / "data" / "meetings" / "2023-county-audit-bureau.yml").write_text(text, encoding="utf-8")
    with pytest.raises(DataErrors) as caught:
        load_meetings(tmp_path / "data" / "meetings", tmp_path)
    assert "self_review.problems[1].aspect: “政治能力”不是本年度对照检视的方面（理论学习、政治素质、能力本领、担当作为、工作作风、廉洁自律）。请改成其中之一。" in caught.value.report()


def test_the_host_script_before_and_after_the_meeting():
    before = printed_text(renderer().page("host-script", load()["2023-county-audit-bureau"]))
    assert "应到党组班子成员3人，实到　　人，请假　　人" in before
    assert "经县委第二督导组审核批准" in before and "县委第二督导组组长钱志华同志" in before
    held = printed_text(renderer().page("host-script", load()["2021-county-development-reform-bureau"]))
    assert "应到党组班子成员6人，实到5人，赵晓东同志因参加市重点项目调度会请假" in held
    # The absent member has no turn; every other member has one, in rank order.
    assert "请县重点项目办公室主任赵晓东同志作对照检查" not in held
    turns = [line for line in held.splitlines() if line.startswith("下面，请")]
    assert turns == [f"下面，请{name}同志作对照检查。" for name in ("副局长李红梅", "副局长张志强", "县粮食和物资储备中心主任刘海峰", "副局长陈静")]


def test_the_sign_in_sheet_lists_members_observers_and_supervisors():
    text = printed_text(renderer().page("sign-in", load()["2023-county-audit-bureau"]))
    rows = [line for line in text.splitlines() if line[:1].isdigit()]
    assert [row.split(" | ")[3] for row in rows] == ["出席"] * 3 + ["列席"] + ["督导"] * 2
    assert "记录人：办公室主任孙立" in text


def test_attendance_of_five_of_nine_is_flagged():
    from macros.rules.after_meeting import attendance_problem, next_step
    from macros.model.schema import Record

    meeting = load()["2021-county-development-reform-bureau"]
    assert attendance_problem(meeting) == ""
    members = meeting.group.members
    extra = [Record({"name": f"成员{i}", "post": "副局长", "role": "党组成员", "units": [], "branch": None}, 0, {}) for i in range(3)]
    meeting.group["members"] = members + extra
    meeting.held["absent"] = [Record({"member": m.name, "reason": None}, 0, {}) for m in meeting.group.members[5:]]
    assert len(meeting.group.members) == 9 and len(meeting.held.absent) == 4
    assert attendance_problem(meeting) == "到会班子成员5人，不足应到9人的三分之二（6人），会议应当重新召开"
    step = next_step(meeting, TODAY)
    assert step.title.startswith("重新召开会议") and step.overdue
    checklist = renderer().page("checklist", meeting)
    assert "**应重新召开**" in checklist and "不足应到9人的三分之二" in checklist
    meeting.held["absent"] = meeting.held.absent[1:]
    assert attendance_problem(meeting) == ""


def test_the_checklists_materials_items_link_to_the_outline():
    page = renderer().page("checklist", load()["2023-county-audit-bureau"])
    assert "| [班子对照检查材料](self-review.md) |" in page


def test_the_reach_of_the_call_is_a_fact_a_report_can_cite():
    meeting = load()["2023-county-audit-bureau"]
    assert facts.read(meeting, "opinions.reach") == "6个被审计单位、1个镇、48名干部职工"
    assert facts.read(load()["2022-county-development-reform-bureau"], "opinions.reach") is None


def _with_period(meeting, start, end):
    from macros.model.schema import Record

    meeting["period"] = Record({"start": start, "end": end}, 0, {})
    return meeting


def test_the_meeting_date_against_the_notices_period_or_a_recorded_approval():
    import datetime as dt

    from macros.model.schema import Record
    from macros.rules import notice

    meeting = load()["2023-county-audit-bureau"]
    assert notice.period_item(meeting) is None  # no period known: nothing to check
    _with_period(meeting, dt.date(2023, 10, 1), dt.date(2024, 1, 31))
    assert notice.period_item(meeting) == ("会议时间符合通知要求", True, "通知要求2023年10月1日至2024年1月31日召开")
    _with_period(meeting, dt.date(2023, 10, 1), dt.date(2023, 12, 31))
    label, done, detail = notice.period_item(meeting)
    assert (label, done) == ("会议时间经上级同意", False) and "须经上级同意" in detail
    report_step = Renderer(today=TODAY).checklist(meeting).steps[-1]
    assert [item.label for item in report_step.items if not item.done] == ["会议时间经上级同意"]
    meeting["approval"] = Record({"by": "县委组织部", "date": dt.date(2023, 12, 20)}, 0, {})
    assert notice.period_item(meeting) == ("会议时间经上级同意", True, "县委组织部2023年12月20日同意")


def test_a_year_files_period_applies_unless_the_meeting_gives_its_own(tmp_path):
    import datetime as dt
    import shutil

    from macros.model.meeting import load_meetings
    from macros.model.years import notice
    from tests.support import ROOT

    (tmp_path / "data" / "meetings").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "years", tmp_path / "data" / "years")
    shutil.copy(DATA / "2023-county-audit-bureau.yml", tmp_path / "data" / "meetings")
    year = (tmp_path / "data" / "years" / "2023.yml")
    year.write_text(year.read_text(encoding="utf-8") + "period:\n  start: 2023-10-01\n  end: 2023-12-31\n  source: 测试用的虚构通知\n", encoding="utf-8")
    meeting = load_meetings(tmp_path / "data" / "meetings", tmp_path)[0]
    assert notice(meeting).period == (dt.date(2023, 10, 1), dt.date(2023, 12, 31))
    step = Renderer(today=TODAY).checklist(meeting).steps[-1]
    assert step.items[-1].label == "会议时间经上级同意" and not step.items[-1].done


def test_make_new_offers_the_aspects_of_the_years_file(tmp_path):
    import shutil

    from macros.adapters.cli import new
    from tests.support import ROOT

    (tmp_path / "data" / "meetings").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "years", tmp_path / "data" / "years")
    assert new("2024-county-gov-office", tmp_path) == 0
    text = (tmp_path / "data" / "meetings" / "2024-county-gov-office.yml").read_text(encoding="utf-8")
    assert "  # 不填时按 data/years/2024.yml（四个带头），即：\n  #   - 严守政治纪律和政治规矩、维护党的团结统一\n" in text
    assert new("2022-county-gov-office", tmp_path) == 0
    text = (tmp_path / "data" / "meetings" / "2022-county-gov-office.yml").read_text(encoding="utf-8")
    assert "还没有 data/years/2022.yml 中的各个方面" in text


def test_make_status_says_a_meeting_short_of_two_thirds_must_be_held_again(tmp_path):
    import io
    import shutil

    from macros.adapters.cli import status
    from tests.support import ROOT

    (tmp_path / "data").mkdir()
    shutil.copytree(ROOT / "data" / "meetings", tmp_path / "data" / "meetings")
    shutil.copytree(ROOT / "data" / "years", tmp_path / "data" / "years")
    path = tmp_path / "data" / "meetings" / "2021-county-development-reform-bureau.yml"
    text = path.read_text(encoding="utf-8").replace(
        "    - {member: 赵晓东, reason: 因参加市重点项目调度会}",
        "    - {member: 赵晓东, reason: 因参加市重点项目调度会}\n    - {member: 陈静, reason: 因病}\n    - {member: 刘海峰, reason: 因公出差}")
    assert text != path.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    assert status("2021-county-development-reform-bureau", tmp_path, out) == 0
    assert "会后：下一步是重新召开会议（到会班子成员不足三分之二）" in out.getvalue()
