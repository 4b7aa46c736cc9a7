"""The portal as a whole: load the data folder once and produce every generated page.

This is what any site generator needs from us; the MkDocs wiring calls it and
nothing else, so a move to another generator is a new adapter over this module.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DataError, DataErrors
from .meeting import DEFAULT_LEAD_DAYS, load_meetings, load_settings
from .render import Renderer, meeting_pages


def preview_only() -> set[str] | None:
    """PORTAL_ONLY=<id>[,<id>…]: build only these meetings (a fast preview while editing)."""
    value = os.environ.get("PORTAL_ONLY", "").strip()
    return {part.strip() for part in value.split(",") if part.strip()} or None


def build_date() -> dt.date:
    """Today, or PORTAL_TODAY (YYYY-MM-DD) so that a build can be reproduced."""
    fixed = os.environ.get("PORTAL_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()


@dataclass
class Portal:
    root: Path
    meetings: list = field(default_factory=list)
    renderer: Renderer | None = None

    @classmethod
    def load(cls, root: Path, today: dt.date | None = None, only: set[str] | None = None, cache=None) -> "Portal":
        """Load ``root/data/meetings`` (or only the given ids); raises DataErrors listing every problem.

        ``cache``: a ``buildcache.ModelCache`` of validated meetings (files unchanged are not validated again)."""
        settings = load_settings(root / "data" / "portal.yml", root)
        meetings = load_meetings(root / "data" / "meetings", root, only, cache)
        if only and not meetings:
            raise DataErrors([DataError(f"data/meetings/{sorted(only)[0]}.yml", 0, "", "没有这个会议文件。请检查 ID。")])
        lead_days = {key: settings.lead_days[key] for key in DEFAULT_LEAD_DAYS}
        return cls(root, meetings, Renderer(today=today or build_date(), lead_days=lead_days))

    def pages(self, only: set[str] | None = None) -> dict[str, str]:
        """Every generated page, or those of the meetings with the given ids."""
        meetings = self.meetings if only is None else [m for m in self.meetings if m.id in only]
        return meeting_pages(meetings, self.renderer)

    def home(self) -> str:
        return self.renderer.home(self.meetings)
