"""Draft state of a meeting's documents: marked while not ready, clean when ready, final on request."""

from __future__ import annotations

import io

from docx import Document

from macros.outputs.docx_export import report_docx
from macros.outputs.render import DRAFT_ATTRIBUTE, DRAFT_MARK, Renderer, column_groups, title_lines
from tests.support import DATA, TODAY, load

READY = "2023-county-audit-bureau"
NOT_READY = "2022-county-development-reform-bureau"


def _edited(tmp_path, meeting_id, old, new):
    folder = tmp_path / "data" / "meetings"
    folder.mkdir(parents=True)
    source = (DATA / f"{meeting_id}.yml").read_text(encoding="utf-8")
    assert old in source
    (folder / f"{meeting_id}.yml").write_text(source.replace(old, new, 1), encoding="utf-8")
    return load(folder, tmp_path)[meeting_id]


def _header_text(page: str) -> str:
    section = Document(io.BytesIO(report_docx(page))).sections[0]
    return "".join(p.text for p in section.header.paragraphs).strip()


def test_a_ready_meeting_prints_clean_with_no_warning():
    renderer, meeting = Renderer(today=TODAY), load()[READY]
    assert not renderer.is_draft(meeting)
    for kind in ("report", "agenda", "checklist"):
        page = renderer.page(kind, meeting)
        assert DRAFT_ATTRIBUTE not in page and "portal-screen-only" not in page, kind
        assert _header_text(page) == ""


def test_an_unready_meeting_is_marked_on_paper_and_says_so_on_screen():
    renderer, meeting = Renderer(today=TODAY), load()[NOT_READY]
    assert renderer.is_draft(meeting)
    for kind in ("report", "agenda", "checklist"):
        page = renderer.page(kind, meeting)
        assert DRAFT_ATTRIBUTE in page, kind
        assert "打印件和 Word 版每页左上角标注“草稿”" in page.split("portal-document")[0], kind
        assert _header_text(page) == DRAFT_MARK


def test_a_placeholder_alone_makes_a_draft(tmp_path):
    meeting = _edited(tmp_path, READY, "place: 局二楼会议室", "place: xx会议室")
    renderer = Renderer(today=TODAY)
    assert renderer.checklist(meeting).ready and renderer.is_draft(meeting)
    assert "议程中还有未填写的内容：xx。" in renderer.page("agenda", meeting)


def test_print_as_final_prints_clean_but_keeps_the_warnings(tmp_path):
    meeting = _edited(tmp_path, NOT_READY, "year: 2022\n", "year: 2022\nprint_as_final: true\n")
    renderer = Renderer(today=TODAY)
    assert renderer.unfinished(meeting) and not renderer.is_draft(meeting)
    page = renderer.page("report", meeting)
    assert DRAFT_ATTRIBUTE not in page and _header_text(page) == ""
    screen = page.split("portal-document")[0]
    assert "会议文件要求按正式稿打印" in screen and "准备工作清单中还有 8 项未完成" in screen


def test_agenda_without_arrangement_says_what_an_office_would_write(tmp_path):
    source = (DATA / f"{READY}.yml").read_text(encoding="utf-8")
    block = source[source.index("arrangement:\n"):source.index("readiness:\n")]
    meeting = _edited(tmp_path, READY, block, "")
    page = Renderer(today=TODAY).page("agenda", meeting)
    document = page.split("portal-document", 1)[1]
    assert "时间：待定" in document and "地点：待定" in document and "参加人员：待定" in document
    assert "arrangement" not in document and "未说明原因" not in document
    assert "arrangement" in page.split("portal-document", 1)[0]  # the screen-only note names the field


def test_title_lines_break_between_words_and_balance():
    words = ["县发展和改革局党组班子", "2022年度", "民主生活会", "会议议程"]
    assert title_lines(words) == ["县发展和改革局党组班子", "2022年度民主生活会会议议程"]
    assert title_lines(["2021年度", "专题民主生活会", "准备工作情况报告"]) == ["2021年度专题民主生活会准备工作情况报告"]
    lines = title_lines(["县审计局党组", "关于2023年度", "民主生活会", "准备工作情况的报告"])
    assert lines == ["县审计局党组关于2023年度", "民主生活会准备工作情况的报告"]


def test_column_groups_keep_every_column_in_balanced_tables():
    assert column_groups(7) == [[0, 1, 2, 3], [4, 5, 6]]
    assert column_groups(4) == [[0, 1, 2, 3]]
    assert column_groups(9) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
