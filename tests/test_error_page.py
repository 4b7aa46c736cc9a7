"""The page `make serve` shows instead of the site while a meeting file has errors."""

from __future__ import annotations

from macros.outputs.error_page import TITLE, error_page, write_error_site
from macros.model.errors import DataError, DataErrors
from tests.support import ROOT, markdown_to_html

ERRORS = DataErrors([
    DataError("data/meetings/a.yml", 20, "group.members[1].post", "必填字段没有填写：职务"),
    DataError("data/meetings/b.yml", 0, "", "文件不是合法的 YAML：<缩进> 有误"),
])


def test_error_page_lists_file_line_field_and_message_escaped():
    page = error_page(ERRORS)
    assert "render_macros: false" in page
    html = markdown_to_html(page)
    assert '<td data-label="文件">data/meetings/a.yml</td><td data-label="行号">20</td><td data-label="字段"><code>group.members[1].post</code></td><td>必填字段没有填写：职务</td>' in html
    assert '<td data-label="文件">data/meetings/b.yml</td><td data-label="行号">—</td><td data-label="字段">—</td><td>文件不是合法的 YAML：&lt;缩进&gt; 有误</td>' in html
    assert "共有 2 处" in html
    quoted = error_page(DataErrors([DataError("data/meetings/a.yml", 20, "group.members[1].post", "必填字段没有填写：职务", "- name: <李红梅>")]))
    assert "<td>必填字段没有填写：职务<br><small>第 20 行写的是：<code>- name: &lt;李红梅&gt;</code></small></td>" in markdown_to_html(quoted)


def test_error_site_puts_the_page_at_every_address(tmp_path):
    write_error_site(ROOT / "docs", tmp_path / "errors", ERRORS, ["2021-x"])
    written = sorted(p.relative_to(tmp_path / "errors").as_posix() for p in (tmp_path / "errors").rglob("*") if p.is_file())
    hand_written = sorted(p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*") if p.is_file())
    # Every page every meeting has (the 整改清单, 会议情况报告 and 意见反馈表 only when there is something to show).
    names = ("agenda", "checklist", "index", "report", "plan", "opinions-form", "talk-records", "self-review", "host-script", "sign-in")
    generated = [f"meetings/2021-x/{name}.md" for name in names]
    assert written == sorted(hand_written + generated)
    assert all(TITLE in (tmp_path / "errors" / uri).read_text(encoding="utf-8") for uri in written if uri.endswith(".md"))
