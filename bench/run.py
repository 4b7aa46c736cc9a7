"""Benchmark the portal against plain MkDocs + Material with the same pages.

For each size N it generates N synthetic meetings, then builds, in separate
processes and taking turns, (a) the portal and (b) a plain MkDocs site whose
docs/ holds the very Markdown pages the portal generates, with the same theme
configuration but no macros and no hooks (and Material's stock search plugin,
``lang: zh``, where the portal has its Pagefind search).

The plain site is built twice, by two baselines that install from
``bench/requirements.txt`` alone (the same MkDocs and Material as the portal's
lock), each into its own venv under ``.bench-venvs/``, made once and remade
when that file changes:

- ``plain+jieba``: Material's documented set-up for Chinese search, jieba
  installed, so its search plugin segments every page's Chinese text;
- ``plain-nojieba``: the same without jieba.

The portal is built with the project's own interpreter (its ``.venv``). Each row
names its environment; the header lists each environment's Python and packages.
It prints medians of repeated runs (and the range): wall time, CPU time (the
build and the processes it waited for; steadier than wall time on a shared
machine), the portal's ratio to each baseline, pages per second, peak memory,
HTML bytes per page and the search index bytes; then the edit-to-preview time
of a focused ``make serve ID=<id>`` at the largest N.

    python -m bench.run            # N = 10, 100, 1000, 3 runs (about 20 minutes on 2 quiet cores)
    python -m bench.run --quick    # N = 10, 20, 5 runs (about two minutes)
    python -m bench.run --sizes 1000 --repeats 1 --no-preview
"""

from __future__ import annotations

import argparse
import hashlib
import json
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
from dataclasses import dataclass
from pathlib import Path

from bench.generate import generate
from macros.adapters import runner

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "bench" / "requirements.txt"
VENVS = ROOT / ".bench-venvs"
ENV = runner.environment(dict(os.environ, PORTAL_TODAY="2023-01-03", PYTHONDONTWRITEBYTECODE="1", PORTAL_CACHE="off"))
"""Every comparison is of cold builds: the build cache is off except in ``run_cache``."""
CACHE_ENV = {name: value for name, value in ENV.items() if name != "PORTAL_CACHE"}
PORTAL = "portal"
BASELINES = {"plain+jieba": True, "plain-nojieba": False}  # name: jieba installed


@dataclass
class Environment:
    """An interpreter that builds one side of the comparison, and what it has installed."""

    name: str
    python: Path
    described: str = ""


def baseline_requirements(with_jieba: bool) -> list[str]:
    """The pinned lines of bench/requirements.txt for one baseline (jieba's line dropped without it)."""
    lines = [line.strip() for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines()]
    pins = [line for line in lines if line and not line.startswith("#")]
    return pins if with_jieba else [line for line in pins if not re.match(r"jieba\b", line, re.I)]


def baseline_stamp(name: str, with_jieba: bool) -> str:
    """What a baseline venv was made from: its pins and the interpreter that made it."""
    text = "\n".join([name, sys.version, *baseline_requirements(with_jieba)])
    return hashlib.sha256(text.encode()).hexdigest()


def baseline_venv(name: str, with_jieba: bool) -> Path:
    """The python of a baseline venv, made (or remade when its pins changed) from bench/requirements.txt."""
    venv = VENVS / name
    python = venv / "bin" / "python"
    stamp = venv / ".bench-stamp"
    wanted = baseline_stamp(name, with_jieba)
    if python.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        return python
    print(f"# making the {name} venv in {venv.relative_to(ROOT)} from bench/requirements.txt ...", flush=True)
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pins = venv / "requirements.txt"
    pins.write_text("\n".join(baseline_requirements(with_jieba)) + "\n", encoding="utf-8")
    pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "--quiet", "--no-deps", "--require-virtualenv", "-r", str(pins)], check=True)
    subprocess.run([*pip, "check"], check=True, stdout=subprocess.DEVNULL)
    stamp.write_text(wanted + "\n")
    return python


DESCRIBE = """
import importlib.metadata as m, importlib.util, sys
def version(name):
    try:
        return m.version(name)
    except m.PackageNotFoundError:
        return None
names = ["mkdocs", "mkdocs-material", "mkdocs-macros-plugin", "pagefind", "jieba"]
print(sys.version.split()[0])
print(", ".join(f"{n} {version(n)}" for n in names if version(n)))
print("jieba importable" if importlib.util.find_spec("jieba") else "no jieba")
"""


def describe(python: Path) -> str:
    """Python version, the packages that matter and whether jieba can be imported, as that interpreter sees them."""
    out = subprocess.run([str(python), "-c", DESCRIBE], check=True, capture_output=True, text=True, env=ENV).stdout
    version, packages, jieba = out.strip().splitlines()
    return f"Python {version}; {packages}; {jieba}"


def environments() -> list[Environment]:
    envs = [Environment(PORTAL, Path(sys.executable))]
    envs += [Environment(name, baseline_venv(name, jieba)) for name, jieba in BASELINES.items()]
    for env in envs:
        env.described = describe(env.python)
    for name, jieba in BASELINES.items():
        env = next(e for e in envs if e.name == name)
        if ("jieba importable" in env.described) != jieba:
            raise SystemExit(f"{name}: expected jieba {'importable' if jieba else 'absent'}, got: {env.described}")
    return envs


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
    # The project's own macros (the portal copy holds the same files; importing those would pin
    # sys.modules to a scratch folder that the next size no longer has).
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from macros.outputs.portal import Portal

    loaded = Portal.load(portal)
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


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the build and the processes it waited for (Pagefind)
    mib: int  # peak resident memory of the build or of any process it waited for


def timed_build(python: Path, project: Path, site: Path, env: dict) -> Run:
    shutil.rmtree(site, ignore_errors=True)
    os.sync()  # the last build's files are on disk: their writing is not charged to this one
    started = time.perf_counter()
    process = subprocess.Popen(
        # The portal is built by the project's runner (MkDocs or ProperDocs), the baselines by stock MkDocs.
        [str(python), "-m", runner.name() if python == Path(sys.executable) else "mkdocs",
         "build", "-q", "-f", str(project / "mkdocs.yml"), "-d", str(site)],
        cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"build of {project} with {python} failed:\n{process.stderr.read().decode()}")
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024)


def site_figures(site: Path) -> tuple[int, int, int, int]:
    """Pages, HTML bytes per page, the home page's bytes and search index bytes (Pagefind's folder or Material's search/)."""
    pages = [p for p in site.rglob("*.html") if "pagefind" not in p.parts and p.name != "404.html"]
    html_bytes = sum(p.stat().st_size for p in pages)
    index = sum(p.stat().st_size for folder in ("pagefind", "search") for p in (site / folder).rglob("*") if p.is_file())
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


def load() -> str:
    return "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())


def warm_up(envs: list[Environment], scratch: Path) -> None:
    """One untimed build in each environment (first imports, jieba's dictionary cache) on a two-meeting site."""
    portal = make_portal(scratch / "warm" / "portal", 2)
    plain = make_plain(portal, scratch / "warm" / "plain")
    for env in envs:
        timed_build(env.python, portal if env.name == PORTAL else plain, scratch / "warm" / "site", ENV)
    shutil.rmtree(scratch / "warm")


def run(sizes: list[int], repeats: int, preview_repeats: int) -> None:
    print(f"# machine: {os.cpu_count()} cores, {load()}; {time.strftime('%Y-%m-%d %H:%M %Z')}")
    envs = environments()
    print("# environments (the third column of each row):")
    for env in envs:
        where = env.python.parent.parent
        where = where.relative_to(ROOT) if where.is_relative_to(ROOT) else where
        print(f"#   {env.name:<14} {str(where):<28} {env.described}")
    print(f"# medians of {repeats} runs (range in brackets), builds taking turns, after one untimed warm-up build each;")
    print("# seconds; cpu = user+system of the build and the processes it waited for; memory = peak RSS in MiB;")
    print("# portal/this = the portal's median over this row's median (below 1: the portal is faster)\n")
    header = (f"{'N':>5} {'pages':>6}  {'environment':<14} {'wall s':>7} {'(range)':>15} {'cpu s':>7} "
              f"{'portal/this':>11} {'cpu ratio':>9} {'pages/s':>8} {'MiB':>5} {'B/page':>7} {'home B':>8} {'index B':>11}")
    print(header, flush=True)
    largest = None
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as scratch:
        warm_up(envs, Path(scratch))
        for count in sizes:
            base = Path(scratch) / f"n{count}"
            portal = make_portal(base / "portal", count)
            plain = make_plain(portal, base / "plain")
            runs: dict[str, list[Run]] = {env.name: [] for env in envs}
            figures = {}
            for attempt in range(repeats):
                # Rotate the order so no side always runs first (or right after the heaviest one).
                for env in envs[attempt % len(envs):] + envs[: attempt % len(envs)]:
                    site = base / f"site-{env.name}"
                    runs[env.name].append(timed_build(env.python, portal if env.name == PORTAL else plain, site, ENV))
                    figures[env.name] = site_figures(site)
            portal_wall = median([r.wall for r in runs[PORTAL]])
            portal_cpu = median([r.cpu for r in runs[PORTAL]])
            for env in envs:
                done = runs[env.name]
                wall, cpu = median([r.wall for r in done]), median([r.cpu for r in done])
                pages, per_page, home, index = figures[env.name]
                spread = f"({min(r.wall for r in done):.2f}-{max(r.wall for r in done):.2f})"
                ratio = "" if env.name == PORTAL else f"{portal_wall / wall:.2f}"
                cpu_ratio = "" if env.name == PORTAL else f"{portal_cpu / cpu:.2f}"
                print(
                    f"{count:>5} {pages:>6}  {env.name:<14} {wall:>7.2f} {spread:>15} {cpu:>7.2f} "
                    f"{ratio:>11} {cpu_ratio:>9} {pages / wall:>8.1f} {median([r.mib for r in done]):>5.0f} "
                    f"{per_page:>7} {home:>8} {index:>11}",
                    flush=True,
                )
            print(f"# N={count} done, {load()}", flush=True)
            largest = portal
        if largest is not None and preview_repeats:
            times = edit_to_preview(largest, preview_repeats)
            print(f"\nedit-to-preview (make serve ID=<id>, N={sizes[-1]}): median {median(times):.2f} s over {len(times)} saves "
                  f"({', '.join(f'{t:.2f}' for t in times)})")


def timed_publish(project: Path, env: dict) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds, peak memory (MiB) and the last line of ``make build`` (python -m macros.adapters.cli build)."""
    os.sync()  # the last build's files are on disk: their writing is not charged to this one
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "macros.adapters.cli", "build"], cwd=project, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if status != 0:
            raise RuntimeError(f"build of {project} failed:\n{err.read().decode()}")
        said = out.read().decode().strip().splitlines()[-1]
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, said


def site_digests(site: Path) -> dict[str, str]:
    import hashlib

    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in site.rglob("*") if p.is_file()}


def loader_figures(project: Path) -> tuple[float, float]:
    """Milliseconds a meeting file to load and validate: without the cache, and from it (files unchanged)."""
    code = (
        "import sys, time; from pathlib import Path; sys.path.insert(0, '.');"
        "from macros.model.meeting import load_meetings; from macros.adapters.buildcache import ModelCache;"
        "folder = Path('data/meetings'); n = len(list(folder.glob('*.yml')));"
        "t = time.perf_counter(); load_meetings(folder, Path('.')); cold = time.perf_counter() - t;"
        "load_meetings(folder, Path('.'), cache=ModelCache(Path('.')));"
        "t = time.perf_counter(); load_meetings(folder, Path('.'), cache=ModelCache(Path('.'))); warm = time.perf_counter() - t;"
        "print(1000 * cold / n, 1000 * warm / n)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=project, env=CACHE_ENV, capture_output=True, text=True, check=True).stdout
    cold, warm = (float(x) for x in out.split())
    return cold, warm


def run_cache(count: int, plain: bool = False) -> None:
    """The build cache (``make build`` at ``count`` meetings): cold; warm with nothing changed; warm after one
    meeting file changed; after a template changed (a cold build, as any change of a template is)."""
    print(f"\n# build cache, N={count} (make build, atomic publish; load average {os.getloadavg()[0]:.1f} at start)")
    with tempfile.TemporaryDirectory(prefix="portal-bench-cache-") as scratch:
        project = make_portal(Path(scratch) / "portal", count)
        meeting = sorted((project / "data" / "meetings").glob("*.yml"))[count // 2]
        template = project / "macros" / "outputs" / "templates" / "report.md.j2"
        original = meeting.read_text(encoding="utf-8")

        def edit_meeting():
            meeting.write_text(re.sub(r"\n  forms: \d+", "\n  forms: 999", original, count=1), encoding="utf-8")

        def edit_template():
            # A comment that renders to nothing: the build is cold (the template's bytes changed) and
            # must publish the very bytes the warm build before it published.
            template.write_text("{#- bench: a template edit -#}\n" + template.read_text(encoding="utf-8"), encoding="utf-8")

        if plain:
            # The plain MkDocs + Material site of the same pages, built once in this run (portal's venv).
            run = timed_build(Path(sys.executable), make_plain(project, Path(scratch) / "plain"), Path(scratch) / "plain-site", ENV)
            print(f"{'plain MkDocs + Material':<32} {run.wall:>7.2f} s {run.cpu:>7.2f} cpu s {run.mib:>6} MiB", flush=True)
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
            seconds, cpu, mib, said = timed_publish(project, CACHE_ENV)
            print(f"{label:<32} {seconds:>7.2f} s {cpu:>7.2f} cpu s {mib:>6} MiB  {said}  (load {os.getloadavg()[0]:.1f})", flush=True)
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
    parser.add_argument("--quick", action="store_true", help="N = 10 and 20, 5 runs each, for a check in a few minutes")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--repeats", type=int)
    parser.add_argument("--no-preview", action="store_true", help="skip the edit-to-preview measurement")
    parser.add_argument("--cache-only", action="store_true",
                        help="only the build cache section (at the largest size), with one plain MkDocs build of the same pages")
    args = parser.parse_args()
    sizes = args.sizes or ([10, 20] if args.quick else [10, 100, 1000])
    repeats = args.repeats or (5 if args.quick else 3)
    if args.cache_only:
        run_cache(sizes[-1], plain=True)
        return
    run(sizes, repeats, preview_repeats=0 if args.no_preview else 3)
    run_cache(sizes[-1])


if __name__ == "__main__":
    main()
