"""No WCAG 2 A or AA violation that axe-core finds, on the home page, every kind of document, the guide and
the search results, on a desktop screen (1280 px) and a phone (390 px).

axe-core comes from the npm registry (``tests/browser/package.json``, installed by ``.ci/run`` with
``npm ci``); the test injects its ``axe.min.js`` into each page.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
MEETING = "meetings/2021-county-development-reform-bureau/"
PAGES = {
    "home": "",
    "overview": MEETING,
    "report": MEETING + "report/",
    "agenda": MEETING + "agenda/",
    "checklist": MEETING + "checklist/",
    "rectification": MEETING + "rectification/",
    "meeting-report": MEETING + "meeting-report/",
    "ready checklist": "meetings/2023-county-audit-bureau/checklist/",
    "draft report": "meetings/2022-county-development-reform-bureau/report/",
    "guide": "guide/",
}
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        message = "axe-core is not installed: run `npm ci --prefix tests/browser` (as .ci/run does)"
        if os.environ.get("PORTAL_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


def violations(page, axe_source: str) -> list[str]:
    """axe-core's WCAG 2 A/AA violations on the page as it is now, one line each."""
    page.add_script_tag(content=axe_source)
    found = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}))
            .violations.map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ") + " " + (n.failureSummary || "").split("\\n").slice(1, 2).join("")).join(" | "))"""
    )
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_no_violations_on_any_kind_of_page(served_site, chromium, axe_source, width):
    base, _ = served_site
    context = chromium.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        found = {}
        for name, path in PAGES.items():
            page.goto(base + path, wait_until="load")
            found[name] = violations(page, axe_source)
        page.goto(base, wait_until="load")
        page.fill(".portal-search__input", "整改清单")
        page.wait_for_selector('.portal-search__results[aria-busy="false"] .portal-search__link')
        found["search results"] = violations(page, axe_source)
    finally:
        context.close()
    assert not any(found.values()), json.dumps({name: v for name, v in found.items() if v}, ensure_ascii=False, indent=1)
