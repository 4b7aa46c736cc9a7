"""What a real report writes, written as data: placeholders, lists, numerals, untitled study events, aliases.

Each test loads a small meeting file and checks the report's rendered text, the checklist
or the error a mistake gives.
"""

from __future__ import annotations

import textwrap

import pytest

from macros.model import facts, placeholders
from macros.rules import preparation as rules
from macros.model import yamlfile
from macros.model.errors import DataErrors
from macros.model.meeting import convert
from tests.support import document_text, markdown_to_html, renderer, squeeze

NAME = "data/meetings/t.yml"

HEAD = """\
id: t
year: 2021
group:
  name: 县委常委
  short_name: 常委班子
  member_title: 常委
  aliases: [x县委班子, 县委班子]
  members:
    - {name: 甲, post: 县委书记, role: 县委书记, units: [县委办], branch: 县委办党支部}
    - {name: 乙, post: 县长, role: 县委副书记, branch: 县政府办党支部}
"""


def meeting(body: str, opening: str = "- 开头。"):
    opening = textwrap.dedent(opening).rstrip("\n") + "\n"
    text = HEAD + textwrap.dedent(body) + "report:\n  opening:\n" + textwrap.indent(opening, "    ")
    text += "  sections:\n    - {step: study, heading: 学习。, text: 内容。}\n"
    result, errors = convert(yamlfile.parse(text, NAME), NAME)
    if errors:
        raise DataErrors(errors)
    return result


def errors_of(body: str, opening: str = "- 开头。") -> list[str]:
    with pytest.raises(DataErrors) as caught:
        meeting(body, opening)
    return [str(error) for error in caught.value.errors]


def report_text(record) -> str:
    return squeeze(document_text(markdown_to_html(renderer().page("report", record))))


def opening_text(record) -> str:
    return report_text(record).split("一、")[0]


def items(record, step_key: str) -> dict[str, rules.Item]:
    step = next(step for step in rules.checklist(record).steps if step.key == step_key)
    return {item.label: item for item in step.items}


# 1. Placeholders


def test_placeholder_counts_are_kept_as_written_and_not_known_to_the_checklist():
    record = meeting(
        """\
        opinions:
          people: x余
          forms: x
          aspects: x
          items: xx
        """,
        """\
        - 共征求到
        - fact: opinions.aspects
        - 个方面
        - fact: opinions.items
        - 条意见建议，走访
        - fact: opinions.people
        - 人次，发放征求意见表
        - fact: opinions.forms
        - 份。
        """,
    )
    assert opening_text(record).endswith("共征求到x个方面xx条意见建议，走访x余人次，发放征求意见表x份。")
    checklist = items(record, "opinions")
    assert not checklist["统计征求意见人次"].done and checklist["统计征求意见人次"].detail == "x余"
    assert not checklist["汇总意见建议"].done and checklist["汇总意见建议"].detail == "x个方面xx条"
    warning = renderer().page("report", record).split('<div class="portal-document"')[0]
    assert "报告中还有未填写的内容：x个方面、xx条、x余、x份。" in warning


def test_placeholder_dates_are_kept_as_written_and_the_day_is_not_yet_known():
    record = meeting(
        """\
        arrangement:
          date: 2021-12-20
        study:
          sessions:
            - {kind: 常委会（扩大）会议, title: 传达学习党的十九届六中全会精神, date: x月x日}
            - {kind: 中心组学习会, date: 12月x日}
            - {theme: 感悟“两个确立”, date: 2021-11-25}
        talks:
          records:
            - {member: 甲, with: 乙, date: x月x日, form: 重点谈}
        """,
        """\
        - fact: study.session_dates
          item: 1
        - ，县委召开
        - fact: study.session_kinds
          item: 1
        - ，
        - fact: study.session_titles
          item: 1
        - ；
        - fact: study.session_dates
          item: 2
        - ，召开
        - fact: study.session_kinds
          item: 2
        - ；
        - fact: study.session_dates
          item: 3
        - ，围绕
        - fact: study.session_themes
          item: 3
        - 开展研讨。
        """,
    )
    assert opening_text(record).endswith(
        "x月x日，县委召开常委会（扩大）会议，传达学习党的十九届六中全会精神；12月x日，召开中心组学习会；11月25日，围绕感悟“两个确立”开展研讨。"
    )
    study = items(record, "study")
    assert not study["常委会（扩大）会议：传达学习党的十九届六中全会精神"].done
    assert study["常委会（扩大）会议：传达学习党的十九届六中全会精神"].detail == "日期未定（x月x日）"
    assert study["中心组学习会"].detail == "日期未定（12月x日）"
    assert study["集中研讨：感悟“两个确立”"].done
    talk = next(t for t in rules.required_talks(record) if t.label == "甲与乙")
    assert talk.held and talk.held_on is None


@pytest.mark.parametrize("written", ["13月x日", "x月20日", "2021-12-x", "下旬"])
def test_a_date_that_is_neither_real_nor_a_placeholder_is_an_error(written):
    errors = errors_of(f"study:\n  sessions:\n    - {{kind: 中心组学习会, date: {written}}}\n")
    assert errors == [
        f"{NAME}:13: study.sessions[0].date: “{written}”不是有效日期。请按 2021-12-20 的格式填写；日期未定时可写 x月x日，月份已定时可写 12月x日。"
    ]


def test_the_meeting_date_itself_takes_no_placeholder():
    errors = errors_of("arrangement:\n  date: 12月x日\n")
    assert errors == [f"{NAME}:12: arrangement.date: “12月x日”不是有效日期。请按 2021-12-20 的格式填写。"]


def test_the_warning_finds_placeholders_next_to_chinese_text_and_digits():
    text = "x县委班子于12月x日召开，x同志参加，征求到x个方面x条意见，x名党员、xx余人次，x委组通〔2021〕x号，〔x〕，xjp"
    assert placeholders.find(text) == ["x县", "12月x日", "x同志", "x个方面", "x条", "x名", "xx余", "x委", "x号", "〔x〕", "xjp"]


def test_the_warning_ignores_the_letter_x_inside_ordinary_words():
    assert placeholders.find("下载Word文档（.docx）或Excel表格，在x64电脑上用max函数；XML格式") == []


# 2. Lists, items and numerals


def test_a_list_is_joined_with_the_separators_its_citation_asks_for():
    record = meeting(
        """\
        study:
          materials: [党章, 准则, 条例, 决议, 有关要求]
        talks:
          forms: [普遍谈, 重点谈, 主动约谈]
        """,
        """\
        - 学习
        - fact: study.materials
          sep: 、
          last: ，以及
        - ；采取
        - fact: talks.forms
          last: 和
        - 等方式；
        - fact: talks.forms
          sep: ，
        - 。
        """,
    )
    assert opening_text(record).endswith(
        "学习党章、准则、条例、决议，以及有关要求；采取“普遍谈”“重点谈”和“主动约谈”等方式；“普遍谈”，“重点谈”，“主动约谈”。"
    )


def test_every_list_fact_takes_a_separator_and_a_last_joiner():
    record = meeting(
        """\
        basis:
          - {issuers: [市委], title: 通知甲}
          - {issuers: [县委], title: 通知乙}
        study:
          materials: [甲材料, 乙材料]
          sessions:
            - {theme: 主题甲, kind: 会甲, title: 题甲, date: x月x日}
            - {theme: 主题乙, kind: 会乙, title: 题乙, date: 2021-11-25}
        opinions:
          methods: [方式甲, 方式乙]
          places: [村甲, 村乙]
          visited: [对象甲, 对象乙]
          scope: [范围甲, 范围乙]
        talks:
          forms: [一对一, 面对面]
        materials:
          sources: [来源甲, 来源乙]
          aspects: [方面甲, 方面乙]
        """
    )
    list_facts = [name for name in facts.CATALOGUE if facts.length(record, name) is not None]
    assert len(list_facts) == 14
    for name in list_facts:
        first = facts.read(record, name, item=1)
        second = facts.read(record, name, item=2)
        assert facts.read(record, name, sep="/", last="，以及") == f"{first}，以及{second}", name
        assert facts.read(record, name, sep="/") == f"{first}/{second}", name


def test_stored_aspects_and_aliases_are_citable():
    record = meeting(
        """\
        materials:
          aspects_name: 五个带头
          aspects: [感悟“两个确立”的决定性意义, 坚定理想信念, 践行以人民为中心的发展思想, 增强历史自觉, 落实全面从严治党政治责任]
        """,
        """\
        - fact: group.aliases
          item: 2
        - 围绕
        - fact: materials.aspects
          last: 、
        - 等
        - fact: materials.aspect_count
          numerals: arabic
        - 个方面，即“
        - fact: materials.aspects_name
        - ”，逐一查摆；对照
        - fact: materials.aspect_count
        - 个方面，
        - fact: group.aliases
          item: 1
        - 和
        - fact: group
        - 班子逐一检视。
        """,
    )
    assert opening_text(record).endswith(
        "县委班子围绕感悟“两个确立”的决定性意义、坚定理想信念、践行以人民为中心的发展思想、增强历史自觉、落实全面从严治党政治责任等"
        "5个方面，即“五个带头”，逐一查摆；对照五个方面，x县委班子和县委常委班子逐一检视。"
    )


def test_counts_print_in_arabic_or_chinese_numerals_per_citation():
    record = meeting(
        "opinions:\n  people: 120余\n  items: 23\n  forms: 12000\n",
        """\
        - fact: opinions.items
        - 条/
        - fact: opinions.items
          numerals: chinese
        - 条/
        - fact: opinions.people
          numerals: chinese
        - 人次/
        - fact: opinions.forms
          numerals: chinese
        - 份/
        - fact: group.member_count
        - 人。
        """,
    )
    assert opening_text(record).endswith("23条/二十三条/一百二十余人次/12000份/2人。")


# 3. Study events, talk forms


def test_a_study_event_needs_a_theme_or_a_kind():
    errors = errors_of("study:\n  sessions:\n    - {date: 2021-11-25}\n")
    assert errors == [f"{NAME}:13: study.sessions[0]: 请填写 theme（研讨主题），或 kind（学习形式，如“中心组学习会”）和 title（名称或内容）。"]


def test_talk_forms_are_open_text_and_the_checklist_does_not_depend_on_them():
    body = "talks:\n  records:\n    - {{member: 甲, with: 乙, date: 2021-12-01, form: {form}}}\n"
    held = [
        [(t.label, t.held, t.held_on) for t in rules.required_talks(meeting(body.format(form=form)))]
        for form in ("一对一", "主动约谈", "谈心谈话（视频）")
    ]
    assert held[0] == held[1] == held[2]
    assert ("甲与乙", True, meeting(body.format(form="一对一")).talks.records[0].date) in held[0]


# 4. Messages


def test_a_rejected_value_is_reported_once_not_again_where_it_is_cited():
    errors = errors_of("opinions:\n  aspects: 很多\n", "- 共\n- fact: opinions.aspects\n- 个方面。\n")
    assert errors == [
        f"{NAME}:12: opinions.aspects: “很多”不是数目。请写数字，可加“余”或“多”（如 120、120余），未统计时写 x 或 xx。"
    ]


def test_a_missing_cited_fact_is_still_reported():
    errors = errors_of("", "- fact: opinions.items\n")
    assert errors == [f"{NAME}:13: report.opening[0].fact: 引用了“opinions.items”（意见建议条数），但文件中没有填写它。请先填写，或删去这一引用。"]


def test_an_item_past_the_end_of_a_list_or_of_a_value_is_an_error():
    assert errors_of("", "- {fact: group.aliases, item: 3}\n") == [
        f"{NAME}:13: report.opening[0].item: “group.aliases”（班子的其他称呼，用 item 选其中一个）只有 2 项，没有第 3 项。"
    ]
    assert errors_of("", "- {fact: group, item: 1}\n") == [
        f"{NAME}:13: report.opening[0].item: “group”（班子名称）不是列表，不能用 item 选其中一项。请删去 item。"
    ]


def test_numerals_on_a_fact_that_is_no_count_is_an_error():
    assert errors_of("", "- {fact: group, numerals: arabic}\n") == [
        f"{NAME}:13: report.opening[0].numerals: “group”（班子名称）不是数目，numerals 对它不起作用。请删去 numerals。"
    ]


def test_a_half_width_colon_in_prose_says_to_use_a_full_width_one():
    errors = errors_of("", "- 会议时间: 上午\n- 其他内容。\n")
    assert errors == [
        f"{NAME}:13: report.opening[0]: 这一行被读成了字段“会议时间”：文字中的半角冒号后跟空格，在 YAML 中表示“字段: 值”。"
        "正文中的冒号请改用全角“：”（如“会议时间：……”），或把整行文字用引号括起来。"
    ]
    assert opening_text(meeting("", "- 会议时间：上午\n- '其他: 内容。'\n")).endswith("会议时间：上午其他:内容。")
    assert f"{NAME}:13: report.opening[0].fcat: 没有这个字段。是不是“fact”？" in errors_of("", "- fcat: group\n")
    assert errors_of("study:\n  materials:\n    - 党章\n    - 学习要点: 第一部分\n") == [
        f"{NAME}:14: study.materials[1]: 这一行被读成了字段“学习要点”：文字中的半角冒号后跟空格，在 YAML 中表示“字段: 值”。"
        "正文中的冒号请改用全角“：”（如“学习要点：……”），或把整行文字用引号括起来。"
    ]


@pytest.mark.parametrize("empty", ["", " []", " ''", "\n    - ''", "\n    -"])
def test_an_empty_required_paragraph_is_an_error(empty):
    deeper = empty.replace("\n", "\n    ")
    text = HEAD + f"report:\n  opening:{empty}\n  sections:\n    - step: study\n      heading: 学习。\n      text:{deeper}\n"
    _record, errors = convert(yamlfile.parse(text, NAME), NAME)
    assert [(error.field, error.message) for error in errors] == [
        ("report.opening", "这一段没有内容。请填写正文（每行以“- ”开头，或直接写一段文字）。"),
        ("report.sections[0].text", "这一段没有内容。请填写正文（每行以“- ”开头，或直接写一段文字）。"),
    ]


# All of it together


def test_a_report_written_with_every_construct_renders_its_golden_text():
    import os

    from tests.support import ROOT, load

    folder = ROOT / "tests" / "golden" / "constructs"
    record = load(folder / "data" / "meetings", folder)["2021-x-county-committee"]
    text = document_text(markdown_to_html(renderer().page("report", record))).strip() + "\n"
    golden = folder / "report.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
