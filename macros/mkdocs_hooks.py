"""MkDocs hook: load the meeting data and add one page per meeting and page kind.

Thin on purpose: all the work is in ``macros.portal``. A data error stops the
build with the list of errors and no traceback.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mkdocs.exceptions import Abort  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402

from macros.errors import DataErrors  # noqa: E402
from macros.portal import Portal  # noqa: E402
from macros.search import SearchIndexError, index_site, terms_block  # noqa: E402



def portal_for(config) -> Portal:
    """The portal loaded for this build (kept in ``extra`` so the macros module sees it too)."""
    return config["extra"]["portal"]


@event_priority(100)
def on_config(config):
    root = Path(config.config_file_path).resolve().parent
    try:
        portal = Portal.load(root)
    except DataErrors as exc:
        raise Abort("\n" + exc.report()) from None
    config["extra"]["portal"] = portal
    return config


def on_post_build(config):
    """Index the built site for search (skipped when PORTAL_SEARCH=off, e.g. a quick preview)."""
    if os.environ.get("PORTAL_SEARCH", "on") != "off":
        try:
            index_site(Path(config.site_dir))
        except SearchIndexError as exc:
            raise Abort(str(exc)) from None


def on_page_content(html, page, config, files):
    """Append the page's hidden search terms; a report weighs more than a meeting's other pages."""
    weight = 10 if page.file.src_uri.endswith("/report.md") else 1
    return html + terms_block(_searchable(html), weight)


def _searchable(html: str) -> str:
    html = re.sub(r'<nav class="portal-crumbs".*?</nav>', "", html, flags=re.S)
    return re.sub(r'<div class="admonition warning portal-screen-only">.*?</div>', "", html, flags=re.S)


def on_files(files, config):
    for src_uri, markdown in portal_for(config).pages().items():
        files.append(File.generated(config, src_uri, content=markdown))
    return files
