"""mkdocs-macros module: gives hand-written pages the ``meeting_index()`` macro.

A mistake in a hand-written page's ``{{ }}`` or ``{% %}`` stops the build with the page, the line
and what to do, in Chinese: mkdocs-macros itself would print its own English report with a Python
traceback. So each hand-written page is rendered here first, with the plugin's own Jinja
environment and variables, and a failure is told as a data error of that page is.
"""

from __future__ import annotations

import logging
import re
import traceback
from pathlib import Path

from mkdocs.exceptions import Abort

from macros.model.errors import DataError, visible_line


def define_env(env):
    home: dict[int, tuple[object, str]] = {}

    @env.macro
    def meeting_index() -> str:
        """The list of all meetings by year and group, with their progress."""
        portal = env.conf["extra"]["portal_build"].portal
        # Rendered once a build, though the page is rendered twice (checked first, see on_pre_page_macros).
        known = home.get(id(portal))
        if known is None or known[0] is not portal:
            known = home[id(portal)] = (portal, portal.home())
        return known[1]


def on_pre_page_macros(env):
    """Render a hand-written page first and stop the build with a Chinese message if it fails."""
    page = env.page
    if getattr(page.file, "generated_by", None) is not None or (page.meta or {}).get("render_macros") is False or not env.has_j2(env.markdown):
        return  # what mkdocs-macros does not render either
    try:
        env.env.from_string(env.markdown).render(**{**env.variables, **(page.meta or {})})
    except Exception as exc:  # noqa: BLE001 - any mistake in the page's template is the writer's
        message = "\n" + str(template_error(exc, env.markdown, page.file.src_uri, page.file.abs_src_path))
        _TOLD.add(message)
        raise Abort(message) from None


_TOLD: set[str] = set()
"""The messages of the pages stopped here: MkDocs logs each once more as it stops (“Error reading
page …”), and the Abort prints it anyway."""


class _ToldOnce(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (_TOLD and record.getMessage().endswith(tuple(_TOLD)))


for _runner in ("mkdocs", "properdocs"):
    _build_log = logging.getLogger(f"{_runner}.commands.build")
    if not any(isinstance(known, _ToldOnce) for known in _build_log.filters):
        _build_log.addFilter(_ToldOnce())


def template_error(exc: Exception, markdown: str, src_uri: str, source_path: str | None) -> DataError:
    """The page's file under docs/, the line of the mistake in that file, and what to do."""
    line = getattr(exc, "lineno", None) or _template_line(exc)
    offset, quote = 0, ""
    try:
        source = Path(source_path).read_text(encoding="utf-8-sig") if source_path else markdown
    except (OSError, UnicodeDecodeError):
        source = markdown
    found = source.find(markdown) if markdown else -1
    if found > 0:
        offset = source.count("\n", 0, found)  # the front matter MkDocs took off the page
    if line:
        lines = markdown.split("\n")
        quote = visible_line(lines[line - 1]) if 0 < line <= len(lines) else ""
    return DataError(f"docs/{src_uri}", line + offset if line else 0, "", _explain(exc), quote)


def _template_line(exc: Exception) -> int:
    """The line of the page's template where rendering failed (Jinja names the template ``<template>``)."""
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == "<template>"]
    return lines[-1] if lines and lines[-1] else 0


def _explain(exc: Exception) -> str:
    advice = "请改正这一行；文字中要写“{{”或“{%”时，请用 {% raw %} 和 {% endraw %} 把这段文字括起来。"
    name = type(exc).__name__
    undefined = re.match(r"'([^']+)' is undefined", str(exc))
    if name == "UndefinedError" and undefined:
        return f"页面模板中的“{undefined.group(1)}”没有定义（页面中可用的宏是 meeting_index()）。{advice}"
    if name == "TemplateSyntaxError":
        return f"页面模板的写法有误（{getattr(exc, 'message', None) or exc}），如括号没有配对、{{% %}} 没有结束。{advice}"
    return f"页面模板出错（{name}: {exc}）。{advice}"
