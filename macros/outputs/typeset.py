"""What a page's HTML gets before it is published, so that screen, paper and Word break lines alike.

Chinese text may break between any two characters. That is right in a paragraph but wrong inside
a name or a date in a narrow table column (“王建/国”, “2022年10/月31日”) and at the end of a
heading (“…讲/话”). ``keep_together`` marks such runs with ``<span class="portal-nobr">`` (no
break inside, see portal.css and print.css); the Word copy sizes its columns by the same
``unbreakable`` runs. ``name_downloads`` gives each link to a Word copy its Chinese file name.
"""

from __future__ import annotations

import html as html_lib
import re

NOBR_CLASS = "portal-nobr"
DATE = re.compile(r"\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日")
SHORT_CELL = 24
"""A table cell of at most this many characters, and no sentence in it, is a name, a date, a status or
a short label: each of its pieces between punctuation stays on one line. Longer cells and sentences
(problems, measures) wrap freely but for their dates."""
_SENTENCE = re.compile(r"[，。；！？]")
PIECE = 8
"""The longest piece of a short cell that is kept on one line (经济责任审计科 has seven characters)."""
_DELIMITERS = re.compile(r"([，。；、：（）()\s]+)")
_CELL = re.compile(r"(<(td|th)\b[^>]*>)(.*?)(</\2>)", re.S)
_HEADING = re.compile(r"(<(h[1-6])\b[^>]*>)(.*?)(</\2>)", re.S)
_TAG = re.compile(r"(<[^>]+>)")
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
_WORD_LINK = re.compile(r'<a href="([^"]*?)([^/"]+\.docx)"')
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def unbreakable(text: str) -> list[str]:
    """The runs of a table cell's text that must not break across lines: its dates, and in a short
    cell (no sentence) each piece between punctuation."""
    runs = DATE.findall(text)
    if _is_short(text):
        runs += [piece for piece in _DELIMITERS.split(text) if piece.strip() and len(piece) <= PIECE and not _DELIMITERS.fullmatch(piece)]
    return runs


def _is_short(text: str) -> bool:
    return len(text.strip()) <= SHORT_CELL and not _SENTENCE.search(text)


def _nobr(text: str) -> str:
    return f'<span class="{NOBR_CLASS}">{text}</span>'


def _dates(text: str) -> str:
    return DATE.sub(lambda found: _nobr(found.group()), text)


def _short_piece(piece: str) -> str:
    """A piece of a short cell between punctuation: whole on one line if it is short, else its dates."""
    if not piece or _DELIMITERS.fullmatch(piece):
        return piece
    length = len(html_lib.unescape(piece))
    return _nobr(piece) if 1 < length <= PIECE else _dates(piece)


def _cell(match: re.Match) -> str:
    opening, _, content, closing = match.groups()
    visible = html_lib.unescape(_TAG.sub("", content))
    short = _is_short(visible)
    parts = _TAG.split(content)
    for index, part in enumerate(parts):
        if index % 2 or not part.strip():
            continue
        if short:
            parts[index] = "".join(_short_piece(piece) for piece in _DELIMITERS.split(part))
        else:
            parts[index] = _dates(part)
    return opening + "".join(parts) + closing


def _heading(match: re.Match) -> str:
    """The heading's last two characters joined, so that no line holds one character alone."""
    opening, _, content, closing = match.groups()
    link = _HEADERLINK.search(content)
    tail = content[link.start():] if link else ""
    body = content[: link.start()] if link else content
    parts = _TAG.split(body)
    for index in range(len(parts) - 1, -1, -1):
        if index % 2:
            continue
        text = parts[index]
        stripped = text.rstrip()
        if not stripped:
            continue
        # Two characters of text (an entity such as &amp; counts as one).
        chars = re.findall(r"&[#\w]+;|.", stripped, re.S)
        if len(chars) < 2:
            break
        keep = "".join(chars[-2:])
        parts[index] = stripped[: len(stripped) - len(keep)] + _nobr(keep) + text[len(stripped):]
        break
    return opening + "".join(parts) + tail + closing


def keep_together(page_html: str) -> str:
    """The page's HTML with names, dates and short labels in table cells, and each heading's last
    two characters, kept on one line."""
    page_html = _CELL.sub(_cell, page_html)
    return _HEADING.sub(_heading, page_html)


def download_name(title: str) -> str:
    """The Word copy's file name as saved: the document's Chinese title (characters that no system
    allows in a file name left out)."""
    return _UNSAFE_IN_NAME.sub("", title).strip() + ".docx"


def name_downloads(page_html: str, names: dict[str, str]) -> str:
    """Each link to a Word copy named in ``names`` (file name in the site → name to save it as) gets a
    ``download`` attribute: the browser saves it under its Chinese title, while its address stays ASCII."""
    def named(match: re.Match) -> str:
        name = names.get(match.group(2))
        if name is None:
            return match.group()
        return f'{match.group()} download="{html_lib.escape(name, quote=True)}"'

    return _WORD_LINK.sub(named, page_html)

