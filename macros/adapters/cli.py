"""Command line of the portal: build, check, status, new (run through the Makefile on Linux, or as
``python -m macros <command>`` on any system, Windows included).

``build`` publishes a complete build only: the site is built into a new version folder
``site.<stamp>/`` and then put in place as ``site`` (see ``publishing`` for each system); a failed
build leaves the previous site as it was and exits non-zero. Builds run one at a time.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

from macros.adapters import buildcache, pipeline, runner
from macros.adapters.publishing import PublishError
from macros.adapters.publishing import lock as _publishing_lock
from macros.adapters.publishing import new_version as _new_version
from macros.adapters.publishing import publish as _publish
from macros.adapters.publishing import remove_leftovers as _remove_leftovers
from macros.model import environment
from macros.model.errors import DataErrors
from macros.model.meeting import MAX_ID_LENGTH, load_data
from macros.model.text import cn_date

ROOT = Path(__file__).resolve().parents[2]
JSON_SCHEMA = ROOT / "data" / "schema" / "meeting.schema.json"
SCHEMA_MODELINE = "# yaml-language-server: $schema=../schema/meeting.schema.json"


_HOW = "make"
"""How the user runs a command here, for the hints this module prints: ``make`` (through the Makefile),
``portal`` (portal.cmd on Windows) or ``python -m macros``; set by ``main``."""


def spell(command: str, meeting_id: str | None = None) -> str:
    """A command as the user types it here: ``make new ID=x``, ``portal new x``, ``python -m macros new x``."""
    if _HOW == "make":
        return f"make {command}" + (f" ID={meeting_id}" if meeting_id else "")
    return f"{_HOW} {command}" + (f" {meeting_id}" if meeting_id else "")


def _spell_port(port: int) -> str:
    """``make serve PORT=n``, or ``portal serve --port n`` where there is no make."""
    return f"make serve PORT={port}" if _HOW == "make" else f"{_HOW} serve --port {port}"


def json_schema_text() -> str:
    """The JSON Schema of a meeting file, for completion and checks in editors."""
    import json

    from macros.model.meeting import MEETING

    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "民主生活会会议文件",
        **MEETING.json_schema(),
    }
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_json_schema(path: Path = JSON_SCHEMA) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json_schema_text(), encoding="utf-8")


ATTEMPTS = 3
"""Builds tried when inputs change while a build runs (an editor saving several files) before giving up."""


def build(root: Path = ROOT, site: Path | None = None, *, for_files: bool = False) -> int:
    """Build into a new version folder ``site.<stamp>/`` and publish it by repointing the ``site`` link.

    One build at a time (a lock beside ``site``); leftovers of a build that was killed are removed
    first. ``site`` is replaced by one atomic rename, so a reader (or a kill) sees either the whole
    old site or the whole new one. The inputs are hashed when a build begins and checked before it
    publishes: a site built while a file changed is not published; it is built again from the new data.
    """
    site = site or root / "site"
    settings_wrong = environment.problems()
    if settings_wrong:
        # Before anything reads them (the build cache's key, MkDocs): the message, not a traceback.
        print(DataErrors(settings_wrong).report(), file=sys.stderr)
        print(_not_published(site), file=sys.stderr)
        return 1
    site.parent.mkdir(parents=True, exist_ok=True)
    env = runner.environment()
    # A published site is always complete: never a focused preview, never without its search index.
    env.pop("PORTAL_ONLY", None)
    env.pop("PORTAL_SEARCH", None)
    try:
        environment_read = pipeline.environment_read(root, env)
    except pipeline.BuildFailed as exc:
        print(f"{exc}网站没有生成，{site.name}/ 保持原样。", file=sys.stderr)
        return 2
    lock_problem = _lock_problem(site)
    if lock_problem:
        print(lock_problem, file=sys.stderr)
        print(_not_published(site), file=sys.stderr)
        return 1
    try:
        with _publishing_lock(site):
            return _build_locked(root, site, env, environment_read, for_files)
    except OSError as exc:
        problem = pipeline.file_problem(exc.errno, exc.filename)
        if problem is None:
            raise
        print(f"{problem}{site.name}/ 保持原样。", file=sys.stderr)
        return 1


def _relay(stderr: str) -> None:
    """What the MkDocs run said, for people: a file system error it met is said in one Chinese line,
    not as a traceback."""
    found = re.search(r"^\w*Error: \[Errno (\d+)\] [^\n]*?(?:: '([^'\n]*)')?$", stderr, re.M) if "Traceback" in stderr else None
    problem = pipeline.file_problem(int(found.group(1)), found.group(2)) if found else None
    if problem is None:
        sys.stderr.write(stderr)
    else:
        sys.stderr.write(stderr[: stderr.index("Traceback")] + problem + "\n")
    sys.stderr.flush()


def _build_locked(root: Path, site: Path, env: dict, environment: dict, for_files: bool) -> int:
    """The build, under the lock: plan, build (again if the inputs moved meanwhile), publish, record."""
    _remove_leftovers(site)
    fresh = None
    try:
        for attempt in range(ATTEMPTS):
            fresh = _new_version(site)
            # Only what changed is built again when the build cache allows it; on any doubt, a cold build.
            plan = buildcache.Plan.prepare(root, site, for_files=for_files, environment=environment)
            if plan.up_to_date():
                print(f"没有改动，{site.name}/ 已是最新。")
                return 0
            plan.lap("compare with what was published")
            warm = plan.warm_build(fresh, env)
            if not warm:
                mkdocs = runner.build_command(root / "mkdocs.yml", fresh, for_files=for_files)
                with plan.asking(fresh):
                    result = subprocess.run(mkdocs, cwd=root, env=env, stderr=subprocess.PIPE, text=True)
                _relay(result.stderr)
                if result.returncode != 0 or not (fresh / "index.html").is_file():
                    shutil.rmtree(fresh, ignore_errors=True)
                    if os.path.lexists(site):
                        print(f"生成失败，{site.name}/ 保持原样未被改动。", file=sys.stderr)
                    else:
                        print(f"生成失败，{site.name}/ 尚未生成。", file=sys.stderr)
                    return result.returncode or 1
                plan.lap("build every page")
            if not plan.inputs_moved():
                break
            shutil.rmtree(fresh, ignore_errors=True)
            print("生成期间有文件改动，这次的结果没有发布，按改动后的内容重新生成……", file=sys.stderr, flush=True)
        else:
            print(f"生成期间文件一直在改动，网站没有发布，{site.name}/ 保持原样。请等所有文件保存完后再生成。", file=sys.stderr)
            return 1
        plan.forget()
        _publish(site, fresh)
        plan.lap("publish")
        _remove_leftovers(site)
        plan.lap("remove the previous version")
        plan.record()
        plan.lap("record what was published")
    except OSError:
        if fresh is not None and not (os.path.lexists(site) and site.resolve() == fresh.resolve()):
            shutil.rmtree(fresh, ignore_errors=True)
        raise
    how = "只重新生成了有改动的部分" if warm else "完整生成" + (f"：{plan.reason}" if plan.reason else "")
    print(f"已生成到 {site.name}/（{how}）。")
    if os.environ.get("PORTAL_BUILD_TIMES"):
        for step, seconds in plan.timings.items():
            print(f"  {step}: {seconds:.2f} s", file=sys.stderr)
    return 0


def _not_published(site: Path) -> str:
    """The last line of a build that failed: the published site is as it was."""
    if os.path.lexists(site):
        return f"生成失败，{site.name}/ 保持原样未被改动。"
    return f"生成失败，{site.name}/ 尚未生成。"


def _lock_problem(site: Path) -> str:
    """Why the build's lock (``publishing.lock``) cannot be taken: its file is a folder; else ""."""
    lock = site.with_name(f".{site.name}.lock")
    if os.path.isdir(lock):
        return f"无法开始生成：{lock.name} 应是一个文件（生成时用它保证同一时间只有一次生成），现在是一个文件夹。请删去这个文件夹（如 rm -r {lock.name}）后重新生成。"
    return ""


def clean_text(root: Path = ROOT, out=sys.stdout) -> int:
    """Remove the characters the check refuses (control, zero-width and direction characters, often
    pasted from PDF, Word or web pages) from every meeting file and data/portal.yml, in place.

    For files written before the check refused them; every other byte of a file stays as it was.
    Only plain files are read and rewritten (``datafile``): a link, a pipe or a device named like a
    meeting file is named and left alone, and a file is replaced in one rename, never written through.
    """
    from macros.model import datafile
    from macros.model.schema import INVISIBLE_CHARACTERS
    from macros.model.yamlfile import FORBIDDEN_CHARACTERS, YamlFileError, decode

    folder = root / "data" / "meetings"
    paths = sorted(folder.glob("*.yml")) if folder.is_dir() and not folder.is_symlink() else []
    settings = root / "data" / "portal.yml"
    paths += [settings] if os.path.lexists(settings) else []
    changed = refused = 0
    for path in paths:
        name = path.relative_to(root).as_posix()
        try:
            raw = datafile.read_bytes(path)
            text = decode(raw, name)
        except datafile.UnreadableFile as exc:
            print(f"{name}: {exc.problem}没有改动它。", file=sys.stderr)
            refused += 1
            continue
        except YamlFileError as exc:
            print(exc.error, file=sys.stderr)
            continue
        bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
        cleaned = INVISIBLE_CHARACTERS.sub("", FORBIDDEN_CHARACTERS.sub("", text))
        removed = len(text) - len(cleaned)
        if removed:
            _replace_file(path, (bom + cleaned).encode("utf-8"))
            changed += 1
            print(f"{name}：删去 {removed} 个看不见的字符。", file=out)
    print(f"共检查 {len(paths) - refused} 个文件，改动 {changed} 个。请再运行 {spell('check')}。", file=out)
    return 1 if refused else 0


def _replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file beside ``path`` and rename it over ``path`` (its mode kept): a link
    or a special file put there meanwhile is replaced, never written through."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        status = os.lstat(path)
        if stat.S_ISREG(status.st_mode):
            os.chmod(temporary, stat.S_IMODE(status.st_mode))
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def check(root: Path = ROOT) -> int:
    started = time.perf_counter()
    try:
        _, meetings = load_data(root)
    except DataErrors as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    print(f"数据检查通过：{len(meetings)} 个会议文件，用时 {time.perf_counter() - started:.2f} 秒。")
    return 0


def check_staged(root: Path = ROOT) -> int:
    """Check the data as it is staged for the next commit (git's index), not as it is in the working copy:
    what the pre-commit hook runs, so that a bad file staged and then fixed without staging is refused."""
    import tempfile

    listed = subprocess.run(["git", "ls-files", "-z", "--", "data"], cwd=root, capture_output=True)
    if listed.returncode != 0:
        print(f"无法读取 git 暂存区：{listed.stderr.decode(errors='replace').strip()}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="portal-staged-") as staged:
        copied = subprocess.run(["git", "checkout-index", "-z", "--stdin", f"--prefix={Path(staged).as_posix()}/"],
                                cwd=root, input=listed.stdout, capture_output=True)
        if copied.returncode != 0:
            print(f"无法读取 git 暂存区：{copied.stderr.decode(errors='replace').strip()}", file=sys.stderr)
            return 2
        started = time.perf_counter()
        try:
            _, meetings = load_data(Path(staged))
        except DataErrors as exc:
            print(exc.report(), file=sys.stderr)
            print("以上是暂存区（git add 后）中的内容。改正后请再 git add 这些文件，然后提交。", file=sys.stderr)
            return 1
    print(f"数据检查通过（暂存区）：{len(meetings)} 个会议文件，用时 {time.perf_counter() - started:.2f} 秒。")
    return 0


def status(meeting_id: str | None = None, root: Path = ROOT, out=sys.stdout) -> int:
    """Print each meeting's state (the same word and numbers as the home page), its 下一步 (the same
    list as the checklist page) and its steps."""
    from macros.outputs.portal import Portal
    from macros.outputs.render import meeting_name
    from macros.rules.preparation import countdown, due_text

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
        result = renderer.checklist(meeting)
        state = renderer.lifecycle(meeting)
        late = "；有逾期事项" if state.overdue else ""
        print(f"{meeting_name(meeting)}（{meeting.id}）：{state.label}{late}（截至{cn_date(state.as_of)}）", file=out)
        if state.held:
            held_on = f"{cn_date(state.date)}（已召开）"
        else:
            held_on = cn_date(state.date) + f"，{countdown(state.days_to_meeting)}" if state.date else "待定"
        print(f"  会议时间：{held_on}", file=out)
        action = state.action
        if action and (state.held or state.stage == "unrecorded"):
            due = f"；期限：{due_text(action.due, action.overdue)}" if action.due else ""
            print(f"  会后：下一步是{action.title}{due}", file=out)
        if result.next_steps:
            print("  下一步：", file=out)
        for number, step in enumerate(result.next_steps, 1):
            what = f"{step.item.label}（{step.item.detail or step.item.open_word}）"
            print(f"    {number}. {step.step.title}：{what}；办理：{step.actor}；期限：{due_text(step.due, step.overdue)}", file=out)
        print("  各环节（会议召开时）：" if result.closed else "  各环节：", file=out)
        for step in result.steps:
            due = f"，期限 {due_text(step.due, step.overdue)}" if step.due else ""
            print(f"    {step.title}：{step.done_count}/{step.total} {step.status}{due}", file=out)
        for step, item in result.not_applicable:
            print(f"    不适用：{step.title}：{item.label}（{item.not_applicable}）", file=out)
        print(file=out)
    return 0


def new(meeting_id: str | None, root: Path = ROOT, year: int | None = None) -> int:
    """Write data/meetings/<id>.yml with every field present and a comment on each."""
    import datetime as dt
    import re

    from macros.model.meeting import ID_PATTERN, MEETING
    from macros.model.schema import scaffold

    if not meeting_id or not re.fullmatch(ID_PATTERN, meeting_id) or len(meeting_id) > MAX_ID_LENGTH:
        print(f"请给出新会议的编号，只用小写英文字母、数字和连字符，不超过 64 个字符，例如：{spell('new', '2023-county-gov-office')}", file=sys.stderr)
        return 2
    path = root / "data" / "meetings" / f"{meeting_id}.yml"
    if path.exists():
        print(f"{path.relative_to(root)} 已经存在，没有改动它。请换一个编号。", file=sys.stderr)
        return 2
    if year is None:
        # An id that starts with a year (2024-county-gov-office) names the meeting's year; else this year.
        leading = re.match(r"(\d{4})(?:-|$)", meeting_id)
        year = int(leading.group(1)) if leading and 2000 <= int(leading.group(1)) <= 2100 else dt.date.today().year
    lines = [
        SCHEMA_MODELINE,
        f"# 新会议文件：填写标有“必填”的各项后运行 {spell('check')}；不需要的整段（如 inspection）可以留空或删去。",
        *_with_year_aspects(scaffold(MEETING, {"id": meeting_id, "year": str(year)}), year, root),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"已创建 {path.relative_to(root)}。")
    return 0


def _with_year_aspects(lines: list[str], year: int, root: Path) -> list[str]:
    """The scaffold with the year's aspects offered under ``materials.aspects``: those of
    data/years/<year>.yml when it gives them (left out, the meeting takes them), else how to add them."""
    from macros.model.errors import DataErrors
    from macros.model.years import load_years, year_file

    try:
        found = load_years(root).get(year)
    except DataErrors:
        found = None
    aspects = found.aspects if found else None
    start = next((index for index, line in enumerate(lines) if line.startswith("materials:")), None)
    at = next((index for index, line in enumerate(lines) if start is not None and index > start and line.startswith("  aspects:")), None)
    if at is None:
        return lines
    if aspects and aspects.items:
        offered = [f"  # 不填时按 {year_file(year)}{'（' + aspects.name + '）' if aspects.name else ''}，即："]
        offered += [f"  #   - {item}" for item in aspects.items]
    else:
        offered = [f"  # 还没有 {year_file(year)} 中的各个方面：请按当年通知添加该文件（见使用说明“年度通知文件”），或在这里逐项填写。"]
    return lines[: at + 1] + offered + lines[at + 1:]


def pdf(root: Path = ROOT) -> int:
    """Print each report, agenda and checklist of site/ to site/pdf/ (run after a build)."""
    from macros.outputs.pdf import find_chromium, print_pages

    site = root / "site"
    if not (site / "index.html").exists():
        print(f"还没有生成网站。请先运行 {spell('build')}。", file=sys.stderr)
        return 2
    chromium = find_chromium()
    if chromium is None:
        print("没有找到 Chromium。请先安装：apt-get install chromium fonts-noto-cjk", file=sys.stderr)
        return 2
    lock_problem = _lock_problem(site)
    if lock_problem:
        print(lock_problem, file=sys.stderr)
        return 2
    with _publishing_lock(site):
        written = print_pages(site, site / "pdf", chromium)
    print(f"已生成 {len(written)} 个 PDF 文件到 site/pdf/。")
    return 0


def build_local(root: Path = ROOT) -> int:
    """Build site-local/: the same site with every link pointing at an .html file, to open from a folder."""
    return build(root, root / "site-local", for_files=True)


def serve(port: int, root: Path = ROOT) -> int:
    """Preview with live reload; a busy port is reported in one line naming the option to change."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except PermissionError:
            print(f"没有权限使用端口 {port}（1024 以下的端口需要管理员权限）。请换一个端口，例如：{_spell_port(8001)}", file=sys.stderr)
            return 2
        except OSError:
            print(f"端口 {port} 已被占用（可能已有一个预览在运行）。请关掉它，或换一个端口，例如：{_spell_port(port + 1)}", file=sys.stderr)
            return 2
    if not os.environ.get("PORTAL_ONLY", "").strip():
        # The whole portal: built into site/ as make build does (only what changed), served, rebuilt on each save.
        from macros.adapters import preview

        return preview.serve(root, build, port=port)
    print(f"预览地址：http://127.0.0.1:{port}/ （只预览会议 {os.environ['PORTAL_ONLY'].strip()} 和首页；保存修改后自动重新生成并刷新；按 Ctrl+C 停止）", flush=True)
    try:
        return subprocess.run(runner.serve_command(root / "mkdocs.yml", port), cwd=root, env=runner.environment()).returncode
    except KeyboardInterrupt:
        return 0


def main(argv: list[str] | None = None, prog: str = "macros.adapters.cli") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build", help="build site/ atomically with --strict")
    check_parser = commands.add_parser("check", help="validate every file under data/meetings/")
    check_parser.add_argument("--staged", action="store_true", help="check what git has staged for the next commit (the pre-commit hook)")
    commands.add_parser("clean-text", help="remove control, zero-width and direction characters from the data files")
    status_parser = commands.add_parser("status", help="progress and missing items of each meeting")
    status_parser.add_argument("id", nargs="?", help="only this meeting")
    new_parser = commands.add_parser("new", help="write a new meeting file with every field present")
    new_parser.add_argument("id", nargs="?", help="the new meeting's id, e.g. 2023-county-gov-office")
    commands.add_parser("schema", help="write data/schema/meeting.schema.json from the schema")
    commands.add_parser("pdf", help="print every document of site/ to site/pdf/")
    commands.add_parser("build-local", help="build site-local/, whose links also work opened from a folder (file://)")
    serve_parser = commands.add_parser("serve", help="preview with live reload on 127.0.0.1 (without PORTAL_ONLY: site/ built as make build does)")
    serve_parser.add_argument("--port", type=int, default=8000)
    serve_parser.add_argument("--id", help="preview only this meeting and the home page (make serve ID=...)")
    args = parser.parse_args(argv)
    global _HOW
    _HOW = "make" if prog == "macros.adapters.cli" else "portal" if os.name == "nt" else prog
    try:
        runner.name()
    except runner.UnknownRunner as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        return _run(args)
    except PublishError as exc:
        print(exc, file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "build-local":
        return build_local()
    if args.command == "serve":
        if args.id:
            os.environ["PORTAL_ONLY"] = args.id
            os.environ["PORTAL_SEARCH"] = "off"
        return serve(args.port)
    if args.command == "build":
        return build()
    if args.command == "status":
        return status(args.id)
    if args.command == "new":
        return new(args.id)
    if args.command == "pdf":
        return pdf()
    if args.command == "clean-text":
        return clean_text()
    if args.command == "schema":
        write_json_schema()
        return 0
    return check_staged() if args.staged else check()


if __name__ == "__main__":
    sys.exit(main())
