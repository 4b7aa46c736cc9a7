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

from . import facts, placeholders, rules
from .text import book_title, cn_date, cn_join, cn_numeral, cn_ordinal, markdown_text

TEMPLATES = Path(__file__).parent / "templates"
PAGE_KINDS = ("overview", "report", "agenda", "checklist")
PAGE_TITLES = {"overview": "概况", "report": "准备工作情况报告", "agenda": "会议议程", "checklist": "准备工作清单"}
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

    def __init__(self, template_dir: Path = TEMPLATES, today: dt.date | None = None, lead_days: dict | None = None):
        self.today = today or dt.date.today()
        self.lead_days = lead_days
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
            report_title=report_title,
            meeting_name=meeting_name,
            secretary=facts.secretary,
            agenda_rounds=rules.agenda_rounds,
            talk_matrix=rules.talk_matrix,
            unit_and_branch_talks=rules.unit_and_branch_talks,
            member_materials=rules.member_materials,
            material_rank=rules.material_rank,
            page_titles=PAGE_TITLES,
            warnings_marker=Markup(WARNINGS_MARKER),
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
        entries = [(meeting, self.checklist(meeting)) for meeting in meetings]
        years = sorted({meeting.year for meeting in meetings}, reverse=True)
        return self._render("home.md.j2", entries=entries, years=years)


def page_uris(meeting_id: str) -> list[str]:
    """The generated pages of one meeting, as ``meeting_pages`` names them."""
    return [f"meetings/{meeting_id}/{'index' if kind == 'overview' else kind}.md" for kind in PAGE_KINDS]


def meeting_pages(meetings, renderer: Renderer) -> dict[str, str]:
    """Every generated page: ``meetings/<id>/<kind>.md`` → Markdown (the overview is index.md)."""
    pages: dict[str, str] = {}
    for meeting in meetings:
        for kind in PAGE_KINDS:
            name = "index" if kind == "overview" else kind
            pages[f"meetings/{meeting.id}/{name}.md"] = renderer.page(kind, meeting)
    return pages
