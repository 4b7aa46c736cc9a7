"""Golden Markdown of generated pages. Regenerate with UPDATE_GOLDEN=1 and review the diff."""

import os

import pytest

from tests.support import ROOT, load, renderer

GOLDEN = ROOT / "tests" / "golden" / "pages"
CASES = [
    ("2022-county-development-reform-bureau", "checklist"),
    ("2022-county-development-reform-bureau", "agenda"),
]


@pytest.mark.parametrize("meeting_id, kind", CASES)
def test_page_matches_golden(meeting_id, kind):
    page = renderer().page(kind, load()[meeting_id])
    golden = GOLDEN / f"{meeting_id}.{kind}.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(page, encoding="utf-8")
    assert page == golden.read_text(encoding="utf-8")
