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
import re
import subprocess
import sys
from pathlib import Path

# Site chrome that must not be found by search: breadcrumbs, on-screen warnings, permalinks.
EXCLUDE = ".portal-crumbs, .portal-screen-only, .headerlink"
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
    """A hidden element holding the search terms of a page's content."""
    text = html_lib.unescape(_TAG.sub(" ", page_html))
    terms = " ".join(search_terms(text))
    return f'\n<div class="portal-terms" hidden data-pagefind-weight="{weight}">{terms}</div>\n'


def index_site(site_dir: Path) -> None:
    """Write ``site_dir/pagefind/`` for the HTML pages under ``site_dir``."""
    command = [
        sys.executable, "-m", "pagefind",
        "--site", str(site_dir),
        "--output-subdir", "pagefind",
        "--exclude-selectors", EXCLUDE,
        "--silent",
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SearchIndexError(f"Pagefind could not index {site_dir}:\n{result.stdout}{result.stderr}")
