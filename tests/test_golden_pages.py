"""Golden Markdown of generated pages, and golden text of the printed agenda and checklist of every sample
meeting (what stands on paper and in the Word copy, block by block). Regenerate with UPDATE_GOLDEN=1 and
review the diff."""

import os

import pytest

from macros.outputs.docx_export import _page_html, _parse, block_text
from macros.outputs.render import AFTER_KINDS, DRAFT_MARK, has_page, title_lines
from tests.support import DATA, ROOT, load, renderer

GOLDEN = ROOT / "tests" / "golden" / "pages"
CASES = [
    ("2022-county-development-reform-bureau", "checklist"),
    ("2022-county-development-reform-bureau", "agenda"),
]
PRINTED = [(path.stem, kind) for path in sorted(DATA.glob("*.yml")) for kind in ("agenda", "checklist")]
# The 整改清单 and 会议情况报告 of every sample meeting that has them.
PRINTED += [(meeting.id, kind) for meeting in load().values() for kind in AFTER_KINDS if has_page(kind, meeting)]


def _check(golden, text):
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("meeting_id, kind", CASES)
def test_page_matches_golden(meeting_id, kind):
    page = renderer().page(kind, load()[meeting_id])
    _check(GOLDEN / f"{meeting_id}.{kind}.md", page)


def printed_text(page: str) -> str:
    """The document as printed: the draft mark, the title's lines, then one line a block (a table a line a row)."""
    parsed = _parse(_page_html(page))
    lines = [DRAFT_MARK] if parsed.draft else []
    for kind, content in parsed.blocks:
        if kind == "title":
            lines += title_lines(content)
        elif kind == "table":
            lines += [" | ".join(text.replace("\n", " ") for text, _ in row) for row in content]
        elif kind == "pagebreak":
            continue
        else:
            lines.append(block_text(kind, content))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("meeting_id, kind", PRINTED)
def test_printed_text_matches_golden(meeting_id, kind):
    page = renderer().page(kind, load()[meeting_id])
    _check(GOLDEN / f"{meeting_id}.{kind}.printed.txt", printed_text(page))
