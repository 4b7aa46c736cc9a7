"""The shortcuts that make loading and rendering fast give the results of the full path they skip."""

import pytest

from macros.model import yamlfile
from macros.model.meeting import convert
from macros.model.text import markdown_text, tidy_text


@pytest.mark.parametrize(
    "value, expected",
    [
        ("县政府办党组", "县政府办党组"),
        ("2021年12月20日上午9:00", "2021年12月20日上午9:00"),
        ("1. 第一项", "1\\. 第一项"),
        (" 2) 第二项", " 2\\) 第二项"),
        ("- 一项", "\\- 一项"),
        ("+ 一项", "\\+ 一项"),
        ("A|B", "A\\|B"),
        ("《条例》第3条", "《条例》第3条"),
        ('"引号"', "&quot;引号&quot;"),
        ("a<b", "a&lt;b"),
    ],
)
def test_markdown_text_escapes_exactly_what_needs_it(value, expected):
    assert markdown_text(value) == expected


def test_tidy_text_without_whitespace_only_strips():
    assert tidy_text(" 县政府办党组\u3000") == "县政府办党组"
    assert tidy_text("深学\n  领域") == "深学领域"
    assert tidy_text("word  and\tword") == "word and word"


@pytest.mark.parametrize("depth, fails", [(19, False), (21, True)])
def test_deep_nesting_is_still_refused_at_its_line(depth, fails):
    text = "a:\n" + "".join("  " * level + "- b:\n" for level in range(depth))
    if not fails:
        yamlfile.parse(text, "t.yml")
        return
    with pytest.raises(yamlfile.YamlFileError) as caught:
        yamlfile.parse(text, "t.yml")
    assert "嵌套过深" in str(caught.value)
    assert caught.value.error.line == 21


def test_a_stand_in_written_by_an_escape_is_still_restored_and_reported():
    text = 'id: "t\\U000F0001"\n'
    tree = yamlfile.parse(text, "data/meetings/t.yml")
    assert tree.items["id"].text == "t\x01"
    _, errors = convert(tree, "data/meetings/t.yml")
    assert any(error.field == "id" and "控制字符" in str(error) for error in errors)


def test_a_stand_in_in_the_file_itself_is_refused():
    with pytest.raises(yamlfile.YamlFileError) as caught:
        yamlfile.parse("id: t\U000F0001\n", "t.yml")
    assert "私用区字符" in str(caught.value)
