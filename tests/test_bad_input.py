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


def test_a_quoted_line_shows_invisible_characters_by_name_and_is_cut_short():
    from macros.model.errors import QUOTE_LIMIT, visible_line

    assert visible_line("  name: 测试\u202e组党  ") == "name: 测试[U+202E]组党"
    assert visible_line("name:\t乙\u200b") == "name:[制表符]乙[U+200B]"
    long = visible_line("text: " + "很" * 100)
    assert len(long) == QUOTE_LIMIT + 1 and long.endswith("…")


def test_errors_quote_their_line_but_not_from_a_file_that_is_not_utf8(tmp_path):
    from macros.model.errors import DataError
    from macros.model.meeting import with_quotes

    (tmp_path / "a.yml").write_text("id: a\nyear: 2023\n", encoding="utf-8")
    (tmp_path / "b.yml").write_bytes("id: 乙\n".encode("gbk"))
    quoted = with_quotes([DataError("a.yml", 2, "year", "x"), DataError("a.yml", 9, "", "y"), DataError("b.yml", 1, "", "z")], tmp_path)
    assert [error.quote for error in quoted] == ["year: 2023", "", ""]
    assert str(quoted[0]) == "a.yml:2: year: x\n    第 2 行写的是：year: 2023"
