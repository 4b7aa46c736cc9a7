"""The build cache: a warm build publishes exactly the bytes a cold build of the same inputs publishes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench.generate import generate
from macros.adapters import buildcache, cli, pipeline
from macros.model.errors import DataErrors
from macros.model.meeting import load_meetings
from tests.support import copy_project

CHANGED = "2022-county-development-reform-bureau"
PREVIOUS = "2021-county-development-reform-bureau"


def site_bytes(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in site.rglob("*") if path.is_file()}


def fixture_project(target: Path) -> Path:
    """The real meetings and two synthetic ones: five meetings, in several search shards."""
    project = copy_project(target)
    # The home page lists the latest year only: 2022, 2021, 2020 and 2019 have year pages.
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "  portal_home_meetings: 1\n", encoding="utf-8")
    extra = generate(target.parent / f"{target.name}-generated", 2)
    for path in extra:
        shutil.copy(path, project / "data" / "meetings" / path.name)
    return project


def change_fact(project: Path) -> None:
    path = project / "data" / "meetings" / f"{CHANGED}.yml"
    text = path.read_text(encoding="utf-8")
    assert "\n  forms: 85\n" in text
    path.write_text(text.replace("\n  forms: 85\n", "\n  forms: 93\n", 1), encoding="utf-8")


def plan_of(project: Path) -> buildcache.Plan:
    """What ``make build`` would plan now."""
    return buildcache.Plan.prepare(project, project / "site", environment=pipeline.environment_read(project))


def build(project: Path, capsys) -> str:
    assert cli.build(project, project / "site") == 0
    return capsys.readouterr().out


@pytest.fixture
def settings(monkeypatch):
    monkeypatch.setenv("PORTAL_TODAY", "2023-01-03")
    monkeypatch.setenv("PORTAL_PAGES_PER_SHARD", "9")
    monkeypatch.delenv("PORTAL_CACHE", raising=False)


def test_warm_build_publishes_the_bytes_of_a_cold_build(tmp_path, settings, capsys):
    project = fixture_project(tmp_path / "warm")
    assert "完整生成" in build(project, capsys)
    cold_before = site_bytes(project / "site")
    assert len([name for name in cold_before if name.startswith("pagefind/") and name.endswith("pagefind-entry.json")]) >= 2

    assert "已是最新" in build(project, capsys)
    assert site_bytes(project / "site") == cold_before
    (project / "site" / "pdf").mkdir()
    (project / "site" / "pdf" / "report.pdf").write_bytes(b"%PDF")
    assert "只重新生成了有改动的部分" in build(project, capsys)
    assert site_bytes(project / "site") == cold_before

    assert {"years/2022/index.html", "years/2021/index.html"} <= set(cold_before)
    site = project / "site"
    inodes = {name: (site / name).stat().st_ino for name in cold_before}
    change_fact(project)
    said = build(project, capsys)
    assert "只重新生成了有改动的部分" in said
    warm = site_bytes(project / "site")
    # Only the changed meeting's year page was rendered again; the others are the published files.
    published = project / ".cache" / "portal" / "published-site"
    assert buildcache.read_json(published / "rendered-years.json") == [2022]
    assert (site / "years/2021/index.html").stat().st_ino == inodes["years/2021/index.html"]
    assert (site / "years/2022/index.html").stat().st_ino != inodes["years/2022/index.html"]
    # The texts search shows excerpts from: the unchanged ones are the published files, not written again.
    texts = [name for name in cold_before if name.startswith("pagefind/text/")]
    kept = [name for name in texts if (site / name).stat().st_ino == inodes[name]]
    assert 0 < len(kept) < len(texts)
    report = warm[f"meetings/{CHANGED}/report/index.html"].decode("utf-8")
    assert "发放征求意见表93份" in report
    assert warm[f"meetings/{CHANGED}/{CHANGED}-report.docx"] != cold_before[f"meetings/{CHANGED}/{CHANGED}-report.docx"]

    reference = fixture_project(tmp_path / "cold")
    change_fact(reference)
    assert "完整生成" in build(reference, capsys)
    cold = site_bytes(reference / "site")
    assert sorted(warm) == sorted(cold)
    differing = [name for name in cold if warm[name] != cold[name]]
    assert differing == []
    assert cold != cold_before


def test_one_changed_meeting_is_built_warm(tmp_path, settings, capsys):
    project = fixture_project(tmp_path / "project")
    build(project, capsys)
    change_fact(project)
    assert "只重新生成了有改动的部分" in build(project, capsys)


def close_rectification_item(project: Path) -> None:
    """Mark one item of the 2021 bureau meeting's rectification list done (the 2022 meeting cites its counts)."""
    path = project / "data" / "meetings" / f"{PREVIOUS}.yml"
    text = path.read_text(encoding="utf-8")
    before = "    status: 推进中\n    evidence: 监管办法已起草，正在征求意见\n"
    assert before in text
    path.write_text(text.replace(before, "    status: 已完成\n    completed_on: 2022-10-20\n    evidence: 监管办法已印发\n"), encoding="utf-8")


def test_a_meeting_citing_a_changed_one_is_rendered_again(tmp_path, settings, capsys):
    project = fixture_project(tmp_path / "warm")
    build(project, capsys)
    agenda = f"meetings/{CHANGED}/agenda/index.html"
    assert "已完成4项" in (project / "site" / agenda).read_text(encoding="utf-8")
    close_rectification_item(project)
    assert "只重新生成了有改动的部分" in build(project, capsys)
    warm = site_bytes(project / "site")
    assert "已完成5项" in warm[agenda].decode("utf-8")

    reference = fixture_project(tmp_path / "cold")
    close_rectification_item(reference)
    build(reference, capsys)
    cold = site_bytes(reference / "site")
    assert sorted(warm) == sorted(cold)
    assert [name for name in cold if warm[name] != cold[name]] == []


@pytest.mark.parametrize(("path", "reason"), [
    ("macros/outputs/templates/report.md.j2", "完整生成：模板有改动"),
    ("macros/outputs/render.py", "完整生成：程序有改动"),
    ("overrides/main.html", "完整生成：手写页面或主题有改动"),
])
def test_a_template_or_code_change_means_a_cold_build(tmp_path, settings, capsys, path, reason):
    project = fixture_project(tmp_path / "project")
    build(project, capsys)
    changed = project / path
    changed.write_text(changed.read_text(encoding="utf-8") + ("\n# edited\n" if path.endswith(".py") else "\n"), encoding="utf-8")
    change_fact(project)
    assert reason in build(project, capsys)
    assert "已是最新" in build(project, capsys)


def test_any_doubt_means_a_cold_build(tmp_path, settings, capsys):
    project = fixture_project(tmp_path / "project")
    build(project, capsys)
    plan = plan_of(project)
    assert plan.changed_ids() == []

    template = project / "macros" / "outputs" / "templates" / "report.md.j2"
    original = template.read_text(encoding="utf-8")
    template.write_text(original + "\n", encoding="utf-8")
    plan = plan_of(project)
    assert plan.changed_ids() is None and "模板" in plan.reason
    template.write_text(original, encoding="utf-8")

    (project / "site" / "index.html").write_text("changed by hand", encoding="utf-8")
    plan = plan_of(project)
    assert plan.changed_ids() is None and "site/" in plan.reason

    added = project / "data" / "meetings" / "2023-new-meeting.yml"
    shutil.copy(project / "data" / "meetings" / f"{CHANGED}.yml", added)
    plan = plan_of(project)
    assert plan.changed_ids() is None and "增加或删除" in plan.reason


def test_another_build_date_means_a_cold_build(tmp_path, settings, monkeypatch, capsys):
    project = fixture_project(tmp_path / "project")
    build(project, capsys)
    monkeypatch.setenv("PORTAL_TODAY", "2023-01-04")
    plan = plan_of(project)
    assert plan.changed_ids() is None


def test_cached_meetings_are_the_validated_ones(tmp_path):
    project = copy_project(tmp_path / "project")
    folder = project / "data" / "meetings"
    cold = load_meetings(folder, project)
    cache = buildcache.ModelCache(project)
    first = load_meetings(folder, project, cache=cache)
    assert len(list(cache.folder.glob("*.pickle"))) == len(cold)
    warm = load_meetings(folder, project, cache=buildcache.ModelCache(project))
    assert [repr(m) for m in warm] == [repr(m) for m in first] == [repr(m) for m in cold]
    assert [m.source for m in warm] == [m.source for m in cold]
    assert [m.line_of("id") for m in warm] == [m.line_of("id") for m in cold]


def test_a_file_with_errors_is_not_cached(tmp_path):
    project = copy_project(tmp_path / "project")
    folder = project / "data" / "meetings"
    path = folder / f"{CHANGED}.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("\n  forms: 85\n", "\n  forms: -3\n", 1), encoding="utf-8")
    cache = buildcache.ModelCache(project)
    with pytest.raises(DataErrors):
        load_meetings(folder, project, cache=cache)
    assert cache.lookup(path.relative_to(project).as_posix(), path.read_bytes()) is None
