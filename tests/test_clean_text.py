"""`make clean-text` removes what the check refuses as invisible, and nothing else."""

from __future__ import annotations

import io

from macros.adapters import cli
from macros.model.errors import DataErrors
from macros.model.meeting import load_data
from tests.support import DATA, copy_project


def test_invisible_characters_are_removed_and_the_file_then_passes(tmp_path):
    project = copy_project(tmp_path / "project")
    path = project / "data" / "meetings" / "2022-county-development-reform-bureau.yml"
    good = path.read_text(encoding="utf-8")
    assert "王建国" in good
    dirty = good.replace("王建国", "王建\u200b国", 1).replace("副局长", "副\u202e局长", 1) + "#\x0c\n"
    path.write_text(dirty, encoding="utf-8")
    try:
        load_data(project)
    except DataErrors as exc:
        assert "data/meetings/2022-county-development-reform-bureau.yml" in exc.report()
    else:
        raise AssertionError("the check accepted invisible characters")
    out = io.StringIO()
    assert cli.clean_text(project, out) == 0
    assert path.read_text(encoding="utf-8") == good + "#\n"
    assert "2022-county-development-reform-bureau.yml：删去 3 个看不见的字符。" in out.getvalue()
    load_data(project)
    untouched = [p for p in (project / "data" / "meetings").glob("*.yml") if p != path]
    assert all(p.read_bytes() == (DATA / p.name).read_bytes() for p in untouched)
