"""The whole-portal preview: served pages reload after a rebuild; the published files stay as built."""

from __future__ import annotations

import functools
import http.server
import threading
import urllib.request

from macros.adapters import preview
from tests.support import copy_project


def test_served_pages_get_the_reload_script_and_files_stay_as_built(tmp_path):
    page = tmp_path / "meetings" / "a" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html><body><p>报告</p></body></html>", encoding="utf-8")
    preview._Handler.state = {"version": 7}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(preview._Handler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        served = urllib.request.urlopen(f"{base}/meetings/a/").read().decode("utf-8")
        redirected = urllib.request.urlopen(f"{base}/meetings/a").read().decode("utf-8")
        version = urllib.request.urlopen(f"{base}{preview.VERSION_PATH}").read().decode()
    finally:
        server.shutdown()
    assert "<p>报告</p>" in served and preview.VERSION_PATH in served
    assert redirected == served
    assert version == "7"
    assert page.read_text(encoding="utf-8") == "<html><body><p>报告</p></body></html>"


def test_any_edit_of_the_inputs_changes_the_snapshot(tmp_path):
    meeting = tmp_path / "data" / "meetings" / "a.yml"
    meeting.parent.mkdir(parents=True)
    meeting.write_text("id: a\n", encoding="utf-8")
    before = preview.snapshot(tmp_path)
    meeting.write_text("id: ab\n", encoding="utf-8")
    assert preview.snapshot(tmp_path) != before
    edited = preview.snapshot(tmp_path)
    (tmp_path / "data" / "meetings" / "b.yml").write_text("id: b\n", encoding="utf-8")
    assert preview.snapshot(tmp_path) != edited


def test_a_data_error_is_the_page_shown(tmp_path):
    project = copy_project(tmp_path / "project")
    assert preview.data_error_page(project) is None
    (project / "data" / "meetings" / "2021-county-gov-office.yml").write_text("id: [broken\n", encoding="utf-8")
    page = preview.data_error_page(project)
    assert "data/meetings/2021-county-gov-office.yml" in page and "<table>" in page and "---" not in page
