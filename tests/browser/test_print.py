"""The report printed by headless Chromium is an official document (GB/T 9704-2012)."""

from __future__ import annotations

import re
from pathlib import Path
import unicodedata
from collections import defaultdict

import pytest
from pypdf import PdfReader

from macros.outputs.render import DRAFT_MARK
from tests.support import DATA

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
TOP, LEFT, RIGHT, BOTTOM = 37 * MM, 28 * MM, 26 * MM, 35 * MM
TOLERANCE = 1 * MM
# Chromium's PDF maps some glyphs of Noto CJK to radicals (⼯ for 工): count those as characters too.
WIDE = re.compile(r"[\u2e80-\u2fdf\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’《》—]")
SITE_TEXT = ["民主生活会准备工作门户", "搜索", "尚不能上报", "准备工作清单", "下载 Word", "Material", "使用说明"]


@pytest.fixture(scope="module")
def printed(printed_pdfs) -> Path:
    """Every document of the sample site, printed by Chromium (these tests read the reports and agendas)."""
    return printed_pdfs[0]


@pytest.fixture(scope="module")
def report_pdf(printed):
    return {path.name: PdfReader(path) for path in sorted(printed.glob("*-report.pdf")) if not path.name.endswith("-meeting-report.pdf")}


@pytest.fixture(scope="module")
def agenda_pdf(printed):
    return {path.name: PdfReader(path) for path in sorted(printed.glob("*-agenda.pdf"))}


def glyphs(page):
    """Each text run with its position (points from the bottom-left) and size."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            runs.append((x, y, text, size * cm[0] * tm[0]))

    page.extract_text(visitor_text=visit)
    return runs


def width(text: str, size: float) -> float:
    """Advance of a run: a full em for a Chinese character, about half for Latin letters and digits.
    Spaces are left out: the PDF's text layer adds them where it sees a gap, they are not glyphs."""
    return sum(size if WIDE.match(ch) else size * 0.5 for ch in text.strip())


def body_lines(page):
    """Runs inside the type area (not the page number below it, nor a draft's mark above it)
    grouped into lines by baseline, left to right."""
    lines = defaultdict(list)
    for x, y, text, size in glyphs(page):
        if BOTTOM < y < A4[1] - TOP:
            lines[round(y, 1)].append((x, text, size))
    return {y: sorted(runs) for y, runs in sorted(lines.items(), reverse=True)}


def test_pages_are_a4(report_pdf):
    for name, pdf in report_pdf.items():
        for page in pdf.pages:
            assert abs(float(page.mediabox.width) - A4[0]) < 1 and abs(float(page.mediabox.height) - A4[1]) < 1, name


def test_text_stays_inside_the_margins(report_pdf):
    for name, pdf in report_pdf.items():
        for number, page in enumerate(pdf.pages, 1):
            for x, y, text, size in glyphs(page):
                if y < BOTTOM:  # the page number, below the type area
                    continue
                if y > A4[1] - TOP and text.strip() in DRAFT_MARK:  # a draft's mark, above it (test_documents)
                    continue
                assert x >= LEFT - TOLERANCE, (name, number, text, x / MM)
                assert x + width(text, size) <= A4[0] - RIGHT + TOLERANCE, (name, number, text, (x + width(text, size)) / MM)
                assert y + size * 0.88 <= A4[1] - TOP + TOLERANCE, (name, number, text, y / MM)


def test_body_is_16pt_with_28_characters_on_a_full_line(report_pdf):
    pdf = report_pdf["2021-county-gov-office-report.pdf"]
    full_lines = []
    for page in pdf.pages:
        for y, runs in body_lines(page).items():
            text = "".join(t for _, t, _ in runs)
            sizes = {round(s, 1) for _, _, s in runs}
            starts_at_margin = abs(runs[0][0] - LEFT) < TOLERANCE
            if sizes == {16.0} and starts_at_margin and all(WIDE.match(ch) for ch in text):
                full_lines.append(text)
    assert full_lines, "no line of body text starts at the margin"
    assert all(len(line) <= 28 for line in full_lines), [line for line in full_lines if len(line) > 28]
    assert sum(len(line) == 28 for line in full_lines) >= 3, full_lines


def test_a_full_page_has_22_lines(report_pdf):
    pdf = report_pdf["2021-county-gov-office-report.pdf"]
    assert len(pdf.pages) >= 3
    second = body_lines(pdf.pages[1])
    assert len(second) == 22, [round(y / MM, 1) for y in second]
    baselines = list(second)
    pitches = [a - b for a, b in zip(baselines, baselines[1:])]
    # Chromium lays lines out on whole device pixels, so single pitches vary by under a point.
    assert max(abs(p - 28.99) for p in pitches) < 1 and abs(sum(pitches) / len(pitches) - 28.99) < 0.3


def test_every_page_has_its_number_on_the_outer_side(report_pdf):
    for name, pdf in report_pdf.items():
        for number, page in enumerate(pdf.pages, 1):
            footer = sorted((x, text, size) for x, y, text, size in glyphs(page) if y < BOTTOM)
            assert "".join(t for _, t, _ in footer).replace(" ", "") == f"—{number}—", (name, number)
            assert all(abs(size - 14) < 0.2 for _, _, size in footer)
            left_edge = footer[0][0]
            if number % 2:
                assert left_edge > A4[0] / 2, (name, number)
            else:
                assert left_edge < A4[0] / 2, (name, number)


def test_nothing_of_the_site_is_printed(report_pdf):
    for name, pdf in report_pdf.items():
        text = unicodedata.normalize("NFKC", "".join(page.extract_text() for page in pdf.pages))
        for chrome in SITE_TEXT:
            assert chrome not in text, (name, chrome)
        assert "准备工作情况报告" in text or "准备工作情况的报告" in text or "准备情况报告" in text


def test_agendas_print_whole_rounds_on_as_few_pages_as_fit(agenda_pdf):
    assert len(agenda_pdf) == len(list(DATA.glob("*.yml")))
    for name, pdf in agenda_pdf.items():
        pages = [unicodedata.normalize("NFKC", page.extract_text()).replace("\n", "") for page in pdf.pages]
        assert "会议议程" in pages[0] and not any("搜索" in page for page in pages), name
        rounds = re.findall(r"\d+\.[^。]*开展批评。", "".join(pages))
        assert rounds, name
        for text in rounds:
            assert any(text in page for page in pages), (name, "a round is split across pages", text)
    assert len(agenda_pdf["2021-county-gov-office-agenda.pdf"].pages) == 1
    assert len(agenda_pdf["2021-county-standing-committee-agenda.pdf"].pages) == 1
    assert len(agenda_pdf["2022-county-development-reform-bureau-agenda.pdf"].pages) == 2
    assert len(agenda_pdf["2023-county-audit-bureau-agenda.pdf"].pages) == 2
