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


def test_files_that_are_not_plain_are_named_and_left_alone(tmp_path, capsys):
    """A pipe is not waited on, a link is not written through: each is named, the others cleaned."""
    import os

    project = copy_project(tmp_path / "project")
    meetings = project / "data" / "meetings"
    os.mkfifo(meetings / "pipe.yml")
    target = tmp_path / "outside.yml"
    target.write_text("id: x\u200b\n", encoding="utf-8")
    (meetings / "link.yml").symlink_to(target)
    (project / "data" / "portal.yml").unlink()
    (project / "data" / "portal.yml").symlink_to("/dev/zero")
    path = meetings / "2022-county-development-reform-bureau.yml"
    path.chmod(0o640)
    path.write_text(path.read_text(encoding="utf-8").replace("王建国", "王建\u200b国", 1), encoding="utf-8")
    out = io.StringIO()
    assert cli.clean_text(project, out) == 1
    err = capsys.readouterr().err
    assert "data/meetings/pipe.yml: 不是普通文件（是一个管道），不会被读取。请删去它，只在这里放会议文件本身。没有改动它。" in err
    assert f"data/meetings/link.yml: 是一个链接（指向 {target}），不会被读取。" in err
    assert "data/portal.yml: 是一个链接（指向 /dev/zero），不会被读取。" in err
    assert target.read_text(encoding="utf-8") == "id: x\u200b\n"
    assert "2022-county-development-reform-bureau.yml：删去 1 个看不见的字符。" in out.getvalue()
    assert (path.stat().st_mode & 0o777) == 0o640
    assert not path.is_symlink() and "王建国" in path.read_text(encoding="utf-8")
