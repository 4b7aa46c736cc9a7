"""The pre-commit hook checks what a commit holds (the staged meeting files), not the working copy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT, copy_project

MEETING = "data/meetings/2021-county-gov-office.yml"


def git(repo: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True)


@pytest.fixture
def repo(tmp_path) -> tuple[Path, dict]:
    """A copy of the project in a git repository of its own, the hook installed as the README says."""
    if not shutil.which("git") or not shutil.which("make"):
        pytest.skip("git and make are needed")
    project = copy_project(tmp_path / "project")
    for name in ("Makefile", ".githooks", "requirements"):
        source = ROOT / name
        # copy2 keeps the lock files' times, so make does not see them newer than the installed environment.
        shutil.copytree(source, project / name, copy_function=shutil.copy2) if source.is_dir() else shutil.copy2(source, project / name)
    env = dict(os.environ, VENV=sys.prefix, GIT_AUTHOR_NAME="办公室", GIT_AUTHOR_EMAIL="office@example.invalid",
               GIT_COMMITTER_NAME="办公室", GIT_COMMITTER_EMAIL="office@example.invalid", PORTAL_TODAY="2023-01-03")
    env.pop("GIT_DIR", None)
    env.pop("GIT_INDEX_FILE", None)
    assert git(project, "init", "-q", env=env).returncode == 0
    assert git(project, "config", "core.hooksPath", ".githooks", env=env).returncode == 0
    git(project, "add", "-A", env=env)
    first = git(project, "commit", "-q", "-m", "start", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    return project, env


def test_a_bad_file_staged_then_fixed_without_staging_is_refused(repo):
    project, env = repo
    meeting = project / MEETING
    good = meeting.read_text(encoding="utf-8")
    meeting.write_text(good.replace("year: 2021", "year: 二〇二一", 1), encoding="utf-8")
    assert git(project, "add", MEETING, env=env).returncode == 0
    meeting.write_text(good + "# 已改正\n", encoding="utf-8")  # fixed in the working copy, not staged again

    refused = git(project, "commit", "-m", "bad data", env=env)
    assert refused.returncode != 0, refused.stdout
    assert f"{MEETING}:" in refused.stderr and "year" in refused.stderr
    assert "暂存区" in refused.stderr
    assert str(project) not in refused.stderr and "portal-staged-" not in refused.stderr
    assert git(project, "rev-list", "--count", "HEAD", env=env).stdout.strip() == "1"

    assert git(project, "add", MEETING, env=env).returncode == 0
    accepted = git(project, "commit", "-m", "good data", env=env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "数据检查通过（暂存区）" in accepted.stdout + accepted.stderr


def test_a_good_file_staged_is_accepted_though_the_working_copy_is_broken(repo):
    project, env = repo
    meeting = project / MEETING
    meeting.write_text(meeting.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert git(project, "add", MEETING, env=env).returncode == 0
    meeting.write_text("id: [broken\n", encoding="utf-8")
    accepted = git(project, "commit", "-m", "staged is good", env=env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


def test_a_staged_deletion_is_what_is_checked(repo):
    project, env = repo
    for path in (project / "data" / "meetings").glob("*.yml"):
        assert git(project, "rm", "-q", "--cached", path.relative_to(project).as_posix(), env=env).returncode == 0
    refused = git(project, "commit", "-m", "no meetings", env=env)
    assert refused.returncode != 0
    assert "data/meetings/" in refused.stderr
