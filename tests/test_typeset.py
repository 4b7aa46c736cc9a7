"""What pages get before publishing so that lines break alike on screen, on paper and in Word; and the
notes to staff that only the screen shows."""

from __future__ import annotations

import datetime as dt

from macros.outputs.docx_export import _page_html, report_blocks
from macros.outputs.render import Renderer
from macros.outputs.search import page_text
from macros.outputs.typeset import download_name, keep_together, name_downloads, unbreakable
from tests.support import load

NOBR = '<span class="portal-nobr">'


def test_names_dates_and_short_labels_in_cells_are_kept_whole():
    html = keep_together(
        "<table><tr><th>责任人</th><th>完成时限</th></tr>"
        "<tr><td>王建国</td><td>2022年10月31日</td><td><strong>未谈</strong><br>2023年1月2日</td>"
        "<td>理论学习的系统性不够，以学促干的成效不够明显，专题研讨形式单一，对照检查不够深入，2022年6月30日前完成</td></tr></table>"
    )
    for whole in ("责任人", "完成时限", "王建国", "2022年10月31日", "2023年1月2日", "2022年6月30日"):
        assert f"{NOBR}{whole}</span>" in html, whole
    assert f"{NOBR}理论学习" not in html  # a long cell wraps freely but for its dates
    sentence = keep_together("<table><tr><td>联系服务基层不够经常，调查研究不够深入。</td></tr></table>")
    assert NOBR not in sentence  # a sentence, however short, wraps as prose
    assert unbreakable("经济责任审计科：已谈2023年12月18日") == ["2023年12月18日", "经济责任审计科"]


def test_a_headings_last_two_characters_are_joined():
    html = keep_together('<h2 id="x">第三项议程：县委第二督导组讲话</h2><p>讲话</p><h3>（一）</h3>')
    assert html.startswith(f'<h2 id="x">第三项议程：县委第二督导组{NOBR}讲话</span></h2><p>讲话</p>')
    assert html.endswith(f"<h3>（{NOBR}一）</span></h3>")


def test_word_links_are_saved_under_their_chinese_title():
    names = {"2022-a-report.docx": download_name("县发展和改革局党组2022年度民主生活会准备工作情况报告")}
    html = name_downloads('<a href="../2022-a-report.docx">下载</a> <a href="other.docx">x</a>', names)
    assert html == ('<a href="../2022-a-report.docx" download="县发展和改革局党组2022年度民主生活会准备工作情况报告.docx">下载</a>'
                    ' <a href="other.docx">x</a>')
    assert download_name('甲/乙:"丙"') == "甲乙丙.docx"


def test_an_expired_meetings_instruction_shows_on_screen_only():
    meeting = load()["2023-county-audit-bureau"]
    page = Renderer(today=dt.date(2024, 3, 1)).page("checklist", meeting)
    html = _page_html(page)
    assert "请按" in html and '<span class="portal-screen-only">' in html
    on_paper = "".join(text for _, text in report_blocks(page))
    assert "会议定于2024年1月10日召开。" in on_paper
    for word in ("请按", "使用说明", "会议文件", "请在"):
        assert word not in on_paper and word not in page_text(html), word
