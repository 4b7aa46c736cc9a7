"""The 整改清单 and the 会议情况报告 printed by headless Chromium: official page, nothing cut, nothing of the site."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.browser.test_print import A4, BOTTOM, LEFT, MM, RIGHT, SITE_TEXT, TOLERANCE, TOP, glyphs, width
from tests.support import html_text, squeeze

MEETING = "2021-county-development-reform-bureau"
KINDS = ("rectification", "meeting-report")


@pytest.fixture(scope="module")
def printed(printed_pdfs) -> dict[str, PdfReader]:
    out, _ = printed_pdfs
    return {kind: PdfReader(out / f"{MEETING}-{kind}.pdf") for kind in KINDS}


@pytest.fixture(scope="module")
def pages_html(served_site) -> dict[str, str]:
    _, site = served_site
    return {kind: (site / "meetings" / MEETING / kind / "index.html").read_text(encoding="utf-8") for kind in KINDS}


def pdf_text(pdf: PdfReader) -> str:
    return unicodedata.normalize("NFKC", "".join(page.extract_text() for page in pdf.pages))


@pytest.mark.parametrize("kind", KINDS)
def test_a4_inside_the_margins_with_page_numbers(printed, kind):
    pdf = printed[kind]
    for number, page in enumerate(pdf.pages, 1):
        assert abs(float(page.mediabox.width) - A4[0]) < 1 and abs(float(page.mediabox.height) - A4[1]) < 1
        footer = []
        for x, y, text, size in glyphs(page):
            if y < BOTTOM:
                footer.append((x, text))
                continue
            assert x >= LEFT - TOLERANCE, (kind, number, text, x / MM)
            assert x + width(text, size) <= A4[0] - RIGHT + TOLERANCE, (kind, number, text)
            assert y + size * 0.88 <= A4[1] - TOP + TOLERANCE, (kind, number, text)
        assert "".join(text for _, text in sorted(footer)).replace(" ", "") == f"—{number}—", (kind, number)


def printed_text(pdf: PdfReader) -> str:
    """The printed text without spaces and page numbers."""
    return re.sub(r"—\d+—", "", squeeze(pdf_text(pdf)))


def blocks(page_html: str) -> list[str]:
    """The text of each title, heading, paragraph and table cell of the page's document."""
    document = page_html.split('class="portal-document', 1)[1]
    found = re.findall(r"<(h1|h2|h3|p|td|th)\b[^>]*>(.*?)</\1>", document, flags=re.S)
    return [squeeze(unicodedata.normalize("NFKC", html_text(text))) for _, text in found if html_text(text).strip()]


@pytest.mark.parametrize("kind", KINDS)
def test_the_whole_document_and_nothing_of_the_site_is_printed(printed, pages_html, kind):
    text = pdf_text(printed[kind])
    for chrome in SITE_TEXT:
        assert chrome not in text, (kind, chrome)
    printed_blocks = printed_text(printed[kind])
    expected = blocks(pages_html[kind])
    assert len(expected) > 20
    missing = [block for block in expected if block not in printed_blocks]
    assert not missing, (kind, missing)


def test_meeting_report_prints_title_body_and_signature(printed):
    text = printed_text(printed["meeting-report"])
    assert text.startswith("县发展和改革局党组关于2021年度专题民主生活会召开情况的报告县委组织部:")
    assert text.endswith("特此报告。县发展和改革局党组2022年1月26日")


def test_rectification_headings_stay_with_their_tables(printed):
    for number, page in enumerate(printed["rectification"].pages, 1):
        lines = [line for line in unicodedata.normalize("NFKC", page.extract_text()).splitlines() if line.strip()]
        body = [line for line in lines if not line.strip().startswith("—")]
        assert not body[-1].startswith("("), (number, "a heading ends the page", body[-1])
