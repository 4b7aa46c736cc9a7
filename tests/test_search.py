"""Search records, built without MkDocs: what a page is found by, what a result shows, their order."""

from __future__ import annotations

import base64
from types import SimpleNamespace

import pytest

from macros.outputs.search import (
    EarlyShards, SearchIndex, SearchPage, _shards, char_token, page_text, pair_token, query_tokens, shard_summaries, shards_holding,
)


def meeting(meeting_id: str, group: str, year: int):
    return SimpleNamespace(
        id=meeting_id, group=SimpleNamespace(name=group), year=year, year_style="年度", kind="专题民主生活会",
    )


CONTENT = (
    '<nav class="portal-crumbs"><a href="../">首页</a></nav>'
    '<h1 id="t">征求意见情况<a class="headerlink" href="#t">¶</a></h1>'
    "<p>开展<strong>谈心</strong>谈话<br>共17次</p>"
    '<div class="admonition warning portal-screen-only"><p>尚缺材料</p></div>'
    "<table><tr><td>对照</td><td>检查</td></tr></table>"
)


def test_page_text_is_what_a_reader_reads():
    text = page_text(CONTENT)
    assert text.splitlines() == ["征求意见情况", "开展谈心谈话", "共17次", "对照", "检查"]


def test_a_page_is_found_by_its_pairs_and_words_but_not_across_blocks():
    index = SearchIndex([])
    page = index.add("guide.md", "guide/", "使用说明", CONTENT)
    words = set(page.content().split())
    assert set(query_tokens("谈心谈话").split()) <= words  # inline tags do not split a word
    assert "17" in words
    assert pair_token("对", "照") in words and pair_token("照", "检") not in words
    assert char_token("次") in words
    assert "首页" not in page.text and "尚缺" not in page.text and "¶" not in page.text
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in page.content())


def test_results_follow_the_meetings_with_the_report_first():
    index = SearchIndex([meeting("2022-a", "甲党组", 2022), meeting("2021-b", "乙党组", 2021)])
    for src in ("guide.md", "meetings/2021-b/index.md", "meetings/2021-b/checklist.md", "meetings/2022-a/agenda.md",
                "meetings/2021-b/report.md", "meetings/2022-a/report.md", "index.md"):
        index.add(src, src.removesuffix(".md") + "/", src, "<p>民主生活会</p>")
    order = [page.url for page in index.ordered()]
    assert order == [
        "meetings/2022-a/report/", "meetings/2022-a/agenda/",
        "meetings/2021-b/report/", "meetings/2021-b/checklist/", "meetings/2021-b/index/",
        "guide/", "index/",
    ]
    report = index.ordered()[0]
    assert report.filters() == {"kind": ["报告"], "year": ["2022"], "group": ["甲党组"]}
    assert report.meta(0) == {"title": "meetings/2022-a/report.md", "meeting": "甲党组2022年度专题民主生活会", "kind": "报告", "number": "0"}
    assert index.ordered()[4].filters() == {"kind": ["概况"], "year": ["2021"], "group": ["乙党组"]}
    assert index.ordered()[5].filters() == {"kind": ["其他"]}


def test_every_kind_of_a_meetings_page_has_its_label_and_place():
    index = SearchIndex([meeting("2021-b", "乙党组", 2021)])
    for kind in ("meeting-report", "index", "rectification", "checklist", "agenda", "report", "notes"):
        index.add(f"meetings/2021-b/{kind}.md", f"meetings/2021-b/{kind}/", kind, "<p>民主生活会</p>")
    labels = [page.filters()["kind"][0] for page in index.ordered()]
    assert labels == ["报告", "议程", "清单", "整改清单", "会议情况报告", "概况", "其他"]


def test_search_reads_the_document_not_the_lines_around_it():
    html = (
        '<nav aria-label="本次会议的页面" class="portal-crumbs">甲党组：<a href="../">概况</a> · <strong>整改清单</strong></nav>\n'
        '<p class="portal-download"><a href="../a.docx" download="甲.docx">下载 Word 版（.docx）</a> · 打印或另存为 PDF</p>\n'
        '<div class="admonition warning portal-screen-only"><p class="admonition-title">尚未定稿</p></div>\n'
        '<div class="portal-document"><h1>甲党组整改清单</h1><p>会议定于1月8日召开<span class="portal-screen-only">，请按使用说明填写</span>。</p></div>'
    )
    text = SearchIndex([]).add("guide.md", "guide/", "t", html).text
    assert text == "甲党组整改清单\n会议定于1月8日召开。"


def test_shards_never_split_a_meeting():
    index = SearchIndex([meeting(f"m{n}", f"第{n}党组", 2021) for n in range(3)])
    for n in range(3):
        for kind in ("report", "agenda", "checklist", "index"):
            index.add(f"meetings/m{n}/{kind}.md", f"meetings/m{n}/{kind}/", kind, "<p>会议</p>")
    index.add("guide.md", "guide/", "使用说明", "<p>说明</p>")
    shards = _shards(list(enumerate(index.ordered())), 6, first_shard=6)
    assert [len(shard) for shard in shards] == [8, 4, 1]
    # The pages of no meeting (the guide here; the home page in a site) are a shard of their own.
    assert [sorted({page.meeting_id for _, page in shard}) for shard in shards] == [["m0", "m1"], ["m2"], [""]]
    assert [number for shard in shards for number, _ in shard] == list(range(13))
    only_meetings = _shards(list(enumerate(index.ordered()))[:12], 6, first_shard=6)
    assert [len(shard) for shard in only_meetings] == [8, 4]


def test_the_first_shard_is_small():
    index = SearchIndex([meeting(f"m{n}", f"第{n}党组", 2021) for n in range(4)])
    for n in range(4):
        for kind in ("report", "agenda", "checklist", "index"):
            index.add(f"meetings/m{n}/{kind}.md", f"meetings/m{n}/{kind}/", kind, "<p>会议</p>")
    assert [len(shard) for shard in _shards(list(enumerate(index.ordered())), 8, first_shard=2)] == [4, 8, 4]


def sample_index() -> SearchIndex:
    """The sample meetings' pages, as search knows them."""
    from macros.outputs.render import meeting_pages
    from tests.support import load, markdown_to_html, renderer

    meetings = list(load().values())
    index = SearchIndex(meetings)
    for src, markdown in meeting_pages(meetings, renderer()).items():
        index.add(src, src.removesuffix(".md") + "/", src, markdown_to_html(markdown))
    return index


def cjk_pieces(text: str, longest: int = 4):
    """Every run of 2 to ``longest`` Chinese characters in ``text``: what a query may be."""
    import re

    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        for length in range(2, longest + 1):
            for start in range(len(run) - length + 1):
                yield run[start:start + length]


def test_the_summary_never_skips_a_shard_holding_the_query():
    shards = _shards(list(enumerate(sample_index().ordered())), 3, first_shard=3)
    assert len(shards) > 3
    summary = shard_summaries([[page for _, page in shard] for shard in shards])
    holders: dict[str, set[int]] = {}
    for number, shard in enumerate(shards):
        for _, page in shard:
            for piece in cjk_pieces(page.text):
                holders.setdefault(piece, set()).add(number)
    skipped = 0
    for query, numbers in holders.items():
        holding = shards_holding(summary, query)
        assert all(holding[number] for number in numbers), (query, numbers, holding)
        skipped += holding.count(False)
    assert skipped > len(holders)  # the summary does skip shards, for most queries
    assert shards_holding(summary, "谈心谈话") == [True] * len(shards)  # every meeting holds it
    assert set(shards_holding(summary, "邯郸学步")) == {False}  # in no page: no shard is searched


def test_the_summary_holds_pairs_once_and_is_deterministic():
    pages = [[SearchPage(f"p{n}/", "t", text)] for n, text in enumerate(["谈心谈话，征求意见", "对照检查", "谈心谈话"])]
    summary = shard_summaries(pages)
    assert shard_summaries(pages) == summary
    assert shards_holding(summary, "谈心") == [True, False, True]
    assert shards_holding(summary, "征求意见") == [True, False, False]
    assert shards_holding(summary, "对照检查") == [False, True, False]
    assert shards_holding(summary, "谈") == [True, True, True]  # one character: a pair's beginning, not checked
    assert len(base64.b64decode(summary["shards"][0])) == 8  # a few pairs: the smallest filter


@pytest.mark.parametrize(("per_shard", "first"), [(6, 6), (5, 3), (4, 2), (9, 100)])
def test_early_shards_are_the_shards_of_the_whole_index(per_shard, first):
    """The shards handed over while pages are converted (in the order MkDocs converts them: the
    hand-written pages, then meeting by meeting, then the year pages) are exactly the first shards
    write_index makes of the whole index, numbers included."""
    index = SearchIndex([meeting(f"m{n}", f"第{n}党组", 2021) for n in range(7)])
    handed: list = []
    early = EarlyShards(handed.append, per_shard, first)
    early.added(index.add("index.md", "", "首页", "<p>首页</p>"))
    for n in range(7):
        for kind in ("index", "checklist", "report", "agenda")[: 2 + n % 3]:
            early.added(index.add(f"meetings/m{n}/{kind}.md", f"meetings/m{n}/{kind}/", kind, f"<p>会议{n}</p>"))
    early.added(index.add("years/2020.md", "years/2020/", "2020年", "<p>年度</p>"))
    whole = _shards(list(enumerate(index.ordered())), per_shard, min(per_shard, first))
    assert handed and handed == whole[: len(handed)]
    assert len(handed) < len(whole)
