"""Where the printed documents break, read from every PDF of the sample meetings (Chromium's print, as
`make pdf` writes it): no heading as a page's last line, no table row alone on a page, no name or date
split across lines in a table, and no instruction to staff on paper."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from pypdf import PdfReader

from macros.model.meeting import load_meetings
from macros.outputs.docx_export import _parse, block_text
from macros.outputs.render import document_kinds
from macros.outputs.typeset import unbreakable
from tests.browser.test_documents import fold
from tests.browser.test_print import A4, BOTTOM, TOP, glyphs

STAFF_WORDS = ("使用说明", "请按", "请填写", "请在", "本提示")
TABLE_SIZE = 12


@pytest.fixture(scope="module")
def documents(served_site, printed_pdfs):
    """{(meeting id, kind): (the PDF, the page's document blocks)} for every document of every meeting."""
    _, site = served_site
    out, _ = printed_pdfs
    project = site.parent.parent
    found = {}
    for meeting in load_meetings(project / "data" / "meetings", project):
        for kind in document_kinds(meeting):
            html = (site / "meetings" / meeting.id / kind / "index.html").read_text(encoding="utf-8")
            found[(meeting.id, kind)] = (PdfReader(out / f"{meeting.id}-{kind}.pdf"), _parse(html).blocks)
    assert len(found) >= 17
    return found


def body_lines(page) -> list[tuple[float, str]]:
    """The lines inside the type area, top to bottom: (baseline, folded text); runs on one baseline make a line."""
    lines = defaultdict(list)
    for x, y, text, size in glyphs(page):
        if BOTTOM < y < A4[1] - TOP:
            lines[round(y)].append((x, text, size))
    return [(y, fold("".join(text for _, text, _ in sorted(runs)))) for y, runs in sorted(lines.items(), reverse=True)]


def test_no_instruction_to_staff_on_paper(documents):
    for key, (pdf, _) in documents.items():
        text = fold("".join(page.extract_text() for page in pdf.pages))
        assert not [word for word in STAFF_WORDS if word in text], key


def test_no_heading_is_a_pages_last_line(documents):
    checked = 0
    for key, (pdf, blocks) in documents.items():
        headings = [fold(block_text(kind, content)) for kind, content in blocks if kind in ("heading1", "heading2")]
        headings += [fold(text) for kind, content in blocks if kind == "table" for text, header in content[0] if header]
        for number, page in enumerate(pdf.pages[:-1], 1):
            last = body_lines(page)[-1][1]
            checked += 1
            assert not any(last == heading or (len(last) >= 4 and heading.endswith(last)) for heading in headings), (key, number, last)
    assert checked > 20


def test_no_table_row_stands_alone_on_a_page(documents):
    """A table that runs across pages leaves at least two of its rows on each page (a table of one
    row moves whole). Rows are found in the pages' text in order."""
    located = 0
    for key, (pdf, blocks) in documents.items():
        pages = [fold(page.extract_text()) for page in pdf.pages]
        whole = "".join(pages)
        at = 0
        for kind, rows in blocks:
            if kind != "table":
                continue
            body = [fold("".join(text for text, _ in row)) for row in rows if not all(header for _, header in row)]
            where = []
            for row in body:
                if whole.count(row) > 1:
                    continue  # its text stands elsewhere too (the 征求意见函 names the aspects the form's rows are)
                found = next((number for number in range(at, len(pages)) if row in pages[number]), None)
                if found is not None:
                    where.append(found)
                    at = found
            located += len(where)
            if len(set(where)) > 1:
                counts = {page: where.count(page) for page in set(where)}
                assert min(counts.values()) >= 2, (key, counts, body[:1])
    assert located > 100


def test_no_name_or_date_is_split_in_a_table(documents):
    """Every name, date and short label of a table cell is whole on one printed line of the table."""
    checked = 0
    for key, (pdf, blocks) in documents.items():
        wanted = defaultdict(int)
        for kind, rows in blocks:
            if kind == "table":
                for row in rows:
                    for text, _ in row:
                        for run in unbreakable(text):
                            wanted[fold(run)] += 1
        lines = []
        for page in pdf.pages:
            rows = defaultdict(list)
            for x, y, text, size in glyphs(page):
                if abs(size - TABLE_SIZE) < 0.5:
                    rows[round(y)].append((x, text))
            lines += [fold("".join(text for _, text in sorted(runs))) for runs in rows.values()]
        for run, count in wanted.items():
            assert sum(line.count(run) for line in lines) >= count, (key, run)
            checked += 1
    assert checked > 200
