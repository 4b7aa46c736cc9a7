"""One meeting, one state: meetings generated in every stage of the lifecycle, at build dates before,
on and after the meeting and its deadlines; the home row, the overview, the checklist's lead and
``make status`` say the same word and numbers, every meeting with something overdue is found by the
overdue filter, and the year summaries add up. One small MkDocs build checks the HTML a reader gets."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from pathlib import Path

import pytest

from macros.adapters import cli
from macros.model.meeting import load_meetings
from macros.outputs.portal import Portal
from macros.outputs.render import Renderer
from macros.rules import lifecycle
from tests.support import ROOT, article_of, copy_project, html_text, markdown_to_html, squeeze

BASE = (ROOT / "data" / "meetings" / "2023-county-audit-bureau.yml").read_text(encoding="utf-8")
"""A meeting whose preparation is complete, meeting date 2024-01-10 (deadlines from 2023-12-11 to 2024-01-07)."""
MEETING_DATE = dt.date(2024, 1, 10)

HELD = "held:\n  date: {date}\n"
REPORTED = "  reported_on: {reported}\n"
RECTIFICATION = """\
rectification:
  - problem: 理论学习不够深入
    member: 周明远
    deadline: 2024-03-31
    status: 已完成
    completed_on: 2024-01-30
  - problem: 调查研究不够扎实
    member: 吴秀兰
    deadline: {deadline}
    status: {status}
"""


def meeting_text(number: int, *, year: int = 2023, date: dt.date = MEETING_DATE, open_review: bool = False,
                 held: dt.date | None = None, reported: dt.date | None = None, deadline: str = "",
                 rectified: bool = False, not_applicable: bool = False) -> str:
    """The sample's text as meeting ``number`` of its own group: changed only where a stage needs it."""
    text = BASE.replace("id: 2023-county-audit-bureau", f"id: m{number}")
    text = text.replace("  name: 县审计局党组\n", f"  name: 第{number}测试党组\n", 1).replace("year: 2023", f"year: {year}", 1)
    text = text.replace("arrangement:\n  date: 2024-01-10", f"arrangement:\n  date: {date.isoformat()}")
    if open_review:
        text = text.replace("{member: 吴秀兰, status: 已修改}", "{member: 吴秀兰, status: 书记已审阅}")
    if not_applicable:
        text = text.replace("  warning:\n    kind: 警示教育片\n    title: 警钟长鸣\n    date: 2023-12-08\n", "")
        text = text.replace("等专题开展集中学习研讨，组织观看\n        - fact: study.warning\n", "等专题开展集中学习研讨\n")
        text += "not_applicable:\n  - what: 开展警示教育\n    reason: 上级通知未要求开展警示教育\n"
    if held:
        text += HELD.format(date=held.isoformat())
        if reported:
            text += REPORTED.format(reported=reported.isoformat())
    if deadline:
        text += RECTIFICATION.format(deadline=deadline, status="已完成\n    completed_on: 2024-02-01" if rectified else "推进中")
    return text


# Each meeting of the generated site: what it is, and the stage and overdue mark it must show on 2024-02-01.
BUILD_DATE = dt.date(2024, 2, 1)
SITE = {
    1: (dict(date=dt.date(2024, 2, 4), open_review=True), "preparing", True),  # review was due 2024-01-30
    2: (dict(date=dt.date(2024, 3, 20), open_review=True), "preparing", False),
    3: (dict(date=dt.date(2024, 3, 20), not_applicable=True), "ready", False),
    4: (dict(), "unrecorded", True),
    5: (dict(held=MEETING_DATE), "held", True),  # the 会议情况报告 was due 2024-01-25
    6: (dict(date=dt.date(2024, 1, 25), held=dt.date(2024, 1, 25)), "held", False),
    7: (dict(held=MEETING_DATE, reported=dt.date(2024, 1, 20)), "reported", False),
    8: (dict(held=MEETING_DATE, reported=dt.date(2024, 1, 20), deadline="2024-06-30"), "rectifying", False),
    9: (dict(held=MEETING_DATE, reported=dt.date(2024, 1, 20), deadline="2024-01-31"), "rectifying", True),
    10: (dict(held=MEETING_DATE, reported=dt.date(2024, 1, 20), deadline="2024-01-31", rectified=True), "rectified", False),
    11: (dict(year=2022, held=MEETING_DATE, reported=dt.date(2024, 1, 20), deadline="2024-01-31"), "rectifying", True),
}


def write_meetings(folder: Path, meetings: dict[int, dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number, options in meetings.items():
        (folder / f"m{number}.yml").write_text(meeting_text(number, **options), encoding="utf-8")


def status_lines(root: Path, today: dt.date, monkeypatch) -> dict[str, str]:
    """``make status``'s first line of each meeting, by id."""
    monkeypatch.setenv("PORTAL_TODAY", today.isoformat())
    out = io.StringIO()
    assert cli.status(root=root, out=out) == 0
    return {found.group(1): found.group(0) for found in re.finditer(r"^\S+（(m\d+)）：.*$", out.getvalue(), re.M)}


def home_rows(home_markdown: str) -> dict[str, str]:
    return {found.group(1): found.group(0) for found in re.finditer(r"^\| \[[^]]+\]\((?:\.\./)?meetings/(m\d+)/index\.md.*$", home_markdown, re.M)}


# Every stage at build dates before, on and after the meeting date and its deadlines.
DATES = {
    "before every deadline": dt.date(2023, 11, 1),
    "after the review deadline": dt.date(2024, 1, 6),
    "on the meeting date": MEETING_DATE,
    "the day after": dt.date(2024, 1, 11),
    "after the report was due": dt.date(2024, 1, 26),
    "after the rectification deadline": dt.date(2024, 4, 1),
}
MATRIX = {
    # meeting: options, and per date (in the order of DATES) the stage and whether anything is overdue
    1: (dict(open_review=True), [("preparing", False), ("preparing", True), ("preparing", True),
                                 ("unrecorded", True), ("unrecorded", True), ("unrecorded", True)]),
    2: (dict(), [("ready", False), ("ready", False), ("ready", False), ("unrecorded", True), ("unrecorded", True), ("unrecorded", True)]),
    3: (dict(held=MEETING_DATE), [None, None, ("held", False), ("held", False), ("held", True), ("held", True)]),
    4: (dict(held=MEETING_DATE, reported=dt.date(2024, 1, 10)), [None, None, ("reported", False), ("reported", False), ("reported", False), ("reported", False)]),
    5: (dict(held=MEETING_DATE, reported=dt.date(2024, 1, 10), deadline="2024-03-31"),
        [None, None, ("rectifying", False), ("rectifying", False), ("rectifying", False), ("rectifying", True)]),
    6: (dict(held=MEETING_DATE, reported=dt.date(2024, 1, 10), deadline="2024-03-31", rectified=True),
        [None, None, ("rectified", False), ("rectified", False), ("rectified", False), ("rectified", False)]),
}


@pytest.mark.parametrize("when", list(DATES))
def test_every_view_says_the_same_state_at_every_build_date(when, tmp_path, monkeypatch):
    today = DATES[when]
    index = list(DATES).index(when)
    meetings = {number: options for number, (options, expected) in MATRIX.items() if expected[index]}
    write_meetings(tmp_path / "data" / "meetings", meetings)
    loaded = load_meetings(tmp_path / "data" / "meetings", tmp_path)
    renderer = Renderer(today=today)
    home = renderer.home(loaded)
    rows = home_rows(home)
    statuses = status_lines(tmp_path, today, monkeypatch)
    states = []
    for meeting in loaded:
        state = renderer.lifecycle(meeting)
        states.append(state)
        number = int(meeting.id[1:])
        assert (state.stage, state.overdue) == MATRIX[number][1][index], (meeting.id, when)
        row = rows[meeting.id]
        assert f'data-stage="{state.stage}"' in row and f">{state.label}</span>" in row
        assert ('data-overdue="true"' in row) == state.overdue, (meeting.id, when)
        assert f"当前状态：**截至{cn(today)}，{state.label}" in renderer.page("overview", meeting)
        assert f"截至{cn(today)}，{state.label}" in renderer.page("checklist", meeting).split("## 各环节完成情况")[0]
        assert statuses[meeting.id].endswith(f"：{state.label}{'；有逾期事项' if state.overdue else ''}（截至{cn(today)}）")
        # The draft mark follows the same computation: open preparation before the meeting is held.
        assert renderer.is_draft(meeting) == bool(state.preparation_open), (meeting.id, when)
    summary = lifecycle.year_summary(states)
    assert sum(count for _, _, count in summary["stages"]) == summary["groups"] == len(loaded)
    figures = squeeze(html_text(markdown_to_html(home.split("</section>")[0])))
    for _, word, count in summary["stages"]:
        assert (f"{count}个{word}" in figures) == bool(count), (word, figures)
    assert f"{summary['overdue']}个有逾期事项" in figures


def cn(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def test_a_step_or_item_that_does_not_apply_counts_neither_way(tmp_path):
    renderer = Renderer(today=BUILD_DATE)
    write_meetings(tmp_path / "data" / "meetings", {3: SITE[3][0]})
    meeting = load_meetings(tmp_path / "data" / "meetings", tmp_path)[0]
    checklist = renderer.checklist(meeting)
    study = checklist.steps[0]
    warning = next(item for item in study.items if item.label == "开展警示教育")
    assert not warning.applicable and not warning.done and warning.status == "不适用"
    assert study.complete and study.total == len(study.items) - 1 and checklist.ready
    page = renderer.page("checklist", meeting)
    assert "| 开展警示教育 | 不适用 | 不适用：上级通知未要求开展警示教育 |" in page
    assert "另有 1 项不适用" in page


def test_after_the_meeting_the_preparation_is_a_closed_record(tmp_path):
    write_meetings(tmp_path / "data" / "meetings", {1: dict(open_review=True, held=MEETING_DATE)})
    meeting = load_meetings(tmp_path / "data" / "meetings", tmp_path)[0]
    renderer = Renderer(today=dt.date(2024, 1, 11))
    checklist = renderer.checklist(meeting)
    assert checklist.closed and not checklist.next_steps and checklist.open_count == 1
    page = renderer.page("checklist", meeting)
    assert "| 吴秀兰个人材料经书记审阅后修改完善 | 会前未完成 | 目前：书记已审阅 |" in page
    assert "逾期" not in page.split("## 各环节完成情况")[1].split("会后工作")[0]
    assert 'class="portal-next-steps"' not in page
    # The agenda shows what was recorded: the date held and who attended.
    agenda = renderer.page("agenda", meeting)
    assert "时间：2024年1月10日上午9:00" in agenda and "出席情况：党组成员应到3人，实到3人" in agenda
    assert not renderer.is_draft(meeting)


def test_no_talk_recorded_is_missing_on_the_meeting_report_not_zero(tmp_path):
    text = meeting_text(1, held=MEETING_DATE)
    # The talks' records (an entry may run over several lines), not the opinions' records before them.
    text = re.sub(r"(\ntalks:\n(?:  (?!records:).*\n)*)  records:\n(?:    .*\n)+", r"\1", text)
    text = text.replace("  forms: [一对一]\n", "  forms: [一对一]\n  records: []\n")
    (tmp_path / "data" / "meetings").mkdir(parents=True)
    (tmp_path / "data" / "meetings" / "m1.yml").write_text(text, encoding="utf-8")
    meeting = load_meetings(tmp_path / "data" / "meetings", tmp_path)[0]
    renderer = Renderer(today=dt.date(2024, 1, 11))
    page = renderer.page("meeting-report", meeting)
    assert "谈心谈话0人次" not in page and "开展谈心谈话xx人次" in page
    assert "没有谈心谈话记录" in page and renderer.after_draft("meeting-report", meeting)


@pytest.mark.parametrize("prose", ["GB/T 9704-2012", "x月x日", "xx余人次", "2021年", "用PPT展示", "xjp", "App和QQ群", "第x页"])
def test_ordinary_ascii_in_prose_is_no_typo(prose):
    from macros.model.meeting import _check_prose
    from macros.model.schema import Context

    ctx = Context("t.yml")
    _check_prose(f"会上{prose}等内容。", 1, ctx, "p")
    assert ctx.errors == []


@pytest.mark.parametrize("prose", ["分别到opinions.places等乡镇", "fact：opinions.places", "point：深入学习", "共有member_title三名"])
def test_field_names_in_prose_are_typos(prose):
    from macros.model.meeting import _check_prose
    from macros.model.schema import Context

    ctx = Context("t.yml")
    _check_prose(prose, 1, ctx, "p")
    assert len(ctx.errors) == 1


def test_a_second_meeting_of_the_year_is_accepted_when_it_names_the_first(tmp_path):
    folder = tmp_path / "data" / "meetings"
    write_meetings(folder, {1: dict()})
    (folder / "m2.yml").write_text(meeting_text(1).replace("id: m1", "id: m2").replace("\nyear: 2023", "\nprevious: m1\nyear: 2023"), encoding="utf-8")
    loaded = {m.id: m for m in load_meetings(folder, tmp_path)}
    from macros.model.rectification import previous_meeting

    assert previous_meeting(loaded["m2"]) is loaded["m1"]


@pytest.fixture(scope="module")
def generated_site(tmp_path_factory):
    import subprocess

    from macros.adapters import runner

    project = copy_project(tmp_path_factory.mktemp("lifecycle"))
    shutil.rmtree(project / "data" / "meetings")
    write_meetings(project / "data" / "meetings", {number: options for number, (options, _, _) in SITE.items()})
    site = project / "site"
    # Ten meetings of 2023 on the home page; 2022 gets a year page of its own.
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "  portal_home_meetings: 10\n", encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "PORTAL_TODAY": BUILD_DATE.isoformat(), "PORTAL_SEARCH": "off"}
    result = subprocess.run(runner.build_command(project / "mkdocs.yml", site), cwd=project, capture_output=True, text=True,
                            env=runner.environment(env))
    assert result.returncode == 0, result.stderr
    return project, site


def test_the_built_site_says_the_same_state_everywhere(generated_site, monkeypatch):
    project, site = generated_site
    portal = Portal.load(project, today=BUILD_DATE, home_meetings=10)
    statuses = status_lines(project, BUILD_DATE, monkeypatch)
    home = article_of(site / "index.html")
    year_page = article_of(site / "years" / "2022" / "index.html")
    overdue_in_filter = set()
    for meeting in portal.meetings:
        state = portal.renderer.lifecycle(meeting)
        number = int(meeting.id[1:])
        assert (state.stage, state.overdue) == SITE[number][1:], meeting.id
        listing = year_page if meeting.year == 2022 else home
        row = re.search(rf'<tr>(?:(?!</tr>).)*href="[./]*meetings/{meeting.id}/".*?</tr>', listing, re.S).group(0)
        assert f'data-stage="{state.stage}"' in row and squeeze(state.label) in squeeze(html_text(row))
        if 'data-overdue="true"' in row:
            overdue_in_filter.add(meeting.id)
        overview = html_text(article_of(site / "meetings" / meeting.id / "index.html"))
        assert squeeze(f"当前状态：截至{cn(BUILD_DATE)}，{state.label}") in squeeze(overview)
        checklist = html_text(article_of(site / "meetings" / meeting.id / "checklist" / "index.html"))
        assert squeeze(f"截至{cn(BUILD_DATE)}，{state.label}") in squeeze(checklist.split("各环节完成情况")[0])
        assert statuses[meeting.id].endswith(f"：{state.label}{'；有逾期事项' if state.overdue else ''}（截至{cn(BUILD_DATE)}）")
    assert overdue_in_filter == {f"m{number}" for number, (_, _, overdue) in SITE.items() if overdue}
    # The latest year's figures and the other year's sentence add up over all stages.
    figures = squeeze(html_text(home.split("</section>")[0]))
    latest = [m for m in portal.meetings if m.year == 2023]
    assert f"{len(latest)}个班子" in figures
    counts = {}
    for meeting in latest:
        counts[portal.renderer.lifecycle(meeting).stage] = counts.get(portal.renderer.lifecycle(meeting).stage, 0) + 1
    shown = {word: int(number) for number, word in re.findall(r"(\d+)个(" + "|".join(lifecycle.STAGES.values()) + ")", figures)}
    assert shown == {lifecycle.STAGES[stage]: count for stage, count in counts.items()}
    assert sum(shown.values()) == len(latest)
    assert squeeze("共 1 个班子：整改中 1 个；其中 1 个有逾期事项。") in squeeze(html_text(year_page))


def test_a_zero_count_on_the_meeting_report_is_missing_not_printed(tmp_path):
    text = meeting_text(1, held=MEETING_DATE).replace("  people: 48\n", "  people: 0\n") + "  criticisms: 0\n"
    (tmp_path / "data" / "meetings").mkdir(parents=True)
    (tmp_path / "data" / "meetings" / "m1.yml").write_text(text.replace("        - fact: opinions.people\n        - 人次，", "        - 人次，"), encoding="utf-8")
    meeting = load_meetings(tmp_path / "data" / "meetings", tmp_path)[0]
    renderer = Renderer(today=dt.date(2024, 1, 11))
    page = renderer.page("meeting-report", meeting)
    assert "0人次" not in page and "0条" not in page
    assert "累计征求意见xx人次" in page and "共提出批评意见xx条" in page
    assert "征求意见人次（opinions.people）填的是 0" in page and "批评意见条数（held.criticisms）填的是 0" in page
    assert renderer.after_draft("meeting-report", meeting)
