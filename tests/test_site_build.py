"""End to end: build the portal with MkDocs into a temporary folder and read the HTML a reader gets."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from macros.adapters import cli, runner
from tests.support import ROOT, START_METHOD, copy_project, document_text, html_text, squeeze

SEED_A = ROOT / "tests" / "golden" / "seeds" / "report-a-county-gov-office-2021.txt"


def mkdocs_build(project: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        runner.build_command(project / "mkdocs.yml", site),
        cwd=project, capture_output=True, text=True, env=runner.environment({"PATH": "/usr/bin:/bin", "PORTAL_TODAY": "2023-01-03", **START_METHOD}),
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("project"))
    site = project / "site"
    result = mkdocs_build(project, site)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    return site


def article(path: Path) -> str:
    return re.search(r"<article.*?</article>", path.read_text(encoding="utf-8"), re.S).group(0)


def links(path: Path) -> set[str]:
    return set(re.findall(r'href="([^"#]+)"', article(path)))


def test_every_meeting_file_has_its_pages(built):
    for data in (ROOT / "data" / "meetings").glob("*.yml"):
        for page in ("index.html", "report/index.html", "agenda/index.html", "checklist/index.html"):
            assert (built / "meetings" / data.stem / page).is_file(), f"{data.stem}/{page}"


def test_each_page_is_two_clicks_from_home(built):
    home = links(built / "index.html")
    for data in (ROOT / "data" / "meetings").glob("*.yml"):
        overview = f"meetings/{data.stem}/"
        assert overview in home
        reachable = {overview + link for link in links(built / overview / "index.html")}
        for kind in ("report", "agenda", "checklist"):
            assert f"{overview}{kind}/" in reachable | home


def test_built_report_reads_as_the_seed(built):
    page = (built / "meetings" / "2021-county-gov-office" / "report" / "index.html").read_text(encoding="utf-8")
    text = document_text(page).replace("¶", "")
    assert squeeze(text) == squeeze(SEED_A.read_text(encoding="utf-8"))


def test_chinese_headings_get_readable_anchors(built):
    page = (built / "meetings" / "2021-county-gov-office" / "report" / "index.html").read_text(encoding="utf-8")
    assert 'id="一深学领域打牢基础"' in page
    assert 'id="_1"' not in page


def test_home_lists_meetings_by_year_and_group(built):
    text = html_text(article(built / "index.html"))
    assert text.index("2022年") < text.index("2021年")
    for group in ("县发展和改革局党组", "县政府办党组", "县委常委"):
        assert group in text
    assert "data/meetings" not in text
    row = re.search(r"<tr>(?:(?!</tr>).)*县发展和改革局党组.*?</tr>", article(built / "index.html"), re.S).group(0)
    assert squeeze(html_text(row)) == squeeze(
        "县发展和改革局党组 2023年1月12日 还有 9 天 准备中（尚缺 8 项，其中 3 项已逾期） 谈心谈话 2023年1月2日（已逾期） 报告 · 议程 · 清单 上年度整改未完成 3 项"
    )


def test_new_meeting_file_adds_its_pages(tmp_path):
    project = copy_project(tmp_path / "project")
    source = (project / "data" / "meetings" / "2022-county-development-reform-bureau.yml").read_text(encoding="utf-8")
    new = source.replace("id: 2022-county-development-reform-bureau", "id: 2023-county-development-reform-bureau")
    new = new.replace("year: 2022", "year: 2023", 1)
    (project / "data" / "meetings" / "2023-county-development-reform-bureau.yml").write_text(new, encoding="utf-8")
    (project / "data" / "meetings" / "2021-county-gov-office.yml").unlink()
    result = mkdocs_build(project, project / "site")
    assert result.returncode == 0, result.stderr
    assert (project / "site" / "meetings" / "2023-county-development-reform-bureau" / "report" / "index.html").is_file()
    assert not (project / "site" / "meetings" / "2021-county-gov-office").exists()
    assert "meetings/2023-county-development-reform-bureau/" in links(project / "site" / "index.html")


def test_data_error_fails_the_build_naming_file_line_and_field(tmp_path):
    project = copy_project(tmp_path / "project")
    path = project / "data" / "meetings" / "2022-county-development-reform-bureau.yml"
    text = path.read_text(encoding="utf-8").replace("    - name: 李红梅\n      post: 副局长\n", "    - name: 李红梅\n")
    path.write_text(text, encoding="utf-8")
    result = mkdocs_build(project, project / "site")
    assert result.returncode != 0
    assert "data/meetings/2022-county-development-reform-bureau.yml:20: group.members[1].post: 必填字段没有填写" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_failed_build_keeps_the_previous_site(tmp_path):
    project = copy_project(tmp_path / "project")
    site = project / "site"
    assert cli.build(project, site) == 0
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    (project / "data" / "meetings" / "2021-county-gov-office.yml").write_text("id: [broken\n", encoding="utf-8")
    assert cli.build(project, site) != 0
    after = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before
    assert not (project / "site.new").exists()


def test_undefined_variable_in_a_page_fails_the_build(tmp_path):
    project = copy_project(tmp_path / "project")
    guide = project / "docs" / "guide.md"
    guide.write_text(guide.read_text(encoding="utf-8") + "\n{{ no_such_variable }}\n", encoding="utf-8")
    result = mkdocs_build(project, project / "site")
    assert result.returncode != 0
    assert "no_such_variable" in result.stdout + result.stderr


def test_publishing_ignores_preview_settings(tmp_path, monkeypatch):
    project = copy_project(tmp_path / "project")
    monkeypatch.setenv("PORTAL_ONLY", "2021-county-gov-office")
    monkeypatch.setenv("PORTAL_SEARCH", "off")
    assert cli.build(project, project / "site") == 0
    for data in (ROOT / "data" / "meetings").glob("*.yml"):
        assert (project / "site" / "meetings" / data.stem / "report" / "index.html").is_file()
    assert (project / "site" / "pagefind" / "shards.json").is_file()


def test_pages_carry_no_search_tokens(built):
    """Search terms go to the index, never into a page a reader, a copy or a screen reader gets."""
    pages = [path for path in built.rglob("*.html") if "pagefind" not in path.parts]
    assert pages
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert not re.search(r"\bc[0-9a-f]{10}\b", html), path
        assert "portal-terms" not in html, path
    assert (built / "pagefind" / "shards.json").is_file()
