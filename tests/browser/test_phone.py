"""On a phone (390 px): no heading ends with one character alone on its last line, and the header shows
the site's whole name (wrapped if need be), measured from the laid-out text."""

from __future__ import annotations

import pytest

from tests.browser.test_accessibility import PAGES

# For each heading of the content: its text and the characters on its last line (each character's box
# from a Range; a line is the set of characters sharing a top edge).
LAST_LINES = """() => [...document.querySelectorAll(".md-content h1, .md-content h2, .md-content h3")].map(heading => {
  const tops = [];
  const walker = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT, {
    acceptNode: node => node.parentElement.closest(".headerlink") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (let i = 0; i < node.length; i++) {
      if (!node.data[i].trim()) continue;
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getBoundingClientRect();
      if (rect.width) tops.push([Math.round(rect.top), node.data[i]]);
    }
  }
  const last = Math.max(...tops.map(([top]) => top));
  return [heading.textContent.replace("¶", "").trim(), tops.filter(([top]) => Math.abs(top - last) < 4).map(([, ch]) => ch).join(""), tops.length];
})"""


@pytest.fixture(scope="module")
def phone(chromium):
    context = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    yield page
    context.close()


def test_no_heading_ends_with_one_character_alone(served_site, phone):
    base, _ = served_site
    measured = 0
    for path in PAGES.values():
        phone.goto(base + path, wait_until="load")
        phone.evaluate("document.fonts.ready")
        for text, last_line, length in phone.evaluate(LAST_LINES):
            assert length < 2 or len(last_line) >= 2, (path, text, last_line)
            measured += 1
    assert measured > 50


def test_the_header_shows_the_whole_site_name(served_site, phone):
    base, _ = served_site
    phone.goto(base, wait_until="load")
    name = phone.locator(".md-header__topic").first.locator(".md-ellipsis")
    assert name.inner_text().replace("\n", "") == "民主生活会准备工作门户"
    cut = name.evaluate("e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1")
    header = phone.locator(".md-header").bounding_box()
    box = name.bounding_box()
    assert not cut and box["y"] >= header["y"] and box["y"] + box["height"] <= header["y"] + header["height"] + 1
    search = phone.locator(".portal-search__input").bounding_box()
    assert box["x"] + box["width"] <= search["x"] + 1
