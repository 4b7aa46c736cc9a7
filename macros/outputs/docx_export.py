"""Word copy of a report, an agenda or a checklist, in the official layout, made from the page the site shows.

The page's Markdown is converted to HTML exactly as the site converts it, and
its document part (title, paragraphs, “一、” and “（一）” headings, tables, signature) is
laid out with python-docx after GB/T 9704-2012: A4, margins 37/35/28/26 mm,
仿宋 16 pt on a 28.95 pt line pitch, title 小标宋 22 pt, “— N —” page numbers
on the right of odd pages and the left of even pages.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile
from html.parser import HTMLParser
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import markdown
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from macros.outputs.render import DRAFT_MARK, ems, title_lines
from macros.outputs.typeset import unbreakable

MARKDOWN_EXTENSIONS = ["attr_list", "md_in_html", "admonition", "tables"]
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONTS = {1: "黑体", 2: "楷体_GB2312"}
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)
LINE_PITCH = Pt(28.95)
CHAR_PITCH_PT = 15.79
INDENT = Pt(32)
EAST_ASIAN_LANGUAGE = "zh-CN"


@dataclass(frozen=True)
class Properties:
    """What Word shows as the file's properties: the document's title, the issuing body as its author,
    and the build date as the day it was made (never the day it was built again: warm and cold builds
    give the same bytes, and a new day is a cold build)."""

    title: str = ""
    author: str = ""
    date: dt.date | None = None


class _Blocks(HTMLParser):
    """Collects the blocks of the ``portal-document`` part of a page's HTML.

    Each block is ``(kind, content)``: ``title`` with its words, ``heading1``/``heading2``/``paragraph``/
    ``line``/``signature`` with runs of ``(text, font)`` (font None for the body font), and ``table``
    with rows of ``(cell text, is header)``.
    """

    KINDS = {"h1": "title", "h2": "heading1", "h3": "heading2", "p": "paragraph"}
    RUN_FONTS = {"portal-runin-1": HEADING_FONTS[1], "portal-runin-2": HEADING_FONTS[2]}
    LINE_CLASSES = {"portal-lines", "portal-addressee"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.draft = False
        self.context: list[tuple[int, str]] = []
        self.current: str | None = None
        self.runs: list[list] = []
        self.spans: list[tuple[bool, str | None, bool]] = []
        self.words: list[str] = []
        self.table: list[list[tuple[str, bool]]] | None = None
        self.cell: list[str] | None = None
        self.cell_is_header = False
        self.blocks: list[tuple[str, object]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if self.depth == 0:
            if tag == "div" and "portal-document" in classes:
                self.depth = 1
                self.draft = attributes.get("data-draft") == "true"
            return
        if tag == "br":
            if self.cell is not None:
                self.cell.append("\n")
            return
        if tag == "div":
            self.depth += 1
            if "portal-sheet" in classes and self.blocks:
                # A sheet (the form after its letter, one record sheet a talk) starts a page of its own.
                self.blocks.append(("pagebreak", None))
            for name in ("portal-signature", *self.LINE_CLASSES):
                if name in classes:
                    self.context.append((self.depth, "signature" if name == "portal-signature" else "line"))
            return
        if tag == "table":
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell, self.cell_is_header = [], tag == "th"
        elif self.table is None and tag in self.KINDS and self.current is None:
            self.current = self.KINDS[tag]
            if self.current == "paragraph":
                if self.LINE_CLASSES & set(classes):
                    self.current = "line"
                elif self.context:
                    self.current = self.context[-1][1]
            self.runs, self.words = [], []
        elif tag == "span" and self.current:
            is_word = "portal-word" in classes
            if is_word:
                self.words.append("")
            font = next((font for name, font in self.RUN_FONTS.items() if name in classes), None)
            self.spans.append((is_word, font, "portal-screen-only" in classes))

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "span" and self.current:
            if self.spans:
                self.spans.pop()
        elif tag in ("td", "th") and self.cell is not None:
            self.table[-1].append(("".join(self.cell).strip(), self.cell_is_header))
            self.cell = None
        elif tag == "table" and self.table is not None:
            self.blocks.append(("table", [row for row in self.table if row]))
            self.table = None
        elif self.current and self.KINDS.get(tag) and (self.KINDS[tag] == self.current or self.current in ("signature", "line")):
            self._close()
        if tag == "div":
            if self.context and self.context[-1][0] == self.depth:
                self.context.pop()
            self.depth -= 1

    def _close(self):
        if self.current == "title":
            words = [word for word in self.words if word.strip()] or ["".join(text for text, _ in self.runs)]
            if "".join(words).strip():
                self.blocks.append(("title", [word.strip() for word in words]))
        else:
            runs = [(text.replace("¶", ""), font) for text, font in self.runs]
            runs = [(text, font) for text, font in runs if text]
            if runs:
                runs[0] = (runs[0][0].lstrip(), runs[0][1])
                runs[-1] = (runs[-1][0].rstrip(), runs[-1][1])
            if "".join(text for text, _ in runs):
                self.blocks.append((self.current, runs))
        self.current = None

    def handle_data(self, data):
        if not self.depth:
            return
        if self.cell is not None:
            self.cell.append(data.replace("\n", ""))
        elif self.current:
            data = data.replace("\n", "")
            if any(screen_only for *_, screen_only in self.spans):
                return  # a note to staff, shown on screen only
            if any(is_word for is_word, *_ in self.spans):
                self.words[-1] += data
            font = next((font for _, font, _ in reversed(self.spans) if font), None)
            if self.runs and self.runs[-1][1] == font:
                self.runs[-1][0] += data
            else:
                self.runs.append([data, font])


def _page_html(page_markdown: str) -> str:
    """A page's Markdown (front matter aside) as HTML, converted as the site converts it."""
    body = page_markdown.split("\n---\n", 1)[1] if page_markdown.startswith("---\n") else page_markdown
    return markdown.markdown(body, extensions=MARKDOWN_EXTENSIONS)


def _parse(page_html: str) -> _Blocks:
    parser = _Blocks()
    parser.feed(page_html)
    return parser


def _blocks(page_html: str) -> list[tuple[str, object]]:
    return _parse(page_html).blocks


def block_text(kind: str, content) -> str:
    """The plain text of one block (a table's cells joined by spaces; a page break has none)."""
    if kind == "pagebreak":
        return ""
    if kind == "title":
        return "".join(content)
    if kind == "table":
        return " ".join(text for row in content for text, _ in row)
    return "".join(text for text, _ in content)


def report_blocks(report_markdown: str) -> list[tuple[str, str]]:
    """A page's document as (kind, text) blocks: title, heading1, heading2, paragraph, line, signature, table."""
    return [(kind, block_text(kind, content)) for kind, content in _blocks(_page_html(report_markdown))]


def _style(document, name: str, east_asian: str, size, align=None, indent=INDENT, space_after=Pt(0)):
    style = document.styles[name]
    style.font.size = size
    style.font.bold = False
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(style, east_asian)
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = Pt(0)
    fmt.space_after = space_after
    fmt.first_line_indent = indent
    fmt.left_indent = Pt(0)
    fmt.keep_with_next = name.startswith("Heading") or name == "Title"
    if align is not None:
        fmt.alignment = align
    return style


def _set_fonts(style, east_asian: str) -> None:
    style.font.name = LATIN_FONT
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        rpr.append(spacing)
    spacing.set(qn("w:val"), "-4")  # −0.2 pt: 28 characters a line


def _page_number(paragraph, align) -> None:
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(0)
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = Pt(14)
    else:
        fmt.left_indent = Pt(14)
    for text in ("— ", None, " —"):
        run = paragraph.add_run(text or "")
        run.font.size = Pt(14)
        run.font.name = LATIN_FONT
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), PAGE_NUMBER_FONT)
        if text is None:
            for kind, value in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
                if kind == "instr":
                    node = OxmlElement("w:instrText")
                    node.set(qn("xml:space"), "preserve")
                    node.text = value
                elif kind == "text":
                    node = OxmlElement("w:t")
                    node.text = value
                else:
                    node = OxmlElement("w:fldChar")
                    node.set(qn("w:fldCharType"), kind)
                run._element.append(node)


def _draft_mark(paragraph) -> None:
    """The draft mark at the top left of the page, above the type area (the 版头's place)."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    paragraph.paragraph_format.first_line_indent = Pt(0)
    run = paragraph.add_run(DRAFT_MARK)
    run.font.size = BODY_SIZE
    run.font.name = LATIN_FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), HEADING_FONTS[1])


@functools.lru_cache(maxsize=2)
def _template(draft: bool = False) -> bytes:
    """An empty document in the official layout, with one marker paragraph where the body goes;
    a draft carries the draft mark in the header of every page."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(23)
    section.header_distance = Mm(15)
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)
    if draft:
        _draft_mark(section.header.paragraphs[0])
        _draft_mark(section.even_page_header.paragraphs[0])
    _style(document, "Normal", BODY_FONT, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _style(document, "Title", TITLE_FONT, Pt(22), align=WD_ALIGN_PARAGRAPH.CENTER, indent=Pt(0), space_after=LINE_PITCH)
    _style(document, "Heading 1", HEADING_FONTS[1], BODY_SIZE)
    _style(document, "Heading 2", HEADING_FONTS[2], BODY_SIZE)
    for name in ("Title", "Heading 1", "Heading 2"):
        ppr = document.styles[name].element.get_or_add_pPr()
        borders = ppr.find(qn("w:pBdr"))
        if borders is not None:
            ppr.remove(borders)
    document.add_paragraph(_MARKER)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


_MARKER = "@@PORTAL-REPORT-BODY@@"
_MARKER_PARAGRAPH = re.compile(r"<w:p>(?:(?!<w:p>).)*?" + re.escape(_MARKER) + r".*?</w:p>", re.S)
_STYLE_IDS = {"title": "Title", "heading1": "Heading1", "heading2": "Heading2", "paragraph": None, "line": None}
_NO_INDENT = '<w:ind w:firstLine="0"/>'
TEXT_WIDTH_TWIPS = round(156 / 25.4 * 1440)
TABLE_SIZE_HALF_POINTS = 24
TABLE_SIZES = (TABLE_SIZE_HALF_POINTS, 21, 18)
"""A table's type size, in half points: 小四 (12 pt); 五号 (10.5 pt) or 小五 (9 pt) for a table whose names
and dates would not fit their columns otherwise (the talk matrix of many members)."""
_CELL_MARGIN = 57
_TABLE_BORDERS = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                         for side in ("top", "left", "bottom", "right", "insideH", "insideV"))


def _run(text: str, font: str | None = None, size: int | None = None) -> str:
    """One run; line breaks in ``text`` become Word line breaks."""
    if not text:
        return ""
    properties = ""
    if font:
        properties += f'<w:rFonts w:eastAsia="{escape(font)}"/>'
    if size:
        properties += f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
    pieces = [f'<w:t xml:space="preserve">{escape(piece)}</w:t>' for piece in text.split("\n")]
    return f"<w:r>{f'<w:rPr>{properties}</w:rPr>' if properties else ''}{'<w:br/>'.join(pieces)}</w:r>"


def _paragraph(text, style_id: str | None = None, properties: str = "") -> str:
    """A paragraph of one text, or of runs ``(text, font)``."""
    style = f'<w:pStyle w:val="{style_id}"/>' if style_id else ""
    runs = [(text, None)] if isinstance(text, str) else text
    return f"<w:p><w:pPr>{style}{properties}</w:pPr>{''.join(_run(t, f) for t, f in runs)}</w:p>"


_SCRIPT_CHANGE = re.compile(r"(?<=[0-9A-Za-z])(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])(?=[0-9A-Za-z])")


def _spaced_ems(text: str) -> float:
    """Width of a text in a table cell, with the quarter em that LibreOffice and WPS put between Chinese
    and digits wherever the script changes (Word leaves it out, as the cell asks)."""
    return ems(text) + 0.25 * len(_SCRIPT_CHANGE.findall(text))


def _column_widths(rows: list[list[tuple[str, bool]]], size: int = TABLE_SIZE_HALF_POINTS) -> list[int] | None:
    """Column widths in twips across the type area at type ``size``: each column at least as wide as the
    longest name, date or short label it holds (``typeset.unbreakable``, so that none breaks inside), the
    rest of the width shared as the columns' longest lines ask. None if those do not fit at this size."""
    columns = max(len(row) for row in rows)
    longest, needed = [1.0] * columns, [1.0] * columns
    for row in rows:
        for index, (text, _) in enumerate(row):
            longest[index] = max(longest[index], *(ems(line) for line in text.split("\n")))
            needed[index] = max(needed[index], *(_spaced_ems(run) for run in unbreakable(text)), 0)
    em = size * 10  # twips of one character at the table's size
    minimum = [round((ems + 0.5) * em) + 2 * _CELL_MARGIN for ems in needed]
    if sum(minimum) > TEXT_WIDTH_TWIPS:
        return None
    shares = [min(max(ems, 3), 14) for ems in longest]
    fixed: dict[int, int] = {}
    while True:
        free = [index for index in range(columns) if index not in fixed]
        room = TEXT_WIDTH_TWIPS - sum(fixed.values())
        total = sum(shares[index] for index in free)
        widths = {index: int(room * shares[index] / total) for index in free}
        short = {index: minimum[index] for index, width in widths.items() if width < minimum[index]}
        if not short:
            return [fixed.get(index, widths.get(index, 0)) for index in range(columns)]
        fixed.update(short)


def _table(rows: list[list[tuple[str, bool]]]) -> str:
    """A table across the type area, header rows repeated; no row is split, and no row stands alone
    at the foot or the head of a page: the header and the first row keep with the next row, and the
    row before the last keeps with the last."""
    size, widths = next(((size, widths) for size in TABLE_SIZES if (widths := _column_widths(rows, size))),
                        (TABLE_SIZES[-1], [TEXT_WIDTH_TWIPS // max(len(row) for row in rows)] * max(len(row) for row in rows)))
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in widths)
    out = [
        '<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:jc w:val="center"/>'
        f'<w:tblBorders>{_TABLE_BORDERS}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        f'<w:tblCellMar><w:left w:w="{_CELL_MARGIN}" w:type="dxa"/><w:right w:w="{_CELL_MARGIN}" w:type="dxa"/></w:tblCellMar>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
    ]
    headers = [all(is_header for _, is_header in row) for row in rows]
    body = [number for number, header in enumerate(rows) if not headers[number]]
    keep = {number for number, header in enumerate(headers) if header}
    if len(body) > 1:
        keep |= {body[0], body[-2]}
    for number, row in enumerate(rows):
        out.append(f"<w:tr><w:trPr><w:cantSplit/>{'<w:tblHeader/>' if headers[number] else ''}</w:trPr>")
        for index, (text, is_header) in enumerate(row):
            # Schema order inside w:pPr: keepNext, autoSpaceDE/DN, spacing, ind, jc. No extra space between
            # Chinese and digits: a date is as wide as its characters, and fits the width sized for it.
            properties = (f'{"<w:keepNext/>" if number in keep else ""}<w:autoSpaceDE w:val="0"/><w:autoSpaceDN w:val="0"/>'
                          f'<w:spacing w:line="320" w:lineRule="exact"/>'
                          f'{_NO_INDENT}<w:jc w:val="{"center" if is_header else "left"}"/>')
            run = _run(text, HEADING_FONTS[1] if is_header else None, size)
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="{widths[index]}" w:type="dxa"/></w:tcPr>'
                       f"<w:p><w:pPr>{properties}</w:pPr>{run}</w:p></w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _title(words: list[str]) -> str:
    """The title centred, broken into balanced lines between words (never inside one)."""
    lines = title_lines(words)
    runs = "<w:r><w:br/></w:r>".join(_run(line) for line in lines)
    return f'<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr>{runs}</w:p>'


def _body(blocks) -> list[str]:
    body = []
    signature: list[str] = []
    for kind, content in blocks:
        if kind == "signature":
            signature.append(block_text(kind, content))
            continue
        if signature:
            # A signature stands where the page has it (a letter's, before the form attached to it).
            body += _signature(signature)
            signature = []
        if kind == "title":
            body.append(_title(content))
        elif kind == "table":
            body.append(_table(content))
        elif kind == "pagebreak":
            body.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
        elif kind in _STYLE_IDS:
            body.append(_paragraph(content, _STYLE_IDS[kind], _NO_INDENT if kind == "line" else ""))
    if signature:
        body += _signature(signature)
    if blocks and blocks[-1][0] == "table":
        body.append(_paragraph(""))
    return body


def _signature(lines: list[str]) -> list[str]:
    """Signature two characters in from the right after one blank line; the date two characters right of it."""
    name = lines[0]
    twips = lambda points: round(points * 20)  # noqa: E731
    out = [_paragraph(""), _paragraph(name, properties=f'<w:ind w:right="{twips(32)}" w:firstLine="0"/><w:jc w:val="right"/>')]
    starts_at = max(0, 28 - 2 - len(name) + 2)
    for date in lines[1:]:
        out.append(_paragraph(date, properties=f'<w:ind w:left="{twips(CHAR_PITCH_PT * starts_at)}" w:firstLine="0"/><w:jc w:val="left"/>'))
    return out


def report_docx_from_html(report_html: str, properties: Properties | None = None) -> bytes:
    """A document page (report, agenda or checklist) as a .docx file in the official layout, from its HTML;
    a draft (``data-draft`` on the document) carries the draft mark on every page. The file's title is
    the document's own unless ``properties`` names one."""
    parsed = _parse(report_html)
    body = _body(parsed.blocks)
    properties = properties or Properties()
    if not properties.title:
        title = next(("".join(content) for kind, content in parsed.blocks if kind == "title"), "")
        properties = Properties(title, properties.author, properties.date)
    base, document_xml = _template_parts(parsed.draft)
    xml = _MARKER_PARAGRAPH.sub(lambda _: "".join(body), document_xml, count=1)
    buffer = io.BytesIO(base)
    buffer.seek(0, io.SEEK_END)
    with zipfile.ZipFile(buffer, "a") as target:
        # The fastest level, for each document: a body of 230 KB becomes about 9 KB in half a millisecond.
        target.writestr(_zip_entry("docProps/core.xml"), _core_xml(properties), compresslevel=1)
        target.writestr(_zip_entry("word/document.xml"), xml, compresslevel=1)
    return buffer.getvalue()


def _core_xml(properties: Properties) -> str:
    """The file's properties (title, author, the day it was made, its language), as Word reads them."""
    date = ""
    if properties.date is not None:
        stamp = f"{properties.date.isoformat()}T00:00:00Z"
        date = (f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
                f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>')
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(properties.title)}</dc:title><dc:creator>{escape(properties.author)}</dc:creator>"
        f"<cp:lastModifiedBy>{escape(properties.author)}</cp:lastModifiedBy><cp:revision>1</cp:revision>{date}"
        f"<dc:language>{EAST_ASIAN_LANGUAGE}</dc:language></cp:coreProperties>"
    )


def _zip_entry(name: str) -> zipfile.ZipInfo:
    """A part stamped with a fixed time, so that one report always gives the same bytes, and compressed
    (a part named by a ZipInfo is stored as is unless the ZipInfo says otherwise)."""
    entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    entry.compress_type = zipfile.ZIP_DEFLATED
    return entry


_THEME_FONT = re.compile(r' w:(?:asciiTheme|eastAsiaTheme|hAnsiTheme|cstheme)="[^"]*"')
_DEFAULT_FONTS = re.compile(r"(<w:rPrDefault>\s*<w:rPr>\s*)<w:rFonts\b[^>]*/>")
_LANGUAGE = re.compile(r'(<w:(?:lang|themeFontLang)\b[^>]*?w:eastAsia=")[^"]*(")')


def _fonts_as_named(xml: str) -> str:
    """A styles part whose fonts are the ones named: Word takes a theme font (the template's is Latin and
    Japanese) over a named one, so every theme attribute goes, the document's defaults name the body
    font, and the East Asian language is Chinese."""
    xml = _THEME_FONT.sub("", xml)
    fonts = f'<w:rFonts w:ascii="{LATIN_FONT}" w:eastAsia="{BODY_FONT}" w:hAnsi="{LATIN_FONT}" w:cs="{LATIN_FONT}"/>'
    xml = _DEFAULT_FONTS.sub(lambda match: match.group(1) + fonts, xml)
    return _LANGUAGE.sub(lambda match: match.group(1) + EAST_ASIAN_LANGUAGE + match.group(2), xml)


_FONT_TABLE = re.compile(r"(<w:fonts\b[^>]*>).*(</w:fonts>)", re.S)
# Each official font with the names Word and WPS also know it by, declared as a GB2312 font: where a
# font is missing, Word substitutes one of the same character set (the template's table named
# Japanese fonts, ＭＳ 明朝 and ＭＳ ゴシック, which a missing font would fall back to).
_CHINESE_FONTS = {BODY_FONT: "仿宋", TITLE_FONT: "FZXiaoBiaoSong-B05S", HEADING_FONTS[1]: "SimHei",
                  HEADING_FONTS[2]: "楷体", PAGE_NUMBER_FONT: "SimSun"}


def _font_table(xml: str) -> str:
    """The document's font table: the Latin font and the official Chinese fonts, nothing else."""
    entries = [f'<w:font w:name="{LATIN_FONT}"><w:panose1 w:val="02020603050405020304"/><w:charset w:val="00"/>'
               '<w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>']
    for name, other in _CHINESE_FONTS.items():
        entries.append(f'<w:font w:name="{name}"><w:altName w:val="{other}"/><w:charset w:val="86"/>'
                       '<w:family w:val="auto"/><w:pitch w:val="variable"/>'
                       '<w:sig w:usb0="00000001" w:usb1="080E0000" w:usb2="00000010" w:usb3="00000000" '
                       'w:csb0="00040000" w:csb1="00000000"/></w:font>')
    return _FONT_TABLE.sub(lambda match: match.group(1) + "".join(entries) + match.group(2), xml)


_PER_DOCUMENT = ("word/document.xml", "docProps/core.xml")
_FONT_PARTS = ("word/styles.xml", "word/stylesWithEffects.xml", "word/settings.xml")


@functools.lru_cache(maxsize=2)
def _template_parts(draft: bool = False) -> tuple[bytes, str]:
    """The template's every part but the body and the properties, zipped once, and the body's XML with its marker."""
    source = zipfile.ZipFile(io.BytesIO(_template(draft)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename in _PER_DOCUMENT:
                continue
            content = source.read(item.filename)
            if item.filename in _FONT_PARTS:
                content = _fonts_as_named(content.decode("utf-8")).encode("utf-8")
            elif item.filename == "word/fontTable.xml":
                content = _font_table(content.decode("utf-8")).encode("utf-8")
            target.writestr(_zip_entry(item.filename), content)
    return buffer.getvalue(), source.read("word/document.xml").decode("utf-8")


def report_docx(report_markdown: str, properties: Properties | None = None) -> bytes:
    """A document page as a .docx file, from the page's Markdown (converted as the site does)."""
    return report_docx_from_html(_page_html(report_markdown), properties)


def write_docx_from_html(html: str, path: Path, properties: Properties | None = None) -> None:
    """Write the Word copy of a page's HTML to ``path`` (a module-level function: the build runs it
    in a worker process)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(report_docx_from_html(html, properties))
