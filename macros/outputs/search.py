"""Chinese search that finds any word inside a sentence, on Pagefind's fragment index.

Pagefind segments Chinese at index time but not the query in the browser, so a
word the segmenter split differently in a sentence (谈心谈话, 组综) is missed.
The portal therefore indexes each page by its search terms: every pair of
adjacent Chinese characters (and the last character of each run), written as
ASCII tokens that no segmenter splits. The search box turns the query into the
same tokens (``overrides/assets/portal-search.js``), so a page is found whenever
it contains every character pair of the query.

The terms go to Pagefind through its Python indexing API as one small record a
page (written for it alone, outside the site), never into the pages themselves.
A record also carries what a result shows: the
page's title, its meeting and kind. The page's plain text, from which the search
box cuts excerpts around the query (the index holds only tokens), is a small
gzip file of its own beside the index, fetched only for the results shown.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import html as html_lib
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from macros.outputs.kinds import KINDS as PAGE_KINDS
from macros.outputs.render import meeting_name

# What is not the document's own text, and must not be found by search: the line of the meeting's pages,
# the line of the Word copy and printing, notes shown on screen only, permalinks (in any attribute order).
_CHROME = re.compile(
    r'<(nav|p|div|span)\b[^>]*\bclass="[^"]*\b(?:portal-crumbs|portal-download|portal-screen-only)\b[^"]*"[^>]*>.*?</\1>'
    r'|<a class="headerlink"[^>]*>.*?</a>'
    r"|<(script|style)\b.*?</\2>",
    re.S,
)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|li|ul|ol|dl|dt|dd|td|th|tr|table|thead|tbody|h[1-6]|br|hr|blockquote|pre|section|article|nav|figure|figcaption|details|summary)\b[^>]*>",
    re.I,
)
_TAG = re.compile(r"<[^>]+>")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

KINDS = {kind.key: kind.search_label for kind in (*(k for k in PAGE_KINDS if k.document), *(k for k in PAGE_KINDS if not k.document))}
"""Each kind of a meeting's page (its file name, ``index`` being the overview) with the label results
show and the kind filter offers, in that order: the documents in menu order, then the overview. The
labels are the page kinds' own (``kinds.KINDS``): a new document kind brings its label with it. Every
page of no meeting is ``OTHER``."""
OTHER = "其他"
_KIND_ORDER = {kind: order for order, kind in enumerate(KINDS)}
_SOURCE_KINDS = {"index": "overview"}

PAGES_PER_SHARD = 250
"""Pagefind keeps a whole index in memory while writing it (about 1 GB for 4,000 pages of ours),
so the index is written in shards of about this many pages, each by its own Pagefind process.
Shards follow the order of results (newest meetings first): the search box searches them one
after the other and shows results as soon as a shard holds some
(``pagefind/shards.json`` lists the shards, the values of each filter and a summary of the
character pairs each shard holds, by which shards that cannot hold a query are skipped)."""
FIRST_SHARD_PAGES = 100
"""The first shard is small: the time Pagefind takes grows with the pages a query's common
character pairs occur on, and the first results of a common phrase are found in it."""


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


def _chrome_gap(match: re.Match) -> str:
    """What stands in for left-out chrome: nothing inside a sentence, a line break between blocks."""
    return "" if match.group(1) == "span" else "\n"


def page_text(content_html: str) -> str:
    """What a reader reads in a page's content: chrome left out, one line a block, inline tags joined."""
    text = _TAG.sub("", _BLOCK_TAG.sub("\n", _CHROME.sub(_chrome_gap, content_html)))
    lines = (" ".join(line.split()) for line in html_lib.unescape(text).splitlines())
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class SearchPage:
    """One page as search knows it. ``url`` is relative to the site's root (``meetings/<id>/report/``)."""

    url: str
    title: str
    text: str
    kind: str = "other"
    meeting_id: str = ""
    meeting: str = ""
    group: str = ""
    year: int | None = None

    def content(self) -> str:
        """What Pagefind indexes: the Chinese of its title and text as pair tokens, everything else of its
        text (numbers, Latin) as written, and a term for each filter value the page has."""
        filters = [filter_token(key, value) for key, values in self.filters().items() for value in values]
        return " ".join(search_terms(self.searched()) + filters) + "\n" + _CJK_RUN.sub(" ", self.text)

    def searched(self) -> str:
        """The text a page is found by: its title (as results show it: “…会议情况报告” finds the report
        titled “…召开情况的报告”) and its own text."""
        return f"{self.title}\n{self.text}"

    def filters(self) -> dict[str, list[str]]:
        filters = {"kind": [KINDS.get(self.kind, OTHER)]}
        if self.meeting:
            filters.update(year=[str(self.year)], group=[self.group])
        return filters

    def meta(self, number: int) -> dict[str, str]:
        """What a result shows; ``number`` names the file of the page's text (``text/<number>.gz``)."""
        return {"title": self.title, "meeting": self.meeting, "kind": KINDS.get(self.kind, OTHER), "number": str(number)}

    def record_html(self, number: int) -> str:
        """The page as Pagefind reads it: the indexed content, and metadata, filters and the sort key
        (its place among results) as attributes, so that no value is parsed for commas or colons."""
        tags = [_attribute_tag("meta", key, value) for key, value in self.meta(number).items()]
        tags.append(_attribute_tag("sort", "order", f"{number:06d}"))
        body = html_lib.escape(self.content())
        return f'<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">{"".join(tags)}</head>\n<body><main data-pagefind-body><p>{body}</p></main></body></html>\n'


def _filter_order(key: str):
    """How a filter's values are listed: kinds in the order of ``KINDS`` (其他 last), the rest as sorted."""
    if key != "kind":
        return None
    order = [*KINDS.values(), OTHER]
    return lambda value: (order.index(value) if value in order else len(order), value)


def filter_token(key: str, value: str) -> str:
    """A filter value as an index term the search box adds to the query (the Python twin of its
    ``filterToken``). Filters are terms, not Pagefind filters, because Pagefind writes its filter
    files in a different order on every run, and two builds of one commit must give the same bytes.
    The closing ``z`` keeps one value's term from being the beginning of another's."""
    return "f" + key[0] + "".join(f"{ord(char):05x}" for char in value) + "z"


def _attribute_tag(kind: str, key: str, value: str) -> str:
    return f'<meta data-pagefind-{kind}="{key}[content]" content="{html_lib.escape(value, quote=True)}">'


class SearchIndex:
    """The pages of a build, in the order results are listed: meetings as the portal orders them
    (newest year first), a meeting's report, agenda, checklist and overview together, then other pages."""

    def __init__(self, meetings: list) -> None:
        self._meetings = {meeting.id: (rank, meeting) for rank, meeting in enumerate(meetings)}
        self.pages: dict[str, tuple[tuple, SearchPage]] = {}
        self.sources: dict[str, str] = {}
        """Each page's source (``meetings/<id>/report.md``), by its url: what the build cache records."""

    def add(self, src_uri: str, url: str, title: str, content_html: str) -> SearchPage:
        """Add a built page: ``src_uri`` is its source (``meetings/<id>/report.md``), ``url`` its address
        relative to the site's root, ``content_html`` its content as the theme receives it."""
        parts = src_uri.split("/")
        found = self._meetings.get(parts[1]) if parts[0] == "meetings" and len(parts) == 3 else None
        kind = parts[-1].removesuffix(".md")
        kind = _SOURCE_KINDS.get(kind, kind)
        if found is None:
            page = SearchPage(url, title, page_text(content_html))
            position: tuple = (1, url, 0)
        else:
            rank, meeting = found
            kind = kind if kind in _KIND_ORDER else "other"
            page = SearchPage(
                url, title, page_text(content_html), kind,
                meeting_id=meeting.id, meeting=meeting_name(meeting), group=meeting.group.name, year=meeting.year,
            )
            position = (0, rank, _KIND_ORDER.get(kind, len(_KIND_ORDER)))
        self.pages[url] = (position, page)
        self.sources[url] = src_uri
        return page

    def restore(self, src_uri: str, page: SearchPage) -> None:
        """Add a page an earlier build recorded (a warm build does not render it again), in its place
        among this build's meetings."""
        parts = src_uri.split("/")
        found = self._meetings.get(parts[1]) if parts[0] == "meetings" and len(parts) == 3 else None
        position = (1, page.url, 0) if found is None else (0, found[0], _KIND_ORDER.get(page.kind, len(_KIND_ORDER)))
        self.pages[page.url] = (position, page)
        self.sources[page.url] = src_uri

    def ordered(self) -> list[SearchPage]:
        return [page for _, page in sorted(self.pages.values(), key=lambda item: item[0])]

    def write(self, output: Path, pages_per_shard: int = PAGES_PER_SHARD, writer: "ShardWriter | None" = None) -> None:
        """Write the Pagefind index of these pages to ``output`` (a folder the site serves)."""
        write_index(self.ordered(), output, pages_per_shard, writer)


class ShardWriter:
    """How ``write_index`` makes each part of the index: a shard's Pagefind files, the character pairs
    a shard holds (its summary) and a page's text. The build cache's writer takes what did not change
    from the published site or the cache instead (the same bytes).

    ``early``: folders where Pagefind already indexed a shard (see ``EarlyShards``), by the shard's
    key; a folder is used only for the very shard it was made from."""

    def __init__(self, early: dict[str, Path] | None = None):
        self.early = dict(early or {})
        self.indexed = 0
        """How many shards Pagefind indexed for this writer (early ones included)."""
        self.shards = 0

    def index(self, pages: list[tuple[int, SearchPage]], output: Path) -> None:
        self.shards += 1
        self.indexed += 1
        ready = self.early.get(shard_key(pages)) if self.early else None
        if ready is not None and ready.is_dir():
            output.parent.mkdir(parents=True, exist_ok=True)
            os.replace(ready, output)
            return
        _index_shard(pages, output)

    def pairs(self, pages: list[tuple[int, SearchPage]]) -> set[str]:
        return _pair_tokens([page for _, page in pages])

    def text(self, number: int, page: SearchPage, path: Path) -> None:
        path.write_bytes(gzip.compress(page.text.encode("utf-8"), mtime=0))


def write_index(
    pages: list[SearchPage], output: Path, pages_per_shard: int = PAGES_PER_SHARD, writer: ShardWriter | None = None,
) -> None:
    """Index ``pages`` (already in result order) into shards under ``output``, and write each page's
    text to ``output/text/``; nothing is staged anywhere else."""
    writer = writer or ShardWriter()
    shutil.rmtree(output, ignore_errors=True)
    texts = output / "text"
    texts.mkdir(parents=True)
    for number, page in enumerate(pages):
        writer.text(number, page, texts / f"{number}.gz")
    shards = _shards(list(enumerate(pages)), pages_per_shard, min(pages_per_shard, FIRST_SHARD_PAGES))
    for number, shard in enumerate(shards):
        writer.index(shard, output / str(number))
    for number in range(1, len(shards)):
        _share_engine(output / str(number))
    offered: dict[str, set[str]] = {}
    for page in pages:
        for key, values in page.filters().items():
            offered.setdefault(key, set()).update(values)
    manifest = {
        "shards": [f"{number}/" for number in range(len(shards))],
        "filters": {key: sorted(values, key=_filter_order(key)) for key, values in offered.items()},
        "summary": summaries_of([writer.pairs(shard) for shard in shards]),
    }
    (output / "shards.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


SUMMARY_BITS_PER_PAIR = 8
"""Bits of a shard's summary per character pair its pages hold (with 3 hashes, a pair the shard
lacks is taken for present about once in 30; a query is usually two or more pairs)."""
SUMMARY_HASHES = 3


def shard_summaries(shards: list[list[SearchPage]]) -> dict:
    """The summaries of shards of pages (see ``summaries_of``)."""
    return summaries_of([_pair_tokens(shard) for shard in shards])


def summaries_of(held: list[set[str]]) -> dict:
    """Which character pairs each shard's pages hold, as a Bloom filter a shard (base64), so that the
    search box skips, without loading anything of it, a shard lacking a pair of the query: no page
    there holds the whole query. A filter never says a pair the shard holds is missing; it may say a
    missing pair is there (the shard is then searched and nothing is lost). Pairs held by every shard
    are left out of the shards' filters and go to ``common``, checked first. ``held``: the character
    pairs of each shard, as tokens."""
    common = set.intersection(*held) if len(held) > 1 else set()
    return {
        "hashes": SUMMARY_HASHES,
        "common": _bloom(common),
        "shards": [_bloom(tokens - common) for tokens in held],
    }


def shards_holding(summary: dict, query: str) -> list[bool]:
    """For each shard, whether it may hold a page with every character pair of ``query`` (the Python
    twin of the search box's ``shardsHolding``)."""
    pairs = [token for token in query_tokens(query).split() if _is_pair(token)]
    common = _decoded(summary["common"])
    rare = [pair for pair in pairs if not _bloom_has(common, pair, summary["hashes"])]
    return [all(_bloom_has(_decoded(bloom), pair, summary["hashes"]) for pair in rare) for bloom in summary["shards"]]


@functools.lru_cache(maxsize=64)
def _decoded(bloom: str) -> bytes:
    return base64.b64decode(bloom)


def _pair_tokens(pages: list[SearchPage]) -> set[str]:
    """The character pairs of ``pages``' texts as tokens (each pair once: the pages' terms share most)."""
    pairs: set[tuple[str, str]] = set()
    for page in pages:
        for run in _CJK_RUN.findall(page.searched()):
            pairs.update(zip(run, run[1:]))
    return {pair_token(*pair) for pair in pairs}


_PAIR = re.compile(r"c[0-9a-f]{10}")


def _is_pair(token: str) -> bool:
    return _PAIR.fullmatch(token) is not None


def _fnv(text: str, seed: int) -> int:
    """FNV-1a, 32 bits, of an ASCII token (the search box's ``fnv``)."""
    value = seed
    for byte in text.encode("ascii"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def _bloom_bits(token: str, size: int, hashes: int) -> list[int]:
    first, second = _fnv(token, 0x811C9DC5), _fnv(token, 0x9747B28C) | 1
    return [(first + number * second) % size for number in range(hashes)]


def _bloom(tokens: set[str]) -> str:
    size = max(8, -(-len(tokens) * SUMMARY_BITS_PER_PAIR // 8)) * 8
    bits = bytearray(size // 8)
    for token in sorted(tokens):
        for bit in _bloom_bits(token, size, SUMMARY_HASHES):
            bits[bit >> 3] |= 1 << (bit & 7)
    return base64.b64encode(bytes(bits)).decode("ascii")


def _bloom_has(bits: bytes, token: str, hashes: int) -> bool:
    return all(bits[bit >> 3] & (1 << (bit & 7)) for bit in _bloom_bits(token, len(bits) * 8, hashes))


ENGINE_SHARED = b"pagefind_dcd"
"""What a shard after the first holds in place of Pagefind's WebAssembly engine. The search box loads
the engine once, from the first shard, and every shard's instance uses it (Pagefind's engine module
is loaded once a page and an instance asking again gets that one); a shard's own copy (68 KB, the
same bytes in every shard) would be downloaded and unpacked once more for each shard searched. This
marker is what Pagefind reads as an uncompressed, empty file."""


def _share_engine(shard: Path) -> None:
    for engine in shard.glob("wasm.*.pagefind"):
        # A new file, never a write through: the shard may be hard-linked from the published site.
        engine.unlink()
        engine.write_bytes(ENGINE_SHARED)


def _shards(
    pages: list[tuple[int, SearchPage]], pages_per_shard: int, first_shard: int = FIRST_SHARD_PAGES,
) -> list[list[tuple[int, SearchPage]]]:
    """Consecutive runs of about ``pages_per_shard`` numbered pages; a meeting's pages are never split.
    The few pages of no meeting (listed last: the home page, the year pages, the guide) make a small
    shard of their own: the home page changes with almost every edit, and a warm build then indexes
    this shard again, not one of a thousand pages."""
    shards: list[list[tuple[int, SearchPage]]] = [[]]
    for number, page in pages:
        shard = shards[-1]
        new_meeting = bool(page.meeting_id) and (not shard or page.meeting_id != shard[-1][1].meeting_id)
        first_listing = not page.meeting_id and bool(shard) and bool(shard[-1][1].meeting_id)
        if (len(shard) >= (first_shard if len(shards) == 1 else pages_per_shard) and new_meeting) or first_listing:
            shards.append([])
        shards[-1].append((number, page))
    return shards


def shard_key(pages: list[tuple[int, SearchPage]]) -> str:
    """The digest of a shard's numbered pages: equal keys, equal Pagefind files."""
    return hashlib.sha256(pickle.dumps(pages, protocol=4)).hexdigest()


class EarlyShards:
    """The shards of a cold build known before every page is converted, so that Pagefind can index
    them meanwhile. MkDocs converts the meetings' pages meeting by meeting, in the order of results;
    once the next meeting's first page arrives, a meeting is complete, its pages get their numbers,
    and a shard that can take no more meetings (by the rule of ``_shards``) is handed to ``submit``.
    The pages of no meeting (the last shard) and the last meeting's shard are left to ``write_index``.
    Whatever was handed over is used only if ``write_index`` makes the very same shard (same key)."""

    def __init__(self, submit, pages_per_shard: int = PAGES_PER_SHARD, first_shard: int = FIRST_SHARD_PAGES):
        self.submit = submit
        self.limits = (min(pages_per_shard, first_shard), pages_per_shard)
        self.shards = 0
        self.numbered = 0
        self.shard: list[tuple[int, SearchPage]] = []
        self.meeting: list[SearchPage] = []

    def added(self, page: SearchPage) -> None:
        if not page.meeting_id:
            return
        if self.meeting and self.meeting[-1].meeting_id != page.meeting_id:
            self._complete()
        self.meeting.append(page)

    def _complete(self) -> None:
        pages = sorted(self.meeting, key=lambda page: _KIND_ORDER.get(page.kind, len(_KIND_ORDER)))
        self.meeting = []
        if self.shard and len(self.shard) >= self.limits[min(self.shards, 1)]:
            self.submit(self.shard)
            self.shards += 1
            self.shard = []
        for page in pages:
            self.shard.append((self.numbered, page))
            self.numbered += 1


def index_shard_into(pages: list[tuple[int, SearchPage]], folder: Path) -> None:
    """Index a shard into ``folder``, which appears whole or not at all."""
    staging = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    _index_shard(pages, staging)
    os.replace(staging, folder)


def _index_shard(pages: list[tuple[int, SearchPage]], output: Path) -> None:
    """Index one shard: each page as a small HTML record in a temporary folder (outside the site),
    read by Pagefind's command line in one run. (Its Python service gave a different index on every
    run of the same pages; the command line gives the same bytes, so two builds of one commit agree.)"""
    with tempfile.TemporaryDirectory(prefix="portal-search-") as staging:
        for number, page in pages:
            name = page.url if not page.url or page.url.endswith("/") else page.url + "/"
            path = Path(staging, name, "index.html")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(page.record_html(number), encoding="utf-8")
        command = [
            sys.executable, "-m", "pagefind",
            "--site", staging,
            "--output-path", str(output.resolve()),
            "--force-language", "zh",
            "--silent",
        ]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise SearchIndexError(
                f"Pagefind 没能写出搜索索引（{output}），网站没有发布。Pagefind 的输出如下，请发给技术人员：\n"
                f"{result.stdout}{result.stderr}"
            )
