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
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mkdocs.exceptions import Abort  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402

from macros.outputs.error_page import write_error_site  # noqa: E402
from macros.model.errors import DataErrors  # noqa: E402
from macros.outputs.docx_export import report_docx_from_html  # noqa: E402
from macros.outputs.render import DOCUMENT_KINDS, Renderer, document_kinds, word_file_name  # noqa: E402
from macros.outputs.portal import Portal, build_date, preview_only  # noqa: E402
from macros.outputs.search import PAGES_PER_SHARD, SearchIndex, SearchIndexError  # noqa: E402


def portal_for(config) -> Portal:
    """The portal loaded for this build (kept in ``extra`` so the macros module sees it too)."""
    return config["extra"]["portal"]


def on_startup(command, dirty):
    if command == "serve":
        os.environ["PORTAL_SERVING"] = "1"


@event_priority(100)
def on_config(config):
    root = Path(config.config_file_path).resolve().parent
    try:
        portal = Portal.load(root, only=preview_only())
    except DataErrors as exc:
        if os.environ.get("PORTAL_SERVING") != "1":
            raise Abort("\n" + exc.report()) from None
        portal = _show_errors(config, root, exc)
    config["extra"]["portal"] = portal
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


def on_post_build(config):
    """Write the Word copies, then the search index of the built pages (skipped when PORTAL_SEARCH=off)."""
    for uri, content in config["extra"]["portal_docx"].items():
        (Path(config.site_dir) / uri).write_bytes(content)
    if _search_enabled():
        try:
            shard = int(os.environ.get("PORTAL_PAGES_PER_SHARD", 0)) or PAGES_PER_SHARD
            config["extra"]["portal_search"].write(Path(config.site_dir) / "pagefind", shard)
        except SearchIndexError as exc:
            raise Abort(str(exc)) from None


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
    for src_uri, markdown in portal.pages().items():
        files.append(File.generated(config, src_uri, content=markdown))
    # Word copies are written after their report page is rendered; registered now so links to them resolve.
    config["extra"]["portal_docx"] = {}
    for meeting in portal.meetings:
        for kind in document_kinds(meeting):
            files.append(File.generated(config, f"meetings/{meeting.id}/{word_file_name(meeting.id, kind)}", content=b""))
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
