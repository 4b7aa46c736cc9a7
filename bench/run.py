"""Benchmark the portal against plain MkDocs + Material with the same pages.

For each size N it generates N synthetic meetings, then builds, in separate
processes and alternating, (a) the portal and (b) a plain MkDocs site whose
docs/ holds the very Markdown pages the portal generates, with the same theme
configuration but no macros and no hooks (and Material's stock search plugin
where the portal has its Pagefind search). It prints medians of repeated runs:
wall time, the portal/plain ratio, pages per second, peak memory, HTML bytes
per page, the home page's bytes and the search index bytes; then the edit-to-preview time of a
focused ``make serve ID=<id>`` at the largest N.

    python -m bench.run            # N = 10, 100, 1000 (about 15 minutes on 2 cores)
    python -m bench.run --quick    # N = 10, 20 (about one minute)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.generate import generate
from macros import runner

ROOT = Path(__file__).resolve().parent.parent
ENV = runner.environment(dict(os.environ, PORTAL_TODAY="2023-01-03", PYTHONDONTWRITEBYTECODE="1"))


def make_portal(target: Path, count: int) -> Path:
    for name in ("docs", "macros", "overrides"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    (target / "data").mkdir()
    shutil.copy(ROOT / "data" / "portal.yml", target / "data" / "portal.yml")
    generate(target / "data" / "meetings", count)
    return target


def make_plain(portal: Path, target: Path) -> Path:
    """A plain MkDocs site with the portal's generated pages as static Markdown files."""
    sys.path.insert(0, str(portal))
    from macros.portal import Portal

    loaded = Portal.load(portal)
    sys.path.remove(str(portal))
    shutil.copytree(portal / "overrides", target / "overrides")
    docs = target / "docs"
    shutil.copytree(portal / "docs", docs)
    (docs / "index.md").write_text(
        (portal / "docs" / "index.md").read_text(encoding="utf-8").replace("{{ meeting_index() }}", loaded.home()),
        encoding="utf-8",
    )
    for uri, markdown in loaded.pages().items():
        path = docs / uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown, encoding="utf-8")
    config = (portal / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"\nwatch:\n(  - .*\n)+", "\n", config)
    config = re.sub(r"\nhooks:\n(  - .*\n)+", "\n", config)
    # Material's stock search plugin stands for the portal's search (Pagefind), so both sites have one.
    config = re.sub(r"\nplugins:\n(  .*\n)+", "\nplugins:\n  - search:\n      lang: zh\n", config)
    (target / "mkdocs.yml").write_text(config, encoding="utf-8")
    return target


def timed_build(project: Path, site: Path, env: dict) -> tuple[float, int]:
    """Wall seconds and peak resident memory (MiB, the build and the processes it waited for)."""
    shutil.rmtree(site, ignore_errors=True)
    started = time.perf_counter()
    process = subprocess.Popen(
        runner.command("build", "-q", "-f", str(project / "mkdocs.yml"), "-d", str(site)),
        cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"build of {project} failed:\n{process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss // 1024


def site_figures(site: Path) -> tuple[int, int, int, int]:
    """Pages, HTML bytes per page, the home page's bytes, the search index's bytes."""
    pages = [p for p in site.rglob("*.html") if "pagefind" not in p.parts and p.name != "404.html"]
    html_bytes = sum(p.stat().st_size for p in pages)
    index = sum(p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file()) if (site / "pagefind").exists() else 0
    return len(pages), html_bytes // max(1, len(pages)), (site / "index.html").stat().st_size, index


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def edit_to_preview(project: Path, repeats: int) -> list[float]:
    """Seconds from saving a meeting file to its report being served changed, under `make serve ID=`."""
    meeting = sorted((project / "data" / "meetings").glob("*.yml"))[0]
    port = free_port()
    env = dict(ENV, PORTAL_ONLY=meeting.stem, PORTAL_SEARCH="off")
    server = subprocess.Popen(
        runner.command("serve", "-a", f"127.0.0.1:{port}", "-f", str(project / "mkdocs.yml")),
        cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/meetings/{meeting.stem}/report/"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        times = []
        original = meeting.read_text(encoding="utf-8")
        for attempt in range(repeats):
            forms = 500 + attempt
            meeting.write_text(re.sub(r"\n  forms: \d+", f"\n  forms: {forms}", original), encoding="utf-8")
            started = time.perf_counter()
            needle = f"发放征求意见表{forms}份".encode()
            while time.perf_counter() - started < 60:
                try:
                    if needle in urllib.request.urlopen(url, timeout=5).read():
                        break
                except OSError:
                    pass
                time.sleep(0.05)
            times.append(time.perf_counter() - started)
            time.sleep(1)
        meeting.write_text(original, encoding="utf-8")
        return times
    finally:
        server.terminate()
        server.wait(timeout=30)


def median(values):
    return statistics.median(values)


def run(sizes: list[int], repeats: int, preview_repeats: int) -> None:
    print(f"# machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"# medians of {repeats} runs; times in seconds, memory in MiB\n")
    header = f"{'N':>5} {'pages':>6} {'portal s':>9} {'plain s':>8} {'ratio':>6} {'pages/s':>8} {'portal MiB':>10} {'plain MiB':>9} {'B/page':>8} {'plain B/page':>12} {'home B':>8} {'index B':>10}"
    print(header)
    largest = None
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as scratch:
        for count in sizes:
            base = Path(scratch) / f"n{count}"
            portal = make_portal(base / "portal", count)
            plain = make_plain(portal, base / "plain")
            portal_runs, plain_runs = [], []
            for _ in range(repeats):
                portal_runs.append(timed_build(portal, base / "portal-site", ENV))
                plain_runs.append(timed_build(plain, base / "plain-site", ENV))
            pages, per_page, home, index = site_figures(base / "portal-site")
            _, plain_per_page, _, _ = site_figures(base / "plain-site")
            portal_s = median([t for t, _ in portal_runs])
            plain_s = median([t for t, _ in plain_runs])
            print(
                f"{count:>5} {pages:>6} {portal_s:>9.2f} {plain_s:>8.2f} {portal_s / plain_s:>6.2f} {pages / portal_s:>8.1f} "
                f"{median([m for _, m in portal_runs]):>10.0f} {median([m for _, m in plain_runs]):>9.0f} "
                f"{per_page:>8} {plain_per_page:>12} {home:>8} {index:>10}",
                flush=True,
            )
            largest = portal
        if largest is not None and preview_repeats:
            times = edit_to_preview(largest, preview_repeats)
            print(f"\nedit-to-preview (make serve ID=<id>, N={sizes[-1]}): median {median(times):.2f} s over {len(times)} saves "
                  f"({', '.join(f'{t:.2f}' for t in times)})")


def timed_publish(project: Path, env: dict) -> tuple[float, int, str]:
    """Wall seconds, peak memory (MiB) and the last line of ``make build`` (python -m macros.cli build)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "macros.cli", "build"], cwd=project, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if status != 0:
            raise RuntimeError(f"build of {project} failed:\n{err.read().decode()}")
        said = out.read().decode().strip().splitlines()[-1]
    return elapsed, usage.ru_maxrss // 1024, said


def site_digests(site: Path) -> dict[str, str]:
    import hashlib

    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in site.rglob("*") if p.is_file()}


def loader_figures(project: Path) -> tuple[float, float]:
    """Milliseconds a meeting file to load and validate: without the cache, and from it (files unchanged)."""
    code = (
        "import sys, time; from pathlib import Path; sys.path.insert(0, '.');"
        "from macros.meeting import load_meetings; from macros.buildcache import ModelCache;"
        "folder = Path('data/meetings'); n = len(list(folder.glob('*.yml')));"
        "t = time.perf_counter(); load_meetings(folder, Path('.')); cold = time.perf_counter() - t;"
        "load_meetings(folder, Path('.'), cache=ModelCache(Path('.')));"
        "t = time.perf_counter(); load_meetings(folder, Path('.'), cache=ModelCache(Path('.'))); warm = time.perf_counter() - t;"
        "print(1000 * cold / n, 1000 * warm / n)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=project, env=ENV, capture_output=True, text=True, check=True).stdout
    cold, warm = (float(x) for x in out.split())
    return cold, warm


def run_cache(count: int) -> None:
    """The build cache (``make build`` at ``count`` meetings): cold; warm with nothing changed; warm after one
    meeting file changed; after a template changed (a cold build, as any change of a template is)."""
    print(f"\n# build cache, N={count} (make build, atomic publish; load average {os.getloadavg()[0]:.1f} at start)")
    with tempfile.TemporaryDirectory(prefix="portal-bench-cache-") as scratch:
        project = make_portal(Path(scratch) / "portal", count)
        meeting = sorted((project / "data" / "meetings").glob("*.yml"))[count // 2]
        template = project / "macros" / "templates" / "report.md.j2"
        original = meeting.read_text(encoding="utf-8")

        def edit_meeting():
            meeting.write_text(re.sub(r"\n  forms: \d+", "\n  forms: 999", original, count=1), encoding="utf-8")

        def edit_template():
            # A comment that renders to nothing: the build is cold (the template's bytes changed) and
            # must publish the very bytes the warm build before it published.
            template.write_text("{#- bench: a template edit -#}\n" + template.read_text(encoding="utf-8"), encoding="utf-8")

        steps = [
            ("cold (no cache)", None),
            ("warm, nothing changed", None),
            ("warm, one meeting file changed", edit_meeting),
            ("a template changed", edit_template),
            ("warm, nothing changed", None),
        ]
        published = {}
        for label, edit in steps:
            if edit:
                edit()
            seconds, mib, said = timed_publish(project, ENV)
            print(f"{label:<32} {seconds:>7.2f} s {mib:>6} MiB  {said}", flush=True)
            published[label] = site_digests(project / "site")
        warm, cold = published["warm, one meeting file changed"], published["a template changed"]
        differing = sorted(name for name in warm.keys() | cold.keys() if warm.get(name) != cold.get(name))
        print(f"warm build after one change == cold build of the same data: {'yes' if not differing else 'NO'}"
              f" ({len(cold)} files compared{'; differ: ' + ', '.join(differing[:5]) if differing else ''})")
        cold_ms, warm_ms = loader_figures(project)
        print(f"{'load + validate a meeting file':<32} {cold_ms:>7.2f} ms without cache, {warm_ms:.2f} ms from the cache")
        print(f"# load average {os.getloadavg()[0]:.1f} at end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="N = 10 and 20, for a check in about a minute")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--repeats", type=int)
    args = parser.parse_args()
    sizes = args.sizes or ([10, 20] if args.quick else [10, 100, 1000])
    repeats = args.repeats or 3
    run(sizes, repeats, preview_repeats=3)
    run_cache(sizes[-1])


if __name__ == "__main__":
    main()
