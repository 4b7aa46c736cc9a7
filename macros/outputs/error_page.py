"""What the browser shows while a preview (``make serve``) cannot be built because of data errors.

Instead of a stopped build (the browser would wait without saying why), the preview becomes a
small site whose every page, at the address the user had open, lists the errors: file, line,
field and what to do. Once the file is fixed the real site is built and the page reloads.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from macros.model.errors import DataErrors
from macros.outputs.render import PAGE_KINDS

TITLE = "会议文件有误，页面暂未更新"


def error_page(errors: DataErrors) -> str:
    """The Markdown of the page listing every data error (not run through macros)."""
    # On a phone each row becomes a card, the message first (labels from data-label, see portal.css).
    rows = "\n".join(
        "<tr>"
        f'<td data-label="文件">{html.escape(error.file)}</td>'
        f'<td data-label="行号">{error.line or "—"}</td>'
        f'<td data-label="字段">{f"<code>{html.escape(error.field)}</code>" if error.field else "—"}</td>'
        f"<td>{html.escape(error.message)}</td>"
        "</tr>"
        for error in errors.errors
    )
    return (
        "---\n"
        f"title: {TITLE}\n"
        "render_macros: false\n"
        "---\n\n"
        f"# {TITLE}\n\n"
        f"会议文件中共有 {len(errors.errors)} 处需要修改，修改前页面不会更新。"
        "请按下表找到文件和行号，改正后保存；本页会自动刷新，显示改好的页面。\n\n"
        '<div class="portal-errors">\n'
        "<table>\n"
        "<thead><tr><th>文件</th><th>行号</th><th>字段</th><th>问题和改法</th></tr></thead>\n"
        f"<tbody>\n{rows}\n</tbody>\n"
        "</table>\n"
        "</div>\n"
    )


def write_error_site(docs: Path, target: Path, errors: DataErrors, meeting_ids: list[str]) -> None:
    """Fill ``target`` as a docs folder: the static files of ``docs``, and the error page at the place of
    every hand-written page and of every meeting's pages, so the address open in the browser shows it."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(docs, target, ignore=shutil.ignore_patterns("*.md"))
    page = error_page(errors)
    uris = [path.relative_to(docs).as_posix() for path in docs.rglob("*.md")]
    for meeting_id in meeting_ids:
        uris += [f"meetings/{meeting_id}/{'index' if kind == 'overview' else kind}.md" for kind in PAGE_KINDS]
    for uri in uris:
        path = target / uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
