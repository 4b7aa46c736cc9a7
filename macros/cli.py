"""Command line of the portal: build, check, status, new (run through the Makefile).

``build`` publishes atomically: the site is built into a new folder and only a
successful, complete build replaces ``site/``; a failed build leaves the
previous site as it was and exits non-zero.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import buildcache
from .errors import DataErrors
from .meeting import load_meetings
from .text import cn_date

ROOT = Path(__file__).resolve().parent.parent
JSON_SCHEMA = ROOT / "data" / "schema" / "meeting.schema.json"
SCHEMA_MODELINE = "# yaml-language-server: $schema=../schema/meeting.schema.json"


def json_schema_text() -> str:
    """The JSON Schema of a meeting file, for completion and checks in editors."""
    import json

    from .meeting import MEETING

    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "民主生活会会议文件",
        **MEETING.json_schema(),
    }
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_json_schema(path: Path = JSON_SCHEMA) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json_schema_text(), encoding="utf-8")


def build(root: Path = ROOT, site: Path | None = None) -> int:
    site = site or root / "site"
    fresh = site.with_name(site.name + ".new")
    old = site.with_name(site.name + ".old")
    shutil.rmtree(fresh, ignore_errors=True)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="true")
    # A published site is always complete: never a focused preview, never without its search index.
    env.pop("PORTAL_ONLY", None)
    env.pop("PORTAL_SEARCH", None)
    # Only what changed is built again when the build cache allows it; on any doubt, a cold build.
    plan = buildcache.Plan.prepare(root, site)
    warm = plan.warm_build(fresh, env)
    if not warm:
        mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-f", str(root / "mkdocs.yml"), "-d", str(fresh)]
        result = subprocess.run(mkdocs, cwd=root, env=env)
        if result.returncode != 0 or not (fresh / "index.html").is_file():
            shutil.rmtree(fresh, ignore_errors=True)
            print(f"生成失败，{site.name}/ 保持原样未被改动。", file=sys.stderr)
            return result.returncode or 1
    plan.forget()
    shutil.rmtree(old, ignore_errors=True)
    if site.exists():
        site.rename(old)
    fresh.rename(site)
    shutil.rmtree(old, ignore_errors=True)
    plan.record()
    how = "只重新生成了有改动的部分" if warm else "完整生成" + (f"：{plan.reason}" if plan.reason else "")
    print(f"已生成到 {site.name}/（{how}）。")
    return 0


def check(root: Path = ROOT) -> int:
    started = time.perf_counter()
    try:
        meetings = load_meetings(root / "data" / "meetings", root)
    except DataErrors as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    print(f"数据检查通过：{len(meetings)} 个会议文件，用时 {time.perf_counter() - started:.2f} 秒。")
    return 0


def status(meeting_id: str | None = None, root: Path = ROOT, out=sys.stdout) -> int:
    """Print each meeting's progress per step and the missing items by name (same rules as the pages)."""
    from .portal import Portal
    from .render import meeting_name
    from .rules import checklist

    try:
        portal = Portal.load(root)
    except DataErrors as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    meetings = portal.meetings
    if meeting_id:
        meetings = [m for m in meetings if m.id == meeting_id]
        if not meetings:
            known = "、".join(m.id for m in portal.meetings)
            print(f"没有编号为“{meeting_id}”的会议。现有：{known}", file=sys.stderr)
            return 2
    renderer = portal.renderer
    for meeting in meetings:
        result = checklist(meeting, renderer.today, renderer.lead_days)
        verdict = "已具备开会条件" if result.ready else "尚不具备开会条件"
        print(f"{meeting_name(meeting)}（{meeting.id}）：已完成 {result.done_count}/{result.total}（{result.percent}%），{verdict}", file=out)
        for step in result.steps:
            due = f"，期限 {cn_date(step.due)}" if step.due else ""
            late = "（已逾期）" if step.overdue else ""
            print(f"  {step.title}：{step.done_count}/{len(step.items)} {step.status}{due}{late}", file=out)
            for item in step.missing:
                print(f"    - 缺：{item.label}" + (f"（{item.detail}）" if item.detail else ""), file=out)
        print(file=out)
    return 0


def new(meeting_id: str | None, root: Path = ROOT, year: int | None = None) -> int:
    """Write data/meetings/<id>.yml with every field present and a comment on each."""
    import datetime as dt
    import re

    from .meeting import ID_PATTERN, MEETING
    from .schema import scaffold

    if not meeting_id or not re.fullmatch(ID_PATTERN, meeting_id):
        print("请给出新会议的编号，只用小写英文字母、数字和连字符，例如：make new ID=2023-county-gov-office", file=sys.stderr)
        return 2
    path = root / "data" / "meetings" / f"{meeting_id}.yml"
    if path.exists():
        print(f"{path.relative_to(root)} 已经存在，没有改动它。请换一个编号。", file=sys.stderr)
        return 2
    year = year or dt.date.today().year
    lines = [
        SCHEMA_MODELINE,
        "# 新会议文件：填写标有“必填”的各项后运行 make check；不需要的整段（如 inspection）可以留空或删去。",
        *scaffold(MEETING, {"id": meeting_id, "year": str(year)}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"已创建 {path.relative_to(root)}。")
    return 0


def pdf(root: Path = ROOT) -> int:
    """Print each report and agenda of site/ to site/pdf/ (run after a build)."""
    from .pdf import find_chromium, print_pages

    site = root / "site"
    if not (site / "index.html").exists():
        print("还没有生成网站。请先运行 make build。", file=sys.stderr)
        return 2
    chromium = find_chromium()
    if chromium is None:
        print("没有找到 Chromium。请先安装：apt-get install chromium fonts-noto-cjk", file=sys.stderr)
        return 2
    written = print_pages(site, site / "pdf", chromium)
    print(f"已生成 {len(written)} 个 PDF 文件到 site/pdf/。")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="macros.cli", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build", help="build site/ atomically with --strict")
    commands.add_parser("check", help="validate every file under data/meetings/")
    status_parser = commands.add_parser("status", help="progress and missing items of each meeting")
    status_parser.add_argument("id", nargs="?", help="only this meeting")
    new_parser = commands.add_parser("new", help="write a new meeting file with every field present")
    new_parser.add_argument("id", nargs="?", help="the new meeting's id, e.g. 2023-county-gov-office")
    commands.add_parser("schema", help="write data/schema/meeting.schema.json from the schema")
    commands.add_parser("pdf", help="print every report and agenda of site/ to site/pdf/")
    serve_parser = commands.add_parser("serve", help="build site/ (warm when possible), serve it, rebuild on each change")
    serve_parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    if args.command == "build":
        return build()
    if args.command == "status":
        return status(args.id)
    if args.command == "new":
        return new(args.id)
    if args.command == "pdf":
        return pdf()
    if args.command == "serve":
        from .preview import serve

        return serve(ROOT, port=args.port)
    if args.command == "schema":
        write_json_schema()
        return 0
    return check()


if __name__ == "__main__":
    sys.exit(main())
