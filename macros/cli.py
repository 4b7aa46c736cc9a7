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

from .errors import DataErrors
from .meeting import load_meetings
from .text import cn_date

ROOT = Path(__file__).resolve().parent.parent


def build(root: Path = ROOT, site: Path | None = None) -> int:
    site = site or root / "site"
    fresh = site.with_name(site.name + ".new")
    old = site.with_name(site.name + ".old")
    shutil.rmtree(fresh, ignore_errors=True)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="true")
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-f", str(root / "mkdocs.yml"), "-d", str(fresh)]
    result = subprocess.run(mkdocs, cwd=root, env=env)
    if result.returncode != 0 or not (fresh / "index.html").is_file():
        shutil.rmtree(fresh, ignore_errors=True)
        print(f"生成失败，{site.name}/ 保持原样未被改动。", file=sys.stderr)
        return result.returncode or 1
    shutil.rmtree(old, ignore_errors=True)
    if site.exists():
        site.rename(old)
    fresh.rename(site)
    shutil.rmtree(old, ignore_errors=True)
    print(f"已生成到 {site.name}/。")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="macros.cli", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build", help="build site/ atomically with --strict")
    commands.add_parser("check", help="validate every file under data/meetings/")
    status_parser = commands.add_parser("status", help="progress and missing items of each meeting")
    status_parser.add_argument("id", nargs="?", help="only this meeting")
    args = parser.parse_args(argv)
    if args.command == "build":
        return build()
    if args.command == "status":
        return status(args.id)
    return check()


if __name__ == "__main__":
    sys.exit(main())
