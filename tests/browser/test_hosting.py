"""Hosting: the shipped nginx snippet serves the portal under a sub-path, where Chromium searches it; the
IIS web.config names the type of every kind of file the site holds; an older browser is told why it
cannot search.

nginx runs as a plain process of the test (its own prefix, configuration and a free port on
127.0.0.1), never as the system's service.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.browser.conftest import SUB_PATH
from tests.support import ROOT

HOSTING = ROOT / "docs" / "hosting"
PLACEHOLDER = "/srv/portal/site"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def nginx_site(served_site, tmp_path_factory):
    """The sample portal served by nginx with docs/hosting/nginx-subpath.conf: its base URL."""
    binary = nginx_binary()
    if binary is None:
        message = "nginx is not installed: run `apt-get install nginx` to run the hosting tests"
        if os.environ.get("PORTAL_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    _, site = served_site
    prefix = tmp_path_factory.mktemp("nginx")
    snippet = (HOSTING / "nginx-subpath.conf").read_text(encoding="utf-8")
    assert PLACEHOLDER in snippet and f"location /{SUB_PATH}/" in snippet
    # As a user would: the site folder's path in place of the example's.
    (prefix / "portal.conf").write_text(snippet.replace(PLACEHOLDER, str(site)), encoding="utf-8")
    for attempt in range(3):
        port = free_port()
        (prefix / "nginx.conf").write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        include {prefix}/portal.conf;
    }}
}}
""", encoding="utf-8")
        server = subprocess.Popen([binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while server.poll() is None and not answers(port) and time.monotonic() < deadline:
            time.sleep(0.05)
        if server.poll() is None and answers(port):
            break
        server.kill()
        error = server.communicate()[1] + (prefix / "error.log").read_text(errors="replace")
        if "in use" not in error or attempt == 2:
            pytest.fail(f"nginx did not start: {error}")
    yield f"http://127.0.0.1:{port}/{SUB_PATH}/"
    server.terminate()
    server.wait(timeout=30)


def test_nginx_serves_the_portal_under_a_sub_path_and_chromium_searches_it(nginx_site, page):
    failed = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.goto(nginx_site)
    assert "民主生活会" in page.title()
    page.fill(".portal-search__input", "谈心谈话")
    page.wait_for_selector(".portal-search__results[aria-busy=false] .portal-search__link", timeout=20000)
    assert re.fullmatch(r"找到 \d+ 个页面", page.inner_text(".portal-search__status"))
    page.locator(".portal-search__link").first.click()
    page.wait_for_selector("mark.portal-hit")
    assert page.url.startswith(nginx_site)
    assert failed == []


def test_nginx_sends_the_search_index_and_word_copies_with_their_types(nginx_site, page, served_site):
    _, site = served_site
    expected = {".pf_meta": "application/octet-stream", ".pagefind": "application/octet-stream",
                ".json": "application/json", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ".html": "text/html", ".js": "application/javascript"}
    for suffix, kind in expected.items():
        path = next(p for p in sorted(site.rglob(f"*{suffix}")) if p.is_file())
        response = page.request.get(nginx_site + path.relative_to(site).as_posix())
        assert response.status == 200, path
        assert response.headers["content-type"].split(";")[0] == kind, (path, response.headers["content-type"])


def test_nginx_answers_an_unknown_address_with_the_portals_404_page(nginx_site, page):
    bare = page.request.get(nginx_site.rstrip("/"), max_redirects=0)
    assert bare.status == 301 and bare.headers["location"].endswith(f"/{SUB_PATH}/")
    failed = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    response = page.goto(nginx_site + "meetings/no-such-meeting/report/")
    assert response.status == 404
    assert failed == [response.url], "the 404 page did not find its styles or scripts"
    assert page.locator(".portal-search__input").is_visible()
    assert page.locator(".md-header").evaluate("e => getComputedStyle(e).position") != "static"


def extensions_of(site: Path) -> set[str]:
    found = set()
    for path in site.rglob("*"):
        if path.is_file() and path.name != "web.config":
            assert path.suffix, f"{path.relative_to(site)}: a file without an extension, which IIS refuses"
            found.add(path.suffix.lower())
    return found


def test_web_config_is_published_and_names_every_extension_the_site_holds(served_site):
    _, site = served_site
    published = site / "web.config"
    assert published.read_bytes() == (ROOT / "docs" / "web.config").read_bytes()
    content = ElementTree.parse(published).getroot().find("system.webServer/staticContent")
    removed = [e.get("fileExtension") for e in content.findall("remove")]
    mapped = {e.get("fileExtension"): e.get("mimeType") for e in content.findall("mimeMap")}
    # A type added that the server already knows is an error in IIS: each is removed first.
    assert set(removed) == set(mapped) and len(removed) == len(mapped)
    held = extensions_of(site)
    assert {".pagefind", ".pf_fragment", ".pf_index", ".pf_meta", ".docx", ".json", ".html"} <= held
    assert held <= set(mapped), f"web.config lacks {sorted(held - set(mapped))}"
    assert mapped[".docx"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    error = ElementTree.parse(published).getroot().find("system.webServer/httpErrors/error")
    assert (error.get("statusCode"), error.get("path")) == ("404", "404.html")
    assert (site / "404.html").is_file()
    assert not (site / "hosting").exists(), "the server snippets are not pages of the site"


@pytest.mark.parametrize("missing", ["DecompressionStream", "WebAssembly"])
def test_an_older_browser_is_told_in_chinese_why_it_cannot_search(served_site, chromium, missing):
    base, _ = served_site
    context = chromium.new_context(locale="zh-CN")
    context.add_init_script(f"delete window.{missing};")
    page = context.new_page()
    try:
        page.goto(base)
        search = page.locator(".portal-search__input")
        assert search.get_attribute("placeholder") == "当前浏览器不能搜索"
        assert not search.is_editable()
        status = page.locator(".portal-search__status")
        assert not status.is_visible()
        search.click()
        assert status.is_visible()
        assert "搜索需要较新的浏览器" in status.inner_text() and "极速模式" in status.inner_text()
        assert page.locator(".portal-search__results").inner_text() == ""
        assert not page.locator(".portal-search__filter").first.is_visible()
        if os.environ.get("PORTAL_SCREENSHOTS"):
            page.screenshot(path=f"{os.environ['PORTAL_SCREENSHOTS']}/older-browser-{missing}.png")
        page.mouse.click(5, 700)
        assert not status.is_visible()
    finally:
        context.close()


APACHE_MODULES = ("mpm_event", "authz_core", "mime", "alias", "dir")


@pytest.fixture(scope="module")
def apache_site(served_site):
    """The sample portal served by Apache with docs/hosting/apache-subpath.conf: its base URL.

    Apache's workers run as www-data when started by root, so the site is copied into a folder they may
    read, as a version folder behind a ``site`` link (as make build publishes it on Linux)."""
    binary = shutil.which("apache2") or next((p for p in ("/usr/sbin/apache2",) if os.access(p, os.X_OK)), None)
    modules = Path("/usr/lib/apache2/modules")
    if binary is None or not modules.is_dir():
        message = "Apache is not installed: run `apt-get install apache2` to run the Apache hosting test"
        if os.environ.get("PORTAL_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    _, built = served_site
    import tempfile

    prefix = Path(tempfile.mkdtemp(prefix="portal-apache-"))
    try:
        prefix.chmod(0o755)
        shutil.copytree(built, prefix / "site.1", symlinks=False)
        os.symlink("site.1", prefix / "site")
        for path in prefix.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        (prefix / "logs").mkdir()
        snippet = (HOSTING / "apache-subpath.conf").read_text(encoding="utf-8")
        assert PLACEHOLDER in snippet and f"Alias /{SUB_PATH} " in snippet
        (prefix / "portal.conf").write_text(snippet.replace(PLACEHOLDER, str(prefix / "site")), encoding="utf-8")
        port = free_port()
        user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
        loads = "".join(f"LoadModule {name}_module {modules}/mod_{name}.so\n" for name in APACHE_MODULES)
        (prefix / "httpd.conf").write_text(
            f"ServerRoot {prefix}\nPidFile {prefix}/httpd.pid\nListen 127.0.0.1:{port}\n{loads}{user}"
            f"ErrorLog {prefix}/logs/error.log\nTypesConfig /etc/mime.types\nDocumentRoot {prefix}\nServerName localhost\n"
            f"Include {prefix}/portal.conf\n", encoding="utf-8")
        server = subprocess.Popen([binary, "-f", str(prefix / "httpd.conf"), "-DFOREGROUND"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while server.poll() is None and not answers(port) and time.monotonic() < deadline:
            time.sleep(0.05)
        if server.poll() is not None or not answers(port):
            server.kill()
            pytest.fail(f"Apache did not start: {server.communicate()[1]}{(prefix / 'logs' / 'error.log').read_text(errors='replace')}")
        yield f"http://127.0.0.1:{port}/{SUB_PATH}/", prefix / "site"
        server.terminate()
        server.wait(timeout=30)
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def test_apache_serves_the_portal_under_a_sub_path_with_the_types_and_404_page(apache_site, page):
    base, site = apache_site
    bare = page.request.get(base.rstrip("/"), max_redirects=0)
    assert bare.status == 301 and bare.headers["location"].endswith(f"/{SUB_PATH}/")
    for suffix, kind in {".pf_meta": "application/octet-stream", ".pf_fragment": "application/octet-stream",
                         ".pagefind": "application/octet-stream", ".json": "application/json",
                         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}.items():
        path = next(p for p in sorted(site.rglob(f"*{suffix}")) if p.is_file())
        response = page.request.get(base + path.relative_to(site).as_posix())
        assert response.status == 200, path
        assert response.headers["content-type"].split(";")[0] == kind, (path, response.headers["content-type"])
    missing = page.goto(base + "meetings/no-such-meeting/report/")
    assert missing.status == 404 and "页面不存在" in page.title()
    page.goto(base)
    page.fill(".portal-search__input", "谈心谈话")
    page.wait_for_selector(".portal-search__results[aria-busy=false] .portal-search__link", timeout=20000)
    assert re.fullmatch(r"找到 \d+ 个页面", page.inner_text(".portal-search__status"))
