"""Browser tests: Debian's Chromium driven by Playwright against the built site on 127.0.0.1.

Without Chromium they skip with a message saying how to install it, except in CI
(PORTAL_REQUIRE_BROWSER=1, set by .ci/run), where a missing browser is a failure.
"""

from __future__ import annotations

import functools
import json
import http.server
import os
import threading

import pytest

from macros.adapters import cli
from macros.outputs.pdf import CHROMIUM_ARGS, find_chromium
from tests.support import copy_project

SUB_PATH = "portal"


def chromium_path() -> str | None:
    return os.environ.get("PORTAL_CHROMIUM") or find_chromium()


@pytest.fixture(scope="session")
def chromium():
    path = chromium_path()
    if path is None:
        message = "Chromium is not installed: run `apt-get install chromium fonts-noto-cjk` to run the browser tests"
        if os.environ.get("PORTAL_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=CHROMIUM_ARGS,
        )
        yield browser
        browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the web root; a missing path gets the site's 404 page, as nginx with `error_page 404` does."""

    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        page = os.path.join(self.directory, SUB_PATH, "404.html")
        if code != 404 or not os.path.isfile(page):
            return super().send_error(code, message, explain)
        with open(page, "rb") as file:
            body = file.read()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="session")
def served_site(tmp_path_factory):
    """The sample portal built (with its search index) and served under a sub-path: (base URL, site folder)."""
    project = copy_project(tmp_path_factory.mktemp("browser"))
    webroot = project / "www"
    site = webroot / SUB_PATH
    webroot.mkdir()
    # Set for this build only, so that no later test of the session builds with them.
    saved = dict(os.environ)
    os.environ.setdefault("PORTAL_TODAY", "2023-01-03")
    # The published address: the 404 page, served at any depth, finds styles and search through its path.
    os.environ.setdefault("PORTAL_SITE_URL", f"http://127.0.0.1/{SUB_PATH}/")
    # Small shards, so that the tests also cover merging the search index's shards in the browser.
    os.environ["PORTAL_PAGES_PER_SHARD"] = "6"
    try:
        assert cli.build(project, site) == 0
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert len(json.loads((site / "pagefind" / "shards.json").read_text())["shards"]) > 1
    handler = functools.partial(_QuietHandler, directory=str(webroot))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/{SUB_PATH}/", site
    server.shutdown()


@pytest.fixture(scope="session")
def printed_pdfs(served_site, chromium, tmp_path_factory):
    """Every document of the sample site printed once by Chromium (``<meeting id>-<kind>.pdf``), as
    `make pdf` prints them: the folder and the files written, for every print test to read."""
    from macros.outputs.pdf import print_with

    _, site = served_site
    out = tmp_path_factory.mktemp("printed")
    return out, print_with(chromium, site, out)


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()
