"""The build's pipeline without MkDocs: its stages run with a fake converter (Python-Markdown), the Word
copies and the search index are made by a worker process, and a failed stage, here or in a worker,
stops the build with one Chinese message and puts nothing in place."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from macros.adapters import buildcache, pipeline
from macros.adapters.pipeline import Build, BuildFailed, Options, Workers
from macros.outputs.portal import Portal
from tests.support import ROOT, load, markdown_to_html


def options(tmp_path: Path, **changes) -> Options:
    settings = dict(cache=False, pages_per_shard=2, start_method=pipeline.start_method())
    return Options(ROOT, tmp_path / "site", **{**settings, **changes})


def convert(build: Build) -> list[str]:
    """The stage MkDocs does, faked: each generated page's Markdown to HTML, in the order given."""
    converted = []
    for made in build.files():
        if made.excluded or not made.src_uri.endswith(".md"):
            continue
        url = made.src_uri.removesuffix(".md").removesuffix("index") + ("/" if not made.src_uri.endswith("index.md") else "")
        build.page_converted(made.src_uri, url, "页面", markdown_to_html(made.content))
        converted.append(made.src_uri)
    build.pages_converted()
    return converted


def test_a_cold_build_runs_every_stage_with_workers(tmp_path):
    build = Build.load(options(tmp_path))
    converted = convert(build)
    assert build.workers.processes == 1 and build.workers.method in pipeline.START_METHODS
    # The meetings' shards were handed to the worker while the pages were converted (fake conversion).
    assert build.early_shards
    workers = [process.pid for process in build.workers._pool._processes.values()]
    assert workers and os.getpid() not in workers
    build.finish()
    site = tmp_path / "site"
    manifest = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert len(manifest["shards"]) >= 3 and all((site / "pagefind" / str(n)).is_dir() for n in range(len(manifest["shards"])))
    assert len(list((site / "pagefind" / "text").iterdir())) == len(converted)
    assert build.documents and all((site / uri).read_bytes()[:2] == b"PK" for uri in build.documents)
    assert not (site / ".portal-word").exists() and not (site / ".portal-shards").exists()


def test_early_shards_give_the_index_a_cold_build_would_write_itself(tmp_path):
    early = Build.load(options(tmp_path / "early"))
    convert(early)
    early.finish()
    late = Build.load(options(tmp_path / "late"))
    late.early = None  # every shard indexed by the index's own stage
    convert(late)
    late.finish()
    files = lambda site: {p.relative_to(site): p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file()}
    assert files(tmp_path / "early" / "site") == files(tmp_path / "late" / "site")


def test_a_word_copy_failing_in_the_worker_stops_the_build_and_nothing_is_put_in_place(tmp_path):
    build = Build.load(options(tmp_path))
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / ".portal-word").write_text("a file where the worker needs a folder")
    convert(build)
    with pytest.raises(BuildFailed, match="^写 Word 文件时出错（.*网站没有发布。"):
        build.finish()
    assert not list((tmp_path / "site").rglob("*.docx")) and build.workers._pool is None


def test_the_index_failing_in_the_worker_stops_the_build_with_a_chinese_message(tmp_path):
    build = Build.load(options(tmp_path))
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "pagefind").write_text("a file where the index needs a folder")
    convert(build)
    with pytest.raises(BuildFailed, match="^写搜索索引时出错（.*网站没有发布。"):
        build.finish()


def test_a_preview_of_one_meeting_runs_its_few_tasks_here(tmp_path):
    meeting = "2021-county-gov-office"
    build = Build.load(options(tmp_path, only={meeting}))
    convert(build)
    build.finish()
    assert build.workers.processes == 0 and build.workers._pool is None
    assert build.documents and all(uri.startswith(f"meetings/{meeting}/") for uri in build.documents)
    assert (tmp_path / "site" / build.documents[0]).read_bytes()[:2] == b"PK"


def _dies() -> None:
    os._exit(3)


def _fails() -> None:
    raise OSError(5, "Input/output error")


def _disk_full() -> None:
    raise OSError(28, "No space left on device")


def _goes_wrong() -> None:
    raise ValueError("坏数据")


def _method() -> str:
    return multiprocessing.get_start_method()


@pytest.mark.parametrize("method", pipeline.START_METHODS)
def test_workers_start_without_fork_and_tell_every_failure_the_same_way(method):
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{method} is not available here")
    workers = Workers(1, method)
    try:
        assert pipeline.outcome("试验", workers.submit(_method)) == method
        with pytest.raises(BuildFailed, match="^磁盘空间不足，网站没有生成完。"):
            pipeline.outcome("写 Word 文件", workers.submit(_disk_full))
        with pytest.raises(BuildFailed, match=r"^写 Word 文件时出错（OSError: \[Errno 5\] Input/output error），网站没有发布"):
            pipeline.outcome("写 Word 文件", workers.submit(_fails))
        with pytest.raises(BuildFailed, match=r"^写搜索索引时出错（ValueError: 坏数据），网站没有发布"):
            pipeline.outcome("写搜索索引", workers.submit(_goes_wrong))
        with pytest.raises(BuildFailed, match="^写搜索索引的进程意外退出，网站没有发布"):
            pipeline.outcome("写搜索索引", workers.submit(_dies))
    finally:
        workers.stop()


def test_a_start_method_other_than_spawn_or_forkserver_is_refused_by_name():
    with pytest.raises(BuildFailed, match="PORTAL_START_METHOD 只能是 forkserver 或 spawn（现在是“fork”）"):
        pipeline.start_method({"PORTAL_START_METHOD": "fork"})
    assert pipeline.start_method({"PORTAL_START_METHOD": "spawn"}) == "spawn"


def test_wrong_shard_size_is_named_with_the_accepted_form(tmp_path):
    # The same words as make check's (model/environment.py), for every value it refuses.
    for value in ("0", "-3", "²", "二百五十"):
        with pytest.raises(BuildFailed, match=f"PORTAL_PAGES_PER_SHARD: “{value}”不是正整数。.*PORTAL_PAGES_PER_SHARD=250"):
            Options.read(ROOT, tmp_path, environ={"PORTAL_PAGES_PER_SHARD": value})
    with pytest.raises(BuildFailed, match="PORTAL_TODAY: “20230103”不是日期。请写成“年-月-日”"):
        Options.read(ROOT, tmp_path, environ={"PORTAL_TODAY": "20230103"})
    assert Options.read(ROOT, tmp_path, environ={"PORTAL_PAGES_PER_SHARD": " 40 "}).pages_per_shard == 40


def meeting(meeting_id: str, year: int):
    return SimpleNamespace(id=meeting_id, year=year)


@pytest.mark.parametrize(("recorded", "expected"), [
    ({"a": 2021, "b": 2022, "c": 2022}, {2021}),  # the rendered meeting's year only
    ({"a": 2020, "b": 2022, "c": 2022}, None),  # a meeting moved to another year: every year page
    (None, None),  # no record of the published run's years: every year page
])
def test_a_warm_build_renders_the_year_pages_of_the_meetings_it_renders(tmp_path, recorded, expected):
    request = buildcache.Request(records_in=str(tmp_path), render_only=["a"])
    if recorded is not None:
        buildcache.write_json(tmp_path / "years.json", recorded)
    meetings = [meeting("a", 2021), meeting("b", 2022), meeting("c", 2022)]
    assert buildcache.years_to_render(meetings, {"a"}, request) == expected
    assert buildcache.years_to_render(meetings, None, request) is None


def test_the_portal_writes_itself_out_short():
    """The macros plugin writes every config value out as text on each build, the portal included:
    written out whole, a thousand meetings took most of a minute."""
    portal = Portal(ROOT, list(load().values()))
    assert len(repr(portal)) < 200 and "5 meetings" in repr(portal)
    assert len(repr(Build(options(Path("/tmp")), portal))) < 200
