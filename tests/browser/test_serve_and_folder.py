"""In a real browser: a data error under `make serve` shows as a page and goes away when fixed;
the site built for a folder (make build-local) is browsed from file:// by clicking."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request

from macros.adapters import cli, runner
from tests.support import copy_project

MEETING = "2022-county-development-reform-bureau"
GOOD_MEMBER = "    - name: 李红梅\n      post: 副局长\n"
BAD_MEMBER = "    - name: 李红梅\n"
WAIT_MS = 90_000
SHOTS = os.environ.get("PORTAL_SCREENSHOTS")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_served(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read()
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} was not served within two minutes")


def test_data_errors_under_serve_show_in_the_browser_and_clear_when_fixed(tmp_path, chromium, page):
    """The preview starts on a broken file, is fixed, then broken again: each time the open page follows."""
    project = copy_project(tmp_path / "project")
    data = project / "data" / "meetings" / f"{MEETING}.yml"
    good = data.read_text(encoding="utf-8")
    data.write_text(good.replace(GOOD_MEMBER, BAD_MEMBER), encoding="utf-8")
    port = free_port()
    env = runner.environment(dict(os.environ, PORTAL_TODAY="2023-01-03", PORTAL_SEARCH="off"))
    server = subprocess.Popen(
        runner.serve_command(project / "mkdocs.yml", port), cwd=project, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    report = f"http://127.0.0.1:{port}/meetings/{MEETING}/report/"
    try:
        wait_until_served(report, server)
        page.goto(report)
        assert_error_page(page)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/serve-error-1280.png", full_page=True)

        data.write_text(good, encoding="utf-8")
        page.wait_for_selector("article h1:has-text('准备工作情况')", timeout=WAIT_MS)
        assert page.url == report

        data.write_text(good.replace(GOOD_MEMBER, BAD_MEMBER), encoding="utf-8")
        page.wait_for_selector("article h1:has-text('会议文件有误')", timeout=WAIT_MS)
        assert_error_page(page)
        assert page.url == report
    finally:
        server.terminate()
        server.wait(timeout=30)


def assert_error_page(page) -> None:
    assert page.locator("article h1").inner_text() == "会议文件有误，页面暂未更新"
    cells = page.locator("article table tbody tr").first.locator("td").all_inner_texts()
    assert cells == [f"data/meetings/{MEETING}.yml", "20", "group.members[1].post", "必填字段没有填写：职务，如“县政府办主任”\n第 20 行写的是：- name: 李红梅"]
    # On a phone: a card per error, what to do on top, nothing wider than the screen.
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 800})
    try:
        row = page.locator("article table tbody tr").first
        boxes = [cell.bounding_box() for cell in row.locator("td").all()]
        assert boxes[3]["y"] < boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"], boxes
        assert all(box["x"] >= 0 and box["x"] + box["width"] <= 390 for box in boxes), boxes
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/serve-error-390.png", full_page=True)
    finally:
        page.set_viewport_size(size)


def test_folder_copy_opens_a_report_from_the_home_page_by_clicking(tmp_path, page, monkeypatch):
    project = copy_project(tmp_path / "project")
    site = project / "site-local"
    monkeypatch.setenv("PORTAL_TODAY", "2023-01-03")
    assert cli.build(project, site, for_files=True) == 0
    assert not (site / "404.html").exists()  # no server shows it; opened from the folder it would be broken
    page.goto((site / "index.html").as_uri())
    page.locator(f"a[href='meetings/{MEETING}/report.html']").click()
    page.wait_for_load_state()
    assert page.url == (site / "meetings" / MEETING / "report.html").as_uri()
    assert "准备工作情况" in page.locator("article h1").inner_text()
    page.locator(".portal-crumbs a").first.click()
    page.wait_for_load_state()
    assert page.url == (site / "meetings" / MEETING / "index.html").as_uri()
    assert page.locator(".portal-search__input").is_disabled()
    assert "需要通过网址打开门户" in page.locator(".portal-search__status").inner_text()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/folder-overview-1280.png", full_page=True)
