"""In a real browser: no request leaves the server, and Chinese search finds words inside sentences."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from macros.meeting import load_meetings
from macros.render import Renderer, meeting_pages
from macros.search import query_tokens
from tests.support import DATA, ROOT, html_text

QUERIES = ["谈心谈话", "征求意见", "对照检查", "县政府办党组", "王建国", "组综"]


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
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    urls = page_urls(site, base)
    hand_written = len(list((ROOT / "docs").glob("*.md")))
    assert len(urls) == len(meeting_pages(load_meetings(DATA, ROOT), Renderer())) + hand_written
    for url in urls:
        page.goto(url, wait_until="networkidle")
        assert page.locator("article h1").count() >= 1, url
    page.goto(base)
    page.fill(".portal-search__input", "谈心谈话")
    page.wait_for_selector(".portal-search__link", timeout=15000)
    assert outside == [], outside
    assert failed == [], failed


def searchable_text(html: str) -> str:
    """What Pagefind indexes of a page: the body marked for search, without the excluded chrome."""
    import re

    body = html.split("data-pagefind-body", 1)[1] if "data-pagefind-body" in html else ""
    body = re.sub(r'<nav class="portal-crumbs".*?</nav>', "", body, flags=re.S)
    body = re.sub(r'<div class="admonition warning portal-screen-only">.*?</div>', "", body, flags=re.S)
    return html_text(body.split("</article>", 1)[0])


def search_urls(page, base: str, query: str) -> list[str]:
    page.goto(base)
    assert page.evaluate("q => window.portalQueryTokens(q)", query) == query_tokens(query)
    return page.evaluate("query => window.portalSearch(query)", query)


@pytest.mark.parametrize("query", QUERIES)
def test_search_finds_every_page_containing_the_query(served_site, page, query):
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
    assert expected <= set(found), sorted(expected - set(found))
    by_meeting: dict[str, list[str]] = {}
    for url in found:
        parts = url[len(prefix):].split("/")
        if parts[0] == "meetings" and len(parts) > 2:
            by_meeting.setdefault(parts[1], []).append(url)
    for meeting, urls in by_meeting.items():
        reports = [u for u in urls if u.endswith("/report/")]
        if reports:
            assert urls[0] == reports[0], f"{query}: {meeting} report is not its first result: {urls}"


def test_typing_in_the_search_box_lists_the_reports(served_site, page):
    base, _ = served_site
    page.goto(base + "meetings/2021-county-gov-office/")
    page.fill(".portal-search__input", "组综")
    page.wait_for_selector(".portal-search__link", timeout=15000)
    links = page.locator(".portal-search__link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert links[0] == "/portal/meetings/2021-county-gov-office/report/", links
    assert page.locator(".portal-search__link").first.inner_text() == "县政府办党组2021年度专题民主生活会准备工作情况报告"
    page.locator(".portal-search__link").first.click()
    page.wait_for_url("**/meetings/2021-county-gov-office/report/")
