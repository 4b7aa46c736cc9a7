"""The one table of page kinds: every path that lists a meeting's pages reads it."""

from macros.outputs import kinds, pdf
from macros.outputs.portal import Portal
from macros.outputs.render import DOCUMENT_KINDS, TEMPLATES, document_kinds, page_uris
from tests.support import ROOT, TODAY, load


def test_every_kind_has_its_template_and_a_chinese_title():
    for kind in kinds.KINDS:
        assert (TEMPLATES / kind.template).is_file(), kind.key
        assert kind.title and all(ord(ch) > 127 for ch in kind.title), kind.key
        assert kind.search_label


def test_pages_menu_word_copies_and_pdfs_follow_the_table():
    portal = Portal.load(ROOT, today=TODAY)
    for meeting in load().values():
        listed = kinds.kinds_of(meeting)
        assert page_uris(meeting) == [f"meetings/{meeting.id}/{kind.page}" for kind in listed]
        _, links = portal.meeting_links(f"meetings/{meeting.id}/index.md")
        assert [title for title, _, _ in links] == [kind.title for kind in listed]
        assert document_kinds(meeting) == [kind.key for kind in listed if kind.document]
    assert DOCUMENT_KINDS == pdf.KINDS == tuple(kind.key for kind in kinds.KINDS if kind.document)


def test_the_overview_lists_each_document_with_its_word_copy():
    from tests.support import renderer

    for meeting in load().values():
        overview = renderer().page("overview", meeting)
        for kind in kinds.documents_of(meeting):
            assert f"| [{kind.title}]({kind.page}) |" in overview
            assert f"[下载]({meeting.id}-{kind.key}.docx)" in overview
