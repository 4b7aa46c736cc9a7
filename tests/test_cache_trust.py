"""The build cache proves what it reuses: damaged cache files never reach the site, every input the build
reads is in the cache's key, the data is one snapshot per build, published files are checked by content."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

import pytest

from macros.adapters import buildcache, cli, pipeline
from macros.outputs.search import ShardWriter
from tests.support import ROOT, copy_project
from tests.test_buildcache import CHANGED, build, change_fact, fixture_project, plan_of, site_bytes


@pytest.fixture
def settings(monkeypatch):
    monkeypatch.setenv("PORTAL_TODAY", "2023-01-03")
    monkeypatch.setenv("PORTAL_PAGES_PER_SHARD", "9")
    for name in ("PORTAL_CACHE", "PORTAL_SITE_URL", "PORTAL_BUILD_TIMES"):
        monkeypatch.delenv(name, raising=False)


def test_a_sealed_artefact_is_given_back_only_unchanged(tmp_path):
    path = tmp_path / "record.json"
    buildcache.write_json(path, {"a": [1, 2]})
    assert buildcache.read_json(path) == {"a": [1, 2]}
    raw = path.read_bytes()
    for damaged in (raw[:-3], raw.replace(b"1", b"7"), b"", raw[: raw.index(b"\n")]):
        path.write_bytes(damaged)
        with pytest.raises(buildcache.Damaged):
            buildcache.read_json(path)


def test_a_cached_folder_is_verified_file_by_file(tmp_path):
    folder = tmp_path / "shard"
    (folder / "index").mkdir(parents=True)
    (folder / "index" / "a.pf_index").write_bytes(b"\x01\x02\x03")
    (folder / "pagefind-entry.json").write_text("{}")
    buildcache.seal_folder(folder)
    assert buildcache.verified_folder(folder)
    (folder / "index" / "a.pf_index").write_bytes(b"\x01\x02")  # truncated
    assert not buildcache.verified_folder(folder)
    (folder / "index" / "a.pf_index").write_bytes(b"\x01\x02\x03")
    (folder / "extra").write_bytes(b"")
    assert not buildcache.verified_folder(folder)


def test_damaged_validated_meetings_and_summaries_are_made_again(tmp_path, capsys):
    cache = buildcache.ModelCache(tmp_path)
    cache.store("data/meetings/a.yml", b"id: a", {"id": "a"})
    (path,) = cache.folder.glob("*.pickle")
    path.write_bytes(path.read_bytes()[:-2])
    assert buildcache.ModelCache(tmp_path).lookup("data/meetings/a.yml", b"id: a") is None
    assert "生成缓存中的会议文件 data/meetings/a.yml 的校验结果已损坏" in capsys.readouterr().err

    class Fresh(ShardWriter):
        def pairs(self, pages):
            return {"c04e0a04e0b"}

    writer = buildcache.CachedShardWriter(tmp_path, None, Fresh())
    pages = [(0, "page")]
    assert writer.pairs(pages) == {"c04e0a04e0b"}
    (summary,) = writer.pairs_folder.glob("*.json")
    summary.write_text("[]")  # emptied
    assert writer.pairs(pages) == {"c04e0a04e0b"}
    assert "搜索索引分片摘要已损坏" in capsys.readouterr().err


def test_damaged_cache_files_never_reach_the_site(tmp_path, settings, capfd):
    project = fixture_project(tmp_path / "project")
    build(project, capfd)
    published = site_bytes(project / "site")
    cache = project / ".cache" / "portal"
    # Every kind of cached artefact damaged: shards (a truncated file, changed bytes), their summaries
    # (emptied), validated meetings, the published run's records and the cache's own state.
    shards = sorted(path for path in (cache / "search").iterdir() if path.is_dir())
    assert len(shards) >= 2
    first = sorted(path for path in shards[0].rglob("*.pf_*") if path.is_file())[0]
    first.write_bytes(first.read_bytes()[: len(first.read_bytes()) // 2])
    second = shards[1] / "pagefind-entry.json"
    second.write_bytes(second.read_bytes().replace(b'"', b"'", 1))
    for summary in (cache / "pairs").glob("*.json"):
        summary.write_text("[]")
    for model in list((cache / "models").glob("*.pickle"))[:2]:
        model.write_bytes(model.read_bytes()[:-5])
    records = cache / "published-site" / "search.pickle"
    records.write_bytes(records.read_bytes()[:-10])
    # A template edit that renders nothing: a full build, which must take no damaged shard.
    template = project / "macros" / "outputs" / "templates" / "report.md.j2"
    template.write_text("{#- an edit that renders nothing -#}\n" + template.read_text(encoding="utf-8"), encoding="utf-8")
    assert cli.build(project, project / "site") == 0
    said = capfd.readouterr()
    assert "完整生成" in said.out and "搜索索引分片已损坏" in said.err and "校验结果已损坏" in said.err
    assert site_bytes(project / "site") == published

    # The cache's state damaged: a full build says why, and publishes the same site.
    state = cache / "state-site.json"
    state.write_bytes(state.read_bytes()[:-1])
    change_fact(project)
    assert "完整生成：上次生成的记录已损坏" in build(project, capfd)
    # The published run's records damaged: a warm build is not attempted on them.
    change_fact_back = (project / "data" / "meetings" / f"{CHANGED}.yml")
    change_fact_back.write_text(change_fact_back.read_text(encoding="utf-8").replace("forms: 93", "forms: 85"), encoding="utf-8")
    links = cache / "published-site" / "links.json"
    links.write_bytes(links.read_bytes() + b" ")
    assert "完整生成：上次生成的记录已损坏" in build(project, capfd)
    assert site_bytes(project / "site") == published


def config_variables_by_hand(config: Path) -> set[str]:
    """The variables a configuration reads, found independently of the code under test."""
    names = set()
    for match in re.finditer(r"!ENV\s+(\[[^\]]*\]|\S+)", config.read_text(encoding="utf-8")):
        value = match.group(1)
        if value.startswith("["):
            items = [item.strip() for item in value.strip("[]").split(",")]
            names.update(items[:-1] if len(items) > 1 else items)
        else:
            names.add(value)
    return names


def test_every_variable_the_configuration_reads_is_in_the_cache_key(tmp_path, monkeypatch, settings):
    project = copy_project(tmp_path / "project")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "  portal_note: !ENV [PORTAL_TEST_NOTE, PORTAL_TEST_OTHER, 无]\n", encoding="utf-8")
    names = config_variables_by_hand(config)
    assert {"PORTAL_SITE_URL", "PORTAL_TEST_NOTE", "PORTAL_TEST_OTHER"} <= names
    for name in sorted(names):
        monkeypatch.delenv(name, raising=False)
        before = plan_of(project).key
        monkeypatch.setenv(name, "http://intranet/portal/")
        assert plan_of(project).key != before, f"{name}, read by mkdocs.yml, is not in the build cache's key"
        monkeypatch.delenv(name)
    # So is every option of the portal that changes what it publishes, and none that does not.
    for name, value, changes in (("PORTAL_TODAY", "2023-01-04", True), ("PORTAL_PAGES_PER_SHARD", "7", True),
                                 ("PORTAL_BUILD_TIMES", "1", False), ("PORTAL_START_METHOD", "spawn", False)):
        before = plan_of(project).key
        monkeypatch.setenv(name, value)
        assert (plan_of(project).key != before) == changes, name


def test_wrong_settings_are_named_and_nothing_is_built(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_TODAY", "2023-13-01")
    assert cli.build(tmp_path, tmp_path / "site") == 2
    assert "PORTAL_TODAY 应写成“年-月-日”，如 2023-01-03（现在是“2023-13-01”）" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_the_build_date_is_fixed_once_by_the_planner(tmp_path):
    options = pipeline.Options(ROOT, tmp_path / "site", cache=False, today=dt.date(2023, 1, 3), start_method=pipeline.start_method())
    build = pipeline.Build.load(options, buildcache.Request(today="2022-12-31"))
    build.stop()
    assert build.portal.renderer.today == dt.date(2022, 12, 31)


EDIT_HOOK = '''
from pathlib import Path

def on_post_build(config):
    """Save a meeting file while the build runs ({times})."""
    root = Path(config.config_file_path).parent
    marker = root / "edited"
    if {times!r} == "once" and marker.exists():
        return
    marker.write_text("")
    path = root / "data" / "meetings" / "{meeting}.yml"
    text = path.read_text(encoding="utf-8")
    forms = "93" if "forms: 85" in text else "85"
    path.write_text(text.replace("forms: 85", "forms: " + forms).replace("forms: 93", "forms: " + forms), encoding="utf-8")
'''


def with_edit_hook(project: Path, times: str) -> None:
    (project / "edit_hook.py").write_text(EDIT_HOOK.format(times=times, meeting=CHANGED), encoding="utf-8")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("  - macros/adapters/mkdocs_hooks.py\n", "  - macros/adapters/mkdocs_hooks.py\n  - edit_hook.py\n"), encoding="utf-8")


def test_a_file_saved_while_the_build_runs_is_not_published_half_way(tmp_path, settings, capfd):
    project = copy_project(tmp_path / "project")
    with_edit_hook(project, "once")
    assert cli.build(project, project / "site") == 0
    said = capfd.readouterr()
    assert "生成期间有文件改动，这次的结果没有发布，按改动后的内容重新生成" in said.err
    # The published site is the data as it is now (the edit), every page of it.
    assert "发放征求意见表93份" in (project / "site" / "meetings" / CHANGED / "report" / "index.html").read_text(encoding="utf-8")
    assert "已是最新" in build(project, capfd)


def test_a_build_whose_files_keep_changing_publishes_nothing(tmp_path, settings, capfd):
    project = copy_project(tmp_path / "project")
    build(project, capfd)
    before = site_bytes(project / "site")
    with_edit_hook(project, "always")
    assert cli.build(project, project / "site") == 1
    assert "生成期间文件一直在改动，网站没有发布，site/ 保持原样" in capfd.readouterr().err
    assert site_bytes(project / "site") == before


def test_a_published_file_changed_with_its_size_and_time_kept_is_noticed(tmp_path, settings, monkeypatch, capsys):
    project = copy_project(tmp_path / "project")
    build(project, capsys)
    page = project / "site" / "index.html"
    stat = page.stat()
    data = page.read_bytes()
    page.write_bytes(data.replace(b"<", b"[", 1))
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert page.stat().st_size == stat.st_size and page.stat().st_mtime_ns == stat.st_mtime_ns
    plan = plan_of(project)
    assert plan.changed_ids() is None and plan.reason == "site/ 中的文件在生成后被改动过"
    # A variable the configuration reads, set after a build: not "nothing changed".
    page.write_bytes(data)
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert plan_of(project).up_to_date()
    monkeypatch.setenv("PORTAL_SITE_URL", "http://intranet/portal/")
    assert "完整生成：设置有改动" in build(project, capsys)


def test_a_lock_that_is_a_folder_is_named_and_nothing_changes(tmp_path, settings, capsys):
    project = copy_project(tmp_path / "project")
    (project / ".site.lock").mkdir()
    assert cli.build(project, project / "site") == 1
    said = capsys.readouterr().err
    assert "这里应是一个文件，现在是文件夹" in said and ".site.lock" in said and "site/ 保持原样" in said
    assert not (project / "site").exists()


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB disk (tmpfs), where this machine lets the test mount one."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("a small disk cannot be mounted here (mount -t tmpfs needs root)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_said_in_one_chinese_line_without_a_traceback(tmp_path, settings, capfd, small_disk):
    project = copy_project(tmp_path / "project")
    assert cli.build(project, small_disk / "site") != 0
    said = capfd.readouterr().err
    assert "磁盘空间不足" in said and "Traceback" not in said
    assert not os.path.lexists(small_disk / "site") and not list(small_disk.glob("site.*"))
