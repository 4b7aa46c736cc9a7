"""The two real reports in shared/seeds are regenerated from data, word for word."""


import pytest

from tests.support import ROOT, document_text, load, markdown_to_html, renderer, squeeze

GOLDEN = ROOT / "tests" / "golden" / "seeds"
SHARED = ROOT.parent / "shared" / "seeds"
SEEDS = {
    "2021-county-gov-office": "report-a-county-gov-office-2021.txt",
    "2021-county-standing-committee": "report-b-county-standing-committee-2021.txt",
}


@pytest.mark.parametrize("meeting_id, seed", SEEDS.items())
def test_report_reproduces_seed(meeting_id, seed):
    meeting = load()[meeting_id]
    page = renderer().page("report", meeting)
    expected = (GOLDEN / seed).read_text(encoding="utf-8")
    assert squeeze(document_text(markdown_to_html(page))) == squeeze(expected)


@pytest.mark.parametrize("seed", SEEDS.values())
def test_golden_copy_is_the_shared_seed(seed):
    shared = SHARED / seed
    if not shared.exists():
        pytest.skip("shared/seeds is not beside this checkout")
    assert (GOLDEN / seed).read_bytes() == shared.read_bytes()
