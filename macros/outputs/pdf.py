"""Print every document of a built site (each document kind of ``kinds.KINDS``) to PDF with headless Chromium.

The PDFs use the site's print stylesheet (GB/T 9704-2012 layout), so what is
printed from the browser and what ``make pdf`` writes are the same.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from macros.outputs.kinds import KINDS as PAGE_KINDS
from macros.outputs.pdf_text import fix_text_layer

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
KINDS = tuple(kind.key for kind in PAGE_KINDS if kind.document)
# Headless as root, with no background requests to the outside (the machine has no network).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def find_chromium() -> str | None:
    found = next((path for path in CHROMIUM_CANDIDATES if Path(path).exists()), None)
    return found or shutil.which("chromium")


def print_pages(site: Path, out: Path, chromium: str, kinds=KINDS) -> list[Path]:
    """Write ``out/<meeting id>-<kind>.pdf`` for each meeting page of ``site``; return the files."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            return print_with(browser, site, out, kinds)
        finally:
            browser.close()


def print_with(browser, site: Path, out: Path, kinds=KINDS) -> list[Path]:
    """The same with a Playwright browser already running."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    page = browser.new_page()
    for meeting in sorted(p for p in (site / "meetings").iterdir() if p.is_dir()):
        for kind in kinds:
            html = meeting / kind / "index.html"
            if not html.exists():
                continue
            page.goto(html.resolve().as_uri(), wait_until="load")
            page.evaluate("document.fonts.ready")
            target = out / f"{meeting.name}-{kind}.pdf"
            page.pdf(path=str(target), prefer_css_page_size=True, print_background=False)
            fix_text_layer(target, page.inner_text("body"))
            written.append(target)
    page.close()
    return written
