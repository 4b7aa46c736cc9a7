"""MkDocs hook: the only place where MkDocs meets the portal.

It loads the meeting data (a data error stops the build with the list of errors
and no traceback; under ``serve`` the browser shows the list instead), adds the
generated pages and Word copies, collects each page's text for search, and writes
the search index. The work itself is in plain
modules (``portal``, ``docx_export``, ``search``) that know nothing of MkDocs.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import logging
import multiprocessing
import os
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
from macros.outputs.docx_export import report_docx_from_html  # noqa: E402
from macros.outputs.error_page import write_error_site  # noqa: E402
from macros.outputs.portal import Portal, build_date, preview_only  # noqa: E402
from macros.outputs.render import DOCUMENT_KINDS, Renderer, document_kinds, page_uris, word_file_name  # noqa: E402
from macros.outputs.search import PAGES_PER_SHARD, SearchIndex, SearchIndexError  # noqa: E402


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
    return Portal(root, [], Renderer(today=build_date()))


def on_serve(server, config, builder):
    """If the first build showed errors, watch docs/ rather than the folder of error pages."""
    docs = config["extra"].get("portal_docs_dir")
    if docs:
        server.unwatch(config["docs_dir"])
        server.watch(docs)
    return server


def on_env(env, config, files):
    """Every page's text is known now (MkDocs has converted them all): start writing the search index,
    while MkDocs lays the pages out and writes them."""
    _lap("convert the pages to HTML")
    if _search_enabled():
        config["extra"]["portal_search_job"] = _SearchJob(config)
    return env


def on_post_build(config):
    """Write the Word copies, then wait for the search index (skipped when PORTAL_SEARCH=off)."""
    _lap("lay out and write the pages")
    for uri, content in config["extra"]["portal_docx"].items():
        (Path(config.site_dir) / uri).write_bytes(content)
    job = config["extra"].pop("portal_search_job", None)
    if job is not None:
        job.finish()
        _lap("wait for the search index")
    for (_, before), (step, after) in zip(_LAPS, _LAPS[1:]):
        print(f"  {step}: {after - before:.2f} s", file=sys.stderr)
    _LAPS[:] = []


def on_build_error(error):
    for job in list(_SearchJob.running):
        job.stop()


class _SearchJob:
    """Writing the search index (Pagefind and the files beside it), in a process of its own: MkDocs
    lays out and writes the pages on one core, the index is written on the other. Under ``serve``
    (a process with threads of its own) the index is written in the build's process, at the end."""

    running: set["_SearchJob"] = set()

    def __init__(self, config):
        # A warm build's run adds the recorded pages it did not render; unchanged shards and texts
        # are the published site's or the build cache's.
        self.index, self.rendered = config["extra"]["portal_search"], config["extra"]["portal_render"]
        self.years = config["extra"]["portal_years"]
        self.started = time.perf_counter()
        buildcache.complete_search(self.index, self.rendered)
        self.output = Path(config.site_dir) / "pagefind"
        self.writer = buildcache.search_writer(Path(config.config_file_path).resolve().parent)
        self.process = self.result = None
        if os.environ.get("PORTAL_SERVING") == "1":
            return
        context = multiprocessing.get_context("fork")
        self.result, sent = context.Pipe(duplex=False)
        self.process = context.Process(target=self._write_and_send, args=(sent,), daemon=True)
        self.process.start()
        sent.close()
        _SearchJob.running.add(self)

    def _write(self) -> tuple[int, int]:
        """Write the index; Pagefind's runs and all shards (the cached writer's counts, else 0, 0)."""
        shard = int(os.environ.get("PORTAL_PAGES_PER_SHARD", 0)) or PAGES_PER_SHARD
        self.index.write(self.output, shard, self.writer)
        return getattr(self.writer, "indexed", 0), len(getattr(self.writer, "used", ()))

    def _write_and_send(self, sent) -> None:
        try:
            sent.send(("done", self._write()))
        except SearchIndexError as exc:
            sent.send(("error", str(exc)))
        except BaseException as exc:  # noqa: BLE001 - told to the build, which stops
            sent.send(("error", f"写搜索索引时出错（{type(exc).__name__}: {exc}），网站没有发布。"
                                "请再生成一次；仍然出错时，把这段提示发给技术人员。"))

    def finish(self) -> None:
        if self.process is None:
            try:
                counts = self._write()
            except SearchIndexError as exc:
                raise Abort(str(exc)) from None
        else:
            try:
                outcome, value = self.result.recv()
            except EOFError:
                self.process.join()
                outcome, value = "error", (
                    f"写搜索索引的进程意外退出（退出码 {self.process.exitcode}），网站没有发布。"
                    "请再生成一次；仍然出错时，把这段提示发给技术人员。"
                )
            finally:
                self.process.join()
                _SearchJob.running.discard(self)
            if outcome != "done":
                raise Abort(value)
            counts = value
        buildcache.record_search(self.index, self.rendered, self.years)
        if os.environ.get("PORTAL_BUILD_TIMES"):
            print(f"  search index of {len(self.index.pages)} pages, {counts[0]} of {counts[1]} shards by Pagefind: "
                  f"{time.perf_counter() - self.started:.2f} s after it started", file=sys.stderr)

    def stop(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join()
        _SearchJob.running.discard(self)


def on_page_content(html, page, config, files):
    """Give search the page's text (the terms go to the index, never into the page),
    and make the Word copy of each report, agenda and checklist from the very HTML the page shows."""
    parts = page.file.src_uri.split("/")
    kind = parts[-1][: -len(".md")] if parts[0] == "meetings" and len(parts) == 3 else None
    if kind in DOCUMENT_KINDS:
        docx_uri = f"meetings/{parts[1]}/{word_file_name(parts[1], kind)}"
        config["extra"]["portal_docx"][docx_uri] = report_docx_from_html(html)
    if _search_enabled():
        title = html_lib.unescape(page.meta.get("title") or page.title or config["site_name"])
        config["extra"]["portal_search"].add(page.file.src_uri, page.url, title, html)
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
    config["extra"]["portal_docx"] = {}
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
    for label, src_uri, current in entries:
        link = Link(label, File(src_uri, config.docs_dir, config.site_dir, config.use_directory_urls).url)
        link.active = current
        links.append(link)
    section = Section(escape(title), links)
    for link in links:
        link.parent = section
    section.active = True
    context["nav"] = Navigation([*nav.items, section], nav.pages)
    return context
