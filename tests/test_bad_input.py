"""Broken and hostile meeting files: each fails with its golden message, or renders safely.

Each folder under tests/golden/errors/ holds a small data/ tree (meetings, and
portal.yml where the case is about settings) and expected.txt, the exact report
the loader (``load_data``, as the build and ``make check`` call it) must give. Regenerate with
UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from macros.model.errors import DataErrors
from macros.model.meeting import load_data

CASES = Path(__file__).parent / "golden" / "errors"


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_bad_input_gives_its_golden_message(case, monkeypatch):
    root = CASES / case
    monkeypatch.chdir(root)
    with pytest.raises(DataErrors) as caught:
        load_data(root)
    report = caught.value.report() + "\n"
    expected = root / "expected.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(report, encoding="utf-8")
    assert report == expected.read_text(encoding="utf-8")
    assert not (root / "PWNED").exists(), "a YAML tag ran code"


def test_the_corpus_has_at_least_fifteen_cases():
    assert len([p for p in CASES.iterdir() if p.is_dir()]) >= 15
