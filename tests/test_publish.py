"""Publishing: one build at a time, no moment without a whole site, nothing from staging published.

``site`` is a link to a version folder ``site.<stamp>/``; a build publishes by renaming a new link
over it. The kill tests stop a build process with ``os._exit`` (no clean-up runs, as with SIGKILL)
just before or just after that rename, by patching the one function that does it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from macros.adapters import cli
from tests.support import ROOT, START_METHOD, copy_project

ENV = {"NO_MKDOCS_2_WARNING": "true", "PATH": "/usr/bin:/bin", "PORTAL_TODAY": "2023-01-03", "PYTHONDONTWRITEBYTECODE": "1", **START_METHOD}
BUILD = "import sys; from pathlib import Path; from macros.adapters import cli; sys.exit(cli.build(Path(sys.argv[1])))"
KILLED_BUILD = """
import os, sys
from pathlib import Path
from macros.adapters import cli, publishing
swap, when = publishing._swap, sys.argv[2]
def killed_swap(link, site):
    if when == "after":
        swap(link, site)
    os._exit(9)
publishing._swap = killed_swap
cli.build(Path(sys.argv[1]))
"""


def build_process(project: Path, script: str = BUILD, *args: str, today: str = "2023-01-03") -> subprocess.Popen:
    env = dict(ENV, PORTAL_TODAY=today)
    return subprocess.Popen([sys.executable, "-c", script, str(project), *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def beside(project: Path) -> set[str]:
    """What lies beside the published site (the lock file aside)."""
    return {p.name for p in project.iterdir() if "site" in p.name and p.name != ".site.lock"}


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    return copy_project(tmp_path / "project")


def test_two_builds_at_once_publish_what_one_build_publishes(project):
    first, second = build_process(project), build_process(project)
    for process in (first, second):
        _, err = process.communicate()
        assert process.returncode == 0, err
    together = snapshot(project / "site")
    assert cli.build(project) == 0
    assert snapshot(project / "site") == together
    assert not [name for name in together if any(part.startswith(".") for part in name.split("/"))]
    assert (project / "site").is_symlink()
    assert len(beside(project)) == 2, beside(project)


def test_a_second_build_waits_for_the_first_and_says_so(project):
    import fcntl

    with open(project / ".site.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        waiting = build_process(project)
        assert waiting.stderr.readline() == "另一次生成正在进行，等它完成后再开始……\n"
        assert not (project / "site").exists()
    _, err = waiting.communicate()
    assert waiting.returncode == 0, err
    assert (project / "site" / "index.html").is_file()


def test_a_build_killed_just_before_or_after_publishing_leaves_a_whole_site(project, monkeypatch):
    assert cli.build(project) == 0
    old = snapshot(project / "site")
    killed = build_process(project, KILLED_BUILD, "before", today="2021-11-01")
    assert killed.wait() == 9
    assert snapshot(project / "site") == old
    assert len(beside(project)) > 2, "the kill left nothing to clean up"
    killed = build_process(project, KILLED_BUILD, "after", today="2021-11-01")
    assert killed.wait() == 9
    after_kill = snapshot(project / "site")
    monkeypatch.setenv("PORTAL_TODAY", "2021-11-01")
    assert cli.build(project) == 0
    new = snapshot(project / "site")
    assert new != old
    assert after_kill == new
    assert len(beside(project)) == 2, beside(project)


def fake_site(folder: Path, text: str = "old") -> Path:
    (folder / "meetings").mkdir(parents=True)
    (folder / "index.html").write_text(text, encoding="utf-8")
    return folder


def break_data(project: Path) -> None:
    (project / "data" / "meetings" / "2021-county-gov-office.yml").write_text("id: [broken\n", encoding="utf-8")


def test_leftovers_of_a_killed_build_are_removed_and_the_site_kept(project):
    published = fake_site(project / "site.20260101-000000-000000").name
    os.symlink(published, project / "site")
    half_built = project / "site.20200101-000000-000000"
    (half_built / "meetings").mkdir(parents=True)
    (project / ".site.20200101-000000-000000.pagefind-abc").mkdir()
    os.symlink(half_built.name, project / ".site.20200101-000000-000000.link")
    (project / "site-notes").mkdir()
    break_data(project)
    assert cli.build(project) != 0
    assert os.readlink(project / "site") == published
    assert beside(project) == {"site", published, "site-notes"}


def test_a_site_folder_from_before_versions_is_replaced_by_the_link(project):
    fake_site(project / "site")
    assert cli.build(project) == 0
    assert (project / "site").is_symlink()
    assert (project / "site" / "index.html").read_text(encoding="utf-8") != "old"
    assert len(beside(project)) == 2


def test_a_site_left_between_the_former_two_renames_is_published_again(project, capsys):
    fake_site(project / "site.old")
    fake_site(project / "site.new", "half")
    break_data(project)
    assert cli.build(project) != 0
    assert (project / "site" / "index.html").read_text(encoding="utf-8") == "old"
    assert "site/ 保持原样未被改动" in capsys.readouterr().err
    assert len(beside(project)) == 2


def test_a_build_without_meeting_files_fails_and_keeps_the_site(project, capsys):
    assert cli.build(project) == 0
    before = snapshot(project / "site")
    meetings = project / "data" / "meetings"

    def refused() -> None:
        capsys.readouterr()
        assert cli.check(project) == 1
        assert "data/meetings/: " in capsys.readouterr().err
        assert cli.build(project) != 0
        assert snapshot(project / "site") == before

    for path in meetings.iterdir():
        path.unlink()
    refused()
    meetings.rmdir()
    refused()


def test_search_staging_stays_outside_the_site(tmp_path, monkeypatch):
    from macros.outputs.search import SearchPage, write_index

    site = tmp_path / "site.1"
    site.mkdir()
    staged: list[Path] = []
    real_run = subprocess.run

    def spy(command, *args, **kwargs):
        staged.append(Path(command[command.index("--site") + 1]))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", spy)
    write_index([SearchPage("meetings/a/", "甲", "谈心谈话")], site / "pagefind")
    assert staged and not any(path.is_relative_to(site) for path in staged)
    assert [p.name for p in tmp_path.iterdir()] == ["site.1"]
    assert (site / "pagefind" / "shards.json").is_file()
