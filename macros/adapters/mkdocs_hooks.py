"""MkDocs hook: the only place where MkDocs meets the portal.

It loads the meeting data (a data error stops the build with the list of errors
and no traceback; under ``serve`` the browser shows the list instead), adds the
generated pages and Word copies, collects each page's text for search, and writes
the search index. The work itself is in plain
modules (``portal``, ``docx_export``, ``search``) that know nothing of MkDocs.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import errno
import hashlib
import html as html_lib
import logging
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mkdocs.exceptions import Abort  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402
from mkdocs.structure.files import File, InclusionLevel  # noqa: E402

from macros.adapters import buildcache  # noqa: E402
from macros.model.errors import DataErrors  # noqa: E402
from macros.outputs.docx_export import write_docx_from_html  # noqa: E402
from macros.outputs.error_page import write_error_site  # noqa: E402
from macros.outputs.portal import Portal, preview_only  # noqa: E402
from macros.outputs.render import DOCUMENT_KINDS, Renderer, document_kinds, page_uris, word_file_name  # noqa: E402
from macros.outputs.search import (  # noqa: E402
    PAGES_PER_SHARD, EarlyShards, SearchIndex, SearchIndexError, index_shard_into, shard_key,
)


_LAPS: list[tuple[str, float]] = []


def _lap(step: str) -> None:
    """With PORTAL_BUILD_TIMES, note the time a step of the build ended (printed at its end)."""
    if os.environ.get("PORTAL_BUILD_TIMES"):
        _LAPS.append((step, time.perf_counter()))


def portal_for(config) -> Portal:
    """The portal loaded for this build (kept in ``extra`` so the macros module sees it too)."""
    return config["extra"]["portal"]


def on_startup(command, dirty):
    if command == "serve":
        os.environ["PORTAL_SERVING"] = "1"
    # Office staff read the terminal: the macros plugin's and MkDocs' routine English notes on each
    # build say nothing to them (warnings and errors still show; the command line says what was built).
    if not os.environ.get("PORTAL_BUILD_TIMES"):
        for name in ("mkdocs.plugins.mkdocs_macros", "mkdocs.commands.build"):
            logging.getLogger(name).setLevel(logging.WARNING)


@event_priority(100)
def on_config(config):
    _lap("start")
    root = Path(config.config_file_path).resolve().parent
    only = preview_only()
    cache = buildcache.ModelCache(root) if buildcache.enabled() else None
    try:
        portal = Portal.load(root, only=only, cache=cache)
    except DataErrors as exc:
        if os.environ.get("PORTAL_SERVING") != "1":
            raise Abort("\n" + exc.report()) from None
        portal = _show_errors(config, root, exc)
    else:
        if cache is not None and only is None:
            cache.prune()
            buildcache.record_links(portal.meetings)
    config["extra"]["portal"] = portal
    # A warm build's run renders only some meetings (None: all of them).
    config["extra"]["portal_render"] = rendered = buildcache.meetings_to_render(portal.meetings)
    config["extra"]["portal_years"] = buildcache.years_to_render(portal.meetings, rendered)
    _lap("load the meetings")
    return config


def _show_errors(config, root: Path, errors: DataErrors) -> Portal:
    """Under serve, a data error becomes the page the browser shows (a stopped build would leave it
    waiting): the site is built from a folder of error pages, with docs/ still watched for changes."""
    print(errors.report(), file=sys.stderr)
    folder = Path(tempfile.gettempdir()) / f"portal-errors-{hashlib.sha1(str(root).encode()).hexdigest()[:10]}"
    write_error_site(Path(config["docs_dir"]), folder, errors, sorted(p.stem for p in (root / "data" / "meetings").glob("*.yml")))
    config["extra"]["portal_docs_dir"] = config["docs_dir"]
    config["docs_dir"] = str(folder)
    config["nav"] = [{"首页": "index.md"}]
    # The errors may be a PORTAL_TODAY that is not a date: the page of errors needs no date of it.
    return Portal(root, [], Renderer(today=dt.date.today()))


def on_serve(server, config, builder):
    """If the first build showed errors, watch docs/ rather than the folder of error pages."""
    docs = config["extra"].get("portal_docs_dir")
    if docs:
        server.unwatch(config["docs_dir"])
        server.watch(docs)
    return server


def on_env(env, config, files):
    """Every page is converted now: start writing the Word copies and the search index, while MkDocs
    lays the pages out and writes them."""
    _lap("convert the pages to HTML")
    config["extra"]["portal_job"] = _AfterPages(config)
    return env


def on_post_build(config):
    """Wait for the Word copies and the search index (skipped when PORTAL_SEARCH=off)."""
    _lap("lay out and write the pages")
    job = config["extra"].pop("portal_job", None)
    if job is not None:
        job.finish()
        _lap("wait for the Word copies and the search index")
    for (_, before), (step, after) in zip(_LAPS, _LAPS[1:]):
        print(f"  {step}: {after - before:.2f} s", file=sys.stderr)
    _LAPS[:] = []


def on_build_error(error):
    for task in [*_Forked.running, *_WordCopies.running]:
        task.stop()
    if isinstance(error, OSError) and error.errno in _DISK_FULL:
        # In place of MkDocs' traceback; the build folder is removed and the published site kept by the caller.
        raise Abort("磁盘空间不足，网站没有生成完。请清理网站所在的磁盘（删去不用的文件）后重新生成。")


_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


_ASK_FOR_HELP = "网站没有发布。请再生成一次；仍然出错时，把这段提示发给技术人员。"


class _Forked:
    """``work()`` run in a forked process (or here, at ``result()``, under ``serve``: a process with
    threads of its own is not forked). ``result()`` returns what it returned, or stops the build
    with ``what`` and the error."""

    running: set["_Forked"] = set()

    def __init__(self, what: str, work):
        self.what, self.work = what, work
        self.process = self.pipe = None
        if os.environ.get("PORTAL_SERVING") == "1":
            return
        context = multiprocessing.get_context("fork")
        self.pipe, sent = context.Pipe(duplex=False)
        self.process = context.Process(target=self._run_and_send, args=(sent,), daemon=True)
        self.process.start()
        sent.close()
        _Forked.running.add(self)

    def _run_and_send(self, sent) -> None:
        try:
            sent.send(("done", self.work()))
        except SearchIndexError as exc:
            sent.send(("error", str(exc)))
        except BaseException as exc:  # noqa: BLE001 - told to the build, which stops
            sent.send(("error", f"{self.what}时出错（{type(exc).__name__}: {exc}），{_ASK_FOR_HELP}"))

    def result(self):
        if self.process is None:
            try:
                return self.work()
            except SearchIndexError as exc:
                raise Abort(str(exc)) from None
        try:
            outcome, value = self.pipe.recv()
        except EOFError:
            self.process.join()
            outcome, value = "error", f"{self.what}的进程意外退出（退出码 {self.process.exitcode}），{_ASK_FOR_HELP}"
        finally:
            self.process.join()
            _Forked.running.discard(self)
        if outcome != "done":
            raise Abort(value)
        return value

    def stop(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join()
        _Forked.running.discard(self)


class _WordCopies:
    """The Word copies of the documents, each made from its page's HTML as soon as MkDocs has converted
    the page, by a worker process: the machine's other core is idle while MkDocs converts pages.
    They are written to a folder of their own in the site and moved into place at the end: MkDocs
    writes the (empty) files registered for them while it writes the pages. Under ``serve`` (a
    process with threads of its own is not forked) they are made in the build's process, at the end."""

    running: set["_WordCopies"] = set()

    def __init__(self, site: Path):
        self.site = site
        self.staging = site / ".portal-word"
        self.documents: list[str] = []
        """The Word files' addresses in the site."""
        self.later: list[tuple[str, str]] = []
        """Under serve: each address and its page's HTML, made at the end."""
        self.pending: list[concurrent.futures.Future] = []
        self.shards: list[concurrent.futures.Future] = []
        """Shards the worker indexes meanwhile (see _EarlyShards): waited for, their failures not raised."""
        self.pool = None
        if os.environ.get("PORTAL_SERVING") != "1":
            self.pool = concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            _WordCopies.running.add(self)

    def add(self, uri: str, html: str) -> None:
        self.documents.append(uri)
        if self.pool is None:
            self.later.append((uri, html))
        else:
            self.pending.append(self.pool.submit(write_docx_from_html, html, self.staging / uri))

    def finish(self) -> None:
        try:
            for uri, html in self.later:
                write_docx_from_html(html, self.staging / uri)
            for future in self.pending:
                future.result()
            concurrent.futures.wait(self.shards)
        except Exception as exc:  # noqa: BLE001 - told to the build, which stops
            raise Abort(f"写 Word 文件时出错（{type(exc).__name__}: {exc}），{_ASK_FOR_HELP}") from None
        finally:
            self.stop()
        for uri in self.documents:
            (self.site / uri).parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.staging / uri, self.site / uri)
        shutil.rmtree(self.staging, ignore_errors=True)

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
        _WordCopies.running.discard(self)


class _EarlyShards:
    """A cold build's search shards indexed by the Word copies' worker while MkDocs converts pages
    (``search.EarlyShards`` says when a shard is complete). The search index's process takes each
    one it makes identically (same key) instead of running Pagefind again, waiting for it if need be."""

    FOLDER = ".portal-shards"
    WAIT = 600.0
    """Seconds the search process waits for a shard before indexing it itself."""

    def __init__(self, word: _WordCopies, site: Path):
        self.word = word
        self.folder = site / self.FOLDER
        self.submitted: dict[str, Path] = {}
        shard = int(os.environ.get("PORTAL_PAGES_PER_SHARD", 0)) or PAGES_PER_SHARD
        self.early = EarlyShards(self._submit, shard)

    def _submit(self, pages) -> None:
        key = shard_key(pages)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.submitted[key] = self.folder / key
        self.word.shards.append(self.word.pool.submit(index_shard_into, pages, self.folder / key))

    def take(self, pages) -> Path | None:
        """The folder of this shard's Pagefind files (None: it was not handed over, or indexing it failed)."""
        folder = self.submitted.get(shard_key(pages))
        if folder is None:
            return None
        failed = folder.with_name(folder.name + ".failed")
        deadline = time.monotonic() + self.WAIT
        while not folder.is_dir() and not failed.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return folder if folder.is_dir() else None


class _AfterPages:
    """What is made from all the converted pages: the search index (Pagefind and the files beside it),
    in a process of its own while MkDocs lays out and writes the pages (the machine has two cores;
    MkDocs uses one); and the Word copies, made meanwhile, are waited for."""

    def __init__(self, config):
        self.site = Path(config.site_dir)
        self.word: _WordCopies = config["extra"]["portal_word"]
        self.search = _search_enabled()
        self.index, self.rendered = config["extra"]["portal_search"], config["extra"]["portal_render"]
        self.years = config["extra"]["portal_years"]
        self.started = time.perf_counter()
        self.indexing = self.early = None
        if self.search:
            # A warm build's run adds the recorded pages it did not render; unchanged shards and
            # texts are the published site's or the build cache's.
            buildcache.complete_search(self.index, self.rendered)
            self.writer = buildcache.search_writer(Path(config.config_file_path).resolve().parent)
            self.early = config["extra"].get("portal_early_shards")
            if self.early is not None:
                fresh = getattr(self.writer, "fresh", self.writer)
                fresh.prefetched = self.early.take
            self.indexing = _Forked("写搜索索引", self._write_index)

    def _write_index(self) -> tuple[int, int]:
        """Write the index; Pagefind's runs and all shards (the cached writer's counts)."""
        shard = int(os.environ.get("PORTAL_PAGES_PER_SHARD", 0)) or PAGES_PER_SHARD
        self.index.write(self.site / "pagefind", shard, self.writer)
        return getattr(self.writer, "indexed", 0), len(getattr(self.writer, "used", ()))

    def finish(self) -> None:
        try:
            self.word.finish()
        except Abort:
            if self.indexing is not None:
                self.indexing.stop()
            raise
        if self.indexing is None:
            return
        counts = self.indexing.result()
        early = self.early.submitted.values() if self.early is not None else ()
        taken = sum(not folder.exists() for folder in early)
        shutil.rmtree(self.site / _EarlyShards.FOLDER, ignore_errors=True)
        buildcache.record_search(self.index, self.rendered, self.years)
        if os.environ.get("PORTAL_BUILD_TIMES"):
            print(f"  search index of {len(self.index.pages)} pages, {counts[0]} of {counts[1]} shards by Pagefind "
                  f"({taken} of them indexed while the pages were converted, of {len(early)} handed over); "
                  f"Word copies and index done {time.perf_counter() - self.started:.2f} s after the pages were converted",
                  file=sys.stderr)


def on_page_content(html, page, config, files):
    """Give search the page's text (the terms go to the index, never into the page),
    and make the Word copy of each report, agenda and checklist from the very HTML the page shows."""
    parts = page.file.src_uri.split("/")
    kind = parts[-1][: -len(".md")] if parts[0] == "meetings" and len(parts) == 3 else None
    if kind in DOCUMENT_KINDS:
        docx_uri = f"meetings/{parts[1]}/{word_file_name(parts[1], kind)}"
        config["extra"]["portal_word"].add(docx_uri, html)
    if _search_enabled():
        title = html_lib.unescape(page.meta.get("title") or page.title or config["site_name"])
        added = config["extra"]["portal_search"].add(page.file.src_uri, page.url, title, html)
        early = config["extra"].get("portal_early_shards")
        if early is not None:
            early.early.added(added)
    return html


def on_pre_build(config):
    config["extra"]["portal_search"] = SearchIndex(portal_for(config).meetings)


def _search_enabled() -> bool:
    return os.environ.get("PORTAL_SEARCH", "on") != "off"


def on_files(files, config):
    portal = portal_for(config)
    rendered, years = config["extra"]["portal_render"], config["extra"]["portal_years"]
    generated = portal.pages(rendered, years)
    for src_uri, markdown in generated.items():
        files.append(File.generated(config, src_uri, content=markdown))
    # The year pages a warm build does not render, registered excluded (the home page links to them).
    for src_uri in portal.year_page_uris():
        if src_uri not in generated:
            files.append(File.generated(config, src_uri, content="", inclusion=InclusionLevel.EXCLUDED))
    _lap("make the pages' Markdown")
    # Word copies are written after their report page is rendered; registered now so links to them resolve.
    config["extra"]["portal_word"] = word = _WordCopies(Path(config.site_dir))
    # A cold build's shards are indexed while MkDocs converts pages (a warm build's come from the cache).
    early = rendered is None and word.pool is not None and _search_enabled()
    config["extra"]["portal_early_shards"] = _EarlyShards(word, Path(config.site_dir)) if early else None
    for meeting in portal.meetings:
        # A warm build renders only some meetings; the others' files are registered, excluded, so that
        # links to them (the home page's) resolve exactly as in a full build.
        skipped = rendered is not None and meeting.id not in rendered
        inclusion = InclusionLevel.EXCLUDED if skipped else InclusionLevel.UNDEFINED
        for kind in document_kinds(meeting):
            uri = f"meetings/{meeting.id}/{word_file_name(meeting.id, kind)}"
            files.append(File.generated(config, uri, content=b"", inclusion=inclusion))
        if skipped:
            for src_uri in page_uris(meeting):
                files.append(File.generated(config, src_uri, content="", inclusion=inclusion))
    return files


def on_page_context(context, page, config, nav):
    """On a meeting's pages the menu lists that meeting's pages, the current one marked
    (the site-wide menu stays 首页 and 使用说明: a thousand meetings would not fit in it).
    The theme prints menu titles as HTML, so the meeting's name is escaped here."""
    from html import escape

    from mkdocs.structure.nav import Link, Navigation, Section

    found = portal_for(config).meeting_links(page.file.src_uri)
    if found is None:
        return context
    title, entries = found
    links = []
    urls = config["extra"].setdefault("portal_urls", {})
    for label, src_uri, current in entries:
        if src_uri not in urls:
            urls[src_uri] = File(src_uri, config.docs_dir, config.site_dir, config.use_directory_urls).url
        link = Link(label, urls[src_uri])
        link.active = current
        links.append(link)
    section = Section(escape(title), links)
    for link in links:
        link.parent = section
    section.active = True
    context["nav"] = Navigation([*nav.items, section], nav.pages)
    return context
