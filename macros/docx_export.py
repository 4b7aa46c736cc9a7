"""Word copy of a report, in the official layout, made from the same page the site shows.

The report's Markdown is converted to HTML exactly as the site converts it, and
its document part (title, paragraphs, “一、” and “（一）” headings, signature) is
laid out with python-docx after GB/T 9704-2012: A4, margins 37/35/28/26 mm,
仿宋 16 pt on a 28.95 pt line pitch, title 小标宋 22 pt, “— N —” page numbers
on the right of odd pages and the left of even pages.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from html.parser import HTMLParser
from xml.sax.saxutils import escape

import markdown
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

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


class _Blocks(HTMLParser):
    """Collects (kind, text) blocks from the ``portal-document`` part of a report's HTML."""

    KINDS = {"h1": "title", "h2": "heading1", "h3": "heading2", "p": "paragraph"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.signature_depth = 0
        self.current: str | None = None
        self.text: list[str] = []
        self.blocks: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self.depth == 0:
            if tag == "div" and "portal-document" in classes:
                self.depth = 1
            return
        if tag == "div":
            self.depth += 1
            if "portal-signature" in classes:
                self.signature_depth = self.depth
        if tag in self.KINDS and self.current is None:
            self.current = self.KINDS[tag]
            if self.current == "paragraph" and self.signature_depth:
                self.current = "signature"
            self.text = []

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if self.current and self.KINDS.get(tag) and (self.KINDS[tag] == self.current or self.current == "signature"):
            text = "".join(self.text).replace("¶", "").strip()
            if text:
                self.blocks.append((self.current, text))
            self.current = None
        if tag == "div":
            if self.depth == self.signature_depth:
                self.signature_depth = 0
            self.depth -= 1

    def handle_data(self, data):
        if self.current:
            self.text.append(data)


def _page_html(report_markdown: str) -> str:
    """The report page's Markdown (front matter aside) as HTML, converted as the site converts it."""
    body = report_markdown.split("\n---\n", 1)[1] if report_markdown.startswith("---\n") else report_markdown
    return markdown.markdown(body, extensions=MARKDOWN_EXTENSIONS)


def _blocks(report_html: str) -> list[tuple[str, str]]:
    parser = _Blocks()
    parser.feed(report_html)
    return parser.blocks


def report_blocks(report_markdown: str) -> list[tuple[str, str]]:
    """The report's document as (kind, text) blocks: title, heading1, heading2, paragraph, signature."""
    return _blocks(_page_html(report_markdown))


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
    fmt.keep_with_next = name.startswith("Heading")
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


def word_file_name(meeting_id: str) -> str:
    """The Word copy's file name, beside the meeting's pages."""
    return f"{meeting_id}-report.docx"


@functools.lru_cache(maxsize=1)
def _template() -> bytes:
    """An empty report in the official layout, with one marker paragraph where the body goes."""
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
_STYLE_IDS = {"title": "Title", "heading1": "Heading1", "heading2": "Heading2", "paragraph": None}


def _paragraph(text: str, style_id: str | None = None, properties: str = "") -> str:
    style = f'<w:pStyle w:val="{style_id}"/>' if style_id else ""
    run = f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>' if text else ""
    return f"<w:p><w:pPr>{style}{properties}</w:pPr>{run}</w:p>"


def _signature(lines: list[str]) -> list[str]:
    """Signature two characters in from the right after one blank line; the date two characters right of it."""
    name = lines[0]
    twips = lambda points: round(points * 20)  # noqa: E731
    out = [_paragraph(""), _paragraph(name, properties=f'<w:ind w:right="{twips(32)}" w:firstLine="0"/><w:jc w:val="right"/>')]
    starts_at = max(0, 28 - 2 - len(name) + 2)
    for date in lines[1:]:
        out.append(_paragraph(date, properties=f'<w:ind w:left="{twips(CHAR_PITCH_PT * starts_at)}" w:firstLine="0"/><w:jc w:val="left"/>'))
    return out


def report_docx_from_html(report_html: str) -> bytes:
    """The report as a .docx file in the official layout, from the page's HTML."""
    blocks = _blocks(report_html)
    body = [_paragraph(text, _STYLE_IDS[kind]) for kind, text in blocks if kind in _STYLE_IDS]
    signature = [text for kind, text in blocks if kind == "signature"]
    if signature:
        body += _signature(signature)
    base, document_xml = _template_parts()
    xml = _MARKER_PARAGRAPH.sub(lambda _: "".join(body), document_xml, count=1)
    buffer = io.BytesIO(base)
    buffer.seek(0, io.SEEK_END)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as target:
        target.writestr(_entry("word/document.xml"), xml)
    return buffer.getvalue()


def _entry(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed date, so the same report always gives the same bytes (a warm build
    must publish what a cold one does)."""
    entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    entry.compress_type = zipfile.ZIP_DEFLATED
    return entry


@functools.lru_cache(maxsize=1)
def _template_parts() -> tuple[bytes, str]:
    """The template's every part but the body, zipped once, and the body's XML with its marker."""
    source = zipfile.ZipFile(io.BytesIO(_template()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                target.writestr(_entry(item.filename), source.read(item.filename))
    return buffer.getvalue(), source.read("word/document.xml").decode("utf-8")


def report_docx(report_markdown: str) -> bytes:
    """The report as a .docx file, from the report page's Markdown (converted as the site does)."""
    return report_docx_from_html(_page_html(report_markdown))
