"""The rectification list, the meeting held, and the link from one year's meeting to the next."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import pytest

from macros.model import rectification
from macros.outputs.docx_export import report_blocks
from macros.model.errors import DataErrors
from macros.outputs.render import Renderer, meeting_pages
from tests.support import DATA, load, renderer

EARLIER = "2021-county-development-reform-bureau"
LATER = "2022-county-development-reform-bureau"


def copy_bureau(tmp_path, edit_earlier=None, edit_later=None):
    """The bureau's two years in a data folder of their own, each optionally edited (old → new)."""
    folder = tmp_path / "data" / "meetings"
    folder.mkdir(parents=True)
    for name, edit in ((EARLIER, edit_earlier), (LATER, edit_later)):
        text = (DATA / f"{name}.yml").read_text(encoding="utf-8")
        if edit:
            old, new = edit
            assert old in text
            text = text.replace(old, new, 1)
        (folder / f"{name}.yml").write_text(text, encoding="utf-8")
    return folder


def expected_counts(earlier) -> str:
    by_status = {status: 0 for status in rectification.STATUSES}
    for item in earlier.rectification:
        by_status[item.status] += 1
    return f"共{len(earlier.rectification)}项，已完成{by_status['已完成']}项，推进中{by_status['推进中']}项"


def test_later_year_states_the_earlier_years_counts_computed_from_the_earlier_file():
    meetings = load()
    earlier, later = meetings[EARLIER], meetings[LATER]
    assert rectification.previous_meeting(later) is earlier
    counts = expected_counts(earlier)
    assert counts == "共8项，已完成4项，推进中2项"
    agenda = renderer().page("agenda", later)
    item_one = agenda.split("## 第一项议程")[1].split("## 第二项议程")[0]
    assert f"整改措施落实情况（{counts}" in item_one
    checklist = renderer().page("checklist", later)
    assert f"县发展和改革局党组2021年度专题民主生活会整改措施{counts}" in checklist
    assert f"详见[上年度整改清单](../{EARLIER}/rectification.md)。" in checklist


def test_report_states_the_counts_only_where_the_office_opts_in(tmp_path):
    later = load()[LATER]
    assert "第一项议程：由局长王建国同志通报县发展和改革局党组班子2021年度专题民主生活会整改措施落实情况（共8项" in renderer().page("report", later)
    folder = copy_bureau(tmp_path, edit_later=("  previous_counts: true", "  previous_counts: false"))
    plain = load(folder, tmp_path)[LATER]
    page = renderer().page("report", plain)
    assert "整改措施落实情况以及本次民主生活会征求意见情况。" in page
    assert "共8项" not in page


def test_seed_reports_without_a_previous_year_keep_their_wording():
    for meeting_id in ("2021-county-gov-office", "2021-county-standing-committee"):
        meeting = load()[meeting_id]
        assert rectification.previous_meeting(meeting) is None
        assert "整改措施落实情况以及本次民主生活会征求意见情况" in renderer().page("agenda", meeting)


def test_changing_one_items_status_changes_the_later_years_counts(tmp_path):
    folder = copy_bureau(
        tmp_path,
        edit_earlier=("    status: 推进中\n    evidence: 监管办法已起草", "    status: 已完成\n    completed_on: 2022-12-20\n    evidence: 监管办法已起草"),
    )
    later = load(folder, tmp_path)[LATER]
    agenda = renderer().page("agenda", later)
    checklist = renderer().page("checklist", later)
    assert "（共8项，已完成5项，推进中1项，长期坚持1项，未开始1项）" in agenda
    assert "整改措施共8项，已完成5项，推进中1项" in checklist
    assert "节能审查事中事后监管存在薄弱环节" not in checklist
    assert "重点项目调度协调机制不够顺畅" in checklist


def test_open_items_of_the_previous_year_show_on_the_later_checklist_with_overdue_marked():
    checklist = renderer().page("checklist", load()[LATER])
    section = checklist.split("上年度整改落实情况")[1]
    assert "| 5 | 节能审查事中事后监管存在薄弱环节。 | 陈静 | 2022年10月31日 | 推进中（已超过完成时限） |" in section
    assert "| 6 | 重点项目调度协调机制不够顺畅，个别项目推进缓慢。 | 赵晓东 | 2023年3月31日 | 推进中 |" in section
    assert "涉企收费清单公示不够及时" not in section
    assert "联系服务基层不够经常" not in section


def test_overdue_is_as_of_the_build_date():
    earlier = load()[EARLIER]
    item = earlier.rectification[5]
    assert item.deadline == dt.date(2023, 3, 31)
    assert not rectification.is_overdue(item, dt.date(2023, 3, 31))
    assert rectification.is_overdue(item, dt.date(2023, 4, 1))
    page = Renderer(today=dt.date(2023, 4, 1)).page("rectification", earlier)
    assert "其中超过完成时限尚未完成3项" in page
    long_term = earlier.rectification[6]
    assert long_term.status == "长期坚持" and not rectification.is_overdue(long_term, dt.date(2030, 1, 1))


def test_a_named_previous_meeting_is_linked_and_a_wrong_one_is_an_error(tmp_path):
    folder = copy_bureau(tmp_path, edit_later=("theme: 学习贯彻党的二十大精神\n", f"theme: 学习贯彻党的二十大精神\nprevious: {EARLIER}\n"))
    assert rectification.previous_meeting(load(folder, tmp_path)[LATER]).id == EARLIER
    folder = copy_bureau(tmp_path / "bad", edit_later=("theme: 学习贯彻党的二十大精神\n", "theme: 学习贯彻党的二十大精神\nprevious: 2021-county-dev\n"))
    with pytest.raises(DataErrors) as caught:
        load(folder, tmp_path / "bad")
    assert str(caught.value.errors[0]) == (
        f"data/meetings/{LATER}.yml:8: previous: 没有编号为“2021-county-dev”的会议文件。请核对编号（即文件名去掉 .yml）。"
    )


def test_previous_meeting_is_found_by_group_and_year_only():
    meetings = load()
    assert rectification.previous_meeting(meetings[EARLIER]) is None
    other = meetings["2021-county-gov-office"]
    assert rectification.previous_meeting(other) is None


def test_completion_date_and_status_must_agree(tmp_path):
    folder = copy_bureau(tmp_path, edit_earlier=("    completed_on: 2022-06-20\n", ""))
    with pytest.raises(DataErrors) as caught:
        load(folder, tmp_path)
    assert [error.field for error in caught.value.errors] == ["rectification[0].status"]
    assert "请填写完成日期 completed_on" in caught.value.errors[0].message


def test_pages_after_the_meeting_exist_only_when_there_is_something_to_show():
    meetings = load()
    pages = meeting_pages(list(meetings.values()), renderer())
    assert f"meetings/{EARLIER}/rectification.md" in pages
    assert f"meetings/{EARLIER}/meeting-report.md" in pages
    assert f"meetings/{LATER}/rectification.md" not in pages
    assert f"meetings/{LATER}/meeting-report.md" not in pages
    assert "meeting-report.md" not in pages[f"meetings/{LATER}/index.md"]
    assert "会后工作" not in pages[f"meetings/{LATER}/checklist.md"]


def test_rectification_list_by_member_and_by_status():
    page = renderer().page("rectification", load()[EARLIER])
    by_member, by_status = page.split("## 一、按责任人")[1].split("## 二、按整改进度")
    assert by_member.index("（一）王建国（3项）") < by_member.index("（二）李红梅（1项）") < by_member.index("（六）赵晓东（1项）")
    assert [line.split(" | ")[0] for line in by_member.split("（一）王建国")[1].split("（二）")[0].splitlines() if line.startswith("| ") and line[2].isdigit()] == ["| 1", "| 7", "| 8"]
    assert by_status.index("（一）未开始（1项）") < by_status.index("（二）推进中（2项）") < by_status.index("（三）已完成（4项）") < by_status.index("（四）长期坚持（1项）")
    assert "截至2023年1月3日，已完成4项，推进中2项，长期坚持1项，未开始1项，其中超过完成时限尚未完成2项。" in page


def test_meeting_report_from_the_facts_of_the_meeting_held():
    page = renderer().page("meeting-report", load()[EARLIER])
    blocks = report_blocks(page)
    assert blocks[0] == ("title", "县发展和改革局党组关于2021年度专题民主生活会召开情况的报告")
    text = "".join(block[1] for block in blocks)
    assert "县委组织部：" in text
    assert "于2022年1月14日召开2021年度专题民主生活会" in text
    assert "党组班子成员应到6人，实到5人，赵晓东同志因参加市重点项目调度会请假。" in text
    assert "共提出批评意见42条" in text
    assert "共梳理整改事项8项" in text
    assert [block for block in blocks if block[0] == "signature"] == [("signature", "县发展和改革局党组"), ("signature", "2022年1月26日")]


def test_meeting_report_due_date_goes_on_the_checklist_once_held(tmp_path):
    earlier = load()[EARLIER]
    assert rectification.report_due(earlier) == dt.date(2022, 1, 29)
    assert rectification.report_due(load()[LATER]) is None
    assert "| 2022年1月26日 | 2022年1月29日 |" in renderer().page("checklist", earlier)
    assert "| 2022年1月26日 | 2022年1月24日 |" in Renderer(today=dt.date(2023, 1, 3), meeting_report_days=10).page("checklist", earlier)
    folder = copy_bureau(tmp_path, edit_earlier=("  reported_on: 2022-01-26\n", ""))
    unreported = load(folder, tmp_path)[EARLIER]
    assert "| 报送[会议情况报告](meeting-report.md) | **未完成**（已逾期） | — | 2022年1月29日 |" in renderer().page("checklist", unreported)


def test_meeting_report_days_is_a_portal_setting(tmp_path):
    from macros.outputs.portal import Portal

    root = tmp_path
    shutil.copytree(DATA, root / "data" / "meetings")
    (root / "data" / "portal.yml").write_text("meeting_report_days: 7\n", encoding="utf-8")
    portal = Portal.load(root, today=dt.date(2023, 1, 3))
    assert "| 2022年1月26日 | 2022年1月21日 |" in portal.pages()[f"meetings/{EARLIER}/checklist.md"]


def test_home_counts_open_rectification_items_per_group():
    home = renderer().home(list(load().values()))
    row = next(line for line in home.splitlines() if f"meetings/{EARLIER}/index.md" in line)
    assert row.endswith(f"· [整改清单](meetings/{EARLIER}/rectification.md)<br><small>整改未完成 3 项</small> |")
    later_row = next(line for line in home.splitlines() if f"meetings/{LATER}/index.md" in line)
    assert later_row.endswith(f"<br><small>[上年度整改](meetings/{EARLIER}/rectification.md)未完成 3 项</small> |")
    other = next(line for line in home.splitlines() if "meetings/2021-county-gov-office/index.md" in line)
    assert "整改" not in other


def word_copy(kind: str, meeting_id: str = EARLIER, edit=None, tmp_path=None):
    from docx import Document

    from macros.outputs.docx_export import report_docx

    meeting = load()[meeting_id] if edit is None else load(copy_bureau(tmp_path, edit_earlier=edit), tmp_path)[meeting_id]
    return Document(io.BytesIO(report_docx(renderer().page(kind, meeting))))


def test_word_copies_in_the_official_layout():
    from docx.shared import Mm

    report = word_copy("meeting-report")
    section = report.sections[0]
    assert abs(section.top_margin - Mm(37)) < Mm(0.1) and abs(section.left_margin - Mm(28)) < Mm(0.1)
    paragraphs = [p for p in report.paragraphs if p.text]
    assert paragraphs[0].style.name == "Title"
    assert paragraphs[0].text == "县发展和改革局党组关于2021年度\n专题民主生活会召开情况的报告"
    assert [p.text for p in paragraphs if p.style.name == "Heading 1"] == ["一、会议基本情况", "二、会前准备情况", "三、会议召开情况", "四、整改落实安排"]
    assert [p.text for p in paragraphs[-2:]] == ["县发展和改革局党组", "2022年1月26日"]
    assert "草稿" not in "".join(p.text for p in report.sections[0].header.paragraphs)

    listing = word_copy("rectification")
    assert [p.text for p in listing.paragraphs if p.style.name == "Heading 1"] == ["一、按责任人", "二、按整改进度"]
    tables = listing.tables
    assert len(tables) == 6 + 4
    assert [cell.text for cell in tables[0].rows[0].cells] == ["序号", "存在的问题", "整改措施", "完成时限", "进度"]
    assert [row.cells[0].text for row in tables[0].rows[1:]] == ["1", "7", "8"]


def test_a_meeting_report_with_placeholders_is_marked_draft(tmp_path):
    page = renderer().page("meeting-report", load(copy_bureau(tmp_path, edit_earlier=("组长周明", "组长周xx")), tmp_path)[EARLIER])
    assert 'data-draft="true"' in page
    assert "会议情况报告中还有未填写的内容：xx。" in page.split('<div class="portal-document')[0]
    assert 'data-draft="true"' not in renderer().page("meeting-report", load()[EARLIER])


def test_the_meeting_menu_lists_the_pages_after_the_meeting_where_they_exist():
    from macros.outputs.portal import Portal
    from tests.support import ROOT

    portal = Portal.load(ROOT, today=dt.date(2023, 1, 3))
    _, links = portal.meeting_links(f"meetings/{EARLIER}/rectification.md")
    assert [(title, current) for title, _, current in links][-2:] == [("整改清单", True), ("会议情况报告", False)]
    _, links = portal.meeting_links(f"meetings/{LATER}/index.md")
    titles = [title for title, _, _ in links]
    assert titles[:4] == ["概况", "准备工作情况报告", "会议议程", "准备工作清单"]
    assert "整改清单" not in titles and "会议情况报告" not in titles


def test_after_the_meeting_the_next_step_is_report_then_list_then_rectification(tmp_path):
    from macros.rules.after_meeting import AfterStep, next_step

    today = dt.date(2023, 1, 3)
    earlier, later = load()[EARLIER], load()[LATER]
    # Held, reported, 3 items open: carry them out; due at the earliest open deadline (推进中, 2022-10-31).
    assert next_step(earlier, today) == AfterStep("落实整改", "rectification", dt.date(2022, 10, 31), True)
    assert next_step(earlier, dt.date(2022, 7, 1)) == AfterStep("落实整改", "rectification", dt.date(2022, 10, 31), False)
    unreported = load(copy_bureau(tmp_path / "a", edit_earlier=("  reported_on: 2022-01-26\n", "")), tmp_path / "a")[EARLIER]
    assert next_step(unreported, today) == AfterStep("报送会议情况报告", "meeting-report", dt.date(2022, 1, 29), True)
    assert next_step(unreported, dt.date(2022, 1, 20), report_days=10) == AfterStep("报送会议情况报告", "meeting-report", dt.date(2022, 1, 24), False)
    folder = copy_bureau(tmp_path / "b")
    path = folder / f"{EARLIER}.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("\n# 整改清单")] + "\n", encoding="utf-8")
    no_list = load(folder, tmp_path / "b")[EARLIER]
    assert not no_list.rectification
    assert next_step(no_list, today) == AfterStep("制定整改清单", None)
    folder = copy_bureau(tmp_path / "c")
    path = folder / f"{EARLIER}.yml"
    text = path.read_text(encoding="utf-8")
    for status in rectification.OPEN_STATUSES:
        text = text.replace(f"    status: {status}\n", "    status: 已完成\n    completed_on: 2022-12-20\n")
    path.write_text(text, encoding="utf-8")
    done = load(folder, tmp_path / "c")[EARLIER]
    assert not rectification.open_items(done.rectification)
    assert next_step(done, today) is None
    # Not held: nothing before its date (2023-01-12), then it is to be recorded.
    assert next_step(later, today) is None
    assert next_step(later, dt.date(2023, 1, 13)) == AfterStep("填写会议召开情况", None)


def test_a_held_meeting_shows_as_held_on_the_home_page_with_what_follows():
    home = renderer().home(list(load().values()))
    row = next(line for line in home.splitlines() if f"meetings/{EARLIER}/index.md" in line)
    cells = [cell.strip() for cell in row.strip("|").split(" | ")]
    assert cells[1] == "2022年1月14日"
    assert cells[2] == '<span class="portal-state portal-state--overdue" data-stage="rectifying" data-overdue="true">整改中（3 项未完成，2 项已逾期）</span>'
    assert cells[3] == f"[落实整改](meetings/{EARLIER}/rectification.md)<br><small><strong>2022年10月31日（已逾期）</strong></small>"
    assert f"· [会议情况报告](meetings/{EARLIER}/meeting-report.md)" in cells[4]
    later_row = next(line for line in home.splitlines() if f"meetings/{LATER}/index.md" in line)
    assert "整改中" not in later_row and "会议情况报告" not in later_row
    earlier_only = renderer().home([load()[EARLIER]])
    summary = earlier_only.split("</section>")[0]
    assert "<strong>1</strong> 个整改中" in summary and "<strong>1</strong> 个有逾期事项" in summary
    assert "已就绪" not in summary and "准备中" not in summary


def test_a_one_meeting_preview_cites_the_previous_year_as_the_full_build_does():
    from macros.outputs.portal import Portal
    from tests.support import ROOT

    today = dt.date(2023, 1, 3)
    full = Portal.load(ROOT, today=today).pages()
    preview = Portal.load(ROOT, today=today, only={LATER}).pages()
    for kind in ("agenda", "checklist", "report"):
        page = f"meetings/{LATER}/{kind}.md"
        assert preview[page] == full[page], kind
    assert "（共8项，已完成4项" in preview[f"meetings/{LATER}/agenda.md"]
    assert not any("2021-county-gov-office" in page for page in preview)  # no other meeting is loaded
