"""Chinese search that finds any word inside a sentence, on Pagefind's fragment index.

Pagefind segments Chinese at index time but not the query in the browser, so a
word the segmenter split differently in a sentence (谈心谈话, 组综) is missed.
The portal therefore adds to each page a hidden list of search terms: every
pair of adjacent Chinese characters (and the last character of each run),
written as ASCII tokens that no segmenter splits. The search box turns the
query into the same tokens (``overrides/assets/portal-search.js``), so a page is
found whenever it contains every character pair of the query.
"""

from __future__ import annotations

import html as html_lib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# Site chrome that must not be found by search: breadcrumbs, on-screen warnings, permalinks.
# Pagefind leaves these selectors out; ``terms_block`` leaves out the same elements.
EXCLUDE = ".portal-crumbs, .portal-screen-only, .headerlink"
_CHROME = re.compile(
    r'<nav class="portal-crumbs".*?</nav>'
    r'|<div class="admonition warning portal-screen-only">.*?</div>'
    r'|<a class="headerlink"[^>]*>.*?</a>',
    re.S,
)
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_TAG = re.compile(r"<[^>]+>")


class SearchIndexError(RuntimeError):
    pass


def char_token(char: str) -> str:
    return f"c{ord(char):05x}"


def pair_token(first: str, second: str) -> str:
    return f"c{ord(first):05x}{ord(second):05x}"


def search_terms(text: str) -> list[str]:
    """The tokens a page is found by: each adjacent character pair, and each run's last character.

    Each token once, in order of first appearance.
    """
    pairs: dict[tuple[str, str] | str, None] = {}
    for run in _CJK_RUN.findall(text):
        pairs.update(dict.fromkeys(zip(run, run[1:])))
        pairs[run[-1]] = None
    return [char_token(key) if isinstance(key, str) else pair_token(*key) for key in pairs]


def query_tokens(query: str) -> str:
    """The query as the index holds it (the Python twin of the search box's script, for tests)."""
    out: list[str] = []
    for piece in re.split(rf"({_CJK_RUN.pattern})", query):
        if not piece.strip():
            continue
        if _CJK_RUN.fullmatch(piece):
            if len(piece) == 1:
                out.append(char_token(piece))
            else:
                out.extend(pair_token(a, b) for a, b in zip(piece, piece[1:]))
        else:
            out.append(piece.strip())
    return " ".join(out)


def terms_block(page_html: str, weight: int = 1) -> str:
    """A hidden element holding the search terms of a page's content (its chrome left out)."""
    text = html_lib.unescape(_TAG.sub(" ", _CHROME.sub(" ", page_html)))
    terms = " ".join(search_terms(text))
    return f'\n<div class="portal-terms" hidden data-pagefind-weight="{weight}">{terms}</div>\n'


PAGES_PER_SHARD = 1500
"""Pagefind keeps a whole index in memory while writing it (about 1.7 GB for 4,000 pages of ours),
so a large site is indexed in shards of this many pages, each by its own Pagefind process; the
search box merges the shards in the browser (``pagefind/shards.json`` lists them)."""


def index_site(site_dir: Path, pages_per_shard: int = PAGES_PER_SHARD) -> None:
    """Write the search index of the HTML pages under ``site_dir`` to ``site_dir/pagefind/``."""
    output = site_dir / "pagefind"
    shutil.rmtree(output, ignore_errors=True)
    pages = sorted(
        path for path in site_dir.rglob("*.html")
        if "pagefind" not in path.relative_to(site_dir).parts and path.name != "404.html"
    )
    shards = _shards(site_dir, pages, pages_per_shard)
    for number, shard in enumerate(shards):
        _index_shard(site_dir, shard, output / str(number))
    manifest = {"shards": [f"{number}/" for number in range(len(shards))]}
    (output / "shards.json").write_text(json.dumps(manifest), encoding="utf-8")


def _shards(site_dir: Path, pages: list[Path], pages_per_shard: int) -> list[list[Path]]:
    """Pages in shards of about ``pages_per_shard``, a meeting's pages always in one shard:
    scores are computed per shard, and a meeting's report must rank above its other pages."""
    groups: dict[tuple[str, ...], list[Path]] = {}
    for path in pages:
        parts = path.relative_to(site_dir).parts
        groups.setdefault(parts[:2] if parts[0] == "meetings" else parts[:1], []).append(path)
    shards: list[list[Path]] = [[]]
    for group in groups.values():
        if shards[-1] and len(shards[-1]) + len(group) > pages_per_shard:
            shards.append([])
        shards[-1].extend(group)
    return shards


def _index_shard(site_dir: Path, pages: list[Path], output: Path) -> None:
    """Run Pagefind on a staging copy (hard links) of one shard's pages, at their own paths.

    The staging folder sits beside the site, never inside it: nothing of it can be published or indexed.
    """
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.pagefind-", dir=site_dir.parent))
    try:
        for path in pages:
            target = staging / path.relative_to(site_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, target)
            except OSError:
                shutil.copyfile(path, target)
        command = [
            sys.executable, "-m", "pagefind",
            "--site", str(staging),
            "--output-path", str(output),
            "--exclude-selectors", EXCLUDE,
            "--silent",
        ]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise SearchIndexError(f"Pagefind could not index {site_dir}:\n{result.stdout}{result.stderr}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
