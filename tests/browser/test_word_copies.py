"""Every Word copy of the sample site as Word and WPS read it: fonts named without theme fonts, Chinese as
the East Asian language, the file's properties from the document, a Chinese name to save it under, tables
whose names and dates fit their columns; and one copy opened by LibreOffice keeps a Chinese face for its title.

Uses the built site (``served_site``) only: no browser is started here.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile

import pytest
from pypdf import PdfReader

from macros.model.meeting import load_meetings
from macros.outputs.render import document_kinds, ems, page_title, word_file_name
from macros.outputs.typeset import unbreakable

THEME_ATTRIBUTES = ("asciiTheme", "eastAsiaTheme", "hAnsiTheme", "cstheme")
OFFICIAL_FONTS = {"仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体", "Times New Roman"}
# Faces a renderer falls back to that are not Chinese: Latin-only faces and Japanese ones.
TIMES = re.compile(r"Times|NimbusRom|Liberation-?Serif|Tinos", re.I)
NOT_CHINESE = re.compile(r"DejaVu|Liberation|Nimbus|FreeSerif|FreeSans|Times|Arial|Cambria|Calibri|IPA|Takao|VL-?Gothic|Mincho|MS-?Gothic|MSGothic", re.I)


@pytest.fixture(scope="module")
def copies(served_site):
    """{(meeting, kind): (the parts of the Word copy by name, the meeting)} for every document."""
    _, site = served_site
    project = site.parent.parent
    found = {}
    for meeting in load_meetings(project / "data" / "meetings", project):
        for kind in document_kinds(meeting):
            with zipfile.ZipFile(site / "meetings" / meeting.id / word_file_name(meeting.id, kind)) as word:
                parts = {name: word.read(name).decode("utf-8") for name in word.namelist() if name.endswith(".xml")}
            found[(meeting.id, kind)] = (parts, meeting)
    assert len(found) >= 17
    return found


def test_no_font_is_a_theme_font(copies):
    for key, (parts, _) in copies.items():
        for name in ("word/styles.xml", "word/stylesWithEffects.xml", "word/document.xml"):
            fonts = re.findall(r"<w:rFonts\b[^>]*>", parts.get(name, ""))
            assert fonts or name == "word/document.xml", (key, name)
            for element in fonts:
                assert not any(f"w:{attribute}=" in element for attribute in THEME_ATTRIBUTES), (key, name, element)
                if name == "word/document.xml":
                    named = set(re.findall(r'w:(?:ascii|eastAsia|hAnsi|cs)="([^"]*)"', element))
                    assert named <= OFFICIAL_FONTS, (key, element)
        for style in ("Normal", "Title", "Heading1", "Heading2"):
            element = re.search(rf'w:styleId="{style}".*?</w:style>', parts["word/styles.xml"], re.S).group()
            fonts = re.search(r"<w:rFonts\b[^>]*>", element).group()
            assert set(re.findall(r'w:(?:ascii|eastAsia|hAnsi|cs)="([^"]*)"', fonts)) <= OFFICIAL_FONTS, (key, style, fonts)
            assert 'w:eastAsia="' in fonts, (key, style)
        defaults = re.search(r"<w:rPrDefault>.*?</w:rPrDefault>", parts["word/styles.xml"], re.S).group()
        assert 'w:eastAsia="仿宋_GB2312"' in defaults and 'w:ascii="Times New Roman"' in defaults, key
        table = parts["word/fontTable.xml"]
        assert "明朝" not in table and "ゴシック" not in table and 'w:name="方正小标宋简体"' in table, key


def test_east_asian_language_is_chinese(copies):
    for key, (parts, _) in copies.items():
        languages = re.findall(r'<w:(?:lang|themeFontLang)\b[^>]*w:eastAsia="([^"]*)"', parts["word/styles.xml"] + parts["word/settings.xml"])
        assert languages and set(languages) == {"zh-CN"}, (key, languages)


def test_file_properties_name_the_document_its_issuer_and_the_build_date(copies):
    for key, (parts, meeting) in copies.items():
        core = parts["docProps/core.xml"]
        title = re.search(r"<dc:title>(.*?)</dc:title>", core).group(1)
        printed = re.search(r'<w:pStyle w:val="Title"/>.*?</w:p>', parts["word/document.xml"], re.S).group()
        assert title and title == "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", printed)), key
        assert re.search(r"<dc:creator>(.*?)</dc:creator>", core).group(1) == (meeting.report.issuer or meeting.group.name), key
        assert '<dcterms:created xsi:type="dcterms:W3CDTF">2023-01-03T00:00:00Z</dcterms:created>' in core, key
        assert "2013" not in core, key


def test_links_save_the_word_copy_under_its_chinese_title(served_site, copies):
    _, site = served_site
    for (meeting_id, kind), (_, meeting) in copies.items():
        html = (site / "meetings" / meeting_id / kind / "index.html").read_text(encoding="utf-8")
        link = re.search(rf'<a href="[^"]*{re.escape(word_file_name(meeting_id, kind))}"[^>]*>', html).group()
        assert f'download="{page_title(kind, meeting)}.docx"' in link, link
    bureau = copies[("2022-county-development-reform-bureau", "report")][1]
    assert page_title("report", bureau) == "县发展和改革局党组关于2022年度民主生活会准备工作情况的报告"


def test_names_and_dates_fit_their_table_columns(copies):
    checked = 0
    for key, (parts, _) in copies.items():
        for table in re.findall(r"<w:tbl>.*?</w:tbl>", parts["word/document.xml"], re.S):
            for cell in re.findall(r"<w:tc>.*?</w:tc>", table, re.S):
                text = "\n".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", cell))
                if not text.strip():
                    continue  # a blank cell to write in by hand (a form, a signature)
                width = int(re.search(r'<w:tcW w:w="(\d+)"', cell).group(1)) - 2 * 57
                size = int(re.search(r'<w:sz w:val="(\d+)"/>', cell).group(1))  # half points
                for run in unbreakable(text):
                    assert ems(run) * size * 10 <= width, (key, run, width)
                    checked += 1
    assert checked > 100


def test_no_table_row_is_left_alone_in_word(copies):
    """Every table of two rows or more keeps its first row with the next, and its last but one with the last."""
    for key, (parts, _) in copies.items():
        for table in re.findall(r"<w:tbl>.*?</w:tbl>", parts["word/document.xml"], re.S):
            rows = re.findall(r"<w:tr>.*?</w:tr>", table, re.S)
            body = [row for row in rows if "<w:tblHeader/>" not in row]
            if len(body) < 2:
                continue
            assert "<w:keepNext/>" in body[0] and "<w:keepNext/>" in body[-2], key
            assert "<w:keepNext/>" not in body[-1], key


@pytest.fixture(scope="module")
def libreoffice():
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        message = "LibreOffice is not installed: run `apt-get install libreoffice-writer-nogui` to open the Word copies"
        if os.environ.get("PORTAL_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def test_libreoffice_sets_the_title_in_a_chinese_face(served_site, libreoffice, tmp_path):
    """Where the official fonts are missing (as here), the title's Chinese falls back to a Chinese face,
    never to a Latin or Japanese one (its digits are Times New Roman's, as the Latin font). (LibreOffice names every face of the Noto CJK collection by its first, “jp”,
    so the check is on the family: a CJK face, not a Latin-only or a Japanese-only one.)"""
    _, site = served_site
    meeting = "2021-county-development-reform-bureau"
    source = site / "meetings" / meeting / word_file_name(meeting, "meeting-report")
    shutil.copy(source, tmp_path / "copy.docx")
    subprocess.run([libreoffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "copy.docx")],
                   check=True, capture_output=True, timeout=180)
    chinese, latin = set(), set()

    def visit(text, cm, tm, font, size):
        if text.strip() and font and abs(size * tm[0] - 22) < 0.5:
            (chinese if re.search(r"[\u4e00-\u9fff]", text) else latin).add(str(font.get("/BaseFont")))

    page = PdfReader(io.BytesIO((tmp_path / "copy.pdf").read_bytes())).pages[0]
    page.extract_text(visitor_text=visit)
    assert chinese and latin, "no 22 pt title found"
    for font in chinese:
        assert "CJK" in font or "GB2312" in font or "Song" in font, font
        assert not NOT_CHINESE.search(font), font
    # The theme's Latin font (a sans face where it is missing) would set 2021 in DejaVu Sans.
    assert all(TIMES.search(font) for font in latin), latin
