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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="macros.cli", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build", help="build site/ atomically with --strict")
    commands.add_parser("check", help="validate every file under data/meetings/")
    args = parser.parse_args(argv)
    if args.command == "build":
        return build()
    return check()


if __name__ == "__main__":
    sys.exit(main())
