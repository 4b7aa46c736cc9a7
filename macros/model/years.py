"""The year's notice as data: ``data/years/<year>.yml``, one file a year.

The central notice sets, each year, the theme as it words it, the aspects that every group's and
member's 对照检查材料 are organised under, whether a 反面典型案例剖析 section is required and the period
in which the meetings are held. A meeting takes the file of its ``year`` (or the one ``notice_year``
names) and may override any of these facts in its own file. Every fact in a year file says where it
came from (``source``), so that the next office can check it against the notice.

A year file is optional: a meeting of a year without one builds as before, and the documents that need
the aspects mark them 【待补】 and name the file to add. Only a meeting that names a year file that does
not exist is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from macros.model import yamlfile
from macros.model.errors import DataError, DataErrors
from macros.model.schema import Bool, Context, Date, Field, Int, List, Obj, Record, Text
from macros.model.yamlfile import YamlFileError

SOURCE = Field(Text(), "出处：这一项依据的文件或公开资料，如“中共中央办公厅通知（2024年11月）”", required=True)

YEAR = Obj(
    {
        "year": Field(Int(2000, 2100), "年度，与文件名相同", required=True),
        "theme": Field(Obj({"text": Field(Text(), "主题，照通知原文", required=True), "source": SOURCE}), "会议主题"),
        "notice": Field(
            Obj(
                {
                    "issuers": Field(List(Text(), min_items=1), "发文单位", required=True),
                    "title": Field(Text(), "通知标题（不带书名号）", required=True),
                    "number": Field(Text(), "文号"),
                    "source": SOURCE,
                }
            ),
            "上级通知",
        ),
        "aspects": Field(
            Obj(
                {
                    "name": Field(Text(), "方面的总称，如“四个带头”"),
                    "items": Field(List(Text()), "对照检视的各个方面，按通知中的顺序"),
                    "source": SOURCE,
                }
            ),
            "对照检视的方面",
        ),
        "case_study": Field(
            Obj({"required": Field(Bool(), "是否要求开展反面典型案例剖析", required=True), "source": SOURCE}),
            "反面典型案例剖析",
        ),
        "period": Field(
            Obj(
                {
                    "start": Field(Date(), "最早召开日期", required=True),
                    "end": Field(Date(), "最晚召开日期", required=True),
                    "source": SOURCE,
                }
            ),
            "通知规定的召开时间",
        ),
    }
)

YEAR_KEY = "year_notice"
"""Where a loaded meeting keeps the year file it takes (None when there is none)."""


def year_file(year: int) -> str:
    return f"data/years/{year}.yml"


def load_years(root: Path) -> dict[int, Record]:
    """Every ``data/years/<year>.yml``; raises DataErrors listing every problem. No folder: no years."""
    folder = root / "data" / "years"
    if not folder.is_dir() or folder.is_symlink():
        return {}
    years: dict[int, Record] = {}
    errors: list[DataError] = []
    for path in sorted(folder.iterdir()):
        name = f"data/years/{path.name}"
        if path.name.startswith(".") or path.name.endswith("~"):
            continue
        if path.is_symlink() or not path.is_file() or path.suffix != ".yml" or not path.stem.isdigit():
            errors.append(DataError(name, 0, "", "不是年度通知文件。data/years/ 中只放“年度.yml”文件（如 2024.yml），请把它移走或改名。"))
            continue
        try:
            tree = yamlfile.load(path, name)
        except YamlFileError as exc:
            errors.append(exc.error)
            continue
        ctx = Context(name)
        record = YEAR.convert(tree, ctx, "")
        errors += ctx.errors
        if not isinstance(record, Record) or ctx.errors:
            continue
        if str(record.year) != path.stem:
            errors.append(DataError(name, record.line_of("year"), "year", f"年度 {record.year} 与文件名“{path.name}”不一致。请把两者改成一样。"))
            continue
        period = record.period
        if period and period.start > period.end:
            errors.append(DataError(name, period.line_of("end"), "period.end", f"最晚召开日期 {period.end} 早于最早召开日期 {period.start}。"))
            continue
        record.source = name
        years[record.year] = record
    if errors:
        raise DataErrors(errors)
    return years


def link_years(meetings: list[Record], years: dict[int, Record]) -> list[DataError]:
    """Give each meeting its year file; an error for a ``notice_year`` whose file does not exist."""
    errors = []
    for meeting in meetings:
        named = meeting.notice_year if "notice_year" in meeting else None
        chosen = named or meeting.year
        meeting[YEAR_KEY] = years.get(chosen)
        if named and named not in years:
            errors.append(DataError(meeting.source, meeting.line_of("notice_year"), "notice_year",
                                    f"没有年度通知文件 {year_file(named)}。请按使用说明“年度通知文件”添加这个文件，或删去 notice_year（按 year 取本年度的文件）。"))
            continue
        aspects = notice(meeting).aspects
        review = meeting.self_review if "self_review" in meeting else None
        for index, problem in enumerate(review.problems if review and aspects else []):
            if problem.aspect not in aspects:
                errors.append(DataError(meeting.source, problem.line_of("aspect"), f"self_review.problems[{index}].aspect",
                                        f"“{problem.aspect}”不是本年度对照检视的方面（{'、'.join(aspects)}）。请改成其中之一。"))
    return errors


@dataclass(frozen=True)
class Notice:
    """The facts of the year's notice a meeting works from: its own file's where it gives them, else its year file's."""

    year_file: str
    """The year file the meeting takes (whether or not it exists): the file to add when a fact is missing."""
    has_year_file: bool
    theme: str
    issuers: tuple[str, ...]
    title: str
    number: str
    aspects_name: str
    aspects: tuple[str, ...]
    case_study: bool | None
    """None: neither the meeting nor a year file says."""
    period: tuple | None
    """(start, end) dates, or None."""


def notice(meeting) -> Notice:
    year = meeting[YEAR_KEY] if YEAR_KEY in meeting else None
    named = meeting.notice_year if "notice_year" in meeting else None
    materials = meeting.materials
    basis = meeting.basis[0] if meeting.basis else None
    year_notice = year.notice if year else None
    year_aspects = year.aspects if year else None
    case = meeting.case_study if "case_study" in meeting else None
    if case is None and year and year.case_study:
        case = year.case_study.required
    period = meeting.period if "period" in meeting else None
    if period is None and year and year.period:
        period = year.period
    return Notice(
        year_file=year_file(named or meeting.year),
        has_year_file=year is not None,
        theme=meeting.theme or (year.theme.text if year and year.theme else ""),
        issuers=tuple(basis.issuers if basis else (year_notice.issuers if year_notice else ())),
        title=basis.title if basis else (year_notice.title if year_notice else ""),
        number=(basis.number or "") if basis else ((year_notice.number or "") if year_notice else ""),
        aspects_name=(materials.aspects_name if materials else "") or (year_aspects.name or "" if year_aspects else ""),
        aspects=tuple((materials.aspects if materials else None) or (year_aspects.items if year_aspects else ())),
        case_study=case,
        period=(period.start, period.end) if period else None,
    )
