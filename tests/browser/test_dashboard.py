"""In a real browser, at a desktop and a phone width: the home dashboard, the checklist's 下一步,
the meeting menu, the 404 page; no page wider than the screen and no request to another host."""

from __future__ import annotations

import datetime as dt
import os
import re
from urllib.parse import urlparse

import pytest

from macros.model import rectification
from macros.rules import lifecycle
from macros.rules import preparation as rules
from macros.outputs.portal import Portal
from macros.model.text import cn_date
from tests.support import ROOT, squeeze

VIEWPORTS = [(1280, 900), (390, 844)]
MISSING = "meetings/no-such-meeting/deeper/still/"


def sample_portal() -> Portal:
    """The sample meetings with the rules applied as of the served site's build date."""
    return Portal.load(ROOT, today=dt.date.fromisoformat(os.environ.get("PORTAL_TODAY", "2023-01-03")))


def every_kind_of_page(portal: Portal) -> list[str]:
    paths = ["", "guide/", "404.html", MISSING]
    for meeting in portal.meetings:
        paths += [f"meetings/{meeting.id}/{kind}" for kind in ("", "report/", "agenda/", "checklist/")]
    return paths


@pytest.fixture
def sized_page(chromium, request):
    width, height = request.param
    context = chromium.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    yield page, width
    context.close()


@pytest.mark.parametrize("sized_page", VIEWPORTS, indirect=True, ids=["1280", "390"])
def test_no_page_is_wider_than_the_screen_or_asks_another_host(served_site, sized_page):
    base, _ = served_site
    page, width = sized_page
    origin = urlparse(base).netloc
    outside, failed = [], []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).scheme in ("http", "https", "ws", "wss") and urlparse(r.url).netloc != origin else None)
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 and r.request.resource_type != "document" else None)
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    too_wide = []
    for path in every_kind_of_page(sample_portal()):
        page.goto(base + path, wait_until="networkidle")
        assert page.locator("article h1").count() == 1, path
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            too_wide.append(f"{path}: {scroll_width} px")
    assert too_wide == [], too_wide
    assert outside == [], outside
    assert failed == [], failed


def test_home_shows_each_meeting_date_status_and_next_step(served_site, page):
    base, _ = served_site
    page.goto(base, wait_until="networkidle")
    portal = sample_portal()
    for meeting in portal.meetings:
        state = portal.renderer.lifecycle(meeting)
        row = page.locator("article tr", has=page.locator(f'a[href="meetings/{meeting.id}/"]'))
        assert row.count() == 1, meeting.id
        text = squeeze(row.inner_text())
        if state.held:
            date = cn_date(state.date)
        else:
            date = cn_date(state.date) + rules.countdown(state.days_to_meeting) if state.date else "待定"
        assert squeeze(date) in text, (meeting.id, text)
        mark = row.locator(".portal-state")
        assert squeeze(mark.inner_text()) == squeeze(state.label), (meeting.id, text)
        assert mark.get_attribute("class").endswith(f"portal-state--{state.tone}")
        assert mark.get_attribute("data-stage") == state.stage
        action = state.action
        if action is None:
            assert text.count("—") == 1, (meeting.id, text)
            continue
        link = row.locator("td:nth-child(4) a")
        assert link.inner_text() == action.title, (meeting.id, text)
        expected = action.page.replace(".md", "/") if action.page else "guide/#会后会议情况报告和整改清单"
        assert link.get_attribute("href").endswith(expected), (meeting.id, link.get_attribute("href"))
        if action.due:
            due = rules.due_text(action.due, True) if action.overdue else "期限" + rules.due_text(action.due)
            assert squeeze(action.title + due) in text, (meeting.id, text)
    assert any(rectification.is_held(meeting) for meeting in portal.meetings), "the samples lost their held meeting"


def test_filtering_the_home_page_by_status_and_year(served_site, page):
    base, _ = served_site
    page.goto(base, wait_until="networkidle")
    portal = sample_portal()
    states = {meeting.id: portal.renderer.lifecycle(meeting) for meeting in portal.meetings}

    def shown() -> set[str]:
        hrefs = page.locator("article tr:visible a[title]").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        return {href.split("/")[1] for href in hrefs}

    assert shown() == set(states)
    page.select_option(".portal-filter__state", "overdue")
    assert shown() == {id for id, state in states.items() if state.overdue} != set()
    for stage in lifecycle.STAGES:
        page.select_option(".portal-filter__state", stage)
        assert shown() == {id for id, state in states.items() if state.stage == stage}, stage
    assert {state.stage for state in states.values()} >= {"preparing", "rectifying"}
    page.select_option(".portal-filter__state", "")
    page.select_option(".portal-filter__year", "2021")
    assert shown() == {m.id for m in portal.meetings if m.year == 2021}
    assert not page.locator('.portal-year[data-year="2022"]').is_visible()


def test_each_checklist_leads_with_the_open_items_the_rules_compute(served_site, page):
    base, _ = served_site
    portal = sample_portal()
    for meeting in portal.meetings:
        checklist = portal.renderer.checklist(meeting)
        state = portal.renderer.lifecycle(meeting)
        expected = [
            (f"{n.step.title}：{n.item.label}", n.actor, rules.due_text(n.due, n.overdue)) for n in checklist.next_steps
        ]
        page.goto(base + f"meetings/{meeting.id}/checklist/")
        rows = page.locator(".portal-next-steps tbody tr").evaluate_all(
            "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))"
        )
        assert [(what, who, due) for _, what, _, who, due in rows] == expected, meeting.id
        lead = page.locator("#next-steps + p").inner_text()
        assert lead.startswith(f"截至{cn_date(state.as_of)}，{state.label}"), lead
        if state.held:
            # A held meeting leads with what follows it; its preparation is a closed record.
            assert not checklist.next_steps
            action = state.action
            assert (f"下一步是{action.title}" in lead) if action else lead.endswith("会后各项工作均已完成。"), lead
            assert ("已逾期" in lead) == bool(action and action.overdue), lead
        else:
            assert ("逾期" in page.locator("article").inner_text()) == state.overdue
        if not checklist.next_steps:
            assert page.locator(".portal-next-steps a").count() == 0
            continue
        page.locator(".portal-next-steps a").first.click()
        assert page.url.endswith(f"#step-{checklist.next_steps[0].step.key}")


def test_a_meeting_page_lists_the_meeting_pages_with_the_current_one_marked(served_site, page):
    base, _ = served_site
    page.goto(base + "meetings/2022-county-development-reform-bureau/agenda/")
    menu = page.locator(".md-sidebar--primary .md-nav__item--active .md-nav__item")
    from macros.outputs.kinds import kinds_of
    from tests.support import load

    titles = [kind.title for kind in kinds_of(load()["2022-county-development-reform-bureau"])]
    assert titles[:4] == ["概况", "准备工作情况报告", "会议议程", "准备工作清单"] and "会议方案" in titles
    assert menu.evaluate_all("els => els.map(e => e.innerText.trim())") == titles
    assert page.locator(".md-sidebar--primary .md-nav__item--active .md-nav__item.md-nav__item--active").inner_text().strip() == "会议议程"
    crumbs = page.locator(".portal-crumbs")
    assert crumbs.locator("[aria-current=page]").inner_text() == "会议议程"
    assert crumbs.locator("a").evaluate_all("els => els.map(e => e.innerText)") == [title for title in titles if title != "会议议程"]
    assert "技术说明" not in page.locator(".md-sidebar--primary").inner_text()
    page.locator(".md-sidebar--primary a", has_text="准备工作清单").click()
    page.wait_for_url("**/meetings/2022-county-development-reform-bureau/checklist/")


def test_a_missing_page_answers_in_chinese_with_styles_and_search(served_site, page):
    base, _ = served_site
    response = page.goto(base + MISSING, wait_until="networkidle")
    assert response.status == 404
    assert page.locator("article h1").inner_text() == "页面不存在"
    assert "Not found" not in page.content()
    assert page.title().startswith("页面不存在")
    # Material's stylesheet applies (the header is fixed at the top) and the portal's search answers.
    assert page.locator(".md-header").evaluate("e => getComputedStyle(e).position") in ("sticky", "fixed")
    assert page.evaluate("q => window.portalSearch(q)", "谈心谈话")
    page.locator("article a", has_text="返回首页").click()
    page.wait_for_url(base)


@pytest.mark.parametrize("sized_page", VIEWPORTS, indirect=True, ids=["1280", "390"])
def test_a_table_wider_than_the_screen_says_it_scrolls_sideways(served_site, sized_page):
    base, _ = served_site
    page, width = sized_page
    page.goto(base + "meetings/2022-county-development-reform-bureau/checklist/", wait_until="load")
    hints = page.evaluate("""() => Array.from(document.querySelectorAll('.md-typeset__scrollwrap')).map(wrap => [
        wrap.querySelector('table').scrollWidth > wrap.querySelector('table').clientWidth + 1,
        getComputedStyle(wrap, '::before').content])""")
    assert hints, "the checklist lost its tables"
    for wide, content in hints:
        assert (content == '"表格较宽，可左右滑动查看 →"') == wide, hints
    assert any(wide for wide, _ in hints) == (width < 1000), hints
