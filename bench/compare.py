"""Compare two versions of the portal's code in one run, on the same generated meetings, taking turns.

    python -m bench.compare <git revision> [<another revision>] [--size 300] [--repeats 3] [--cold-only]

The first revision's code (``git archive``) and the second's (default: the working tree) build two
projects with the very same data and hand-written pages (the working tree's ``docs/``), with this
Python: cold builds (``mkdocs build``, cache off), then ``make build``'s path with the cache: nothing
changed, and one meeting file changed (another one each turn). Each row gives both medians (and
ranges) and says whether the two versions' sites are the same bytes. CPU seconds count the build and
the processes it waited for: with ``PORTAL_START_METHOD=forkserver`` (the default) the workers are the
fork server's children and are not counted; compare CPU seconds with ``PORTAL_START_METHOD=spawn``.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from bench.generate import generate
from bench.run import CACHE_ENV, ENV, ROOT, load, site_digests, timed_build, timed_publish


def project(code: Path, target: Path, meetings: Path) -> Path:
    for name in ("macros", "overrides"):
        shutil.copytree(code / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "docs", target / "docs")
    shutil.copy(code / "mkdocs.yml", target / "mkdocs.yml")
    (target / "data").mkdir()
    shutil.copy(code / "data" / "portal.yml", target / "data" / "portal.yml")
    shutil.copytree(meetings, target / "data" / "meetings")
    return target


def extract(revision: str, target: Path) -> Path:
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    return target


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):7.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("revision")
    parser.add_argument("other", nargs="?", help="default: the working tree")
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cold-only", action="store_true", help="only the cold builds")
    args = parser.parse_args()
    print(f"# {os.cpu_count()} cores, {load()}; N={args.size}, {args.repeats} turns each; seconds, median (range)")
    with tempfile.TemporaryDirectory(prefix="portal-compare-") as scratch:
        scratch = Path(scratch)
        generate(scratch / "meetings", args.size)
        sides = {
            args.revision: project(extract(args.revision, scratch / "old-code"), scratch / "old", scratch / "meetings"),
            args.other or "working tree": project(
                extract(args.other, scratch / "new-code") if args.other else ROOT, scratch / "new", scratch / "meetings"),
        }
        cold: dict[str, list[float]] = {name: [] for name in sides}
        cpu: dict[str, list[float]] = {name: [] for name in sides}
        for turn in range(args.repeats):
            for name in list(sides)[turn % 2:] + list(sides)[: turn % 2]:
                run = timed_build(Path(sys.executable), sides[name], sides[name] / "site-cold", ENV)
                cold[name].append(run.wall)
                cpu[name].append(run.cpu)
        old, new = sides.values()
        same = site_digests(old / "site-cold") == site_digests(new / "site-cold")
        print(f"{'cold build (cache off)':<34}" + "".join(f"  {name}: {summary(v)}" for name, v in cold.items()))
        print(f"{'  its cpu seconds':<34}" + "".join(f"  {name}: {summary(v)}" for name, v in cpu.items()))
        print(f"# the two versions' cold sites are the same bytes: {'yes' if same else 'NO'}; {load()}", flush=True)
        if args.cold_only:
            return
        for path in sides.values():
            timed_publish(path, CACHE_ENV)  # the first publish, with the cache (not timed)
        unchanged: dict[str, list[float]] = {name: [] for name in sides}
        edited: dict[str, list[float]] = {name: [] for name in sides}
        for turn in range(args.repeats):
            for name in list(sides)[turn % 2:] + list(sides)[: turn % 2]:
                unchanged[name].append(timed_publish(sides[name], CACHE_ENV)[0])
                meeting = sorted((sides[name] / "data" / "meetings").glob("*.yml"))[(turn * 7 + 3) % args.size]
                text = meeting.read_text(encoding="utf-8")
                meeting.write_text(re.sub(r"\n  forms: \d+", f"\n  forms: {900 + turn}", text, count=1), encoding="utf-8")
                seconds, _, _, said = timed_publish(sides[name], CACHE_ENV)
                assert "只重新生成了有改动的部分" in said, said
                edited[name].append(seconds)
        print(f"{'nothing changed (make build)':<34}" + "".join(f"  {name}: {summary(v)}" for name, v in unchanged.items()))
        print(f"{'one meeting changed (make build)':<34}" + "".join(f"  {name}: {summary(v)}" for name, v in edited.items()))
        same = site_digests(old / "site") == site_digests(new / "site")
        print(f"# the two versions' published sites after the edits are the same bytes: {'yes' if same else 'NO'}; {load()}")


if __name__ == "__main__":
    main()
