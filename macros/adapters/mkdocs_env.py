"""mkdocs-macros module: gives hand-written pages the ``meeting_index()`` macro."""

from __future__ import annotations


def define_env(env):
    @env.macro
    def meeting_index() -> str:
        """The list of all meetings by year and group, with their progress."""
        return env.conf["extra"]["portal_build"].portal.home()
