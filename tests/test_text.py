import datetime as dt

import pytest

from macros.model.text import book_title, cn_date, cn_join, cn_numeral, markdown_text, tidy_text


@pytest.mark.parametrize(
    "number, expected",
    [(0, "零"), (1, "一"), (3, "三"), (10, "十"), (11, "十一"), (20, "二十"), (21, "二十一"),
     (100, "一百"), (105, "一百零五"), (110, "一百一十"), (1001, "一千零一"), (2021, "二千零二十一")],
)
def test_cn_numeral(number, expected):
    assert cn_numeral(number) == expected


@pytest.mark.parametrize("bad", [-1, 10000, 1.5, True, "3"])
def test_cn_numeral_rejects_what_it_cannot_write(bad):
    with pytest.raises(ValueError):
        cn_numeral(bad)


def test_cn_date_has_no_zero_padding():
    assert cn_date(dt.date(2021, 12, 20)) == "2021年12月20日"
    assert cn_date(dt.date(2022, 1, 5)) == "2022年1月5日"
    assert cn_date(None) == ""


def test_book_title_wraps_once():
    assert book_title("政治掮客") == "《政治掮客》"
    assert book_title("《政治掮客》") == "《政治掮客》"


def test_cn_join_uses_dunhao_and_a_last_connector():
    assert cn_join(["甲", "乙", "丙"]) == "甲、乙、丙"
    assert cn_join(["甲", "乙", "丙"], last="以及") == "甲、乙以及丙"
    assert cn_join(["甲"], last="和") == "甲"
    assert cn_join([]) == ""
    assert cn_join(["甲", "乙"], sep="，") == "甲，乙"


def test_cn_join_puts_no_dunhao_between_quoted_items():
    # GB/T 15834: no 、 between two items that both stand in quotation marks or title marks
    assert cn_join(["党的十九届x中全会精神", "“加强政治建设”", "“坚守人民情怀”"]) == "党的十九届x中全会精神、“加强政治建设”“坚守人民情怀”"
    assert cn_join(["《甲》", "《乙》"]) == "《甲》《乙》"
    assert cn_join(["《甲》", "《乙》"], quoted_tight=False) == "《甲》、《乙》"


def test_tidy_text_drops_folded_line_breaks_inside_chinese_only():
    assert tidy_text("坚持读原著，\n  学原文") == "坚持读原著，学原文"
    assert tidy_text("上午 8:30 召开") == "上午 8:30 召开"
    assert tidy_text("Word  文档") == "Word 文档"


def test_markdown_text_cannot_make_markup():
    assert markdown_text("<script>alert(1)</script>") == "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"
    assert markdown_text("{{ 7*7 }}") == "\\{\\{ 7\\*7 \\}\\}"
    assert markdown_text("1. 第一") == "1\\. 第一"
    assert markdown_text("- 列表") == "\\- 列表"
    assert markdown_text("a|b") == "a\\|b"


def test_cn_month_day_names_a_day_within_the_year_and_keeps_a_placeholder_as_written():
    from macros.model.placeholders import rough_date
    from macros.model.text import cn_month_day

    assert cn_month_day(dt.date(2021, 11, 5)) == "11月5日"
    assert cn_month_day(rough_date("12月x日")) == "12月x日"
    assert cn_date(rough_date("2021年x月x日")) == "2021年x月x日"
    assert rough_date("13月x日") is None and rough_date("12月20日") is None


def test_cn_join_keeps_a_separator_other_than_dunhao_between_quoted_items():
    assert cn_join(["“甲”", "“乙”", "“丙”"], sep="，") == "“甲”，“乙”，“丙”"
    assert cn_join(["“甲”", "“乙”", "“丙”"], last="和") == "“甲”“乙”和“丙”"
