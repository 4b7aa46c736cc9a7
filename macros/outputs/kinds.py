"""The meeting's page kinds in one table: what each is called, which template makes it, when a meeting
has it, and whether it is a document (printed in the official layout, copied to Word, marked as a draft).

Every path that lists a meeting's pages reads this table: the pages made (``render.meeting_pages``),
the Word copies (``mkdocs_hooks``), the PDFs (``make pdf``), the meeting's menu and the crumbs above
each page, the overview's list of documents and the search label. A new kind is one row here, one
template ``<key>.md.j2`` and, where it depends on data, one rule for ``when``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from macros.model import rectification

@dataclass(frozen=True)
class PageKind:
    """One kind of page a meeting may have (``meetings/<id>/<key>/``)."""

    key: str
    title: str
    """The page's name in the menu, the crumbs and the overview (准备工作情况报告, 会议方案 …)."""
    summary: str = ""
    """What the overview says of it when the template gives nothing more particular."""
    document: bool = True
    """Printed in the official layout, with a Word copy and the draft mark rules."""
    draft: str = "own"
    """When a document prints as a draft: ``preparation`` while the preparation is unfinished (the
    readiness report, agenda and checklist); ``own`` while its own text leaves something to fill in
    (x, 待定, 【待补】)."""
    to_superior: bool = False
    """Sent to the superior: its screen warning reads 尚不能上报 rather than 尚未定稿."""
    search_label: str = "其他"
    """The kind of page as search results and their filter name it (one label a kind: a query naming
    the kind lists its pages first)."""
    when: Callable[[object], bool] | None = None
    """Whether a meeting has this page (None: every meeting has it)."""
    needs_aspects: bool = False
    """Organised under the year's aspects: without them its screen warning names the year file to add."""

    @property
    def template(self) -> str:
        return f"{self.key}.md.j2"

    @property
    def page(self) -> str:
        """The page's source beside the meeting's others: index.md for the overview, else <key>.md."""
        return "index.md" if self.key == "overview" else f"{self.key}.md"

    def applies(self, meeting) -> bool:
        return self.when is None or bool(self.when(meeting))


def _has_opinion_records(meeting) -> bool:
    return bool(meeting.opinions.records)


KINDS: tuple[PageKind, ...] = (
    PageKind("overview", "概况", document=False, search_label="概况"),
    PageKind("report", "准备工作情况报告", draft="preparation", to_superior=True, search_label="报告"),
    PageKind("agenda", "会议议程", "第二项议程按排序逐人展开", draft="preparation", search_label="议程"),
    PageKind("checklist", "准备工作清单", "各环节完成情况和尚缺事项", draft="preparation", search_label="清单"),
    PageKind("plan", "会议方案", "会议主题、参会人员、会前准备和时间安排、议程、会后工作", search_label="会议方案"),
    PageKind("opinions-form", "征求意见函和征求意见表", "征求意见函和按年度方面列出的空白征求意见表", needs_aspects=True, search_label="征求意见函"),
    PageKind("feedback", "意见反馈表", "征求到的意见建议，按班子和班子成员分列", search_label="意见反馈", when=_has_opinion_records),
    PageKind("talk-records", "谈心谈话记录表", "每次必谈一张记录表，已谈的填入记录", search_label="谈心谈话记录"),
    PageKind("self-review", "对照检查材料提纲", "班子对照检查材料和每位班子成员的发言提纲，按年度方面分列", needs_aspects=True, search_label="对照检查材料"),
    PageKind("host-script", "主持词", "按会议进程写出的主持词，第二项议程按排序逐人展开", search_label="主持词"),
    PageKind("sign-in", "签到表和会议记录封面", "出席、列席、督导人员签到表和会议记录封面", search_label="签到表"),
    PageKind("rectification", "整改清单", search_label="整改清单", when=rectification.has_list),
    PageKind("meeting-report", "会议情况报告", to_superior=True, search_label="会议情况报告", when=rectification.is_held),
)
"""Every page kind, in the order of the menu and the overview."""

BY_KEY = {kind.key: kind for kind in KINDS}


def kind(key: str) -> PageKind:
    return BY_KEY[key]


def kinds_of(meeting) -> list[PageKind]:
    """The pages this meeting has, in menu order."""
    return [kind for kind in KINDS if kind.applies(meeting)]


def documents_of(meeting) -> list[PageKind]:
    """The documents this meeting has (each printed and copied to Word), in menu order."""
    return [kind for kind in kinds_of(meeting) if kind.document]


def search_label(key: str) -> str:
    """The search label of a page kind; a page of no meeting (home, guide) is 其他."""
    found = BY_KEY.get(key)
    return found.search_label if found else "其他"
