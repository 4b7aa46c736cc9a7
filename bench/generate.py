"""Generate N realistic synthetic meeting files for benchmarks and scale tests.

Groups vary (county departments and townships, 5 to 11 members), as do units,
branches, talk records (some missing), material statuses and report wording
length. The same seed gives the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
from pathlib import Path

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "建国红梅志强海峰静晓东丽华伟芳娜敏军洋勇艳杰娟涛明超秀兰霞平刚桂英文辉力华玉兰春梅立新国庆振华德明永红学军卫东爱民凤英"
DEPARTMENTS = ["县发展和改革局", "县财政局", "县教育局", "县卫生健康局", "县自然资源局", "县住房和城乡建设局", "县交通运输局",
               "县农业农村局", "县水利局", "县商务局", "县文化和旅游局", "县应急管理局", "县市场监督管理局", "县统计局",
               "县医疗保障局", "县民政局", "县司法局", "县人力资源和社会保障局", "县生态环境局", "县审计局"]
TOWNS = ["城关镇", "东山镇", "西河镇", "南岭乡", "北坡乡", "青石镇", "白水镇", "红岩乡", "黄土镇", "柳林镇"]
SECTIONS = ["办公室", "人事科", "财务科", "政策法规科", "规划科", "综合科", "项目办", "督查室", "信息中心", "执法大队",
            "服务中心", "监测站", "审批科", "安全股", "宣传股"]
STATUSES = ["未起草", "已起草", "书记已审阅", "已修改", "已修改", "已修改"]


def names(rng: random.Random, count: int) -> list[str]:
    chosen: set[str] = set()
    while len(chosen) < count:
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        chosen.add(rng.choice(SURNAMES) + given)
    return sorted(chosen, key=lambda _: rng.random())


def _county(round_: int) -> str:
    """The county a synthetic group belongs to: none named for the first round, then 第2县, 第3县 …"""
    return f"第{round_ + 1}县" if round_ else ""


def meeting(index: int, rng: random.Random) -> tuple[str, str]:
    year = 2019 + index % 6
    # Each group holds one meeting a year (the check refuses the same group and year twice): the n-th
    # round of the same name and year is a group of the n-th county.
    if index % 3 == 2:
        base = TOWNS[(index // 3) % len(TOWNS)]
        group = f"{_county(index // (3 * len(TOWNS)))}{base}党委"
        member_title, short_name, secretary_post = "党委委员", "党委班子", "党委书记"
    else:
        base = DEPARTMENTS[index % len(DEPARTMENTS)]
        group = f"{_county(index // (3 * len(DEPARTMENTS)))}{base}党组"
        member_title, short_name, secretary_post = "党组成员", "党组班子", "局长"
    meeting_id = f"{year}-g{index:05d}"
    size = rng.randint(5, 11)
    people = names(rng, size)
    branches = [f"机关第{n}党支部" for n in "一二三"][: max(1, size // 4)]
    members = []
    for rank, person in enumerate(people):
        units = rng.sample(SECTIONS, rng.randint(0 if rank else 1, 3))
        post = secretary_post if rank == 0 else rng.choice(["副局长", "副书记", "纪检组长", "副镇长", "总工程师", "主任"])
        role = "书记" if rank == 0 else member_title
        members.append((person, post, role, units, rng.choice(branches)))
    meeting_day = dt.date(year + 1, 1, rng.randint(5, 25))
    start = meeting_day - dt.timedelta(days=40)
    records = []
    for a, b in itertools.combinations(people, 2):
        if rng.random() < 0.93:
            day = start + dt.timedelta(days=rng.randint(0, 30))
            records.append(f"    - {{member: {a}, with: {b}, date: {day}}}")
    for person, _, _, units, branch in members:
        for unit in units:
            if rng.random() < 0.9:
                records.append(f"    - {{member: {person}, unit: {unit}, date: {start + dt.timedelta(days=rng.randint(0, 30))}}}")
        if rng.random() < 0.9:
            records.append(f"    - {{member: {person}, branch: {branch}, date: {start + dt.timedelta(days=rng.randint(0, 30))}}}")
    member_lines = "\n".join(
        f"    - {{name: {p}, post: {post}, role: {role}, units: [{', '.join(units)}], branch: {branch}}}"
        for p, post, role, units, branch in members
    )
    material_lines = "\n".join(f"    - {{member: {p}, status: {rng.choice(STATUSES)}}}" for p in people)
    sessions = "\n".join(
        f"    - {{theme: {theme}, date: {start + dt.timedelta(days=7 * n)}}}"
        for n, theme in enumerate(rng.sample(["学习贯彻党的二十大精神", "深刻领悟“两个确立”的决定性意义", "加强政治建设、提高政治能力",
                                             "坚守人民情怀", "全面从严治党", "推动高质量发展"], rng.randint(2, 4)))
    )
    filler = "，".join(rng.sample(["坚持问题导向", "聚焦主题主线", "深入查找差距", "逐条梳理问题", "认真剖析根源", "明确整改方向",
                                  "压实工作责任", "强化督促指导", "确保取得实效"], rng.randint(3, 8)))
    text = f"""# yaml-language-server: $schema=../schema/meeting.schema.json
# 合成数据（基准测试用）
id: {meeting_id}
year: {year}
kind: 民主生活会
theme: 学习贯彻党的创新理论
supervisor: 县委第{rng.randint(1, 9)}督导组
group:
  name: {group}
  short_name: {short_name}
  member_title: {member_title}
  members:
{member_lines}
basis:
  - issuers: [县纪委, 县委组织部]
    title: 关于认真开好{year}年度县以上党和国家机关党员领导干部民主生活会的通知
    number: 县组通〔{year}〕{rng.randint(10, 99)}号
study:
  materials: [党章, 《习近平著作选读》, 《中国共产党纪律处分条例》]
  sessions:
{sessions}
  warning: {{kind: 警示教育片, title: 零容忍}}
opinions:
  methods: [发放征求意见表, 召开座谈会, 个别访谈]
  places: [{base}机关, 服务对象单位]
  visited: [基层干部, 服务对象, 离退休老同志]
  people: {rng.randint(40, 300)}
  forms: {rng.randint(20, 200)}
  aspects: {rng.randint(3, 6)}
  items: {rng.randint(10, 60)}
  assigned: true
talks:
  rule: 四必谈
  forms: [一对一, 面对面]
  records:
{chr(10).join(records) if records else "    []"}
materials:
  group: {rng.choice(STATUSES)}
  members:
{material_lines}
  sources: [学习研讨中查摆的问题, 征求意见反映的问题, 谈心谈话指出的问题]
arrangement:
  date: {meeting_day}
  time: 上午8:30
  place: {base}三楼会议室
  attendees: [{group}班子成员, 督导组成员]
readiness:
  statement: 各项准备工作已基本就绪，具备召开民主生活会的条件。
report:
  opening:
    - 根据
    - fact: basis
    - 精神，
    - fact: group
    - 高度重视，{filler}，认真做好会前各项准备工作。现将准备工作情况报告如下：
  sections:
    - step: study
      heading: 深入学习研讨，筑牢思想根基。
      text:
        - point: 个人自学打基础
        - 班子成员认真自学
        - fact: study.materials
        - 等内容；
        - point: 集中研讨促深化
        - 围绕
        - fact: study.session_themes
        - 等
        - fact: study.session_count
        - 个专题开展集中学习研讨，{filler}。
    - step: opinions
      heading: 广泛征求意见，精准查找问题。
      text:
        - 采取
        - fact: opinions.methods
        - 等方式，累计征求意见
        - fact: opinions.people
        - 人次，发放征求意见表
        - fact: opinions.forms
        - 份，梳理汇总
        - fact: opinions.aspects
        - 个方面意见建议
        - fact: opinions.items
        - 条。
    - step: talks
      heading: 认真开展谈心谈话，统一思想认识。
      text:
        - 严格落实“
        - fact: talks.rule
        - ”要求，{filler}，为会上开展批评和自我批评打下基础。
    - step: materials
      heading: 认真撰写对照检查材料，深刻剖析反思。
      text:
        - 班子成员结合
        - fact: materials.sources
        - 逐条查摆，{filler}。
  closing:
    - 截至目前，
    - fact: readiness
"""
    return meeting_id, text


def generate(target: Path, count: int, seed: int = 2021) -> list[Path]:
    """Write ``count`` meeting files into ``target`` (emptied of .yml first)."""
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("*.yml"):
        old.unlink()
    rng = random.Random(seed)
    paths = []
    for index in range(count):
        meeting_id, text = meeting(index, rng)
        path = target / f"{meeting_id}.yml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args()
    generate(args.target, args.count, args.seed)


if __name__ == "__main__":
    main()
