"""Helpers shared by the tests: the project root, loading, and reducing pages to plain text."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import markdown

from macros.model.meeting import load_meetings
from macros.outputs.render import Renderer

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "meetings"
TODAY = dt.date(2023, 1, 3)
MD_EXTENSIONS = ["attr_list", "md_in_html", "tables", "toc"]
START_METHOD = {name: os.environ[name] for name in ("PORTAL_START_METHOD",) if name in os.environ}
"""Builds run with a bare environment keep the suite's choice of how worker processes start (CI's spawn pass)."""


def load(folder: Path = DATA, root: Path = ROOT):
    return {meeting.id: meeting for meeting in load_meetings(folder, root)}


def renderer() -> Renderer:
    return Renderer(today=TODAY)


def strip_front_matter(page: str) -> str:
    if page.startswith("---\n"):
        return page.split("\n---\n", 1)[1]
    return page


def markdown_to_html(page: str) -> str:
    return markdown.markdown(strip_front_matter(page), extensions=MD_EXTENSIONS)


def html_text(fragment: str) -> str:
    """Text a reader sees in an HTML fragment (tags dropped, entities decoded)."""
    fragment = re.sub(r"<(script|style)\b.*?</\1>", "", fragment, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


class _BlockText(HTMLParser):
    """Collects the text inside the first element that has a given class, nesting included."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area", "base", "embed", "track"}

    def __init__(self, css_class: str):
        super().__init__(convert_charrefs=True)
        self.css_class = css_class
        self.depth = 0
        self.done = False
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.done or tag in self.VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        if self.depth or self.css_class in classes:
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth and tag not in self.VOID:
            self.depth -= 1
            self.done = self.depth == 0

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def block_text(page_html: str, css_class: str) -> str:
    parser = _BlockText(css_class)
    parser.feed(page_html)
    assert parser.done or parser.parts, f"page has no element of class {css_class}"
    return "".join(parser.parts)


def document_text(page_html: str) -> str:
    """The plain text of the official document part of a page (without the site's links)."""
    return block_text(page_html, "portal-document")


def squeeze(text: str) -> str:
    """Whitespace aside: drop every space and line break."""
    return re.sub(r"\s+", "", text)


def copy_project(target: Path) -> Path:
    """A copy of the project (without .venv, site, .git) to build or break in a test."""
    for name in ("docs", "data", "macros", "overrides"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    return target


def article_of(path: Path) -> str:
    """The main content (<article>) of a built page."""
    return re.search(r"<article.*?</article>", path.read_text(encoding="utf-8"), re.S).group(0)
