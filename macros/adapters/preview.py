"""Preview the whole portal while editing: ``make serve`` without ``ID=``.

The site is built with ``make build``'s own path (warm when the build cache allows it, so a saved
meeting file shows in seconds even with a thousand meetings) and served from ``site/``. The inputs
are watched; after a change the site is built again, and open pages reload by themselves (a small
script added to the served HTML only, never to the files in ``site/``).
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
import time
from pathlib import Path

WATCHED = ("data", "docs", "overrides", "macros", "mkdocs.yml")
VERSION_PATH = "/.portal-preview-version"
_RELOAD = (
    "<script>(function(){var v=null;setInterval(function(){fetch('" + VERSION_PATH + "',{cache:'no-store'})"
    ".then(function(r){return r.text()}).then(function(t){if(v!==null&&t!==v){location.reload()}v=t})"
    ".catch(function(){})},1000)})();</script>"
)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Size and time of every watched file: any edit, addition or removal changes it."""
    found: dict[str, tuple[int, int]] = {}
    for name in WATCHED:
        path = root / name
        paths = [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
        for item in paths:
            if "__pycache__" in item.parts:
                continue
            stat = item.stat()
            found[item.as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return found


class _Handler(http.server.SimpleHTTPRequestHandler):
    state: dict = {}

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self):
        if self.path == VERSION_PATH:
            body = str(self.state["version"]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)
            return
        path = Path(self.translate_path(self.path))
        error = self.state.get("error")
        if error and (path.suffix == ".html" or path.is_dir() or not path.exists()):
            self._send_html(error.encode("utf-8"))
            return
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                super().do_GET()  # the base class redirects /dir to /dir/
                return
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            self._send_html(path.read_bytes())
            return
        super().do_GET()

    def _send_html(self, page: bytes) -> None:
        body = page.replace(b"</body>", _RELOAD.encode() + b"</body>", 1)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def data_error_page(root: Path) -> str | None:
    """The page listing the data errors that stopped a build (as ``make serve ID=`` shows them), or None."""
    import markdown

    from macros.outputs.error_page import TITLE, error_page
    from macros.model.errors import DataErrors
    from macros.model.meeting import load_data

    try:
        load_data(root)
    except DataErrors as exc:
        text = error_page(exc).split("\n---\n", 1)[1]
        body = markdown.markdown(text, extensions=["md_in_html"])
        return (
            f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{TITLE}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<style>body{font-family:sans-serif;margin:2em auto;max-width:60em;padding:0 1em}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}</style>"
            f"</head><body>{body}</body></html>"
        )
    return None


def serve(root: Path, build, host: str = "127.0.0.1", port: int = 8000, interval: float = 1.0) -> int:
    """Build with ``build(root, site)`` (``cli.build``), serve ``site/``, build again after each change."""
    site = root / "site"
    _Handler.state = {"version": time.time_ns(), "error": None}
    if build(root, site) != 0:
        _Handler.state["error"] = data_error_page(root)
        if _Handler.state["error"] is None and not (site / "index.html").is_file():
            return 1
    handler = functools.partial(_Handler, directory=str(site))
    server = http.server.ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"预览地址：http://{host}:{port}/ （保存修改后自动重新生成并刷新；按 Ctrl+C 停止）", flush=True)
    seen = snapshot(root)
    try:
        while True:
            time.sleep(interval)
            now = snapshot(root)
            if now == seen:
                continue
            time.sleep(0.3)  # let an editor finish saving
            seen = snapshot(root)
            error = data_error_page(root) if build(root, site) != 0 else None
            _Handler.state.update(error=error, version=time.time_ns())
            sys.stdout.flush()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0

