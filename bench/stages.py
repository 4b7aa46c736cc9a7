"""Where a cold build of the portal spends its CPU time, step by step, at N synthetic meetings.

The steps the portal adds to what any MkDocs + Material site does, each timed on
its own without a profiler (CPU seconds, steadier than wall time on a shared
machine): loading and checking the meeting files, rendering their Markdown pages,
the hidden search terms, the Word copies and the Pagefind index (its processes'
CPU). What is left of a whole build is MkDocs' own work, which
the plain baselines of ``bench.run`` do too.

    python -m bench.stages 1000
    python -m bench.stages 1000 --load-and-render --repeats 5   # only the first two steps, medians

With ``--load-and-render`` no site is built: only loading and rendering are timed, each
``--repeats`` times (the median and the range are printed), which is what a change to the
loader or the templates needs to compare against the code before it.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.run import ENV, make_portal, timed_build


def clock(label: str, action):
    cpu, wall = time.process_time(), time.perf_counter()
    result = action()
    print(f"{label:<52} cpu {time.process_time() - cpu:7.2f} s   wall {time.perf_counter() - wall:7.2f} s", flush=True)
    return result


def load_and_render(project: Path, portal_class, repeats: int) -> None:
    """CPU time of loading and of rendering, each repeated: median, fastest and slowest."""
    loads, renders = [], []
    for _ in range(repeats):
        cpu = time.process_time()
        portal = portal_class.load(project)
        loads.append(time.process_time() - cpu)
        cpu = time.process_time()
        portal.pages()
        renders.append(time.process_time() - cpu)
    count = len(portal.meetings)
    for label, times in (("load and check the meeting files", loads), (f"render {count} meetings' Markdown pages", renders)):
        print(f"{label:<52} cpu median {statistics.median(times):7.2f} s ({min(times):.2f}–{max(times):.2f}, {repeats} runs)"
              f"   {1000 * statistics.median(times) / count:6.2f} ms a meeting", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int, help="meetings to generate")
    parser.add_argument("--load-and-render", action="store_true", help="time only loading and rendering, without building the site")
    parser.add_argument("--repeats", type=int, default=1, help="runs of loading and of rendering (median and range printed)")
    args = parser.parse_args()
    os.environ.update(ENV)
    from macros.outputs.docx_export import report_docx_from_html
    from macros.outputs.portal import Portal
    from macros.outputs.search import SearchPage, page_text, write_index

    print(f"# {args.count} meetings, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {time.strftime('%Y-%m-%d %H:%M %Z')}")
    with tempfile.TemporaryDirectory(prefix="portal-stages-") as scratch:
        project = make_portal(Path(scratch) / "portal", args.count)
        if args.load_and_render:
            load_and_render(project, Portal, args.repeats)
            return
        site = Path(scratch) / "site"
        whole = timed_build(Path(sys.executable), project, site, ENV)
        print(f"{'whole build (mkdocs build, with Pagefind)':<52} cpu {whole.cpu:7.2f} s   wall {whole.wall:7.2f} s   peak {whole.mib} MiB")
        portal = clock("load and check the meeting files", lambda: Portal.load(project))
        clock(f"render {len(portal.meetings)} meetings' Markdown pages", portal.pages)
        articles = {}
        for page in site.rglob("*.html"):
            if "pagefind" in page.relative_to(site).parts or page.name == "404.html":
                continue
            found = re.search(r"<article[^>]*>(.*?)</article>", page.read_text(encoding="utf-8"), re.S)
            if found:
                articles[page] = found.group(1)
        records = [SearchPage(page.relative_to(site).parent.as_posix() + "/", "", page_text(html)) for page, html in articles.items()]
        clock(f"search terms of {len(records)} pages", lambda: [record.content() for record in records])
        reports = [html for page, html in articles.items() if page.parent.name == "report"]
        clock(f"Word copies of {len(reports)} reports", lambda: [report_docx_from_html(html) for html in reports])
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        write_index(records, Path(scratch) / "pagefind")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        pagefind_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        print(f"{'Pagefind index (its processes)':<52} cpu {pagefind_cpu:7.2f} s   wall {time.perf_counter() - wall:7.2f} s")


if __name__ == "__main__":
    main()
