"""Measure a built site's search in headless Chromium: bytes and time to the first result.

For each query the page is opened fresh (empty cache), and every byte the
browser receives from opening the home page until the first result is shown is
counted, split into search bytes (index, engine) and the rest of the page. The
queries include long and common phrases (a document's title, a group's name,
the meeting's own words), whose character pairs occur on almost every page; the
summary names the slowest query and the most search bytes, not only medians.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import statistics
import threading
import time
from pathlib import Path

from macros.outputs.pdf import CHROMIUM_ARGS

ENGINES = {
    "pagefind": {
        "input": ".portal-search__input", "result": ".portal-search__link", "none": ".portal-search__status",
        "paths": ("/pagefind/", "portal-search.js"),
    },
    "material": {"input": ".md-search__input", "result": ".md-search-result__item", "paths": ("/search/", "/assets/javascripts/workers/")},
}
QUERIES = [
    "王建国", "邱霞刚", "谈心谈话", "征求意见", "对照检查", "组通", "县财政局党组",
    "开展批评和自我批评", "民主生活会准备工作情况报告", "县发展和改革局党组17", "专题民主生活会", "深刻剖析反思",
    # More document titles, group names and the meeting's own words: common pairs, long phrases.
    "民主生活会", "会议议程", "准备工作清单", "县审计局党组", "县发展和改革局党组", "对照检查材料",
    "领导班子对照检查材料", "征求意见建议情况", "2022年度民主生活会",
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(site: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def page_texts(site: Path) -> dict[str, str]:
    """Each page's URL path and the text a reader reads in its content."""
    from macros.outputs.search import page_text

    texts = {}
    for path in site.rglob("index.html"):
        if "pagefind" in path.parts:
            continue
        html = path.read_text(encoding="utf-8")
        content = re.search(r'<article class="md-content__inner.*?</article>', html, re.S)
        relative = path.parent.relative_to(site).as_posix()
        texts["/" + ("" if relative == "." else relative + "/")] = page_text(content.group(0) if content else "")
    return texts


def recall(page, base: str, query: str, texts: dict[str, str]) -> float | None:
    """Share of the pages containing the query that search finds (None when no page contains it as typed)."""
    expected = {url for url, text in texts.items() if query in text}
    if not expected:
        return None
    page.goto(base, wait_until="load")
    found = set(page.evaluate("query => window.portalSearch(query)", query))
    return round(len(expected & found) / len(expected), 4)


def measure(site: Path, engine: str, queries=QUERIES, repeats: int = 3, chromium: str = "/usr/bin/chromium") -> dict:
    from playwright.sync_api import Error as PlaywrightError, sync_playwright

    spec = ENGINES[engine]
    server = serve(site)
    base = f"http://127.0.0.1:{server.server_port}/"
    rows = []
    load_before = os.getloadavg()
    texts = page_texts(site) if engine == "pagefind" else {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for query in queries:
            times, search_bytes, all_bytes, shards = [], [], [], []
            for _ in range(repeats):
                context = browser.new_context()
                page = context.new_page()
                received: list[tuple[str, int]] = []

                def finished(request):
                    try:
                        sizes = request.sizes()
                    except PlaywrightError:  # finished as the context closed: after the answer, not counted
                        return
                    received.append((request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"]))

                before: set = set()
                answered = False
                context.on("request", lambda request: None if answered else before.add(request))
                context.on("requestfinished", finished)
                page.goto(base, wait_until="load")
                page.click(spec["input"])
                started = time.perf_counter()
                page.fill(spec["input"], query)
                # The first result, or the answer that there is none.
                page.wait_for_function(
                    "([result, none]) => document.querySelector(result) || (none && document.querySelector(none)?.textContent.startsWith('没有找到'))",
                    arg=[spec["result"], spec.get("none")], timeout=120_000, polling="raf",
                )
                times.append((time.perf_counter() - started) * 1000)
                answered = True
                page.wait_for_timeout(300)  # let the requests made before the answer finish being counted
                urls = {request.url for request in before}
                total = sum(n for url, n in received if url in urls)
                search = sum(n for url, n in received if url in urls and any(p in url for p in spec["paths"]))
                all_bytes.append(total)
                search_bytes.append(search)
                shards.append(len({m.group(1) for url in urls if (m := re.search(r"/pagefind/(\d+)/", url))}))
                context.close()
            row_recall = None
            if texts:
                context = browser.new_context()
                row_recall = recall(context.new_page(), base, query, texts)
                context.close()
            rows.append({
                "query": query,
                "recall": row_recall,
                "ms_to_first_result": round(statistics.median(times)),
                "search_bytes": int(statistics.median(search_bytes)),
                "all_bytes": int(statistics.median(all_bytes)),
                "shards_loaded": int(statistics.median(shards)) if engine == "pagefind" else None,
            })
        browser.close()
    server.shutdown()
    slowest = max(rows, key=lambda row: row["ms_to_first_result"])
    heaviest = max(rows, key=lambda row: row["search_bytes"])
    summary = {
        "slowest_query": slowest["query"], "slowest_ms": slowest["ms_to_first_result"],
        "most_search_bytes_query": heaviest["query"], "most_search_bytes": heaviest["search_bytes"],
        "median_ms": statistics.median(row["ms_to_first_result"] for row in rows),
        # The machine may be shared: its load average (1, 5, 15 minutes) before and after the run.
        "load_before": [round(value, 2) for value in load_before],
        "load_after": [round(value, 2) for value in os.getloadavg()],
    }
    return {"engine": engine, "site": str(site), "queries": rows, "summary": summary}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("site", type=Path)
    parser.add_argument("engine", choices=sorted(ENGINES))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(measure(args.site, args.engine, repeats=args.repeats), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
