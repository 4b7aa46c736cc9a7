"""Render meetings into Markdown pages with one Jinja template a page kind.

Every value that comes from data is plain text: it is escaped for Markdown and
HTML when a template prints it, so a value can never add markup, a link, a
script or a Jinja expression to a page. Templates live in ``macros/templates``.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import facts, placeholders, rectification, rules
from .text import book_title, cn_date, cn_join, cn_numeral, cn_ordinal, markdown_text

TEMPLATES = Path(__file__).parent / "templates"
PAGE_KINDS = ("overview", "report", "agenda", "checklist")
# Pages a meeting has only once there is something to show: its rectification list, the meeting held.
AFTER_KINDS = ("rectification", "meeting-report")
PAGE_TITLES = {"overview": "概况", "report": "准备工作情况报告", "agenda": "会议议程", "checklist": "准备工作清单",
               "rectification": "整改清单", "meeting-report": "会议情况报告"}
_END_PUNCTUATION = "。；：！？，"
WARNINGS_MARKER = "<!-- portal-warnings -->"


def _finalize(value):
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    return markdown_text(str(value))


def sentence(text: str | None) -> str:
    """End a clause with 。 unless it already ends with punctuation."""
    if not text:
        return ""
    return text if text[-1] in _END_PUNCTUATION else text + "。"


def paragraph(meeting, parts) -> str:
    """Join a paragraph's prose, cited facts and numbered points (一是…二是…) into one text."""
    out: list[str] = []
    points = 0
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif "point" in part:
            points += 1
            out.append(f"{cn_numeral(points)}是{sentence(part.point)}")
        else:
            out.append(facts.cite(meeting, part) or "")
    return "".join(out)


def front_matter_text(value: str) -> Markup:
    """A title for the page's YAML front matter: HTML-escaped (themes print it raw), JSON-quoted."""
    return Markup(json.dumps(html.escape(value, quote=True), ensure_ascii=False))


def page_title(kind: str, meeting) -> str:
    """The page's title in the browser tab and search results: always names the group."""
    if kind == "overview":
        return meeting_name(meeting)
    if kind == "report":
        return f"{meeting.group.name}{report_title(meeting)}"
    return f"{meeting_name(meeting)}{PAGE_TITLES[kind]}"


def report_title(meeting) -> str:
    return f"{meeting.year}{meeting.year_style}{meeting.kind}{meeting.report.name}"


def meeting_name(meeting) -> str:
    """How the home page and the page titles name a meeting: 县政府办党组2021年度专题民主生活会."""
    return f"{meeting.group.name}{meeting.year}{meeting.year_style}{meeting.kind}"


class Renderer:
    """Turns loaded meetings into Markdown pages."""

    def __init__(self, template_dir: Path = TEMPLATES, today: dt.date | None = None, lead_days: dict | None = None,
                 meeting_report_days: int = rectification.DEFAULT_REPORT_DAYS):
        self.today = today or dt.date.today()
        self.lead_days = lead_days
        self.meeting_report_days = meeting_report_days
        self._checklists: dict = {}
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(template_dir)),
            undefined=jinja2.StrictUndefined,
            finalize=_finalize,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            cn_numeral=cn_numeral,
            cn_ordinal=cn_ordinal,
            cn_date=cn_date,
            cn_join=cn_join,
            book_title=book_title,
            sentence=sentence,
            front_matter_text=front_matter_text,
        )
        self.env.globals.update(
            paragraph=paragraph,
            **self._rectification_globals(),
            report_title=report_title,
            meeting_name=meeting_name,
            secretary=facts.secretary,
            agenda_rounds=rules.agenda_rounds,
            talk_matrix=rules.talk_matrix,
            unit_and_branch_talks=rules.unit_and_branch_talks,
            member_materials=rules.member_materials,
            material_rank=rules.material_rank,
            due_text=rules.due_text,
            countdown=rules.countdown,
            page_titles=PAGE_TITLES,
            warnings_marker=Markup(WARNINGS_MARKER),
        )

    def _rectification_globals(self) -> dict:
        """What the templates need of the rectification list, the meeting held and the previous year."""
        return dict(
            fact_text=facts.read,
            previous_meeting=rectification.previous_meeting,
            previous_counts=previous_counts,
            previous_year=rectification.previous_year,
            has_rectification_list=rectification.has_list,
            rectification_counts=lambda meeting: rectification.counts(meeting.rectification),
            rectification_by_member=rectification.by_member,
            rectification_by_status=rectification.by_status,
            open_rectification=lambda meeting: rectification.open_items(meeting.rectification),
            overdue=lambda item: rectification.is_overdue(item, self.today),
            overdue_count=lambda meeting: sum(rectification.is_overdue(item, self.today) for item in meeting.rectification),
            is_held=rectification.is_held,
            after_pages=lambda meeting: [(kind, f"{kind}.md") for kind in AFTER_KINDS if has_page(kind, meeting)],
            attendance=rectification.attendance,
            meeting_report_due=lambda meeting: rectification.report_due(meeting, self.meeting_report_days),
            talks_held=lambda meeting: sum(talk.held for talk in rules.required_talks(meeting)),
        )

    def _render(self, name: str, **context) -> str:
        return self.env.get_template(name).render(**context)

    def checklist(self, meeting):
        """The meeting's checklist, computed once for all its pages and the home page."""
        key = (meeting.source, meeting.id)
        if key not in self._checklists:
            self._checklists[key] = rules.checklist(meeting, self.today, self.lead_days)
        return self._checklists[key]

    def page(self, kind: str, meeting) -> str:
        checklist = self.checklist(meeting)
        context = dict(meeting=meeting, checklist=checklist, today=self.today, page_title=page_title(kind, meeting))
        page = self._render(f"{kind}.md.j2", **context)
        if kind == "report":
            warnings = self.report_warnings(meeting, checklist, page)
            block = self._render("_warnings.md.j2", warnings=warnings) if warnings else ""
            page = page.replace(WARNINGS_MARKER, block, 1)
        return page

    @staticmethod
    def report_warnings(meeting, checklist, page: str) -> list[str]:
        """What stands between this report and the superior: unsupported readiness, placeholders."""
        warnings = []
        if rules.cites_readiness(meeting) and not checklist.ready:
            missing = checklist.total - checklist.done_count
            warnings.append(
                f"报告称“{meeting.readiness.statement.rstrip('。')}”，但准备工作清单中还有 {missing} 项未完成，数据不支持这一表述。"
            )
        found = placeholders.find(page.split("portal-document", 1)[-1])
        if found:
            warnings.append(f"报告中还有未填写的内容：{'、'.join(found)}。")
        return warnings

    def home(self, meetings) -> str:
        """The dashboard: the latest year's summary, then the meetings of the most recent years."""
        listed, linked = home_years(meetings)
        entries = [(meeting, self.checklist(meeting)) for meeting in meetings]
        latest = [(m, c) for m, c in entries if listed and m.year == listed[0]]
        return self._render(
            "home.md.j2",
            entries=[(m, c) for m, c in entries if m.year in listed],
            years=listed,
            linked_years=linked,
            summary=year_summary(latest),
            steps=step_summary(latest),
            as_of=self.today,
            prefix="",
        )

    def year_pages(self, meetings) -> dict[str, str]:
        """A page for each year the home page does not list (``years/<year>.md``)."""
        _, linked = home_years(meetings)
        pages = {}
        for year in linked:
            entries = [(meeting, self.checklist(meeting)) for meeting in meetings if meeting.year == year]
            pages[f"years/{year}.md"] = self._render(
                "year.md.j2", year=year, entries=entries, years=[year], summary=year_summary(entries), as_of=self.today, prefix="../"
            )
        return pages


HOME_MEETINGS = 200
"""The home page lists whole years, newest first, while they hold at most this many meetings together
(the latest year always); each older year gets a page of its own. This keeps the home page small
(about 110 KB at 1,000 meetings) and every meeting two clicks away."""


def home_years(meetings, limit: int | None = None) -> tuple[list[int], list[int]]:
    """The years the home page lists and the years it links to their own page, newest first."""
    limit = HOME_MEETINGS if limit is None else limit
    counts: dict[int, int] = {}
    for meeting in meetings:
        counts[meeting.year] = counts.get(meeting.year, 0) + 1
    listed, linked, total = [], [], 0
    for year in sorted(counts, reverse=True):
        total += counts[year]
        (listed if not listed or (total <= limit and not linked) else linked).append(year)
    return listed, linked


def year_summary(entries) -> dict[str, int]:
    """How many groups; how many of them are ready, not yet ready, and (of those) have overdue items."""
    states = [checklist.state for _, checklist in entries]
    return {"groups": len(states), "ready": states.count("ready"), "open": len(states) - states.count("ready"), "overdue": states.count("overdue")}


def step_summary(entries) -> list[tuple[str, int, int]]:
    """For each preparation step: its title, how many meetings finished it, out of how many."""
    if not entries:
        return []
    first = entries[0][1]
    return [
        (step.title, sum(checklist.steps[index].complete for _, checklist in entries), len(entries))
        for index, step in enumerate(first.steps)
    ]


def previous_counts(meeting) -> str:
    """“（共8项，已完成4项，推进中3项）” when the group's previous meeting has a rectification list, else nothing."""
    previous = rectification.previous_meeting(meeting)
    if not rectification.has_list(previous):
        return ""
    return f"（{rectification.counts(previous.rectification).summary()}）"


def has_page(kind: str, meeting) -> bool:
    """The 整改清单 once the meeting has a rectification list, the 会议情况报告 once it is held; the rest always.

    Before that the page is not made at all (no empty document) and no page links to it.
    """
    if kind == "rectification":
        return rectification.has_list(meeting)
    if kind == "meeting-report":
        return rectification.is_held(meeting)
    return True


def meeting_pages(meetings, renderer: Renderer) -> dict[str, str]:
    """Every generated page: ``meetings/<id>/<kind>.md`` → Markdown (the overview is index.md)."""
    pages: dict[str, str] = {}
    for meeting in meetings:
        for kind in PAGE_KINDS + tuple(kind for kind in AFTER_KINDS if has_page(kind, meeting)):
            name = "index" if kind == "overview" else kind
            pages[f"meetings/{meeting.id}/{name}.md"] = renderer.page(kind, meeting)
    return pages
