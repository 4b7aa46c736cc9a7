"""Render meetings into Markdown pages with one Jinja template a page kind.

Every value that comes from data is plain text: it is escaped for Markdown and
HTML when a template prints it, so a value can never add markup, a link, a
script or a Jinja expression to a page. Templates live in ``macros/outputs/templates``.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

import jinja2
from markupsafe import Markup

from macros.model import facts, placeholders, rectification
from macros.outputs.kinds import BY_KEY, KINDS, documents_of, kinds_of
from macros.model import years
from macros.rules import after_meeting, documents
from macros.rules import lifecycle as stages
from macros.rules import notice as notice_rules
from macros.rules import preparation as rules
from macros.model.text import book_title, cn_date, cn_join, cn_numeral, cn_ordinal, markdown_text


def word_file_name(meeting_id: str, kind: str = "report") -> str:
    """The Word copy's file name, beside the meeting's pages: <id>-report.docx, <id>-agenda.docx …"""
    return f"{meeting_id}-{kind}.docx"

TEMPLATES = Path(__file__).parent / "templates"
# Views of the one table of page kinds (``kinds.KINDS``), for the callers that name kinds by key.
PAGE_KINDS = tuple(kind.key for kind in KINDS if kind.when is None)
"""The pages every meeting has."""
AFTER_KINDS = ("rectification", "meeting-report")
"""The pages a meeting has once there is something to show: its rectification list, the meeting held."""
DOCUMENT_KINDS = tuple(kind.key for kind in KINDS if kind.document)
PAGE_TITLES = {kind.key: kind.title for kind in KINDS}
_END_PUNCTUATION = "。；：！？，"
WARNINGS_MARKER = "<!-- portal-warnings -->"
# Where a document's <div> gets its draft attribute once the meeting's state is known.
DRAFT_MARKER = "<!-- portal-draft -->"
DRAFT_ATTRIBUTE = ' data-draft="true"'
DRAFT_MARK = "草稿"
# Characters of the 2号 title (22 pt) that fit on one line of the 156 mm type area.
TITLE_LINE_EMS = 20


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
        return report_title(meeting) if meeting.report.issuer else f"{meeting.group.name}{report_title(meeting)}"
    return f"{meeting_name(meeting)}{PAGE_TITLES[kind]}"


def report_title(meeting) -> str:
    return "".join(report_title_units(meeting))


def _kind_units(kind: str) -> list[str]:
    """专题民主生活会 stays one word; a long kind splits before 民主生活会."""
    stem = "民主生活会"
    if kind.endswith(stem) and len(kind) - len(stem) > 2:
        return [kind[: -len(stem)], stem]
    return [kind]


def report_title_units(meeting) -> list[str]:
    """The report's title as words a line may break between.

    With an issuer (公文 form) it reads “县发展和改革局党组关于2022年度民主生活会准备工作情况的报告”.
    """
    report = meeting.report
    year = f"{meeting.year}{meeting.year_style}"
    name = report.name
    if report.issuer:
        if name.endswith("报告") and not name.endswith("的报告"):
            name = name[:-2] + "的报告"
        return [report.issuer, "关于" + year, *_kind_units(meeting.kind), name]
    return [year, *_kind_units(meeting.kind), name]


def agenda_title_units(meeting) -> list[str]:
    return [f"{meeting.group.name}班子", f"{meeting.year}{meeting.year_style}", *_kind_units(meeting.kind), "会议议程"]


def checklist_title_units(meeting) -> list[str]:
    return [meeting.group.name, f"{meeting.year}{meeting.year_style}", *_kind_units(meeting.kind), "准备工作清单"]


def after_title_units(meeting, kind: str) -> list[str]:
    """The title of the 整改清单, or of the 会议情况报告 in 公文 form (“……党组关于2021年度……召开情况的报告”)."""
    year = f"{meeting.year}{meeting.year_style}"
    if kind == "rectification":
        return [meeting.group.name, year, *_kind_units(meeting.kind), "整改清单"]
    return [meeting.report.issuer or meeting.group.name, "关于" + year, *_kind_units(meeting.kind), "召开情况的报告"]


def column_groups(count: int, most: int = 4) -> list[list[int]]:
    """Column indexes ``0..count-1`` in as few groups of at most ``most`` as needed, sizes balanced."""
    groups = -(-count // most)
    size = -(-count // groups)
    return [list(range(start, min(start + size, count))) for start in range(0, count, size)]


def title_html(units: list[str]) -> Markup:
    """A title whose lines break only between words: each word an inline block (it wraps inside
    only when it alone is wider than the line), and the print stylesheet balances the lines."""
    return Markup("".join(f'<span class="portal-word">{markdown_text(unit)}</span>' for unit in units))


def ems(text: str) -> float:
    """Width of a text in ems: a Chinese character one, an ASCII character about half."""
    return sum(0.55 if ord(ch) < 128 else 1 for ch in text)


def title_lines(units: list[str], width: float = TITLE_LINE_EMS) -> list[str]:
    """The title split into as few lines as fit, as balanced as the words allow (for the Word copy)."""
    if ems("".join(units)) <= width:
        return ["".join(units)]
    lines: list[list[str]] = [[]]
    for unit in units:
        if lines[-1] and ems("".join(lines[-1]) + unit) > width:
            lines.append([])
        lines[-1].append(unit)
    if len(lines) == 2:
        best = None
        for cut in range(1, len(units)):
            first, second = "".join(units[:cut]), "".join(units[cut:])
            if ems(first) <= width and ems(second) <= width:
                score = abs(ems(first) - ems(second))
                if best is None or score < best[0]:
                    best = (score, [first, second])
        if best:
            return best[1]
    return ["".join(line) for line in lines]


def meeting_name(meeting) -> str:
    """How the home page and the page titles name a meeting: 县政府办党组2021年度专题民主生活会."""
    return f"{meeting.group.name}{meeting.year}{meeting.year_style}{meeting.kind}"


class Renderer:
    """Turns loaded meetings into Markdown pages."""

    def __init__(self, template_dir: Path = TEMPLATES, today: dt.date | None = None, lead_days: dict | None = None,
                 meeting_report_days: int = rectification.DEFAULT_REPORT_DAYS, home_meetings: int | None = None):
        self.today = today or dt.date.today()
        self.home_meetings = home_meetings
        """At most this many meetings on the home page (None: ``HOME_MEETINGS``)."""
        self.lead_days = lead_days
        self.meeting_report_days = meeting_report_days
        self._checklists: dict = {}
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(template_dir)),
            # A renderer serves one build: each template is read and compiled once, never checked again.
            auto_reload=False,
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
            draft_marker=Markup(DRAFT_MARKER),
            title_html=title_html,
            report_title_units=report_title_units,
            agenda_title_units=agenda_title_units,
            checklist_title_units=checklist_title_units,
            after_title_units=after_title_units,
            column_groups=column_groups,
            word_file_name=word_file_name,
        )
        self._raw: tuple = (None, {})

    def _rectification_globals(self) -> dict:
        """What the templates need of the rectification list, the meeting held and the previous year."""
        return dict(
            fact_text=facts.read,
            previous_meeting=rectification.previous_meeting,
            previous_counts=previous_counts,
            previous_title=previous_title,
            has_rectification_list=rectification.has_list,
            rectification_counts=lambda meeting: rectification.counts(meeting.rectification),
            rectification_by_member=rectification.by_member,
            rectification_by_status=rectification.by_status,
            open_rectification=lambda meeting: rectification.open_items(meeting.rectification),
            overdue=lambda item: rectification.is_overdue(item, self.today),
            overdue_count=lambda meeting: sum(rectification.is_overdue(item, self.today) for item in meeting.rectification),
            is_held=rectification.is_held,
            meeting_kinds=kinds_of,
            notice=years.notice,
            gap=notice_rules.GAP,
            timetable=documents.timetable,
            talk_sheets=documents.talk_sheets,
            opinions_by_member=documents.opinions_by_member,
            fed_back_on=documents.fed_back_on,
            attendance_problem=after_meeting.attendance_problem,
            meeting_report_days=self.meeting_report_days,
            meeting_documents=documents_of,
            document_summary=self.document_summary,
            attendance=rectification.attendance,
            meeting_report_due=lambda meeting: rectification.report_due(meeting, self.meeting_report_days),
            talks_held=self.talks_held,
            count_text=count_text,
            lifecycle=self.lifecycle,
            stage_words=stages.STAGES,
            overdue_word=stages.OVERDUE,
            after_guide=after_meeting.GUIDE,
        )

    def document_summary(self, kind, meeting) -> str:
        """What the overview says of a document beside its name."""
        if kind.key == "report":
            return report_title(meeting)
        if kind.key == "rectification":
            return rectification.counts(meeting.rectification).summary()
        if kind.key == "meeting-report":
            held = meeting.held
            reported = (f"报告已于{cn_date(held.reported_on)}报送" if held.reported_on
                        else f"报告应于{cn_date(rectification.report_due(meeting, self.meeting_report_days))}前报送")
            return f"会议于{cn_date(held.date)}召开，{reported}"
        return kind.summary

    @staticmethod
    def talks_held(meeting) -> int:
        """The talks the 四必谈 rule required that were held (the 会议情况报告's 人次)."""
        return sum(talk.held for talk in rules.required_talks(meeting))

    def _render(self, name: str, **context) -> str:
        return self.env.get_template(name).render(**context)

    def checklist(self, meeting):
        """The meeting's checklist, computed once for all its pages and the home page."""
        key = (meeting.source, meeting.id)
        if key not in self._checklists:
            self._checklists[key] = rules.checklist(meeting, self.today, self.lead_days, closed=rectification.is_held(meeting))
        return self._checklists[key]

    def lifecycle(self, meeting) -> stages.Lifecycle:
        """The meeting's stage as of the build date: the one answer every page and the terminal show."""
        key = ("lifecycle", meeting.source, meeting.id)
        if key not in self._checklists:
            self._checklists[key] = stages.lifecycle(meeting, self.checklist(meeting), self.today, self.meeting_report_days)
        return self._checklists[key]

    def _page_source(self, kind: str, meeting) -> str:
        """The page before its warnings and draft state are filled in (kept for the meeting in hand)."""
        key = (meeting.source, meeting.id)
        if self._raw[0] != key:
            self._raw = (key, {})
        cache = self._raw[1]
        if kind not in cache:
            checklist = self.checklist(meeting)
            context = dict(meeting=meeting, checklist=checklist, state=self.lifecycle(meeting), today=self.today,
                           page_title=page_title(kind, meeting),
                           draft=self.is_draft(meeting) if kind == "overview" else False)
            cache[kind] = self._render(f"{kind}.md.j2", **context)
        return cache[kind]

    def page(self, kind: str, meeting) -> str:
        page = self._page_source(kind, meeting)
        if BY_KEY[kind].document:
            warnings = self.warnings(kind, meeting)
            draft = self.document_draft(kind, meeting)
            block = self._render("_warnings.md.j2", warnings=warnings, kind=BY_KEY[kind], draft=draft) if warnings else ""
            page = page.replace(WARNINGS_MARKER, block, 1).replace(DRAFT_MARKER, DRAFT_ATTRIBUTE if draft else "", 1)
        return page

    def document_draft(self, kind: str, meeting) -> bool:
        """Whether a document prints with the draft mark, by its kind's rule (see ``kinds.PageKind.draft``)."""
        if BY_KEY[kind].draft == "preparation":
            return self.is_draft(meeting)
        return self.after_draft(kind, meeting)

    def unfinished(self, meeting) -> bool:
        """Open checklist items (before the meeting is held), or placeholders (xx, x月x日, 待定 …) left
        in the report or the agenda."""
        if self.lifecycle(meeting).preparation_open:
            return True
        return any(self._placeholders(kind, meeting) for kind in ("report", "agenda"))

    def is_draft(self, meeting) -> bool:
        """Whether its documents print with the draft mark: unfinished, unless the file says to print as final."""
        return self.unfinished(meeting) and not meeting.print_as_final

    def after_draft(self, kind: str, meeting) -> bool:
        """A document with a rule of its own is a draft while it shows placeholders (x, 待定, 【待补】)."""
        return bool(self._placeholders(kind, meeting)) and not meeting.print_as_final

    def _placeholders(self, kind: str, meeting) -> list[str]:
        return placeholders.find(self._page_source(kind, meeting).split("portal-document", 1)[-1])

    def warnings(self, kind: str, meeting) -> list[str]:
        """What stands between a document and the superior, said on screen only, naming the field to fill."""
        if BY_KEY[kind].draft != "preparation":
            warnings = []
            if kind == "meeting-report" and not self.talks_held(meeting):
                warnings.append("会议文件中没有谈心谈话记录，报告中的谈心谈话人次无从计算：请在 talks.records 中填写已开展的谈话。")
            if kind == "meeting-report":
                warnings += [f"会议文件中{doc}（{field}）填的是 0，报告中写作 xx：请填写实际数目。" for field, doc in zero_counts(meeting)]
            found = self._placeholders(kind, meeting)
            if found:
                warnings.append(f"{PAGE_TITLES[kind]}中还有未填写的内容：{'、'.join(found)}。")
            missing_aspects = notice_rules.missing_year_file(meeting) if BY_KEY[kind].needs_aspects else ""
            return warnings + [missing_aspects] if missing_aspects else warnings
        missing = self.lifecycle(meeting).preparation_open
        warnings = []
        if kind == "report" and rules.cites_readiness(meeting) and missing:
            warnings.append(
                f"报告称“{meeting.readiness.statement.rstrip('。')}”，但准备工作清单中还有 {missing} 项未完成，数据不支持这一表述。"
            )
        elif missing:
            warnings.append(f"准备工作清单中还有 {missing} 项未完成。")
        if kind in ("report", "agenda"):
            warnings += rules.arrangement_gaps(meeting)
        if kind != "checklist":
            found = self._placeholders(kind, meeting)
            if found:
                warnings.append(f"{'报告' if kind == 'report' else '议程'}中还有未填写的内容：{'、'.join(found)}。")
        return warnings

    def home(self, meetings) -> str:
        """The dashboard: the latest year's summary, then the meetings of the most recent years."""
        listed, linked = home_years(meetings, self.home_meetings)
        # Only the years listed here: the others have pages of their own.
        entries = [(meeting, self.checklist(meeting)) for meeting in meetings if meeting.year in listed]
        latest = [(m, c) for m, c in entries if m.year == listed[0]]
        states = [self.lifecycle(m) for m, _ in latest]
        return self._render(
            "home.md.j2",
            entries=entries,
            years=listed,
            linked_years=linked,
            summary=stages.year_summary(states),
            steps=step_summary(latest),
            as_of=self.today,
            prefix="",
        )

    def year_pages(self, meetings, years: set[int] | None = None) -> dict[str, str]:
        """A page for each year the home page does not list (``years/<year>.md``); ``years``: only
        the pages of these years (a warm build renders the years of the meetings it renders)."""
        _, linked = home_years(meetings, self.home_meetings)
        pages = {}
        for year in linked:
            if years is not None and year not in years:
                continue
            entries = [(meeting, self.checklist(meeting)) for meeting in meetings if meeting.year == year]
            summary = stages.year_summary([self.lifecycle(meeting) for meeting, _ in entries])
            pages[f"years/{year}.md"] = self._render(
                "year.md.j2", year=year, entries=entries, years=[year], summary=summary,
                summary_sentence=stages.summary_sentence(summary), as_of=self.today, prefix="../"
            )
        return pages


REPORTED_COUNTS = (("opinions.people", "征求意见人次"), ("opinions.items", "意见建议条数"), ("held.criticisms", "批评意见条数"))
"""The counts the 会议情况报告 prints; a zero among them is not printed but reported as missing."""


def count_text(count) -> str:
    """A count as the 会议情况报告 prints it: as written, but a zero as the placeholder xx (a report
    never says “0条”: the number is missing, and the page says so)."""
    return "xx" if getattr(count, "number", None) == 0 else str(count)


def zero_counts(meeting) -> list[tuple[str, str]]:
    """The counts of REPORTED_COUNTS the meeting gives as 0: (field, what it is)."""
    found = []
    for field, doc in REPORTED_COUNTS:
        section, name = field.split(".")
        record = meeting[section]
        if record is not None and getattr(record[name], "number", None) == 0:
            found.append((field, doc))
    return found


HOME_MEETINGS = 200
"""The home page lists whole years, newest first, while they hold at most this many meetings together
(the latest year always); each older year gets a page of its own. This keeps the home page small
(about 110 KB at 1,000 meetings) and every meeting two clicks away. ``extra: portal_home_meetings`` in
mkdocs.yml sets another limit (the tests use it to have year pages with few meetings)."""


def home_years(meetings, limit: int | None = None) -> tuple[list[int], list[int]]:
    """The years the home page lists and the years it links to their own page, newest first."""
    if limit is None:
        limit = HOME_MEETINGS
    counts: dict[int, int] = {}
    for meeting in meetings:
        counts[meeting.year] = counts.get(meeting.year, 0) + 1
    listed, linked, total = [], [], 0
    for year in sorted(counts, reverse=True):
        total += counts[year]
        (listed if not listed or (total <= limit and not linked) else linked).append(year)
    return listed, linked


def step_summary(entries) -> list[tuple[str, int, int]]:
    """For each preparation step: its title, how many meetings finished it, out of how many."""
    if not entries:
        return []
    first = entries[0][1]
    return [
        (step.title, sum(checklist.steps[index].complete for _, checklist in entries), len(entries))
        for index, step in enumerate(first.steps)
    ]


def previous_title(meeting) -> str:
    """The previous meeting as the report, the agenda and the 会议情况报告 name it: the linked meeting's
    own title (2021年度专题民主生活会), or, with none on file, as the real reports do (2020年民主生活会)."""
    previous = rectification.previous_meeting(meeting)
    if previous is not None:
        return f"{previous.year}{previous.year_style}{previous.kind}"
    return f"{meeting.year - 1}年民主生活会"


def previous_counts(meeting) -> str:
    """“（共8项，已完成4项，推进中3项）” when the group's previous meeting has a rectification list, else nothing."""
    previous = rectification.previous_meeting(meeting)
    if not rectification.has_list(previous):
        return ""
    return f"（{rectification.counts(previous.rectification).summary()}）"


def has_page(kind: str, meeting) -> bool:
    """Whether the meeting has this page (``kinds.PageKind.when``): the 整改清单 once the meeting has a
    rectification list, the 会议情况报告 once it is held … Before that the page is not made at all (no
    empty document) and no page links to it."""
    return BY_KEY[kind].applies(meeting)


def document_kinds(meeting) -> list[str]:
    """The meeting's documents (each printed and copied to Word), in menu order."""
    return [kind.key for kind in documents_of(meeting)]


def page_kinds(meeting) -> tuple[str, ...]:
    """The meeting's pages, in menu order."""
    return tuple(kind.key for kind in kinds_of(meeting))


def page_uris(meeting) -> list[str]:
    """The generated pages of one meeting, as ``meeting_pages`` names them."""
    return [f"meetings/{meeting.id}/{'index' if kind == 'overview' else kind}.md" for kind in page_kinds(meeting)]


def meeting_pages(meetings, renderer: Renderer) -> dict[str, str]:
    """Every generated page: ``meetings/<id>/<kind>.md`` → Markdown (the overview is index.md)."""
    pages: dict[str, str] = {}
    for meeting in meetings:
        for kind in page_kinds(meeting):
            name = "index" if kind == "overview" else kind
            pages[f"meetings/{meeting.id}/{name}.md"] = renderer.page(kind, meeting)
    return pages
