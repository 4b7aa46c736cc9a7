"""The PDFs that `make pdf` writes can be searched and copied: their text is the page's text."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from macros.outputs.pdf import KINDS
from macros.outputs.render import DRAFT_MARK

RADICAL = re.compile(r"[\u2e80-\u2fdf]")
CJK = re.compile(r"[\u2e80-\u2fdf\u3400-\u4dbf\u4e00-\u9fff]")


def meeting_and_kind(stem: str) -> tuple[str, str]:
    """“<id>-<kind>” split at the longest kind it ends with (“-meeting-report” before “-report”)."""
    kind = max((kind for kind in KINDS if stem.endswith("-" + kind)), key=len)
    return stem[: -len(kind) - 1], kind


@pytest.fixture(scope="module")
def printed(served_site, chromium, printed_pdfs) -> dict[str, tuple[str, str]]:
    """Each PDF `make pdf` writes for the sample site (its kinds of page): name → (PDF text, page text).

    The page text is what the browser shows of the printed document with print styles applied."""
    _, site = served_site
    _, written = printed_pdfs
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    page.emulate_media(media="print")
    texts = {}
    for pdf in written:
        meeting, kind = meeting_and_kind(pdf.stem)
        page.goto((site / "meetings" / meeting / kind / "index.html").resolve().as_uri(), wait_until="load")
        texts[pdf.name] = ("".join(p.extract_text() for p in PdfReader(pdf, strict=True).pages), page.inner_text("article"))
        HEADER_ROWS[pdf.name] = page.locator("article thead tr").all_inner_texts()
    context.close()
    return texts


HEADER_ROWS: dict[str, list[str]] = {}
"""Each printed page's table header rows: on paper a table that runs over a page repeats its header."""


def _without_repeated_headers(found: str, expected: str, headers: list[str]) -> str:
    """The printed text without the header rows a table repeats at the top of each further page: a run
    that the printed text has and the page has not, and that is one of the page's table header rows."""
    rows = {"".join(CJK.findall(header)) for header in headers} - {""}
    if not rows:
        return found
    matcher = difflib.SequenceMatcher(None, expected, found, autojunk=False)
    inserted = [(j1, j2) for op, _, _, j1, j2 in matcher.get_opcodes() if op == "insert" and found[j1:j2] in rows]
    for j1, j2 in reversed(inserted):
        found = found[:j1] + found[j2:]
    return found


def test_every_sample_meeting_has_its_pdfs(printed):
    assert {meeting_and_kind(name[: -len(".pdf")])[0] for name in printed} == {
        path.stem for path in (Path(__file__).parents[2] / "data" / "meetings").glob("*.yml")
    }
    assert any(name.endswith("-report.pdf") for name in printed)


def test_no_radical_stands_for_a_character(printed):
    for name, (pdf_text, page_text) in printed.items():
        stray = set(RADICAL.findall(pdf_text)) - set(page_text)
        assert not stray, (name, sorted(stray))


def test_the_meeting_can_be_found_by_its_name(printed):
    for name, (pdf_text, _) in printed.items():
        found = "民主生活会" in pdf_text.replace("\n", "")
        assert found, name


def test_chinese_text_is_the_pages_in_order(printed):
    for name, (pdf_text, page_text) in printed.items():
        # The draft mark is drawn on every printed page by the print style, not part of the page's text.
        expected, found = "".join(CJK.findall(page_text)), "".join(CJK.findall(pdf_text.replace(DRAFT_MARK, "")))
        found = _without_repeated_headers(found, expected, HEADER_ROWS.get(name, []))
        # Some documents are short (the talk record sheet of a group that lists only its secretary).
        assert len(expected) > 50, name
        ratio = difflib.SequenceMatcher(None, expected, found, autojunk=False).ratio()
        assert ratio >= 0.99, (name, ratio)
