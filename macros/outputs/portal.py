"""The portal as a whole: load the data folder once and produce every generated page.

This is what any site generator needs from us; the MkDocs wiring calls it and
nothing else, so a move to another generator is a new adapter over this module.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

from macros.model import environment
from macros.model.errors import DataError, DataErrors
from macros.model.meeting import DEFAULT_LEAD_DAYS, load_data
from macros.outputs.docx_export import Properties
from macros.outputs.kinds import kinds_of
from macros.outputs.render import Renderer, document_kinds, home_years, meeting_name, meeting_pages, page_title, word_file_name
from macros.outputs.typeset import download_name


def build_date() -> dt.date:
    """Today, or PORTAL_TODAY (YYYY-MM-DD) so that a build can be reproduced (``environment.build_date``:
    a value that is not a date is a SettingError, which ``load_data`` reports as a data error first)."""
    return environment.build_date()


@dataclass
class Portal:
    root: Path
    meetings: list = field(default_factory=list)
    renderer: Renderer | None = None

    def __repr__(self) -> str:
        # Short: the macros plugin writes every config value out as text on each build (for its debug
        # log, whether or not it is shown), and a thousand meetings written out cost seconds.
        return f"Portal({str(self.root)!r}, {len(self.meetings)} meetings)"

    @classmethod
    def load(cls, root: Path, today: dt.date | None = None, only: set[str] | None = None, cache=None,
             home_meetings: int | None = None) -> "Portal":
        """Load ``root/data/meetings`` (or only the given ids); raises DataErrors listing every problem.

        ``cache``: a ``buildcache.ModelCache`` of validated meetings (files unchanged are not validated again)."""
        settings, meetings = load_data(root, only, cache)
        if only and not meetings:
            raise DataErrors([DataError(f"data/meetings/{sorted(only)[0]}.yml", 0, "", "没有这个会议文件。请检查 ID。")])
        lead_days = {key: settings.lead_days[key] for key in DEFAULT_LEAD_DAYS}
        renderer = Renderer(today=today or build_date(), lead_days=lead_days, meeting_report_days=settings.meeting_report_days,
                            home_meetings=home_meetings)
        return cls(root, meetings, renderer)

    def pages(self, only: set[str] | None = None, years: set[int] | None = None) -> dict[str, str]:
        """Every generated page: the meetings' pages and a page for each year the home page does not list.

        ``only``: the pages of these meetings; ``years``: the year pages of these years (a warm build)."""
        meetings = self.meetings if only is None else [m for m in self.meetings if m.id in only]
        return {**meeting_pages(meetings, self.renderer), **self.renderer.year_pages(self.meetings, years)}

    def year_page_uris(self) -> list[str]:
        """The sources of every year page (``years/<year>.md``), rendered or not."""
        return [f"years/{year}.md" for year in home_years(self.meetings, self.renderer and self.renderer.home_meetings)[1]]

    def home(self) -> str:
        return self.renderer.home(self.meetings)

    @functools.cached_property
    def _by_id(self) -> dict:
        return {meeting.id: meeting for meeting in self.meetings}

    @functools.cached_property
    def word_copies(self) -> dict[str, tuple[str, Properties]]:
        """Each Word copy's file name in the site → the Chinese name it is saved under (its page's title)
        and its file properties: the issuing body as author, the build date."""
        copies = {}
        for meeting in self.meetings:
            author = meeting.report.issuer or meeting.group.name
            for kind in document_kinds(meeting):
                copies[word_file_name(meeting.id, kind)] = (
                    download_name(page_title(kind, meeting)), Properties(author=author, date=self.renderer.today))
        return copies

    @functools.cached_property
    def download_names(self) -> dict[str, str]:
        """Each Word copy's file name in the site → the Chinese name it is saved under."""
        return {file: name for file, (name, _) in self.word_copies.items()}

    def meeting_links(self, src_uri: str) -> tuple[str, list[tuple[str, str, bool]]] | None:
        """For a page of a meeting: the meeting's name and its pages as (title, source path, is this page).

        None for any other page. The site's menu lists these on the meeting's own pages.
        """
        parts = src_uri.split("/")
        if len(parts) != 3 or parts[0] != "meetings":
            return None
        meeting = self._by_id.get(parts[1])
        if meeting is None:
            return None
        links = []
        for kind in kinds_of(meeting):
            uri = f"meetings/{meeting.id}/{kind.page}"
            links.append((kind.title, uri, uri == src_uri))
        return meeting_name(meeting), links
