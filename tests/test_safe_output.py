"""Hostile values render as plain text: no markup, no Jinja evaluated, no YAML 1.1 guessing."""

from __future__ import annotations

import textwrap

import pytest

from tests.support import article_of, block_text, copy_project, html_text, squeeze
from tests.test_site_build import mkdocs_build

HOSTILE = textwrap.dedent(
    """\
    id: 2022-hostile
    year: 2022
    theme: 2021-12-20
    group:
      name: 县<b>财政</b>局党组<script>alert(1)</script>
      short_name: 党组班子
      member_title: 党组成员
      members:
        - name: 甲
          post: yes
          role: no
          units: [办公室]
          branch: 机关党支部
    arrangement:
      date: 2023-01-12
      time: 14:30
      place: on
    report:
      opening: "{{ config }}{{ 7*7 }}{% if true %}求值了{% endif %}"
      sections:
        - step: study
          heading: "# 不是标题"
          text: |
            1. 不是列表 [不是链接](http://example.com) | 不是表格 | **不加粗** <img src=x onerror=alert(2)>
    """
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("hostile"))
    marker = "\ufeff"  # saved by an editor that adds a byte-order mark
    (project / "data" / "meetings" / "2022-hostile.yml").write_text(marker + HOSTILE, encoding="utf-8")
    result = mkdocs_build(project, project / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    return project / "site"


def report(site) -> str:
    return (site / "meetings" / "2022-hostile" / "report" / "index.html").read_text(encoding="utf-8")


def test_html_in_values_is_escaped_everywhere(site):
    for page in ("index.html", "meetings/2022-hostile/index.html", "meetings/2022-hostile/report/index.html",
                 "meetings/2022-hostile/agenda/index.html", "meetings/2022-hostile/checklist/index.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert "<b>财政</b>" not in html and "<script>alert(1)" not in html, page
        assert "onerror=alert(2)" not in html.replace("&lt;img src=x onerror=alert(2)&gt;", ""), page
    assert "县<b>财政</b>局党组<script>alert(1)</script>" in html_text(article_of(site / "index.html"))


def test_jinja_in_values_is_never_evaluated(site):
    text = block_text(report(site), "portal-document")
    assert "{{ config }}{{ 7*7 }}{% if true %}求值了{% endif %}" in text
    assert "49" not in text


def test_markdown_in_plain_text_cannot_change_the_page(site):
    html = report(site)
    document = html[html.index("portal-document"):]
    assert 'href="http://example.com"' not in html
    assert "<strong>不加粗</strong>" not in document
    assert "<ol>" not in document and "<table>" not in document
    assert "一、# 不是标题" in html_text(document)
    assert "1. 不是列表 [不是链接](http://example.com) | 不是表格 | **不加粗**" in html_text(document)


def test_values_are_typed_by_the_field_not_by_yaml_guessing(site):
    overview = html_text(article_of(site / "meetings" / "2022-hostile" / "index.html"))
    assert "主题：2021-12-20" in overview
    assert "1甲yesno办公室机关党支部" in squeeze(overview)
    agenda = html_text(article_of(site / "meetings" / "2022-hostile" / "agenda" / "index.html"))
    assert "时间：2023年1月12日14:30" in agenda
    assert "地点：on" in agenda
