"""A differential test of the build cache: a fixed sequence of random edits (fixed seed), and after each
one the site ``make build`` publishes (warm whenever the cache allows) is compared file by file with a
cold build of the same inputs."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from pathlib import Path

from macros.adapters import cli, runner
from tests.support import START_METHOD
from tests.test_buildcache import fixture_project, site_bytes

SEED = 20261206
STEPS = 24


def cold_reference(project: Path, target: Path) -> dict[str, bytes]:
    """The site a cold build of the project's current inputs gives (cache off, its own folder)."""
    shutil.rmtree(target, ignore_errors=True)
    env = runner.environment({
        "PATH": "/usr/bin:/bin", "PORTAL_TODAY": "2023-01-03", "PORTAL_PAGES_PER_SHARD": "9", "PORTAL_CACHE": "off", **START_METHOD,
    })
    result = subprocess.run(runner.build_command(project / "mkdocs.yml", target), cwd=project, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return site_bytes(target)


class Editor:
    """Random edits of the kinds office staff and maintainers make, each one undoable later."""

    def __init__(self, project: Path, rng: random.Random):
        self.project, self.rng = project, rng
        self.meetings = project / "data" / "meetings"
        self.removed: dict[Path, bytes] = {}
        self.history: list[tuple[Path, bytes]] = []

    def _keep(self, path: Path) -> None:
        self.history.append((path, path.read_bytes()))

    def change_a_count(self) -> str:
        path = self.rng.choice(sorted(self.meetings.glob("*.yml")))
        text = path.read_text(encoding="utf-8")
        if not re.search(r"\n  forms: \d+\n", text):
            return self.touch()
        self._keep(path)
        path.write_text(re.sub(r"\n  forms: \d+\n", f"\n  forms: {self.rng.randint(20, 300)}\n", text, count=1), encoding="utf-8")
        return f"forms of {path.stem}"

    def touch(self) -> str:
        path = self.rng.choice(sorted(self.meetings.glob("*.yml")))
        path.write_bytes(path.read_bytes())
        return f"saved {path.stem} unchanged"

    def remove_or_restore(self) -> str:
        if self.removed:
            path, data = self.removed.popitem()
            path.write_bytes(data)
            return f"restored {path.stem}"
        generated = [path for path in sorted(self.meetings.glob("*.yml")) if not path.stem.startswith(("2021-county", "2022-county", "2023-county"))]
        path = self.rng.choice(generated)
        self.removed[path] = path.read_bytes()
        path.unlink()
        return f"removed {path.stem}"

    def edit_the_guide(self) -> str:
        path = self.project / "docs" / "guide.md"
        self._keep(path)
        path.write_text(path.read_text(encoding="utf-8") + f"\n补充说明第{self.rng.randint(1, 99)}条。\n", encoding="utf-8")
        return "guide"

    def undo(self) -> str:
        if not self.history:
            return self.change_a_count()
        path, data = self.history.pop(self.rng.randrange(len(self.history)))
        path.write_bytes(data)
        return f"undid an edit of {path.name}"

    def step(self) -> list[str]:
        kinds = [self.change_a_count] * 5 + [self.touch, self.remove_or_restore, self.edit_the_guide, self.undo, self.undo]
        return [self.rng.choice(kinds)() for _ in range(self.rng.choice([1, 1, 1, 2, 3]))]


def test_warm_builds_publish_what_cold_builds_publish_after_random_edits(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_TODAY", "2023-01-03")
    monkeypatch.setenv("PORTAL_PAGES_PER_SHARD", "9")
    monkeypatch.delenv("PORTAL_CACHE", raising=False)
    project = fixture_project(tmp_path / "project")
    editor = Editor(project, random.Random(SEED))
    assert cli.build(project, project / "site") == 0
    warm_builds = 0
    for number in range(STEPS):
        edits = editor.step()
        assert cli.build(project, project / "site") == 0
        said = capsys.readouterr().out
        warm_builds += "只重新生成了有改动的部分" in said or "已是最新" in said
        published = site_bytes(project / "site")
        cold = cold_reference(project, tmp_path / "cold")
        assert sorted(published) == sorted(cold), f"step {number} ({edits}): {said}"
        differing = [name for name in cold if published[name] != cold[name]]
        assert differing == [], f"step {number} ({edits}): {said}"
    # The sequence exercises the warm path, not only cold builds.
    assert warm_builds >= STEPS // 3
