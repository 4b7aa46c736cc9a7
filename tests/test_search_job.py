"""What keeps a build fast without changing what it publishes: the Word copies and the search index
written in a process of its own while MkDocs writes the pages, the year pages a warm build renders, a short portal repr."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import Abort

from macros.adapters import buildcache, mkdocs_hooks
from macros.outputs import docx_export, search
from macros.outputs.portal import Portal
from macros.outputs.search import SearchIndex
from tests.support import ROOT, load


class Config(dict):
    """The part of MkDocs' config the search job reads."""

    def __init__(self, site: Path):
        super().__init__(extra={})
        self.site_dir = str(site)
        self.config_file_path = str(ROOT / "mkdocs.yml")


def job_config(tmp_path: Path) -> Config:
    meetings = list(load().values())
    config = Config(tmp_path / "site")
    index = SearchIndex(meetings)
    for meeting in meetings:
        index.add(f"meetings/{meeting.id}/report.md", f"meetings/{meeting.id}/report/", "报告", "<p>谈心谈话</p>")
    index.add("guide.md", "guide/", "使用说明", "<p>说明</p>")
    word = mkdocs_hooks._WordCopies(tmp_path / "site")
    word.add(f"meetings/{meetings[0].id}/{meetings[0].id}-report.docx", "<h1>报告</h1><p>谈心谈话</p>")
    config["extra"].update(portal_search=index, portal_render=None, portal_years=None, portal_word=word)
    return config


@pytest.fixture
def no_cache(monkeypatch):
    monkeypatch.setenv("PORTAL_CACHE", "off")
    monkeypatch.delenv("PORTAL_SERVING", raising=False)


def test_the_search_index_is_written_by_a_process_of_its_own(tmp_path, no_cache):
    config = job_config(tmp_path)
    job = mkdocs_hooks._AfterPages(config)
    word = config["extra"]["portal_word"]
    assert word.pool is not None and job.indexing.process is not None and job.indexing.process.pid != os.getpid()
    process = job.indexing.process
    job.finish()
    manifest = json.loads((tmp_path / "site" / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert manifest["shards"] and (tmp_path / "site" / "pagefind" / "0").is_dir()
    assert process.exitcode == 0 and word.pending and all(future.done() for future in word.pending)
    # The Word copy is in its place (a zip file: a .docx), and the folder it was written to is gone.
    (uri,) = config["extra"]["portal_word"].documents
    assert (tmp_path / "site" / uri).read_bytes()[:2] == b"PK"
    assert not (tmp_path / "site" / ".portal-word").exists()


def test_a_failure_in_the_search_process_stops_the_build_with_its_message(tmp_path, no_cache, monkeypatch):
    def failing(pages, output):
        raise search.SearchIndexError("Pagefind 没能写出搜索索引（测试）")

    monkeypatch.setattr(search, "_index_shard", failing)
    job = mkdocs_hooks._AfterPages(job_config(tmp_path))
    with pytest.raises(Abort, match="Pagefind 没能写出搜索索引"):
        job.finish()


def test_a_search_process_that_dies_stops_the_build(tmp_path, no_cache, monkeypatch):
    def dying(pages, output):
        os._exit(3)

    monkeypatch.setattr(search, "_index_shard", dying)
    job = mkdocs_hooks._AfterPages(job_config(tmp_path))
    with pytest.raises(Abort, match="退出码 3"):
        job.finish()


def test_under_serve_the_index_is_written_in_the_build_process(tmp_path, no_cache, monkeypatch):
    monkeypatch.setenv("PORTAL_SERVING", "1")
    config = job_config(tmp_path)
    job = mkdocs_hooks._AfterPages(config)
    assert job.indexing.process is None and config["extra"]["portal_word"].pool is None
    job.finish()
    assert (tmp_path / "site" / "pagefind" / "shards.json").is_file()
    (uri,) = config["extra"]["portal_word"].documents
    assert (tmp_path / "site" / uri).read_bytes()[:2] == b"PK"


def test_a_failure_making_a_word_copy_stops_the_build(tmp_path, no_cache, monkeypatch):
    monkeypatch.setattr(docx_export, "report_docx_from_html", lambda html: 1 / 0)
    job = mkdocs_hooks._AfterPages(job_config(tmp_path))
    with pytest.raises(Abort, match="写 Word 文件时出错（ZeroDivisionError"):
        job.finish()
    assert not list((tmp_path / "site").rglob("*.docx"))


def meeting(meeting_id: str, year: int):
    return SimpleNamespace(id=meeting_id, year=year)


@pytest.mark.parametrize(("recorded", "expected"), [
    ({"a": 2021, "b": 2022, "c": 2022}, {2021}),  # the rendered meeting's year only
    ({"a": 2020, "b": 2022, "c": 2022}, None),  # a meeting moved to another year: every year page
    (None, None),  # no record of the published run's years: every year page
])
def test_a_warm_build_renders_the_year_pages_of_the_meetings_it_renders(tmp_path, monkeypatch, recorded, expected):
    monkeypatch.delenv("PORTAL_CACHE", raising=False)
    monkeypatch.setenv(buildcache.RUN_IN, str(tmp_path))
    if recorded is not None:
        (tmp_path / "years.json").write_text(json.dumps(recorded), encoding="utf-8")
    meetings = [meeting("a", 2021), meeting("b", 2022), meeting("c", 2022)]
    assert buildcache.years_to_render(meetings, {"a"}) == expected
    assert buildcache.years_to_render(meetings, None) is None


def test_the_portal_writes_itself_out_short():
    """The macros plugin writes every config value out as text on each build, the portal included:
    written out whole, a thousand meetings took most of a minute."""
    portal = Portal(ROOT, list(load().values()))
    assert len(repr(portal)) < 200 and "5 meetings" in repr(portal)
