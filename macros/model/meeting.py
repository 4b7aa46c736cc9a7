"""The meeting file: its schema, cross-checks, and loading a folder of them.

``load_data`` (settings and meetings) is the single entry point used by the
site and ``make check``; ``load_meetings`` reads every ``<id>.yml``, converts
it through the schema, checks what one field cannot check alone, and raises
``DataErrors`` with every problem of every file at once.
"""

from __future__ import annotations

import dataclasses

import contextlib
import fnmatch
import functools
import gc
import os
import re
from pathlib import Path

from macros.model import datafile, environment, facts, placeholders, rectification, years
from macros.model.errors import DataError, DataErrors, visible_line
from macros.model.schema import (
    Bool,
    Choice,
    Context,
    CountType,
    EMPTY,
    Date,
    Field,
    Int,
    List,
    Obj,
    Record,
    Text,
    Type,
    colon_advice,
    is_blank,
    shown,
)
from macros.model.yamlfile import Mapping, Node, Scalar, YamlFileError
from macros.model import yamlfile

ID_PATTERN = r"[a-z0-9][a-z0-9-]*"
MAX_MEMBERS = 50
"""A leadership group has a dozen members at most; talks between every two members grow with the square."""
MATERIAL_STATUSES = ("未起草", "已起草", "书记已审阅", "已修改", "上级已审核")
TALK_FORMS = ("一对一", "面对面", "集体谈话", "普遍谈", "重点谈", "主动约谈")
"""Talk forms editors suggest; any other wording a report uses is accepted as written."""
SECTION_STEPS = ("study", "opinions", "talks", "materials", "review", "other")
STEP_TITLES = {
    "study": "学习研讨",
    "opinions": "征求意见",
    "talks": "谈心谈话",
    "materials": "撰写对照检查材料",
    "review": "审核把关",
    "report": "会前报告",
}


class Suggested(Text):
    """Open text; editors suggest the common values (JSON Schema ``examples``), any other wording is accepted."""

    def __init__(self, *examples: str):
        super().__init__()
        self.examples = examples

    def json_schema(self):
        return {**super().json_schema(), "examples": list(self.examples)}


class Parts(Type):
    """A paragraph: prose strings, with named facts (``fact:``) and enumeration points (``point:``) between them.

    A ``required`` paragraph must say something: left empty, it is an error.
    """

    fact_part = Obj(
        {
            "fact": Field(Choice(*facts.CATALOGUE), "引用的事实名称", required=True),
            "last": Field(Text(), "最后一项前的连接词，如“和”“以及”“，以及”"),
            "sep": Field(Text(), "各项之间的分隔符，默认“、”"),
            "item": Field(Int(1, 1000), "只引用列表中的第几项（从 1 开始），如第 2 个称呼、第 1 次学习的日期"),
            "numerals": Field(
                Choice(*facts.NUMERALS),
                "数字写法：arabic（5）或 chinese（五）；不填时人次、份数、条数用阿拉伯数字，方面数、次数用汉字",
            ),
        }
    )
    point_part = Obj({"point": Field(Text(), "要点标题，自动编为“一是……二是……”", required=True)})

    def __init__(self, required: bool = False):
        self.required = required

    def convert(self, node, ctx, path):
        reported = len(ctx.errors)
        parts = [] if is_blank(node) else self._parts(node, ctx, path)
        said = any(isinstance(part, Record) or part.strip() for part in parts)
        if self.required and not said and len(ctx.errors) == reported:
            ctx.error(node.line, path, "这一段没有内容。请填写正文（每行以“- ”开头，或直接写一段文字）。")
        return parts

    def _parts(self, node, ctx, path):
        if isinstance(node, Scalar):
            return [text for text in [Text().convert(node, ctx, path)] if isinstance(text, str)]
        if not isinstance(node, yamlfile.Sequence):
            ctx.error(node.line, path, "这里应是段落内容的列表：每项另起一行，以“- ”开头。")
            return []
        parts = []
        for index, item in enumerate(node.items):
            where = f"{path}[{index}]"
            if isinstance(item, Mapping) and _prose_with_colon(item):
                ctx.error(item.line, where, colon_advice(next(iter(item.items))))
            elif isinstance(item, Mapping):
                kind = self.point_part if "point" in item.items else self.fact_part
                part = kind.convert(item, ctx, where)
                if isinstance(part, Record) and "point" in part:
                    _check_prose(part.point, part.line_of("point"), ctx, f"{where}.point")
                parts.append(part)
            else:
                text = Text().convert(item, ctx, where)
                if isinstance(text, str):
                    _check_prose(text, item.line, ctx, where)
                parts.append(text)
        return [part for part in parts if isinstance(part, (str, Record))]

    def json_schema(self):
        return {
            "type": "array",
            "items": {
                "anyOf": [
                    {"type": "string"},
                    self.fact_part.json_schema(),
                    self.point_part.json_schema(),
                ]
            },
        }


    def missing(self):
        return []


def _prose_with_colon(item: Mapping) -> bool:
    """A line of prose that YAML read as a mapping because of a half-width colon (“- 会议时间: 上午”).

    A field name is ASCII; a mistyped one (``fcat``) is left to the field check, which names the right one.
    """
    return len(item.items) == 1 and not next(iter(item.items)).isascii()


_KEY_WITH_FULL_WIDTH_COLON = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*：\s*(.*)$", re.S)
_FIELD_PATH = re.compile(r"(?<![A-Za-z0-9_./-])([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)+|[a-z]+_[a-z_]+)(?![A-Za-z0-9_/-])")
_ASCII_WORD = re.compile(r"(?<![A-Za-z0-9_./-])[A-Za-z_][A-Za-z0-9_]*(?![A-Za-z0-9_/-])")


@functools.cache
def field_names() -> frozenset[str]:
    """Every field name of the meeting file and every citable fact's name: ASCII words that read as
    a typo when they stand in Chinese prose (“分别到opinions.places等乡镇”)."""
    names = set(facts.CATALOGUE)
    for name in facts.CATALOGUE:
        names.update(name.split("."))

    def walk(kind) -> None:
        if isinstance(kind, List):
            walk(kind.item)
        elif isinstance(kind, Obj):
            for key, spec in kind.fields.items():
                names.add(key)
                walk(spec.type)

    walk(MEETING)
    walk(Parts.fact_part)
    walk(Parts.point_part)
    return frozenset(names)


def _check_prose(text: str, line: int, ctx: Context, path: str) -> None:
    """Prose that would print a field name or a field path on paper: a key typed with a full-width
    colon (“- fact：opinions.places” is read as text), or a field path left in a sentence."""
    keyed = _KEY_WITH_FULL_WIDTH_COLON.match(text)
    if keyed and keyed.group(1) in field_names():
        key, value = keyed.group(1), keyed.group(2).strip()
        example = f"- {key}: {value}" if value else f"- {key}: ……"
        what = {"fact": "引用事实", "point": "要点"}.get(key, "字段")
        ctx.error(line, path, f"“{key}”后面用了中文冒号“：”，这一项会被当作正文，把“{shown(text)}”原样印在报告里。"
                              f"{what}请写成“{example}”（英文冒号“:”再加一个空格）。")
        return
    if not _has_chinese(text):
        return
    found = next((match for match in _FIELD_PATH.finditer(text) if re.split(r"[.\[]", match.group())[0] in field_names()), None)
    if not found:
        found = next((word for word in _ASCII_WORD.finditer(text) if word.group() in field_names()), None)
    if found:
        word = found.group()
        cited = word if word in facts.CATALOGUE else ""
        fix = (f"要引用这一事实，请把它单独写成一项“- fact: {cited}”；" if cited else "")
        ctx.error(line, path, f"正文中有“{word}”，它会原样印在报告里。{fix}否则请改写成中文。")


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


MEMBER = Obj(
    {
        "name": Field(Text(), "姓名", required=True),
        "post": Field(Text(), "职务，如“县政府办主任”", required=True),
        "role": Field(Text(), "在班子中的角色，如“党组书记”“党组成员”", required=True),
        "units": Field(List(Text()), "分管单位或科室"),
        "branch": Field(Text(), "组织关系所在党支部"),
    }
)

NOTICE = Obj(
    {
        "issuers": Field(List(Text(), min_items=1), "发文单位", required=True),
        "title": Field(Text(), "文件标题（不带书名号）", required=True),
        "number": Field(Text(), "文号，如“x委组通〔2021〕x号”"),
    }
)

SESSION = Obj(
    {
        "theme": Field(Text(), "研讨主题；没有主题的学习（如常委会会议）可不填，改填 kind 和 title"),
        "kind": Field(Text(), "学习的形式，如“常委会（扩大）会议”“中心组学习会”“动员部署会”"),
        "title": Field(Text(), "学习的名称或内容，如“传达学习党的十九届六中全会精神”"),
        "date": Field(Date(rough=True), "日期，如 2021-11-25；日期未定时写 x月x日 或 12月x日"),
    }
)

TALK = Obj(
    {
        "member": Field(Text(), "谈话的班子成员", required=True),
        "with": Field(Text(), "谈话对象：另一位班子成员"),
        "unit": Field(Text(), "谈话对象：分管单位（与其主要负责同志谈）"),
        "branch": Field(Text(), "谈话对象：所在党支部（与党员代表谈）"),
        "date": Field(Date(rough=True), "谈话日期；未定时写 x月x日"),
        "form": Field(Suggested(*TALK_FORMS), "谈话方式，如“一对一”“面对面”“重点谈”", default="一对一"),
        "place": Field(Text(), "谈话地点"),
        "recorder": Field(Text(), "记录人"),
        "summary": Field(Text(), "主要内容：双方谈到的问题"),
        "suggestions": Field(Text(), "意见建议"),
    }
)

OPINION_WAYS = ("征求意见表", "座谈会", "个别访谈", "意见箱", "走访")
OPINION = Obj(
    {
        "text": Field(Text(), "意见建议，照原话或归纳后的内容", required=True),
        "member": Field(Text(), "针对的班子成员；对班子的意见不填"),
        "aspect": Field(Text(), "所属方面，如年度通知中的某一方面"),
        "way": Field(Suggested(*OPINION_WAYS), "征求方式，如“征求意见表”“座谈会”“个别访谈”“意见箱”"),
        "unit": Field(Text(), "提出意见的单位或群体"),
    }
)

REACH = Obj(
    {
        "count": Field(CountType(), "数目，未统计时写 x", required=True),
        "unit": Field(Text(), "量词，如“个”“名”“人次”", default="个"),
        "what": Field(Text(), "对象，如“乡镇街道”“主要县直单位”“干部”“调研小组”", required=True),
    }
)

FEEDBACK = Obj(
    {
        "member": Field(Text(), "已收到意见反馈的班子成员", required=True),
        "date": Field(Date(rough=True), "反馈日期"),
    }
)

PERSON = Obj(
    {
        "name": Field(Text(), "姓名", required=True),
        "post": Field(Text(), "职务，如“县委第二督导组组长”", required=True),
    }
)

PROBLEM = Obj(
    {
        "aspect": Field(Text(), "所属方面，须是本年度对照检视的方面之一", required=True),
        "text": Field(Text(), "存在的问题", required=True),
    }
)

SELF_REVIEW = Obj(
    {
        "problems": Field(List(PROBLEM), "存在的问题，每条注明所属方面"),
        "case_study": Field(List(Text()), "反面典型案例剖析，每段一行"),
        "causes": Field(List(Text()), "原因分析，每条一行"),
        "measures": Field(List(Text()), "整改措施，每条一行"),
    }
)

PLAN = Obj(
    {
        "issued_on": Field(Date(), "会议方案的印发日期"),
        "approved_on": Field(Date(), "督导组审核同意会议方案的日期（主持词中写“经……审核批准”）"),
        "requirements": Field(List(Text()), "工作要求，每条一行"),
        "leads": Field(
            Obj({key: Field(Text(), f"“{title}”的责任人或牵头部门") for key, title in STEP_TITLES.items()}),
            "时间安排表中各环节的责任人或牵头部门；不填时按通常分工",
        ),
    }
)

MEMBER_MATERIAL = Obj(
    {
        "member": Field(Text(), "班子成员姓名", required=True),
        "status": Field(Choice(*MATERIAL_STATUSES), "个人对照检查材料的进度", required=True),
    }
)

NOT_APPLICABLE_ITEMS = {
    "study.materials": "确定自学材料",
    "study.sessions": "开展集中学习研讨",
    "study.warning": "开展警示教育",
    "opinions.methods": "确定征求意见方式",
    "opinions.people": "统计征求意见人次",
    "opinions.forms": "统计征求意见表份数",
    "opinions.items": "汇总意见建议",
    "opinions.assigned": "意见分解到每位班子成员",
    "talks.units": "与分管单位主要负责同志谈话",
    "talks.branches": "与所在党支部党员代表谈话",
    "review.group": "班子对照检查材料修改完善",
    "report.attendees": "确定参加人员",
}
"""Checklist items a meeting may mark 不适用 (by key or by the name the checklist shows), besides whole steps."""

NOT_APPLICABLE = Obj(
    {
        "what": Field(
            Choice(*STEP_TITLES, *NOT_APPLICABLE_ITEMS, names={**STEP_TITLES, **NOT_APPLICABLE_ITEMS}),
            "不适用的环节或事项，写清单上的名称即可，如“开展警示教育”“统计征求意见表份数”“征求意见”",
            required=True,
        ),
        "reason": Field(Text(), "不适用的原因，如“上级通知未要求开展警示教育”", required=True),
    }
)

SECTION = Obj(
    {
        "step": Field(Choice(*SECTION_STEPS, names={**STEP_TITLES, "other": "其他"}), "对应的准备环节：study（学习研讨）、opinions（征求意见）、talks（谈心谈话）、materials（撰写对照检查材料）、review（审核把关）、other（其他），中英文都可以", required=True),
        "heading": Field(Text(), "小标题，如“深学领域，打牢基础。”", required=True),
        "text": Field(Parts(required=True), "正文", required=True),
    }
)

MEETING = Obj(
    {
        "id": Field(Text(ID_PATTERN, "只能用小写英文字母、数字和连字符，并与文件名相同。"), "编号，与文件名相同", required=True),
        "year": Field(Int(2000, 2100), "年度", required=True),
        "year_style": Field(Choice("年度", "年"), "标题中写“2021年度”还是“2021年”", default="年度"),
        "kind": Field(Text(), "会议类别，如“专题民主生活会”", default="民主生活会"),
        "theme": Field(Text(), "主题，如“党史学习教育”"),
        "group": Field(
            Obj(
                {
                    "name": Field(Text(), "班子名称，如“县政府办党组”", required=True),
                    "short_name": Field(Text(), "简称，如“党组班子”“常委班子”", required=True),
                    "member_title": Field(Text(), "成员称谓，如“党组成员”“常委”", required=True),
                    "aliases": Field(List(Text()), "班子的其他称呼，如“县委班子”“x县委班子”；报告中用 fact: group.aliases 加 item 引用其中一个"),
                    "members": Field(List(MEMBER, min_items=1, max_items=MAX_MEMBERS), "班子成员，按排序填写，第一位是书记", required=True),
                }
            ),
            "领导班子",
            required=True,
        ),
        "supervisor": Field(Text(), "上级督导组或指导组，如“市委督导组”"),
        "notice_year": Field(Int(2000, 2100), "采用哪一年度的通知文件（data/years/年度.yml）；不填时按 year"),
        "case_study": Field(Bool(), "是否开展反面典型案例剖析；不填时按年度通知文件"),
        "period": Field(
            Obj({"start": Field(Date(), "最早召开日期", required=True), "end": Field(Date(), "最晚召开日期", required=True)}),
            "通知规定的召开时间；不填时按年度通知文件",
        ),
        "approval": Field(
            Obj(
                {
                    "by": Field(Text(), "同意的上级，如“县委组织部”", required=True),
                    "date": Field(Date(), "同意的日期"),
                }
            ),
            "会议不在通知规定的时间内召开时，上级同意的记录",
        ),
        "basis": Field(List(NOTICE), "依据的上级通知"),
        "inspection": Field(
            Obj(
                {
                    "team": Field(Text(), "巡察组，如“县委第十三轮巡察二组”", required=True),
                    "feedback_title": Field(Text(), "反馈意见标题（不带书名号）"),
                    "rectification_by": Field(Text(), "部署整改的单位，如“县委”"),
                }
            ),
            "需要回应的巡察反馈意见",
        ),
        "study": Field(
            Obj(
                {
                    "materials": Field(List(Text()), "自学材料"),
                    "sessions": Field(List(SESSION), "集中学习研讨"),
                    "warning": Field(
                        Obj(
                            {
                                "kind": Field(Text(), "形式，如“廉政教育宣传片”", required=True),
                                "title": Field(Text(), "名称（不带书名号）", required=True),
                                "date": Field(Date(rough=True), "日期；未定时写 x月x日"),
                            }
                        ),
                        "警示教育",
                    ),
                }
            ),
            "学习研讨",
            default=EMPTY,
        ),
        "opinions": Field(
            Obj(
                {
                    "notice_title": Field(Text(), "征求意见通知的标题（不带书名号）"),
                    "methods": Field(List(Text()), "征求意见的方式"),
                    "places": Field(List(Text()), "走访的村、社区、单位"),
                    "visited": Field(List(Text()), "走访、征求意见的对象"),
                    "scope": Field(List(Text()), "征求意见的范围"),
                    "targets": Field(Text(), "征求意见的对象（一句话概括）"),
                    "people": Field(CountType(), "人次"),
                    "forms": Field(CountType(), "发放征求意见表份数"),
                    "aspects": Field(CountType(), "意见建议涉及的方面数"),
                    "items": Field(CountType(), "意见建议条数"),
                    "assigned": Field(Bool(), "是否已分解到每位班子成员", default=False),
                    "reach": Field(List(REACH), "征求意见覆盖的范围，逐项写数目，如“12个乡镇街道”“160名干部”"),
                    "issued_on": Field(Date(), "征求意见函的印发日期"),
                    "deadline": Field(Date(), "意见建议的反馈截止日期"),
                    "return_to": Field(Text(), "意见建议反馈至何处，如“县发展和改革局办公室（电话：xxxxxxx）”"),
                    "records": Field(List(OPINION), "征求到的意见建议，逐条填写（可不填，只填条数）"),
                    "fed_back": Field(List(FEEDBACK), "已向本人反馈意见的班子成员"),
                }
            ),
            "征求意见",
            default=EMPTY,
        ),
        "talks": Field(
            Obj(
                {
                    "rule": Field(Text(), "谈话要求的名称，如“四必谈”“三个必谈”", default="四必谈"),
                    "forms": Field(List(Suggested(*TALK_FORMS)), "采取的谈话方式，如“一对一”“面对面”“普遍谈”“重点谈”“主动约谈”"),
                    "records": Field(List(TALK), "已开展的谈话"),
                }
            ),
            "谈心谈话",
            default=EMPTY,
        ),
        "materials": Field(
            Obj(
                {
                    "group": Field(Choice(*MATERIAL_STATUSES), "班子对照检查材料的进度", default="未起草"),
                    "members": Field(List(MEMBER_MATERIAL), "个人对照检查材料的进度"),
                    "sources": Field(List(Text()), "问题来源"),
                    "aspects_name": Field(Text(), "对照检视的方面，如“五个带头”"),
                    "aspects": Field(List(Text()), "对照检视的各个方面"),
                }
            ),
            "对照检查材料",
            default=EMPTY,
        ),
        "arrangement": Field(
            Obj(
                {
                    "date": Field(Date(), "会议日期"),
                    "time": Field(Text(), "会议时间，如“上午9:00”"),
                    "time_pending": Field(Text(), "时间待定的原因，如“待市委督导组审定通过后确定。”"),
                    "place": Field(Text(), "会议地点"),
                    "place_pending": Field(Text(), "地点待定的原因"),
                    "attendees": Field(List(Text()), "参加人员"),
                    "attendees_pending": Field(Text(), "参加人员待定的原因"),
                    "supervisor_remarks": Field(Text(), "督导组在第三项议程中的发言", default="作重要讲话"),
                    "closing_focus": Field(Text(), "书记表态发言的内容", default="抓好整改工作和班子建设"),
                    "recorder": Field(Text(), "会议记录人，如“办公室主任孙立”"),
                    "supervisors": Field(List(PERSON), "到会指导的督导组成员（姓名、职务），主持词和签到表中列出"),
                    "observers": Field(List(PERSON), "列席人员（姓名、职务），签到表中列出"),
                    "opening_study": Field(Text(), "会议开始时集体学习的内容，如“习近平总书记关于……的重要讲话精神”"),
                }
            ),
            "会议安排（会议时间、地点、参加人员、议程）",
        ),
        "plan": Field(PLAN, "会议方案"),
        "self_review": Field(SELF_REVIEW, "班子对照检查材料的内容（不填的部分在提纲中标为“【待补】”）"),
        "deadlines": Field(
            Obj({key: Field(Date(), f"“{title}”的完成期限") for key, title in STEP_TITLES.items()}),
            "各环节的完成期限；不填时按会议日期倒推",
        ),
        "not_applicable": Field(
            List(NOT_APPLICABLE),
            "本次会议不适用的环节或事项及原因：既不算已完成，也不算缺项，清单中注明原因",
        ),
        "readiness": Field(
            Obj({"statement": Field(Text(), "具备开会条件的表述", required=True)}),
            "准备就绪的表述",
        ),
        "print_as_final": Field(
            Bool(),
            "准备工作未完成时仍按正式稿打印（打印件和 Word 版不标注“草稿”，屏幕上的提示照常显示）",
            default=False,
        ),
        "report": Field(
            Obj(
                {
                    "name": Field(Text(), "报告名称", default="准备工作情况报告"),
                    "opening": Field(Parts(required=True), "开头段落", required=True),
                    "sections": Field(List(SECTION, min_items=1), "各部分，按报告中的顺序", required=True),
                    "closing": Field(Parts(), "结尾段落"),
                    "arrangement_lead": Field(Text(), "引出具体安排的话", default="具体安排如下："),
                    "signed_by": Field(Text(), "署名"),
                    "signed_on": Field(Date(), "成文日期"),
                    "issuer": Field(Text(), "发文机关，如“县发展和改革局党组”；填写后标题写作“……关于……的报告”，不填署名时以它署名"),
                    "addressee": Field(Text(), "主送机关，如“县委组织部”；填写后在正文前单列一行"),
                    "run_in_headings": Field(Bool(), "一级标题是否与正文接排，如“一、深入学习研讨。x月x日，……”", default=False),
                    "run_in_arrangement": Field(Bool(), "具体安排各项是否接排，如“（一）会议时间：2023年1月12日上午8:30。”", default=False),
                    "previous_counts": Field(Bool(), "在报告所列议程的第一项中写明上年度整改完成情况（共几项、已完成几项）", default=False),
                }
            ),
            "准备工作情况报告的行文",
            required=True,
        ),
        **rectification.FIELDS,
    }
)


DEFAULT_LEAD_DAYS = {"study": 30, "opinions": 25, "talks": 10, "materials": 7, "review": 5, "report": 3}

SETTINGS = Obj(
    {
        "lead_days": Field(
            Obj(
                {
                    key: Field(Int(0, 365), f"“{title}”应在会议日期前几天完成", default=DEFAULT_LEAD_DAYS[key])
                    for key, title in STEP_TITLES.items()
                }
            ),
            "各环节完成期限的默认值（会议日期前的天数），会议文件中的 deadlines 可以逐项改写",
            default=EMPTY,
        ),
        "meeting_report_days": Field(
            Int(0, 365), "会议情况报告应在会议召开后几天内报送上级", default=rectification.DEFAULT_REPORT_DAYS
        ),
    }
)


def load_settings(path: Path, root: Path) -> Record:
    """The portal's settings (data/portal.yml); defaults when the file is absent."""
    name = _display_name(path, root)
    if not os.path.lexists(path):
        return SETTINGS.convert(Mapping(0), Context(name), "")
    try:
        tree = yamlfile.load(path, name)
    except YamlFileError as exc:
        raise DataErrors([exc.error]) from None
    ctx = Context(name)
    settings = SETTINGS.convert(tree, ctx, "")
    if ctx.errors:
        raise DataErrors(ctx.errors)
    return settings


def load_data(root: Path, only: set[str] | None = None, cache=None, environ=None) -> tuple[Record, list[Record]]:
    """Settings and meetings of ``root/data``: every check the build makes on data, and only those.

    ``make check`` and the build both call this, so whatever passes the check builds.
    ``cache``: see ``load_meetings``. The settings given in the environment (``environ``, the
    process's when not given) are checked too (``environment.problems``).
    """
    errors: list[DataError] = environment.problems(environ)
    settings = meetings = None
    try:
        settings = load_settings(root / "data" / "portal.yml", root)
    except DataErrors as exc:
        errors += exc.errors
    try:
        meetings = load_meetings(root / "data" / "meetings", root, only, cache)
    except DataErrors as exc:
        errors += exc.errors
    if errors:
        raise DataErrors(with_quotes(errors, root))
    return settings, meetings


def with_quotes(errors: list[DataError], root: Path) -> list[DataError]:
    """The errors, each with the line it points at as written (see ``visible_line``); a file that
    cannot be read as UTF-8 text up to that line, or a line it doesn't have, gives no quote.

    Only a plain file is read (``datafile.leading_lines``), up to the last line quoted: an error about
    a pipe, a device, a link or a file too large reads nothing of it."""
    wanted: dict[str, int] = {}
    for error in errors:
        if error.line > 0:
            wanted[error.file] = max(wanted.get(error.file, 0), error.line)
    lines: dict[str, list[str] | None] = {}
    for file, count in wanted.items():
        read = datafile.leading_lines(root / file, count)
        try:
            lines[file] = b"\n".join(read).removeprefix(b"\xef\xbb\xbf").decode("utf-8").split("\n") if read else None
        except UnicodeDecodeError:
            lines[file] = None
    quoted = []
    for error in errors:
        text = lines.get(error.file)
        if text is not None and 0 < error.line <= len(text) and text[error.line - 1].strip():
            error = dataclasses.replace(error, quote=visible_line(text[error.line - 1]))
        quoted.append(error)
    return quoted


def convert(root: Node, name: str) -> tuple[Record | None, list[DataError]]:
    """Convert one parsed file; return the meeting (None if unusable) and its errors."""
    ctx = Context(name)
    record = MEETING.convert(root, ctx, "")
    if not isinstance(record, Record):
        return None, ctx.errors
    record.source = name
    _cross_check(record, ctx)
    return record, ctx.errors


def _cross_check(meeting: Record, ctx: Context) -> None:
    stem = Path(meeting.source).stem
    if meeting.id and len(meeting.id) > MAX_ID_LENGTH:
        ctx.error(meeting.line_of("id"), "id", f"编号过长（{len(meeting.id)} 个字符，最多 {MAX_ID_LENGTH} 个），网页和 Word 文件的文件名放不下。请改短，并同样改文件名。")
    elif meeting.id and meeting.id != stem:
        ctx.error(meeting.line_of("id"), "id", f"编号“{meeting.id}”与文件名“{stem}.yml”不一致。请把两者改成一样。")
    group = meeting.group
    if not group:
        return
    names: dict[str, int] = {}
    for index, member in enumerate(group.members):
        if member.name in names:
            ctx.error(member.line_of("name"), f"group.members[{index}].name", f"“{member.name}”重复出现。同名成员请加以区分（如“张伟（副县长）”）。")
        names.setdefault(member.name, index)
    by_name = {member.name: member for member in group.members if member.name}
    rectification.check(meeting, by_name, ctx)

    talks = meeting.talks
    for index, talk in enumerate(talks.records if talks else []):
        path = f"talks.records[{index}]"
        member = ctx.known_member(talk, "member", by_name, path)
        targets = [key for key in ("with", "unit", "branch") if talk[key]]
        if len(targets) != 1:
            ctx.error(talk.line, path, "请在 with（班子成员）、unit（分管单位）、branch（党支部）中填且只填一项谈话对象。")
            continue
        if talk["with"]:
            other = ctx.known_member(talk, "with", by_name, path)
            if other is not None and other is member:
                ctx.error(talk.line_of("with"), f"{path}.with", "谈话双方是同一个人。")
        elif member is not None and talk.unit and talk.unit not in member.units:
            ctx.error(talk.line_of("unit"), f"{path}.unit", f"“{talk.unit}”不是{member.name}的分管单位（{_listing(member.units)}），谈话计划中没有这次谈话。请核对谈话人和单位，或在 group.members 中为{member.name}添加这个分管单位。")
        elif member is not None and talk.branch and talk.branch != member.branch:
            ctx.error(talk.line_of("branch"), f"{path}.branch", f"{member.name}所在党支部是“{member.branch or '未填写'}”，不是“{talk.branch}”，谈话计划中没有这次谈话。请核对谈话人和党支部。")
        _not_after_meeting(meeting, talk, ctx, path)

    _check_opinions(meeting, by_name, ctx)

    materials = meeting.materials
    seen: set[str] = set()
    for index, item in enumerate(materials.members if materials else []):
        path = f"materials.members[{index}]"
        ctx.known_member(item, "member", by_name, path)
        if item.member in seen:
            ctx.error(item.line_of("member"), f"{path}.member", f"{item.member}的材料进度填了两次。请只保留一条。")
        seen.add(item.member)
        if item.status == "上级已审核":
            ctx.error(item.line_of("status"), f"{path}.status", "“上级已审核”只用于班子对照检查材料。个人材料请填“已修改”。")

    for index, session in enumerate(meeting.study.sessions if meeting.study else []):
        if not (session.theme or session.kind or session.title):
            ctx.error(session.line, f"study.sessions[{index}]", "请填写 theme（研讨主题），或 kind（学习形式，如“中心组学习会”）和 title（名称或内容）。")
        _not_after_meeting(meeting, session, ctx, f"study.sessions[{index}]")
    held_on = meeting.arrangement.date if meeting.arrangement else None
    for key, title in STEP_TITLES.items():
        due = meeting.deadlines[key] if meeting.deadlines else None
        if held_on and due and due > held_on:
            ctx.error(meeting.deadlines.line_of(key), f"deadlines.{key}", f"“{title}”的期限 {due} 晚于会议日期 {held_on}。各环节应在开会前完成，请改到会议日期之前。")
    _check_printed_text(meeting, ctx)
    marked: dict[str, int] = {}
    for index, entry in enumerate(meeting.not_applicable):
        if entry.what in marked:
            ctx.error(entry.line_of("what"), f"not_applicable[{index}].what", f"“{_not_applicable_name(entry.what)}”已在第 {marked[entry.what]} 行标为不适用。请只保留一条。")
        marked.setdefault(entry.what, entry.line_of("what"))
    _check_cited_facts(meeting, ctx)


def _check_opinions(meeting: Record, by_name: dict, ctx: Context) -> None:
    """Opinions name members of the group; their number agrees with the count given; the call, the
    feedback and the plan are dated before the meeting."""
    opinions = meeting.opinions
    for index, opinion in enumerate(opinions.records):
        if opinion.member:
            ctx.known_member(opinion, "member", by_name, f"opinions.records[{index}]")
    given = opinions.items
    if opinions.records and given is not None and given.known and given.number != len(opinions.records):
        ctx.error(opinions.line_of("items"), "opinions.items",
                  f"意见建议条数写的是 {given}，但逐条填写的意见建议有 {len(opinions.records)} 条。请改成一致，或删去 items（按逐条填写的计数）。")
    seen: set[str] = set()
    for index, entry in enumerate(opinions.fed_back):
        path = f"opinions.fed_back[{index}]"
        ctx.known_member(entry, "member", by_name, path)
        if entry.member in seen:
            ctx.error(entry.line_of("member"), f"{path}.member", f"{entry.member}的意见反馈填了两次。请只保留一条。")
        seen.add(entry.member)
        _not_after_meeting(meeting, entry, ctx, path)
    for record, key, path, what in ((opinions, "issued_on", "opinions.issued_on", "征求意见函的印发日期"),
                                    (opinions, "deadline", "opinions.deadline", "意见建议的反馈截止日期"),
                                    (meeting.plan, "issued_on", "plan.issued_on", "会议方案的印发日期")):
        held_on = meeting.arrangement.date if meeting.arrangement else None
        date = record[key] if record else None
        if held_on and date and date > held_on:
            ctx.error(record.line_of(key), path, f"{what} {date} 晚于会议日期 {held_on}。会前各环节应在开会前完成，请核对。")


def _check_printed_text(meeting: Record, ctx: Context) -> None:
    """Headings and the other single texts a document prints: no field name or path typed into them."""
    texts = []
    if meeting.report:
        texts += [(meeting.report, "arrangement_lead", "report.arrangement_lead")]
        texts += [(section, "heading", f"report.sections[{index}].heading") for index, section in enumerate(meeting.report.sections)]
    if meeting.readiness:
        texts.append((meeting.readiness, "statement", "readiness.statement"))
    if meeting.arrangement:
        texts += [(meeting.arrangement, key, f"arrangement.{key}")
                  for key in ("time_pending", "place_pending", "attendees_pending", "supervisor_remarks", "closing_focus")]
    for record, key, path in texts:
        if isinstance(record[key], str):
            _check_prose(record[key], record.line_of(key), ctx, path)


def _not_applicable_name(key: str) -> str:
    return STEP_TITLES.get(key) or NOT_APPLICABLE_ITEMS[key]


def _check_cited_facts(meeting: Record, ctx: Context) -> None:
    """A paragraph may cite only facts the file gives."""
    report = meeting.report
    if not report:
        return
    paragraphs = [("report.opening", report.opening), ("report.closing", report.closing)]
    paragraphs += [(f"report.sections[{i}].text", section.text) for i, section in enumerate(report.sections)]
    for path, parts in paragraphs:
        for index, part in enumerate(parts):
            if not (isinstance(part, Record) and "fact" in part and part.fact):
                continue
            fact = facts.CATALOGUE[part.fact]
            if _already_reported(ctx, fact.fields):
                continue
            where = f"{path}[{index}]"
            try:
                count = facts.length(meeting, part.fact)
                value = facts.cite(meeting, part)
            except (AttributeError, IndexError, KeyError, TypeError):
                count, value = None, None
            if part.numerals and not fact.number:
                ctx.error(part.line_of("numerals"), f"{where}.numerals", f"“{part.fact}”（{fact.doc}）不是数目，numerals 对它不起作用。请删去 numerals。")
            elif part.item and count is None:
                ctx.error(part.line_of("item"), f"{where}.item", f"“{part.fact}”（{fact.doc}）不是列表，不能用 item 选其中一项。请删去 item。")
            elif part.item and count and part.item > count:
                ctx.error(part.line_of("item"), f"{where}.item", f"“{part.fact}”（{fact.doc}）只有 {count} 项，没有第 {part.item} 项。")
            elif value is None and part.item:
                ctx.error(part.line_of("fact"), f"{where}.fact", f"引用了“{part.fact}”（{fact.doc}）的第 {part.item} 项，但第 {part.item} 项没有填写它。请先填写，或删去这一引用。")
            elif value is None:
                ctx.error(part.line_of("fact"), f"{where}.fact", f"引用了“{part.fact}”（{fact.doc}），但文件中没有填写它。请先填写，或删去这一引用。")
            elif fact.number and _is_zero(facts.CATALOGUE[part.fact].get(meeting)):
                field = fact.fields[0]
                ctx.error(part.line_of("fact"), f"{where}.fact", f"引用了“{part.fact}”（{fact.doc}），但它是 0，报告会印出“0”。"
                                                                  f"请在 {field} 中填写实际数目（尚未统计时写 xx），或删去这一引用。")


def _is_zero(value) -> bool:
    number = getattr(value, "number", getattr(value, "value", None))
    return number == 0


def _already_reported(ctx: Context, fields: tuple[str, ...]) -> bool:
    """Whether an error was already given for one of these fields (or a group holding them): say each mistake once."""
    for error in ctx.errors:
        for name in fields:
            if error.field == name or error.field.startswith((f"{name}.", f"{name}[")) or name.startswith(f"{error.field}."):
                return True
    return False


def _not_after_meeting(meeting: Record, record: Record, ctx: Context, path: str) -> None:
    held_on = meeting.arrangement.date if meeting.arrangement else None
    date = placeholders.known_date(record.date)
    if held_on and date and date > held_on:
        ctx.error(record.line_of("date"), f"{path}.date", f"日期 {record.date} 晚于会议日期 {held_on}。请核对。")


def _listing(names: list[str]) -> str:
    return "、".join(names) if names else "无"


IGNORED_FILES = (".#*", "*~", ".*.swp", ".*.swo", "~$*", ".DS_Store", "Thumbs.db", "desktop.ini", ".gitkeep", ".gitignore")
"""Editors' back-up and lock files, the operating system's and git's folder files: skipped in data/meetings/."""
MAX_ID_LENGTH = 64


def meeting_files(folder: Path, root: Path) -> tuple[list[Path], list[DataError]]:
    """The plain ``<id>.yml`` files of ``folder``, and an error for every other entry, named by its own path.

    Links are never followed (a link could publish a file from anywhere); ``IGNORED_FILES`` are skipped.
    """
    where = _display_name(folder, root)
    if folder.is_symlink():
        return [], [DataError(f"{where}/", 0, "", "会议文件夹是一个链接，不会被读取。请把会议文件放在真实的文件夹中。")]
    if not folder.is_dir():
        message = "没有找到会议文件夹。请恢复 data/meetings/（如 git checkout -- data/meetings），其中每次会议一个“编号.yml”文件。"
        return [], [DataError(f"{where}/", 0, "", message)]
    paths: list[Path] = []
    errors: list[DataError] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as exc:
        return [], [DataError(f"{where}/", 0, "", f"无法读取会议文件夹（错误代码 {exc.errno}）。请检查文件夹的读取权限。")]
    for entry in entries:
        if any(fnmatch.fnmatchcase(entry.name, pattern) for pattern in IGNORED_FILES):
            continue
        path = Path(entry.path)
        problem = datafile.not_a_plain_file(path)
        if not problem and not entry.name.endswith(".yml"):
            stem, _, suffix = entry.name.rpartition(".")
            if stem and suffix.lower() in ("yml", "yaml"):
                wanted = "小写的 .yml" if suffix.lower() == "yml" else " .yml"
                problem = f"会议文件的扩展名应为{wanted}。请重命名为 {stem}.yml。"
            else:
                problem = "不是会议文件。data/meetings/ 中只放会议文件（编号.yml），请把它移走或删去。"
        if problem:
            errors.append(DataError(f"{where}/{entry.name}", 0, "", problem))
        else:
            paths.append(path)
    if not paths and not errors:
        message = "文件夹中没有会议文件。请放入至少一个“编号.yml”会议文件；如果是误删，请从版本库中恢复（git checkout -- data/meetings）。"
        errors.append(DataError(f"{where}/", 0, "", message))
    return paths, errors


def load_meetings(folder: Path, root: Path | None = None, only: set[str] | None = None, cache=None) -> list[Record]:
    """Load every meeting under ``folder``; raise DataErrors with all problems of all files.

    ``only`` limits loading to the files of those ids (a focused preview of one meeting).
    ``cache`` (a ``buildcache.ModelCache``) gives back a file validated before, unchanged, without
    errors; only such files are stored in it.

    Meetings come back ordered by year (newest first), then by group name.
    """
    root = root or folder.parent.parent
    meetings: list[Record] = []
    paths, errors = meeting_files(folder, root)
    def load_one(path: Path) -> None:
        name = _display_name(path, root)
        try:
            # Read once: the cache's key and the parsed meeting are the same bytes.
            data = yamlfile.read(path, name)
            meeting = cache.lookup(name, data) if cache is not None else None
            if meeting is None:
                tree = yamlfile.parse(yamlfile.decode(data, name), name)
        except YamlFileError as exc:
            errors.append(exc.error)
            return
        if meeting is None:
            meeting, file_errors = convert(tree, name)
            errors.extend(file_errors)
            if cache is not None and meeting is not None and not file_errors:
                cache.store(name, data, meeting)
        if meeting is not None:
            meetings.append(meeting)

    with _no_cycle_collection():
        for path in paths:
            if only is None or path.stem in only:
                load_one(path)
        if only is not None:
            # A focused preview also loads each chosen meeting's previous one, which its agenda and
            # checklist cite (the previous year's rectification), so it reads as the full build does.
            for path in _previous_files(paths, meetings, only):
                load_one(path)
    first_seen: dict[str, Record] = {}
    for meeting in meetings:
        if meeting.id is None:
            continue  # missing or invalid: already reported for its own file
        if meeting.id in first_seen:
            errors.append(DataError(meeting.source, meeting.line_of("id"), "id", f"编号“{meeting.id}”已在 {first_seen[meeting.id].source} 中使用。"))
        first_seen.setdefault(meeting.id, meeting)
    errors.extend(_same_group_and_year(meetings))
    errors.extend(rectification.link_years(meetings, complete=only is None))
    try:
        errors.extend(years.link_years(meetings, years.load_years(root)))
    except DataErrors as exc:
        errors.extend(exc.errors)
    if errors:
        raise DataErrors(errors)
    meetings.sort(key=lambda m: (-m.year, m.group.name, m.id))
    return meetings


def _same_group_and_year(meetings: list[Record]) -> list[DataError]:
    """Two files of one group and one year (most often a copied file left unchanged): an error on the
    later file naming the other, unless one names the other as its ``previous`` (a second meeting of
    the year that follows the first)."""
    seen: dict[tuple, Record] = {}
    errors = []
    for meeting in sorted(meetings, key=lambda m: m.source):
        if not meeting.group or meeting.year is None or not meeting.group.name:
            continue
        key = (meeting.group.name, meeting.year)
        first = seen.get(key)
        if first is None:
            seen[key] = meeting
            continue
        if meeting.previous == first.id or first.previous == meeting.id or meeting.id == first.id:
            # One replaces the other; or the same id twice, which is reported as such.
            seen[key] = meeting
            continue
        errors.append(DataError(
            meeting.source, meeting.line_of("year"), "year",
            f"{first.source} 也是“{meeting.group.name}”{meeting.year}年度的会议，两个文件会生成两套相同班子、相同年度的页面。"
            f"如果是复制文件后忘了修改，请改正班子名称（group.name）或年度（year）；如果这一年确实开了两次会，"
            f"请在后一次会议的文件中写“previous: {first.id}”。",
        ))
    return errors


def _previous_files(paths: list[Path], meetings: list[Record], only: set[str]) -> list[Path]:
    """The files, among those not loaded, that may hold a loaded meeting's previous meeting: the one
    its ``previous`` names, or one naming the same group and the year before (checked by
    ``rectification.link_years`` once loaded; this only keeps the other files from being parsed)."""
    named = {meeting.previous for meeting in meetings if meeting.previous}
    wanted = [(meeting.group.name, meeting.year - 1) for meeting in meetings
              if not meeting.previous and meeting.group and meeting.year is not None]
    found = []
    for path in paths:
        if path.stem in only:
            continue
        if path.stem in named:
            found.append(path)
            continue
        if not wanted:
            continue
        try:
            text = datafile.read_bytes(path).decode("utf-8-sig")
        except (datafile.UnreadableFile, UnicodeDecodeError):
            continue
        if any(group in text and re.search(rf"(?m)^year:\s*{year}\b", text) for group, year in wanted):
            found.append(path)
    return found


@contextlib.contextmanager
def _no_cycle_collection():
    """Pause Python's cycle collector while files load.

    Loading makes many small objects and no reference cycles; the collector would otherwise go
    through every meeting loaded so far again and again (a fifth of the loading time at 200 files).
    Plain reference counting still frees everything as before.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _display_name(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` as written: a link is named by itself, never by its target."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return path.as_posix()
