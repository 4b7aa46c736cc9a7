"""One build of the portal, stage by stage, in plain Python (no MkDocs here: ``mkdocs_hooks`` hands
MkDocs' objects in and takes the results out).

=================  ===========================================  ==========================================  =========
stage              takes                                        gives                                       runs in
=================  ===========================================  ==========================================  =========
load               ``data/`` (through the build cache)          the validated meetings (``Portal``)         build
plan               the meetings, the planner's ``Request``      which meetings and year pages to render     build
render Markdown    the meetings to render                       each generated page's Markdown              build
convert            the Markdown                                 each page's HTML (MkDocs), then typeset     build
Word copies        a document page's HTML                       its ``.docx`` in the site                   worker
search shards      a cold build's complete meetings' records    a shard's Pagefind files, made early        worker
write the index    every page's search record                   ``pagefind/`` in the site                   worker
finish             the workers' results                         Word copies in place, the run's records     build
publish            the finished site folder                     ``site`` repointed (``cli.build``)          build
=================  ===========================================  ==========================================  =========

Work done elsewhere runs in ``Workers`` (two: one makes the Word copies, the other the search index;
a warm build's small share of that work runs in threads instead, with no process to start). Their
tasks are top-level functions with picklable arguments, run by worker processes started with
``forkserver`` or ``spawn`` (never ``fork``: the build process has threads), so a build works the
same on Linux, macOS and Windows. ``publish`` happens only if the inputs hashed when the build began
are unchanged (``buildcache.Plan.inputs_moved``). A failure of any stage, here
or in a worker, is a ``BuildFailed`` with one Chinese message; the adapter stops the build with it,
and nothing is published.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import errno
import multiprocessing
import os
import shutil
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from macros.adapters import buildcache
from macros.model import environment
from macros.outputs.docx_export import write_docx_from_html
from macros.outputs.portal import Portal
from macros.outputs.render import DOCUMENT_KINDS, document_kinds, page_uris, word_file_name
from macros.outputs.typeset import keep_together, name_downloads
from macros.outputs.search import (
    PAGES_PER_SHARD, EarlyShards, SearchIndex, SearchIndexError, ShardWriter, index_shard_into, shard_key, write_index,
)

ASK_FOR_HELP = "网站没有发布。请再生成一次；仍然出错时，把这段提示发给技术人员。"
START_METHODS = ("forkserver", "spawn")


class BuildFailed(Exception):
    """A stage failed: the message (Chinese) says which and what to do. Nothing is published."""


def start_method(environ=os.environ) -> str:
    """How worker processes start: PORTAL_START_METHOD (``spawn`` or ``forkserver``), else ``forkserver``
    where the platform has it (Linux, macOS), else ``spawn`` (Windows)."""
    chosen = environ.get("PORTAL_START_METHOD", "").strip()
    if not chosen:
        return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    if chosen not in START_METHODS or chosen not in multiprocessing.get_all_start_methods():
        raise BuildFailed(f"PORTAL_START_METHOD 只能是 {' 或 '.join(START_METHODS)}（现在是“{chosen}”）。")
    return chosen


def file_problem(errno_number: int | None, filename: str | None = None) -> str | None:
    """What a person reads for a file system error the build can meet (None: an unexpected one)."""
    where = f"（{filename}）" if filename else ""
    if errno_number in (errno.ENOSPC, errno.EDQUOT):
        return f"磁盘空间不足{where}，网站没有发布。请清理磁盘（或删除 .cache/portal/）后再生成。"
    if errno_number in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"没有权限读写这个文件或文件夹{where}，网站没有发布。请检查它的权限后再生成。"
    if errno_number == errno.ENOENT:
        return f"生成过程中有文件被移走或删除{where}，网站没有发布。请等文件保存完后再生成一次。"
    if errno_number == errno.EISDIR:
        return f"这里应是一个文件，现在是文件夹{where}，网站没有发布。请删除或改名这个文件夹后再生成。"
    return None


DISK_FULL = "磁盘空间不足，网站没有生成完。请清理网站所在的磁盘（删去不用的文件）后重新生成。"


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


def failure(what: str, exc: BaseException) -> BuildFailed:
    """The one way a stage's failure is told: ``what`` names the stage (写 Word 文件, 写搜索索引…)."""
    if isinstance(exc, BuildFailed):
        return exc
    if is_disk_full(exc):
        return BuildFailed(DISK_FULL)
    if isinstance(exc, SearchIndexError):
        return BuildFailed(str(exc))
    if isinstance(exc, OSError) and file_problem(exc.errno, exc.filename):
        return BuildFailed(f"{what}时出错：{file_problem(exc.errno, exc.filename)}")
    if isinstance(exc, BrokenProcessPool):
        return BuildFailed(f"{what}的进程意外退出，{ASK_FOR_HELP}")
    return BuildFailed(f"{what}时出错（{type(exc).__name__}: {exc}），{ASK_FOR_HELP}")


class Workers:
    """Tasks run by worker processes, in the order given (one process: each task after the one before).

    ``processes=0`` runs each task here, at once (a preview of a few meetings: starting a process would
    cost more than the work); ``method="thread"`` runs them in a thread of this process (a warm build's
    few Word copies and its index, mostly copied from the cache and written by Pagefind's own process).
    A task is a top-level function with picklable arguments, whichever runs it."""

    def __init__(self, processes: int = 1, method: str | None = None):
        self.processes = processes
        self.method = method or start_method()
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the worker processes now (they take a moment to start: meanwhile the build goes on)."""
        if self.processes:
            self.submit(_ready)

    def submit(self, task, *args) -> concurrent.futures.Future:
        if self.processes == 0:
            future: concurrent.futures.Future = concurrent.futures.Future()
            try:
                future.set_result(task(*args))
            except Exception as exc:  # noqa: BLE001 - kept in the future, as a worker's would be
                future.set_exception(exc)
            return future
        if self._pool is None and self.method == "thread":
            self._pool = concurrent.futures.ThreadPoolExecutor(self.processes, thread_name_prefix="portal-worker")
        if self._pool is None:
            context = multiprocessing.get_context(self.method)
            if self.method == "forkserver":
                context.set_forkserver_preload(["macros.outputs.docx_export", "macros.outputs.search"])
            self._pool = concurrent.futures.ProcessPoolExecutor(self.processes, mp_context=context)
        return self._pool.submit(task, *args)

    def stop(self) -> None:
        """Cancel what has not started and wait for the workers to end."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def outcome(what: str, future: concurrent.futures.Future):
    """The task's result, or its failure as a ``BuildFailed`` naming ``what``."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - every failure is told the same way
        raise failure(what, exc) from None


NOT_IN_OUTPUT = ("PORTAL_BUILD_TIMES", "PORTAL_START_METHOD", "PORTAL_CACHE")
"""Options that change how a build runs, never a byte of what it publishes (left out of the cache's key)."""


def environment_read(root: Path, environ=os.environ) -> dict[str, str]:
    """Every environment variable a build of ``root`` reads that can change what it publishes, with its
    value: the configuration's ``!ENV`` variables, MkDocs' own, the portal's options (as ``Options.read``
    reads them) and the runner (the cache's key holds them all). Raises BuildFailed for a wrong value."""
    options = {name: value for name, value in Options.environment_read(environ).items() if name not in NOT_IN_OUTPUT}
    options["PORTAL_RUNNER"] = environ.get("PORTAL_RUNNER", "")
    return buildcache.environment_read(root, options, environ)


# Tasks run by the workers: top-level functions, picklable arguments.

def _ready() -> None:
    """Nothing: starts a worker process (``Workers.start``)."""


def write_search_index(pages: list, output: Path, pages_per_shard: int, writer) -> tuple[int, int]:
    """The stage "write the index": Pagefind's files and the pages' texts into ``output``; returns how
    many shards Pagefind indexed, and of how many."""
    write_index(pages, output, pages_per_shard, writer)
    fresh = writer if isinstance(writer, ShardWriter) else writer.fresh
    indexed = getattr(writer, "indexed", fresh.indexed)
    return indexed, len(getattr(writer, "used", ())) or fresh.shards


@dataclass(frozen=True)
class Options:
    """What a person asked of this build (the README lists the variables), read once at its start."""

    root: Path
    site: Path
    only: set[str] | None = None
    """PORTAL_ONLY: only these meetings (``make serve ID=``)."""
    search: bool = True
    """PORTAL_SEARCH=off: no search index (a focused preview)."""
    cache: bool = True
    """PORTAL_CACHE=off: no build cache."""
    pages_per_shard: int = PAGES_PER_SHARD
    home_meetings: int | None = None
    """From ``extra: portal_home_meetings`` in mkdocs.yml (the tests' small home pages)."""
    times: bool = False
    """PORTAL_BUILD_TIMES: print each step's time."""
    start_method: str = "spawn"
    serving: bool = False
    """Under ``serve`` a data error becomes the page the browser shows."""
    today: dt.date = field(default_factory=dt.date.today)
    """PORTAL_TODAY (YYYY-MM-DD), else today; a planned run takes its planner's date (``Request.today``)."""

    @classmethod
    def read(cls, root: Path, site: Path, *, serving: bool = False, home_meetings=None, environ=os.environ) -> "Options":
        only = {part.strip() for part in environ.get("PORTAL_ONLY", "").split(",") if part.strip()} or None
        try:  # checked as make check checks them, in the same words
            pages_per_shard = environment.count("PORTAL_PAGES_PER_SHARD", PAGES_PER_SHARD, environ)
            today = environment.build_date(environ)
        except environment.SettingError as exc:
            raise BuildFailed(str(exc)) from None
        return cls(
            root, site, only=only,
            search=environ.get("PORTAL_SEARCH", "on") != "off",
            cache=environ.get("PORTAL_CACHE", "on") != "off",
            pages_per_shard=pages_per_shard,
            home_meetings=home_meetings,
            times=bool(environ.get("PORTAL_BUILD_TIMES")),
            start_method=start_method(environ),
            serving=serving,
            today=today,
        )

    @staticmethod
    def environment_read(environ=os.environ) -> dict[str, str]:
        """The variables ``read`` looks up, with their values (what the build cache's key must hold).
        Raises BuildFailed, as ``read``, for a value written wrongly."""
        seen: dict[str, str] = {}

        class Recording:
            def get(self, name, default=None):
                seen[name] = environ.get(name, "")
                return environ.get(name, default)

        Options.read(Path("."), Path("."), environ=Recording())
        return seen


@dataclass
class Generated:
    """A file the build adds to the site's sources: ``excluded`` ones are registered (links to them
    resolve) but not written (a warm build keeps the published one)."""

    src_uri: str
    content: str | bytes
    excluded: bool = False


@dataclass
class Build:
    """One build's stages after ``load``: made by ``Build.load``, fed the converted pages, finished once."""

    options: Options
    portal: Portal
    request: buildcache.Request | None = None
    rendered: set[str] | None = None
    """The meetings this run renders (None: all of them, a cold build)."""
    years: set[int] | None = None
    """The year pages it renders (None: all of them)."""
    index: SearchIndex | None = None
    documents: list[str] = field(default_factory=list)
    """The Word copies' addresses in the site."""
    laps: list[tuple[str, float]] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)
    workers: Workers | None = None
    """The Word copies' worker."""
    search_workers: Workers | None = None
    """The search index's worker: the early shards, then the index (after them: tasks run in order)."""

    def __post_init__(self):
        few = self.options.only is not None
        if self.workers is None:
            self.workers = Workers(0 if few else 1, self.options.start_method)
        if self.search_workers is None:
            self.search_workers = Workers(0 if few else 1, self.options.start_method)
        self.word: list[concurrent.futures.Future] = []
        self.early_shards: dict[str, tuple[Path, concurrent.futures.Future]] = {}
        self.early = None
        self.indexing: concurrent.futures.Future | None = None
        self.started = time.perf_counter()
        if self.options.search:
            self.index = SearchIndex(self.portal.meetings)
            if self.rendered is None and not few:
                # A cold build's shards are indexed while MkDocs converts pages (a warm build's come from the cache).
                self.early = EarlyShards(self._index_early, self.options.pages_per_shard)

    def __repr__(self) -> str:
        # The macros plugin writes every config value out as text on each build: keep it short.
        return f"Build({self.portal!r})"

    # load and plan

    @classmethod
    def load(cls, options: Options, request: buildcache.Request | None = None) -> "Build":
        """Load the data (raises DataErrors listing every problem) and plan what this run renders."""
        started = time.perf_counter()
        # The worker starts while the data is loaded and the pages' Markdown made.
        # A warm run's work is small (its index mostly copied): threads, no process to start.
        method = "thread" if request is not None and request.render_only is not None else options.start_method
        lanes = [Workers(0 if options.only is not None else 1, method) for _ in range(2)]
        for workers in lanes:
            workers.start()
        try:
            cache = buildcache.ModelCache(options.root) if options.cache else None
            today = dt.date.fromisoformat(request.today) if request is not None and request.today else options.today
            portal = Portal.load(options.root, today=today, only=options.only, cache=cache, home_meetings=options.home_meetings)
            if cache is not None and options.only is None:
                cache.prune()
            if request is not None and request.records_out:
                buildcache.record_links(portal.meetings, Path(request.records_out))
            rendered = buildcache.meetings_to_render(portal.meetings, request)
            build = cls(options, portal, request, rendered, buildcache.years_to_render(portal.meetings, rendered, request),
                        workers=lanes[0], search_workers=lanes[1])
        except BaseException:
            for workers in lanes:
                workers.stop()
            raise
        build.laps.append(("start", started))
        build.lap("load the meetings")
        return build

    @classmethod
    def empty(cls, options: Options) -> "Build":
        """A build of no meetings (under serve, when the data has errors: the error pages only)."""
        from macros.outputs.render import Renderer

        return cls(options, Portal(options.root, [], Renderer(today=options.today)))

    def lap(self, step: str) -> None:
        """With PORTAL_BUILD_TIMES, note the time ``step`` ended (printed by ``finish``)."""
        if self.options.times:
            self.laps.append((step, time.perf_counter()))

    # render Markdown

    def files(self) -> list[Generated]:
        """The generated pages, and the files registered for links: Word copies (written later) and,
        on a warm build, the pages of meetings and years it does not render."""
        portal, rendered = self.portal, self.rendered
        generated = portal.pages(rendered, self.years)
        files = [Generated(src_uri, markdown) for src_uri, markdown in generated.items()]
        files += [Generated(uri, "", True) for uri in portal.year_page_uris() if uri not in generated]
        for meeting in portal.meetings:
            skipped = rendered is not None and meeting.id not in rendered
            for kind in document_kinds(meeting):
                files.append(Generated(f"meetings/{meeting.id}/{word_file_name(meeting.id, kind)}", b"", skipped))
            if skipped:
                files += [Generated(src_uri, "", True) for src_uri in page_uris(meeting)]
        self.lap("make the pages' Markdown")
        return files

    def menu(self, src_uri: str, url_of) -> tuple[str, list[tuple[str, str, bool]]] | None:
        """For a page of a meeting: the meeting's name and its pages as (title, address, is this page);
        None for any other page. ``url_of(src_uri)``: a page's address (each asked once a build)."""
        found = self.portal.meeting_links(src_uri)
        if found is None:
            return None
        title, entries = found
        for _, uri, _ in entries:
            if uri not in self.urls:
                self.urls[uri] = url_of(uri)
        return title, [(label, self.urls[uri], current) for label, uri, current in entries]

    # convert (MkDocs) → Word copies, search shards

    def page_converted(self, src_uri: str, url: str, title: str, html: str) -> str:
        """A page's HTML, returned as published: names, dates and headings' last characters kept on one
        line, the Word links given their Chinese file names (``typeset``). Its Word copy is made from it
        (a document page), its text goes to search."""
        html = keep_together(name_downloads(html, self.portal.download_names))
        parts = src_uri.split("/")
        kind = parts[-1].removesuffix(".md") if parts[0] == "meetings" and len(parts) == 3 else None
        if kind in DOCUMENT_KINDS:
            file = word_file_name(parts[1], kind)
            uri = f"meetings/{parts[1]}/{file}"
            properties = self.portal.word_copies.get(file, (None, None))[1]
            self.documents.append(uri)
            self.word.append(self.workers.submit(write_docx_from_html, html, self.staging / uri, properties))
        if self.index is not None:
            page = self.index.add(src_uri, url, title, html)
            if self.early is not None:
                self.early.added(page)
        return html

    @property
    def staging(self) -> Path:
        """Where the Word copies are written (MkDocs writes empty files in their place meanwhile)."""
        return self.options.site / ".portal-word"

    @property
    def early_folder(self) -> Path:
        return self.options.site / ".portal-shards"

    def _index_early(self, pages) -> None:
        key = shard_key(pages)
        folder = self.early_folder / key
        self.early_shards[key] = (folder, self.search_workers.submit(index_shard_into, pages, folder))

    # write the index

    def pages_converted(self) -> None:
        """Every page is converted: the index is written by the worker while MkDocs writes the pages
        (after the shards it indexed meanwhile: one worker takes its tasks in order)."""
        self.lap("convert the pages to HTML")
        if self.index is None:
            return
        # A warm run adds the recorded pages it did not render; unchanged shards and texts are the
        # published site's or the build cache's.
        buildcache.complete_search(self.index, self.rendered, self.request)
        early = {key: folder for key, (folder, _) in self.early_shards.items()}
        fresh = ShardWriter(early)
        writer = buildcache.CachedShardWriter(self.options.root, self.request, fresh) if self.options.cache else fresh
        self.indexing = self.search_workers.submit(
            write_search_index, self.index.ordered(), self.options.site / "pagefind", self.options.pages_per_shard, writer,
        )

    # finish

    def finish(self) -> None:
        """Wait for the workers; put the Word copies in place; leave the run's records. Raises BuildFailed."""
        self.lap("lay out and write the pages")
        try:
            for future in self.word:
                outcome("写 Word 文件", future)
            # An early shard that failed is indexed again by the index's own stage: only waited for.
            concurrent.futures.wait([future for _, future in self.early_shards.values()])
            counts = outcome("写搜索索引", self.indexing) if self.indexing is not None else None
        finally:
            self.stop()
        for uri in self.documents:
            (self.options.site / uri).parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.staging / uri, self.options.site / uri)
        shutil.rmtree(self.staging, ignore_errors=True)
        shutil.rmtree(self.early_folder, ignore_errors=True)
        if self.index is not None and self.request is not None and self.request.records_out:
            buildcache.record_search(self.index, self.rendered, self.years, Path(self.request.records_out))
        self.lap("wait for the Word copies and the search index")
        if self.options.times:
            for (_, before), (step, after) in zip(self.laps, self.laps[1:]):
                print(f"  {step}: {after - before:.2f} s", file=sys.stderr)
            if counts is not None:
                print(f"  search index of {len(self.index.pages)} pages, {counts[0]} of {counts[1]} shards by Pagefind "
                      f"({len(self.early_shards)} handed over while the pages were converted)", file=sys.stderr)

    def stop(self) -> None:
        """End the workers (a failed build: what has not started is cancelled)."""
        self.workers.stop()
        self.search_workers.stop()
