"""Correcting a PDF's ToUnicode CMaps: radicals back to ideographs, nothing else touched."""

from __future__ import annotations

import unicodedata

from pypdf import PdfReader

from macros.outputs.pdf_text import (
    BLOCK,
    RADICALS,
    cmap_mappings,
    equivalent_ideographs,
    fix_text_layer,
    ideographs_for,
    rewrite_cmap,
)

HEADER = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<00> <FF>
endcodespacerange
"""
FOOTER = b"""endcmap
CMapName currentdict /CMap defineresource pop
end
end
"""
# ⺠ (U+2EA0) for 民, ⽣ (U+2F63) for 生, then a range ⼀⼁⼂ (U+2F00-2F02), a range of digits,
# an array range with 会 and ⽉, and a character outside the BMP.
CMAP = HEADER + b"""3 beginbfchar
<01> <2EA0>
<02> <4E3B>
<03> <2F63>
endbfchar
3 beginbfrange
<10> <12> <2F00>
<20> <22> <0030>
<30> <31> [<4F1A> <2F49>]
endbfrange
1 beginbfchar
<40> <D840DC00>
endbfchar
""" + FOOTER


def test_the_table_is_the_ucds():
    table = equivalent_ideographs()
    assert table["⺠"] == "民" and table["⻅"] == "见" and table["⻓"] == "长" and table["⻝"] == "食"
    assert all(ord(radical) in RADICALS for radical in table)
    assert len(table) > 300
    # Kangxi radicals also decompose (NFKC) to their ideograph: the vendored file agrees.
    kangxi = [chr(code) for code in range(0x2F00, 0x2FD6)]
    assert all(table[radical] == unicodedata.normalize("NFKC", radical) for radical in kangxi)


def test_a_radical_the_document_contains_is_kept():
    replacements = ideographs_for("部首⺠的写法")
    assert "⺠" not in replacements
    assert replacements["⽉"] == "月"


def test_cmap_mappings_reads_chars_ranges_and_arrays():
    mappings = cmap_mappings(CMAP)
    assert mappings[(1, 0x01)] == "⺠"
    assert [mappings[(1, code)] for code in (0x10, 0x11, 0x12)] == ["⼀", "⼁", "⼂"]
    assert [mappings[(1, code)] for code in (0x20, 0x21, 0x22)] == ["0", "1", "2"]
    assert mappings[(1, 0x30)] == "会" and mappings[(1, 0x31)] == "⽉"
    assert mappings[(1, 0x40)] == "\U00020000"
    assert len(mappings) == 12


def test_rewrite_maps_radicals_to_ideographs_and_keeps_the_rest():
    new = rewrite_cmap(CMAP, ideographs_for(""))
    assert new.startswith(HEADER) and new.endswith(FOOTER)
    mappings = cmap_mappings(new)
    assert mappings == {
        (1, 0x01): "民", (1, 0x02): "主", (1, 0x03): "生",
        (1, 0x10): "一", (1, 0x11): "丨", (1, 0x12): "丶",
        (1, 0x20): "0", (1, 0x21): "1", (1, 0x22): "2",
        (1, 0x30): "会", (1, 0x31): "月", (1, 0x40): "\U00020000",
    }
    assert b"bfrange" not in new and new.count(b"begincodespacerange") == 1


def test_rewrite_leaves_a_cmap_without_radicals_alone():
    assert rewrite_cmap(HEADER + b"1 beginbfchar\n<02> <4E3B>\nendbfchar\n" + FOOTER, ideographs_for("")) is None
    assert rewrite_cmap(CMAP, {}) is None


def test_rewrite_writes_at_most_100_entries_a_block():
    entries = b"\n".join(b"<%04X> <2F00>" % code for code in range(250))
    cmap = HEADER.replace(b"<00> <FF>", b"<0000> <FFFF>") + b"250 beginbfchar\n" + entries + b"\nendbfchar\n" + FOOTER
    new = rewrite_cmap(cmap, ideographs_for(""))
    assert new.count(b"beginbfchar") == 3 and b"100 beginbfchar" in new and b"50 beginbfchar" in new
    assert set(cmap_mappings(new).values()) == {"一"} and len(cmap_mappings(new)) == 250


def write_pdf(path, cmap: bytes) -> None:
    """A one-page PDF showing codes 1-5 in a font whose ToUnicode is ``cmap``."""
    content = b"BT /F1 12 Tf 10 50 Td <0102030405> Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f\r\n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n\r\n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))


SENTENCE = HEADER + b"5 beginbfchar\n<01> <2EA0>\n<02> <4E3B>\n<03> <2F63>\n<04> <6D3B>\n<05> <4F1A>\nendbfchar\n" + FOOTER


def test_fix_text_layer_appends_the_new_cmap_to_the_file(tmp_path):
    pdf = tmp_path / "doc.pdf"
    write_pdf(pdf, SENTENCE)
    original = pdf.read_bytes()
    assert PdfReader(pdf).pages[0].extract_text() == "⺠主⽣活会"
    assert fix_text_layer(pdf, "民主生活会") == 1
    assert pdf.read_bytes().startswith(original)
    reader = PdfReader(pdf, strict=True)
    assert reader.pages[0].extract_text() == "民主生活会"
    assert reader.pages[0].get_contents().get_data() == b"BT /F1 12 Tf 10 50 Td <0102030405> Tj ET"


def test_fix_text_layer_leaves_the_file_alone_when_the_text_has_the_radicals(tmp_path):
    pdf = tmp_path / "doc.pdf"
    write_pdf(pdf, SENTENCE)
    original = pdf.read_bytes()
    assert fix_text_layer(pdf, "⺠与⽣是部首") == 0
    assert pdf.read_bytes() == original
