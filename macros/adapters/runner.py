"""Which site generator runs the portal: MkDocs 1.6, or ProperDocs, its drop-in continuation.

The one place that names the runner. ``make build RUNNER=properdocs`` sets PORTAL_RUNNER; the
command line, the tests and the benchmark build their commands here. Both read the same
``mkdocs.yml`` and load the same hooks, theme and plugins, so the pages are the same.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

DEFAULT = "mkdocs"
RUNNERS = ("mkdocs", "properdocs")


class UnknownRunner(ValueError):
    """PORTAL_RUNNER (make's RUNNER) names no runner we know."""

    def __str__(self) -> str:
        return f"不认识的生成程序“{self.args[0]}”。RUNNER 只能是 {' 或 '.join(RUNNERS)}，例如：make build RUNNER=properdocs"


def name() -> str:
    """The runner chosen for this run (PORTAL_RUNNER, else MkDocs)."""
    chosen = os.environ.get("PORTAL_RUNNER", "").strip() or DEFAULT
    if chosen not in RUNNERS:
        raise UnknownRunner(chosen)
    return chosen


def installed(runner: str | None = None) -> bool:
    return importlib.util.find_spec(runner or name()) is not None


def command(*args: str, runner: str | None = None) -> list[str]:
    """The command line that runs ``<runner> <args>`` with this Python, e.g. command("build", "--strict")."""
    return [sys.executable, "-m", runner or name(), *args]


def build_command(config: Path, site: Path, *, for_files: bool = False, runner: str | None = None) -> list[str]:
    """A strict, clean build of ``config`` into ``site``; ``for_files`` links pages as ``.html`` files
    (MkDocs' ``use_directory_urls: false``), so the site also works opened from a folder (file://)."""
    options = ["--no-directory-urls"] if for_files else []
    return command("build", "--strict", "--clean", *options, "-f", str(config), "-d", str(site), runner=runner)


def serve_command(config: Path, port: int) -> list[str]:
    """A strict preview with live reload on 127.0.0.1:``port``."""
    return command("serve", "--strict", "-a", f"127.0.0.1:{port}", "-f", str(config))


def environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) without the runners' notices about MkDocs 2."""
    env = dict(os.environ if base is None else base)
    env["NO_MKDOCS_2_WARNING"] = "true"
    env["DISABLE_MKDOCS_2_WARNING"] = "true"
    return env
