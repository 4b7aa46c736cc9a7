"""Make the text layer of a PDF printed by Chromium read as the page does.

Chromium's PDF writer (Skia) embeds CFF-flavoured OpenType fonts, such as Debian's Noto Serif CJK
and Noto Sans CJK, as Type 3 fonts, and writes each font's ``/ToUnicode`` CMap from the font's own
character map, taking the lowest code point that maps to a glyph. Where one glyph serves both a CJK
radical and the ordinary ideograph (⺠ U+2EA0 and 民 U+6C11, ⽉ U+2F49 and 月 U+6708), the radical
wins, and the PDF's text reads “⺠主⽣活会”: it cannot be searched or copied.

``fix_text_layer`` rewrites the ``/ToUnicode`` CMap of every font in the file so that each radical
the document's own text does not contain maps to its equivalent unified ideograph, as the Unicode
Character Database's Equivalent_Unified_Ideograph table gives it (``macros/outputs/data/``). Only those
CMaps change, in an incremental update appended to the file; pages and glyphs stay as printed.
"""

from __future__ import annotations

import functools
import re
import zlib
from io import BytesIO
from pathlib import Path

RADICALS = range(0x2E80, 0x2FE0)
EQUIVALENTS_FILE = Path(__file__).parent / "data" / "EquivalentUnifiedIdeograph.txt"
# A CMap allows at most 100 entries between one begin… and end… pair.
BLOCK = 100

_BLOCK_RE = re.compile(rb"(\d+)\s+begin(bfchar|bfrange)\b(.*?)\bend\2", re.S)
_TOKEN_RE = re.compile(rb"<([0-9A-Fa-f\s]*)>|\[|\]")


@functools.cache
def equivalent_ideographs() -> dict[str, str]:
    """Each CJK radical (U+2E80–U+2FDF) that has one, with its equivalent unified ideograph."""
    table: dict[str, str] = {}
    for line in EQUIVALENTS_FILE.read_text(encoding="utf-8").splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) != 2:
            continue
        first, _, last = fields[0].strip().partition("..")
        ideograph = chr(int(fields[1], 16))
        for code in range(int(first, 16), int(last or first, 16) + 1):
            if code in RADICALS:
                table[chr(code)] = ideograph
    return table


def ideographs_for(document_text: str) -> dict[str, str]:
    """The replacements to make in a document: every radical except those its own text contains."""
    return {radical: ideograph for radical, ideograph in equivalent_ideographs().items()
            if radical not in document_text}


def _unicode(hex_digits: bytes) -> str:
    return bytes.fromhex(hex_digits.decode("ascii")).decode("utf-16-be", "surrogatepass")


def _hex(text: str) -> str:
    return text.encode("utf-16-be", "surrogatepass").hex().upper()


def cmap_mappings(cmap: bytes) -> dict[tuple[int, int], str]:
    """The ``bfchar`` and ``bfrange`` entries of a ToUnicode CMap: (code length in bytes, code) → text."""
    mappings: dict[tuple[int, int], str] = {}
    for match in _BLOCK_RE.finditer(cmap):
        tokens = [m.group(1).translate(None, b" \t\r\n") if m.group(1) is not None else m.group(0)
                  for m in _TOKEN_RE.finditer(match.group(3))]
        if match.group(2) == b"bfchar":
            for source, target in zip(tokens[0::2], tokens[1::2]):
                mappings[(len(source) // 2, int(source, 16))] = _unicode(target)
            continue
        position = 0
        while position + 2 < len(tokens):
            low, high = tokens[position], tokens[position + 1]
            size, first, last = len(low) // 2, int(low, 16), int(high, 16)
            if tokens[position + 2] == b"[":
                end = tokens.index(b"]", position + 3)
                for offset, target in enumerate(tokens[position + 3:end]):
                    mappings[(size, first + offset)] = _unicode(target)
                position = end + 1
                continue
            # The destination's last code unit counts up along the range.
            target = tokens[position + 2]
            start = int(target, 16)
            for offset in range(last - first + 1):
                mappings[(size, first + offset)] = _unicode(b"%0*X" % (len(target), start + offset))
            position += 3
    return mappings


def cmap_blocks(mappings: dict[tuple[int, int], str]) -> bytes:
    """``bfchar`` blocks for the given mappings, in code order."""
    entries = [b"<%0*X> <%s>" % (size * 2, code, _hex(text).encode("ascii"))
               for (size, code), text in sorted(mappings.items(), key=lambda item: (item[0][1], item[0][0]))]
    blocks = []
    for start in range(0, len(entries), BLOCK):
        chunk = entries[start:start + BLOCK]
        blocks.append(b"%d beginbfchar\n%s\nendbfchar" % (len(chunk), b"\n".join(chunk)))
    return b"\n".join(blocks)


def rewrite_cmap(cmap: bytes, replacements: dict[str, str]) -> bytes | None:
    """The CMap with the replacements made in its destinations, or None when nothing changes.

    Everything outside the ``bfchar`` and ``bfrange`` blocks (header, code space, footer) is kept;
    the mappings are written back as ``bfchar`` blocks where the first such block stood."""
    mappings = cmap_mappings(cmap)
    changed = {key: "".join(replacements.get(ch, ch) for ch in text) for key, text in mappings.items()}
    if changed == mappings:
        return None
    blocks = list(_BLOCK_RE.finditer(cmap))
    parts, position = [], 0
    for number, block in enumerate(blocks):
        parts.append(cmap[position:block.start()])
        if number == 0:
            parts.append(cmap_blocks(changed))
        position = block.end()
    parts.append(cmap[position:])
    return b"".join(parts)


def _fonts(resources, seen: set[int]):
    """Every font dictionary reachable from a resource dictionary, form XObjects included."""
    if resources is None:
        return
    resources = resources.get_object()
    for font in (resources.get("/Font") or {}).values():
        yield font
    for xobject in (resources.get("/XObject") or {}).values():
        key = getattr(xobject, "idnum", None)
        if key in seen:
            continue
        seen.add(key)
        yield from _fonts(xobject.get_object().get("/Resources"), seen)


def fix_text_layer(pdf: Path, document_text: str) -> int:
    """Correct the ToUnicode CMaps of ``pdf`` in place; return how many CMaps were rewritten.

    ``document_text`` is the text of the page that was printed: a radical that it contains is
    left as it is, since the PDF cannot tell which of the two characters a shared glyph stood for."""
    from pypdf import PdfReader

    replacements = ideographs_for(document_text)
    reader = PdfReader(pdf)
    if reader.is_encrypted:
        return 0
    checked: set[tuple[int, int]] = set()
    seen: set[int] = set()
    updates: dict[tuple[int, int], bytes] = {}
    for page in reader.pages:
        for font in _fonts(page.get("/Resources"), seen):
            to_unicode = font.get_object().get("/ToUnicode")
            key = (getattr(to_unicode, "idnum", None), getattr(to_unicode, "generation", None))
            if key[0] is None or key in checked:
                continue
            checked.add(key)
            new = rewrite_cmap(to_unicode.get_object().get_data(), replacements)
            if new is not None:
                updates[key] = new
    if updates:
        _append_update(pdf, reader.trailer, updates)
    return len(updates)


def _append_update(pdf: Path, trailer, streams: dict[tuple[int, int], bytes]) -> None:
    """Append the new streams to ``pdf`` as an incremental update (PDF 32000-1 7.5.6).

    The original bytes stay as they are; the new objects reuse their object numbers, so the
    latest cross-reference section, written in the same classic form as Chromium's, points at them."""
    data = pdf.read_bytes()
    previous = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    offsets: dict[int, tuple[int, int]] = {}
    for (number, generation), content in sorted(streams.items()):
        packed = zlib.compress(content)
        offsets[number] = (len(out), generation)
        out += b"%d %d obj\n<< /Filter /FlateDecode /Length %d >>\nstream\n" % (number, generation, len(packed))
        out += packed + b"\nendstream\nendobj\n"
    xref = len(out)
    # Object 0 heads the free list; listing it again keeps readers from guessing at the numbering.
    out += b"xref\n0 1\n0000000000 65535 f\r\n"
    for number, (offset, generation) in offsets.items():
        out += b"%d 1\n%010d %05d n\r\n" % (number, offset, generation)
    entries = BytesIO()
    for key in ("/Size", "/Root", "/Info", "/ID"):
        if key in trailer:
            entries.write(key.encode("ascii") + b" ")
            trailer.raw_get(key).write_to_stream(entries)
            entries.write(b"\n")
    out += b"trailer\n<<\n%s/Prev %d\n>>\nstartxref\n%d\n%%%%EOF\n" % (entries.getvalue(), previous, xref)
    partial = pdf.with_name(pdf.name + ".part")
    partial.write_bytes(out)
    partial.replace(pdf)
