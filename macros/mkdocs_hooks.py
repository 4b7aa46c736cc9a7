"""MkDocs hook: the only place where MkDocs meets the portal.

It loads the meeting data (a data error stops the build with the list of errors
and no traceback), adds the generated pages and Word copies, collects each
page's text for search, and writes the search index. The work itself is in plain
modules (``portal``, ``docx_export``, ``search``) that know nothing of MkDocs.
"""

from __future__ import annotations

import html as html_lib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mkdocs.exceptions import Abort  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402

from macros.errors import DataErrors  # noqa: E402
from macros.docx_export import report_docx_from_html, word_file_name  # noqa: E402
from macros.portal import Portal, preview_only  # noqa: E402
from macros.search import PAGES_PER_SHARD, SearchIndex, SearchIndexError  # noqa: E402


def portal_for(config) -> Portal:
    """The portal loaded for this build (kept in ``extra`` so the macros module sees it too)."""
    return config["extra"]["portal"]


@event_priority(100)
def on_config(config):
    root = Path(config.config_file_path).resolve().parent
    try:
        portal = Portal.load(root, only=preview_only())
    except DataErrors as exc:
        raise Abort("\n" + exc.report()) from None
    config["extra"]["portal"] = portal
    return config


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
    and make the Word copy of each report from the very HTML the page shows."""
    is_report = page.file.src_uri.startswith("meetings/") and page.file.src_uri.endswith("/report.md")
    if is_report:
        docx_uri = page.file.src_uri[: -len("report.md")] + word_file_name(page.file.src_uri.split("/")[1])
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
        files.append(File.generated(config, f"meetings/{meeting.id}/{word_file_name(meeting.id)}", content=b""))
    return files
