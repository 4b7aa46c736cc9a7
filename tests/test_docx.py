"""The Word copy of a report: official page setup, fonts, headings and page numbers."""

from __future__ import annotations

import io
import zipfile

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from macros.outputs.docx_export import report_blocks, report_docx
from tests.support import ROOT, load, renderer, squeeze

SEED_A = ROOT / "tests" / "golden" / "seeds" / "report-a-county-gov-office-2021.txt"


def word(meeting_id: str):
    markdown = renderer().page("report", load()[meeting_id])
    return Document(io.BytesIO(report_docx(markdown)))


def east_asian(style) -> str:
    return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_page_setup_is_a4_with_official_margins():
    section = word("2021-county-gov-office").sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1) and abs(section.page_height - Mm(297)) < Mm(0.1)
    assert abs(section.top_margin - Mm(37)) < Mm(0.1) and abs(section.bottom_margin - Mm(35)) < Mm(0.1)
    assert abs(section.left_margin - Mm(28)) < Mm(0.1) and abs(section.right_margin - Mm(26)) < Mm(0.1)


def test_fonts_and_headings():
    document = word("2021-county-gov-office")
    styles = document.styles
    assert east_asian(styles["Normal"]) == "仿宋_GB2312" and styles["Normal"].font.size == Pt(16)
    assert styles["Normal"].paragraph_format.line_spacing == Pt(28.95)
    assert styles["Normal"].paragraph_format.first_line_indent == Pt(32)
    assert east_asian(styles["Title"]) == "方正小标宋简体" and styles["Title"].font.size == Pt(22)
    assert east_asian(styles["Heading 1"]) == "黑体" and east_asian(styles["Heading 2"]) == "楷体_GB2312"
    paragraphs = document.paragraphs
    assert (paragraphs[0].style.name, paragraphs[0].text) == ("Title", "2021年度专题民主生活会准备工作情况报告")
    headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、深学领域，打牢基础。", "二、征求意见，找准问题。", "三、谈心谈话，形成共识。", "四、深入剖析，撰写材料。"]


def test_every_part_of_a_word_copy_is_compressed():
    # The body was once stored as is: a checklist's copy took 110 KB instead of about 35 KB.
    data = report_docx(renderer().page("checklist", load()["2021-county-gov-office"]))
    parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert {part.filename for part in parts} >= {"word/document.xml", "docProps/core.xml"}
    assert [part.filename for part in parts if part.compress_type != zipfile.ZIP_DEFLATED] == []


def test_word_copy_has_the_whole_seed_text():
    document = word("2021-county-gov-office")
    assert squeeze("".join(p.text for p in document.paragraphs)) == squeeze(SEED_A.read_text(encoding="utf-8"))


def test_official_report_form_title_addressee_run_in_items_and_signature():
    document = word("2022-county-development-reform-bureau")
    paragraphs = document.paragraphs
    assert paragraphs[0].style.name == "Title"
    assert paragraphs[0].text.replace("\n", "") == "县发展和改革局党组关于2022年度民主生活会准备工作情况的报告"
    assert paragraphs[1].text == "县委组织部：" and paragraphs[1].paragraph_format.first_line_indent == 0
    first_item = next(p for p in paragraphs if p.text.startswith("（一）"))
    assert first_item.text == "（一）会议时间：2023年1月12日上午8:30。"
    assert first_item.runs[0].text == "（一）会议时间：" and first_item.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    assert [p.text for p in paragraphs if p.style.name == "Heading 2"] == ["（四）会议议程"]
    signature, date = paragraphs[-2], paragraphs[-1]
    assert (signature.text, date.text) == ("县发展和改革局党组", "2023年1月9日")
    assert signature.alignment == 2 and signature.paragraph_format.right_indent == Pt(32)


def test_run_in_level_one_headings():
    paragraphs = word("2023-county-audit-bureau").paragraphs
    first = next(p for p in paragraphs if p.text.startswith("一、"))
    assert first.style.name == "Normal" and first.text.startswith("一、深入学习研讨。班子成员认真自学")
    assert first.runs[0].text == "一、深入学习研讨。" and first.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"


def test_page_numbers_odd_right_even_left():
    document = word("2021-county-gov-office")
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, alignment in ((section.footer, 2), (section.even_page_footer, 0)):
        xml = footer.paragraphs[0]._p.xml
        assert "PAGE" in xml and footer.paragraphs[0].text.startswith("— ") and footer.paragraphs[0].text.endswith(" —")
        assert footer.paragraphs[0].alignment == alignment


def test_blocks_leave_out_the_site():
    blocks = report_blocks(renderer().page("report", load()["2021-county-gov-office"]))
    text = "".join(t for _, t in blocks)
    assert "下载 Word" not in text and "尚不能上报" not in text and "准备工作清单" not in text
