"""The home page as a dashboard: which years it lists, what each row says, and the year pages."""

from __future__ import annotations

from types import SimpleNamespace

from macros.outputs import render
from tests.support import load, markdown_to_html, html_text, renderer, squeeze


def years(*counts_by_year):
    return [SimpleNamespace(year=year) for year, count in counts_by_year for _ in range(count)]


def test_home_lists_whole_years_newest_first_up_to_the_limit():
    assert render.home_years(years((2024, 150), (2023, 40), (2022, 30)), limit=200) == ([2024, 2023], [2022])
    assert render.home_years(years((2024, 250), (2023, 10)), limit=200) == ([2024], [2023])
    assert render.home_years(years((2022, 1), (2021, 2)), limit=200) == ([2022, 2021], [])
    assert render.home_years([], limit=200) == ([], [])


def test_home_rows_say_date_status_and_next_step():
    meetings = list(load().values())
    home = renderer().home(meetings)
    text = squeeze(html_text(markdown_to_html(home)))
    assert "截至2023年1月3日" in text
    assert squeeze("县发展和改革局党组 2023年1月12日 还有 9 天 准备中（尚缺 8 项，其中 3 项已逾期） 谈心谈话 2023年1月2日（已逾期）") in text
    assert squeeze("县政府办党组 待定 准备中（尚缺 11 项） 学习研讨 期限待定") in text
    assert "data/meetings" not in home
    assert "portal-filter__year" in home
    assert renderer().year_pages(meetings) == {}


def test_older_years_get_their_own_page(monkeypatch):
    monkeypatch.setattr(render, "HOME_MEETINGS", 1)
    meetings = [m for m in load().values() if m.year <= 2022]
    home = renderer().home(meetings)
    assert "县发展和改革局党组" in home and "县政府办党组" not in home
    assert "其他年度：[2021年](years/2021.md)" in home.split("portal-filter")[0]
    pages = renderer().year_pages(meetings)
    assert list(pages) == ["years/2021.md"]
    page = pages["years/2021.md"]
    assert "(../meetings/2021-county-gov-office/checklist.md#next-steps)" in page
    assert "县委常委" in page and "2022-county-development-reform-bureau" not in page
    assert "portal-filter__year" not in page


def test_the_summary_counts_the_latest_year():
    meetings = [m for m in load().values() if m.year <= 2022]
    home = renderer().home(meetings)
    summary = home.split("</section>")[0]
    assert "2022年准备情况" in summary
    assert "<strong>1</strong> 个班子" in summary and "<strong>1</strong> 个准备中" in summary and "<strong>1</strong> 个有逾期事项" in summary
    assert "已就绪" not in summary  # only the stages that have meetings, so that the figures add up
    assert 'aria-label="0 / 1"><span style="width: 0%">' in summary  # 谈心谈话 not finished
