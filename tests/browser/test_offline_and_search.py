"""In a real browser: no request leaves the server, and Chinese search finds words inside sentences,
shows readable results and marks the words on the page it opens."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from macros.model.meeting import load_meetings
from macros.outputs.render import Renderer, meeting_pages
from macros.outputs.search import ENGINE_SHARED, KINDS, OTHER, query_tokens, shards_holding
from tests.support import DATA, ROOT, html_text

QUERIES = ["谈心谈话", "征求意见", "对照检查", "县政府办党组", "王建国", "组综", "开展批评和自我批评"]


def page_urls(site: Path, base: str) -> list[str]:
    urls = []
    for path in sorted(site.rglob("index.html")):
        if "pagefind" in path.parts:
            continue
        relative = path.parent.relative_to(site).as_posix()
        urls.append(base + ("" if relative == "." else relative + "/"))
    return urls


def test_every_page_loads_with_no_outside_request(served_site, page):
    base, site = served_site
    origin = urlparse(base).netloc
    outside, failed = [], []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).scheme in ("http", "https", "ws", "wss") and urlparse(r.url).netloc != origin else None)
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    # A request the browser aborts because the page is left (search still reading a shard) is not a failure.
    page.on("requestfailed", lambda r: None if "ERR_ABORTED" in (r.failure or "") else failed.append(f"failed {r.url}: {r.failure}"))
    urls = page_urls(site, base)
    hand_written = len(list((ROOT / "docs").glob("*.md")))
    assert len(urls) == len(meeting_pages(load_meetings(DATA, ROOT), Renderer())) + hand_written
    for url in urls:
        page.goto(url, wait_until="networkidle")
        assert page.locator("article h1").count() >= 1, url
    page.goto(base)
    page.fill(".portal-search__input", "谈心谈话")
    page.wait_for_selector(".portal-search__link", timeout=15000)
    page.locator(".portal-search__link").first.click()
    page.wait_for_selector("mark.portal-hit")
    assert outside == [], outside
    assert failed == [], failed


def searchable_text(html: str) -> str:
    """What search indexes of a page: its title and its content, without the line of the meeting's pages,
    the line of the Word copy and notes shown on screen only."""
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).rsplit(" - ", 1)[0]
    body = html.split('<article class="md-content__inner', 1)[1]
    body = re.sub(r'<nav [^>]*class="portal-crumbs".*?</nav>', "", body, flags=re.S)
    body = re.sub(r'<p class="portal-download".*?</p>', "", body, flags=re.S)
    body = re.sub(r'<div class="admonition warning portal-screen-only">.*?</div>', "", body, flags=re.S)
    body = re.sub(r'<span class="portal-screen-only">.*?</span>', "", body, flags=re.S)
    return html_text(title) + "\n" + html_text(body.split("</article>", 1)[0])


def search_urls(page, base: str, query: str) -> list[str]:
    page.goto(base)
    assert page.evaluate("q => window.portalQueryTokens(q)", query) == query_tokens(query)
    return page.evaluate("query => window.portalSearch(query)", query)


def test_the_search_box_skips_the_same_shards_as_python(served_site, page):
    base, site = served_site
    summary = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))["summary"]
    page.goto(base)
    queries = QUERIES + ["县委办公室", "邯郸学步", "谈", "组综 17", "2021年度"]
    answers = {query: shards_holding(summary, query) for query in queries}
    assert any(False in holding for holding in answers.values()) and any(all(h) for h in answers.values())
    for query, holding in answers.items():
        assert page.evaluate("([s, q]) => window.portalShardsHolding(s, q)", [summary, query]) == holding, query


def test_later_shards_use_the_first_shards_engine(served_site, page):
    """Only shard 0 holds Pagefind's engine; a search reaching the other shards downloads it once."""
    base, site = served_site
    shards = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"]
    engines = [sorted((site / "pagefind" / shard).glob("wasm.*.pagefind")) for shard in shards]
    assert engines[0] and engines[0][0].stat().st_size > 10_000
    assert all(path.read_bytes() == ENGINE_SHARED for later in engines[1:] for path in later)
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if "wasm." in r.url else None)
    urls = search_urls(page, base, "民主生活会")
    meetings = {url.split("/meetings/")[1].split("/")[0] for url in urls if "/meetings/" in url}
    assert len(meetings) > 3  # results from several meetings, in several shards
    assert len(fetched) > 1 and sum("/pagefind/0/" in url for url in fetched) == 1, fetched


@pytest.mark.parametrize("query", QUERIES)
def test_search_finds_exactly_the_pages_containing_the_query(served_site, page, query):
    base, site = served_site
    prefix = urlparse(base).path
    expected = set()
    for url in page_urls(site, base):
        path = urlparse(url).path[len(prefix):]
        html = (site / path / "index.html").read_text(encoding="utf-8")
        if query in searchable_text(html):
            expected.add(urlparse(url).path)
    assert expected, f"no page contains {query}: the sample data lost it"
    found = search_urls(page, base, query)
    assert set(found) == expected, (sorted(expected - set(found)), sorted(set(found) - expected))
    by_meeting: dict[str, list[str]] = {}
    for url in found:
        parts = url[len(prefix):].split("/")
        if parts[0] == "meetings" and len(parts) > 2:
            by_meeting.setdefault(parts[1], []).append(url)
    for meeting, urls in by_meeting.items():
        reports = [u for u in urls if u.endswith("/report/")]
        if reports:
            assert urls[0] == reports[0], f"{query}: {meeting} report is not its first result: {urls}"
        first = found.index(urls[0])
        assert found[first:first + len(urls)] == urls, f"{query}: {meeting}'s results are not together: {found}"


TOKEN = re.compile(r"c[0-9a-f]{5}")


def type_query(page, query: str) -> None:
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.classList.contains('portal-search__input')")
    page.keyboard.type(query)
    wait_until_searched(page)


def wait_until_searched(page) -> None:
    """Waits until every shard is searched and the first results are shown (the list is no longer busy)."""
    page.wait_for_selector(".portal-search__results[aria-busy=false] .portal-search__link", timeout=15000)


def test_typing_in_the_search_box_lists_the_reports(served_site, page):
    base, _ = served_site
    page.goto(base + "meetings/2021-county-gov-office/")
    type_query(page, "组综")
    links = page.locator(".portal-search__link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert links[0] == "/portal/meetings/2021-county-gov-office/report/?q=%E7%BB%84%E7%BB%BC", links
    assert page.locator(".portal-search__link").first.inner_text() == "县政府办党组2021年度专题民主生活会准备工作情况报告"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    page.wait_for_url("**/meetings/2021-county-gov-office/report/?q=*")


@pytest.mark.parametrize("query", QUERIES)
def test_results_show_excerpts_with_the_query_marked(served_site, page, query):
    base, _ = served_site
    page.goto(base)
    type_query(page, query)
    items = page.locator(".portal-search__item")
    for number in range(min(3, items.count())):
        item = items.nth(number)
        marked = item.locator(".portal-search__excerpt mark").all_inner_texts()
        assert query in marked, (query, item.inner_html())
        assert item.locator(".portal-search__kind").inner_text() in {*KINDS.values(), OTHER}
    panel = page.locator(".portal-search__panel")
    assert not TOKEN.search(panel.inner_text()), panel.inner_text()
    assert not TOKEN.search(panel.inner_html())
    link_color = page.eval_on_selector(".portal-search__link", "a => getComputedStyle(a).color")
    text_color = page.eval_on_selector(".portal-search__excerpt", "p => getComputedStyle(p).color")
    assert link_color != text_color


def test_each_result_names_its_meeting_and_a_meetings_results_stay_together(served_site, page):
    base, _ = served_site
    page.goto(base)
    type_query(page, "征求意见")
    groups = page.locator(".portal-search__group")
    names = groups.locator(".portal-search__meeting").all_inner_texts()
    assert len(names) == len(set(names)), names
    first = groups.first
    assert re.fullmatch(r"\S+党组\d{4}年度?\S*民主生活会", names[0]), names
    kinds = first.locator(".portal-search__kind").all_inner_texts()
    assert kinds[0] == "报告", kinds


def test_a_filter_by_kind_leaves_only_that_kind(served_site, page):
    base, _ = served_site
    page.goto(base)
    type_query(page, "征求意见")
    everything = page.locator(".portal-search__item").count()
    page.select_option(".portal-search__filter[data-filter=kind]", "议程")
    # The change starts a new search at once (the list turns busy); wait for it to end.
    wait_until_searched(page)
    assert re.fullmatch(r"找到 \d+ 个页面", page.inner_text(".portal-search__status"))
    assert 0 < page.locator(".portal-search__item").count() < everything
    kinds = page.locator(".portal-search__kind").all_inner_texts()
    assert kinds and set(kinds) == {"议程"}, kinds
    hrefs = page.locator(".portal-search__link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert all("/agenda/?q=" in href for href in hrefs), hrefs
    years = page.locator(".portal-search__filter[data-filter=year] option").all_inner_texts()
    assert years[0] == "全部年度" and years[1:] == sorted(years[1:], reverse=True) and "2021年" in years


def test_every_kind_of_page_has_its_filter_and_the_lines_around_a_document_are_not_searched(served_site, page):
    base, _ = served_site
    page.goto(base)
    type_query(page, "民主生活会")
    kinds = page.locator(".portal-search__filter[data-filter=kind] option").all_inner_texts()
    assert kinds[1:] == [*KINDS.values(), OTHER], kinds
    # The line of the Word copy stands on every document page; only the guide, which explains it, is found.
    assert [urlparse(url).path for url in search_urls(page, base, "打印或另存为")] == ["/portal/guide/"]
    meeting = "meetings/2021-county-development-reform-bureau/"
    found = [urlparse(url).path for url in search_urls(page, base, "会议情况报告")]
    assert f"/portal/{meeting}meeting-report/" in found, found
    # The name of a kind of page lists the pages of that kind first, then the others that mention it.
    page.goto(base)
    type_query(page, "整改清单")
    hrefs = page.locator(".portal-search__link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert hrefs[0].startswith(f"/portal/{meeting}rectification/") and len(hrefs) > 3, hrefs
    assert len(hrefs) == len(set(hrefs)), hrefs
    page.select_option(".portal-search__filter[data-filter=kind]", "整改清单")
    wait_until_searched(page)
    hrefs = page.locator(".portal-search__link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert hrefs and hrefs[0].startswith(f"/portal/{meeting}rectification/"), hrefs


def test_opening_a_result_marks_the_query_on_the_page(served_site, page):
    base, _ = served_site
    page.goto(base)
    page.set_viewport_size({"width": 1280, "height": 700})
    type_query(page, "对照检查")
    page.locator(".portal-search__link").nth(1).click()
    page.wait_for_selector("mark.portal-hit")
    marks = page.locator("mark.portal-hit")
    assert set(marks.all_inner_texts()) == {"对照检查"}
    assert page.evaluate("document.querySelector('mark.portal-hit').closest('article') !== null")
    top = page.evaluate("document.querySelector('mark.portal-hit').getBoundingClientRect().top")
    assert 0 < top < 700


def test_escape_clears_the_search(served_site, page):
    base, _ = served_site
    page.goto(base)
    type_query(page, "王建国")
    page.keyboard.press("Escape")
    assert page.input_value(".portal-search__input") == ""
    assert page.locator(".portal-search__panel").is_hidden()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_search_box_is_in_the_header_and_its_placeholder_is_not_clipped(served_site, page, width):
    base, _ = served_site
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(base)
    assert page.locator(".md-header .portal-search__input").is_visible()
    room = page.eval_on_selector(".portal-search__input", """input => {
        const style = getComputedStyle(input);
        const context = document.createElement("canvas").getContext("2d");
        context.font = style.fontSize + " " + style.fontFamily;
        const free = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return free - context.measureText(input.placeholder).width;
    }""")
    assert room >= 0, f"placeholder clipped by {-room:.0f} px at {width} px"
