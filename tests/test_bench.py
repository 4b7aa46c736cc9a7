"""The benchmark's baselines: pinned like the portal, differing only in jieba, building the same pages."""

from __future__ import annotations

import re

import yaml

from bench import run
from tests.support import ROOT


class ConfigLoader(yaml.Loader):
    """Reads mkdocs.yml as MkDocs does as far as these tests need (``!ENV`` values read as unset)."""


ConfigLoader.add_constructor("!ENV", lambda loader, node: None)


def pins(path) -> dict[str, str]:
    """Normalised package name -> pinned version, for every `name==version` line of a requirements file."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", line.strip())
        if match:
            found[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return found


def test_baselines_pin_mkdocs_and_material_at_the_portal_lock_versions():
    bench, lock = pins(ROOT / "bench" / "requirements.txt"), pins(ROOT / "requirements" / "build.txt")
    assert {"mkdocs", "mkdocs-material", "pymdown-extensions", "markdown", "jinja2", "jieba"} <= set(bench)
    shared = {name: version for name, version in bench.items() if name != "jieba"}
    assert {name: lock.get(name) for name in shared} == shared
    assert "jieba" not in lock


def test_the_two_baselines_differ_only_in_jieba():
    with_jieba, without = run.baseline_requirements(True), run.baseline_requirements(False)
    assert [line for line in with_jieba if line.lower().startswith("jieba==")] == ["jieba==0.42.1"]
    assert set(with_jieba) - set(without) == {"jieba==0.42.1"}
    assert set(without) < set(with_jieba)
    assert run.baseline_stamp("plain+jieba", True) != run.baseline_stamp("plain-nojieba", False)


def test_plain_site_has_the_portal_pages_and_material_search_but_no_hooks_or_macros(tmp_path):
    portal = run.make_portal(tmp_path / "portal", 2)
    plain = run.make_plain(portal, tmp_path / "plain")
    config = yaml.load((plain / "mkdocs.yml").read_text(encoding="utf-8"), Loader=ConfigLoader)
    assert config["plugins"] == [{"search": {"lang": "zh"}}]
    assert "hooks" not in config and "watch" not in config
    assert config["theme"] == yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=ConfigLoader)["theme"]
    meetings = sorted(p.stem for p in (portal / "data" / "meetings").glob("*.yml"))
    assert len(meetings) == 2
    for meeting in meetings:
        for page in ("index.md", "report.md", "agenda.md", "checklist.md"):
            assert (plain / "docs" / "meetings" / meeting / page).read_text(encoding="utf-8").strip()
    home = (plain / "docs" / "index.md").read_text(encoding="utf-8")
    assert "{{" not in home and all(meeting in home for meeting in meetings)
