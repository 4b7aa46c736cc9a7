// The portal's search box in the site header. The index (Pagefind, written by macros/outputs/search.py)
// holds character-pair tokens; the query is turned into the same tokens here, so any Chinese
// word inside a sentence is found. Results show excerpts cut from each page's real text (a small
// file beside the index), with the query marked; opening one marks the query on that page.
(function () {
  "use strict";
  var CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
  var PAGE_SIZE = 10;

  function hex(ch) { return ("0000" + ch.codePointAt(0).toString(16)).slice(-5); }

  // A filter value as the index holds it (macros/outputs/search.py filter_token): filters are index terms.
  function filterToken(key, value) {
    return "f" + key[0] + Array.from(value).map(hex).join("") + "z";
  }

  // The query as the index holds it (macros/outputs/search.py has the Python twin). With ``cover``, a run
  // of COVER_FROM characters or more keeps only every other pair (and the last), enough to find
  // a long phrase at half the work; results are then checked against all its pairs.
  var COVER_FROM = 8;
  function queryTokens(query, cover) {
    var out = [];
    var last = 0;
    query.replace(CJK, function (run, at) {
      var before = query.slice(last, at).trim();
      if (before) { out.push(before); }
      if (run.length === 1) { out.push("c" + hex(run)); }
      var step = cover && run.length >= COVER_FROM ? 2 : 1;
      for (var i = 0; i + 1 < run.length; i += step) { out.push("c" + hex(run[i]) + hex(run[i + 1])); }
      if (step === 2 && run.length % 2 === 1) { out.push("c" + hex(run[run.length - 2]) + hex(run[run.length - 1])); }
      last = at + run.length;
      return run;
    });
    var after = query.slice(last).trim();
    if (after) { out.push(after); }
    return out.join(" ");
  }

  // FNV-1a, 32 bits, of an ASCII token (macros/outputs/search.py _fnv).
  function fnv(text, value) {
    for (var i = 0; i < text.length; i++) { value = Math.imul(value ^ text.charCodeAt(i), 0x01000193) >>> 0; }
    return value;
  }

  // Whether a Bloom filter of shards.json's summary may hold a token (macros/outputs/search.py _bloom_has).
  function bloomHas(bits, token, hashes) {
    var size = bits.length * 8;
    var first = fnv(token, 0x811c9dc5);
    var second = (fnv(token, 0x9747b28c) | 1) >>> 0;
    for (var n = 0; n < hashes; n++) {
      var bit = (first + n * second) % size;
      if (!(bits[bit >> 3] & (1 << (bit & 7)))) { return false; }
    }
    return true;
  }

  function decodeBits(text) {
    var raw = atob(text);
    var bits = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bits[i] = raw.charCodeAt(i); }
    return bits;
  }

  // For each shard, whether it may hold a page with every character pair of the query: a shard
  // whose summary lacks one of them is skipped without loading anything of it
  // (macros/outputs/search.py shards_holding is the Python twin).
  function shardsHolding(summary, query) {
    if (!summary.decoded) {
      summary.decoded = { common: decodeBits(summary.common), shards: summary.shards.map(decodeBits) };
    }
    var pairs = queryTokens(query).split(" ").filter(function (token) { return /^c[0-9a-f]{10}$/.test(token); });
    var rare = pairs.filter(function (pair) { return !bloomHas(summary.decoded.common, pair, summary.hashes); });
    return summary.decoded.shards.map(function (bits) {
      return rare.every(function (pair) { return bloomHas(bits, pair, summary.hashes); });
    });
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // Whether a page (as Pagefind returns it: its content is the tokens and the non-Chinese words)
  // holds every token of a query: a character pair exactly, anything else as a word's beginning.
  function holdsTokens(tokens) {
    var wanted = tokens.toLowerCase().split(/\s+/).filter(Boolean);
    return function (page) {
      var words = String(page.content || "").toLowerCase().split(/[\s,.;:!?()，。；：、（）《》“”]+/);
      var exact = new Set(words);
      return wanted.every(function (token) {
        if (/^c[0-9a-f]{10}$/.test(token)) { return exact.has(token); }
        return words.some(function (word) { return word.indexOf(token) === 0; });
      });
    };
  }

  // Where the query occurs in a text: [start, end) ranges, in order, not overlapping. The whole
  // query first; failing that each of its words; failing that each of its character pairs.
  function matches(text, query) {
    var haystack = text.toLowerCase();
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    var tries = [[words.join(" ")], words];
    var pairs = [];
    words.forEach(function (word) {
      for (var i = 0; i + 1 < word.length; i++) { pairs.push(word.slice(i, i + 2)); }
    });
    tries.push(pairs);
    for (var t = 0; t < tries.length; t++) {
      var found = [];
      tries[t].forEach(function (needle) {
        if (!needle) { return; }
        for (var at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) {
          found.push([at, at + needle.length]);
        }
      });
      if (found.length) {
        found.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
        var merged = [];
        found.forEach(function (range) {
          var prev = merged[merged.length - 1];
          if (prev && range[0] <= prev[1]) { prev[1] = Math.max(prev[1], range[1]); } else { merged.push(range.slice()); }
        });
        return merged;
      }
    }
    return [];
  }

  // One or two passages of the page's text around the first matches, the matches in <mark>.
  function excerpts(text, query) {
    var flat = text.replace(/\s*\n\s*/g, " ");
    var ranges = matches(flat, query);
    var out = [];
    var covered = -1;
    for (var i = 0; i < ranges.length && out.length < 2; i++) {
      if (ranges[i][0] < covered) { continue; }
      var start = Math.max(0, ranges[i][0] - 24);
      var end = Math.min(flat.length, ranges[i][1] + 56);
      var html = "";
      var at = start;
      ranges.forEach(function (range) {
        if (range[0] < start || range[1] > end) { return; }
        html += escapeHtml(flat.slice(at, range[0])) + "<mark>" + escapeHtml(flat.slice(range[0], range[1])) + "</mark>";
        at = range[1];
      });
      html += escapeHtml(flat.slice(at, end));
      out.push((start > 0 ? "…" : "") + html + (end < flat.length ? "…" : ""));
      covered = end;
    }
    return out;
  }

  function start(box) {
    var input = box.querySelector(".portal-search__input");
    var panel = box.querySelector(".portal-search__panel");
    var list = box.querySelector(".portal-search__results");
    var status = box.querySelector(".portal-search__status");
    var more = box.querySelector(".portal-search__more");
    var selects = box.querySelectorAll(".portal-search__filter");
    var indexUrl = new URL(box.getAttribute("data-index"), document.baseURI);
    var manifest = null;
    var engines = [];
    var latest = 0;
    var current = null;
    var active = -1;

    // A browser does not let a page opened from a folder (file://) read the index: say so plainly.
    if (location.protocol === "file:") {
      input.disabled = true;
      input.placeholder = "从文件夹打开时不能搜索";
      status.textContent = "搜索需要通过网址打开门户：请把门户放到内网的网站服务器上，用网址打开后再搜索。各页面的链接照常可以点击。";
      box.addEventListener("click", function () { panel.hidden = false; });
      return;
    }

    // The index needs WebAssembly and DecompressionStream (Chrome and Edge 80, Firefox 113, Safari 16.4
    // and later). An older browser, or an older core of a 360 or 奇安信 browser, is told so, not left
    // with a search that never answers.
    // The box stays focusable (read-only, not disabled), so that clicking it shows why.
    if (typeof WebAssembly !== "object" || typeof DecompressionStream !== "function") {
      input.readOnly = true;
      input.placeholder = "当前浏览器不能搜索";
      status.textContent = "搜索需要较新的浏览器：请用近年版本的 Chrome、Edge、Firefox，或把 360、奇安信等浏览器切换到“极速模式”后再搜索。各页面照常可以浏览、打印和下载。";
      box.title = status.textContent;
      box.querySelector(".portal-search__filters").style.display = "none";
      input.addEventListener("focus", function () { panel.hidden = false; });
      document.addEventListener("click", function (event) {
        if (!box.contains(event.target)) { panel.hidden = true; }
      });
      return;
    }

    // pagefind/shards.json: the shards of the index, in the order results are listed, and the
    // values each filter offers.
    function loadManifest() {
      if (!manifest) {
        manifest = fetch(indexUrl).then(function (response) { return response.json(); });
        manifest.then(fillFilters);
      }
      return manifest;
    }

    // Shard 0's bundle is imported; the other shards are further instances of the same engine,
    // made only when a search reaches them. The instances share one WebAssembly module, which
    // shard 0's loads (the other shards hold only a marker in its place, see macros/outputs/search.py
    // ENGINE_SHARED): an instance is made only once the one before it is ready (an empty search
    // waits for that), shard 0's first.
    var ready = Promise.resolve();
    function engine(number) {
      if (number > 0) { engine(0); }
      if (!engines[number]) {
        engines[number] = ready.then(async function () {
          var shards = (await loadManifest()).shards;
          var first = await import(new URL(shards[0] + "pagefind.js", indexUrl).href);
          // Pagefind's web worker did not start in Chromium here, and waiting for it costs 5 s.
          var options = { noWorker: true, excerptLength: 0 };
          var made = first;
          if (number === 0) {
            await first.options(options);
          } else {
            options.basePath = new URL(shards[number], indexUrl).pathname;
            made = first.createInstance(options);
          }
          await made.search("");
          return made;
        });
        ready = engines[number].catch(function () {});
      }
      return engines[number];
    }

    function fillFilters(loaded) {
      selects.forEach(function (select) {
        var key = select.getAttribute("data-filter");
        var values = (loaded.filters[key] || []).slice();
        if (key === "year") { values.sort().reverse(); }
        else if (key === "kind") { /* listed in the order of macros/outputs/search.py's KINDS */ }
        else { values.sort(function (a, b) { return a.localeCompare(b, "zh"); }); }
        values.forEach(function (value) {
          var option = document.createElement("option");
          option.value = value;
          option.textContent = key === "year" ? value + "年" : value;
          select.appendChild(option);
        });
      });
    }

    function chosenFilters() {
      var terms = [];
      selects.forEach(function (select) {
        if (select.value) { terms.push(filterToken(select.getAttribute("data-filter"), select.value)); }
      });
      return terms.join(" ");
    }

    // A result whose page data is fetched once, however often it is asked for.
    function remember(result) {
      var data = null;
      return { data: function () { return data || (data = result.data()); } };
    }

    // Searches the shards one after the other and calls back after each (stopping if it answers
    // false). Pagefind answers a query whose word is missing from an index with near matches
    // (typo tolerance, metadata), so results are checked against the tokens each page holds:
    // a shard whose first result lacks a token holds no page with the query at all.
    // Shards that cannot hold the query (see shardsHolding) are not searched at all.
    // A query that is the name of a kind of page (整改清单, 会议情况报告…), with no kind chosen, lists the
    // pages of that kind first (a first pass with that kind's filter), then every other page holding it.
    async function searchShards(query, afterShard) {
      var loaded = await loadManifest();
      var maybe = loaded.summary ? shardsHolding(loaded.summary, query) : loaded.shards.map(function () { return true; });
      var searched = loaded.shards.map(function (_, i) { return i; }).filter(function (i) { return maybe[i]; });
      var filters = chosenFilters();
      var holds = holdsTokens((queryTokens(query) + " " + filters).trim());
      var kindChosen = Array.prototype.some.call(selects, function (select) { return select.getAttribute("data-filter") === "kind" && select.value; });
      var named = !kindChosen && ((loaded.filters && loaded.filters.kind) || []).indexOf(query) >= 0;
      var passes = named ? [filterToken("kind", query), ""] : [""];
      var options = { sort: { order: "asc" } };
      var results = [];
      var seen = new Set();
      for (var p = 0; p < passes.length; p++) {
        var passHolds = holdsTokens((queryTokens(query) + " " + filters + " " + passes[p]).trim());
        var terms = (queryTokens(query, true) + " " + filters + " " + passes[p]).trim();
        for (var n = 0; n < searched.length; n++) {
          var shard = searched[n];
          var answer = await (await engine(shard)).search(terms, options);
          var fresh = answer.results.filter(function (r) { return r.words.length > 0 && !seen.has(shard + ":" + r.id); });
          var found = fresh.map(remember);
          if (found.length && passHolds(await found[0].data())) {
            fresh.forEach(function (r) { seen.add(shard + ":" + r.id); });
            results = results.concat(found);
          }
          var last = p === passes.length - 1 && n === searched.length - 1;
          if (afterShard && (await afterShard(results, holds, last)) === false) { return null; }
        }
      }
      if (!searched.length && afterShard) { await afterShard(results, holds, true); }
      return { results: results, holds: holds };
    }

    function pageUrl(page, query) {
      var url = new URL(page.url, location.href);
      url.searchParams.set("q", query);
      return url.pathname + url.search;
    }

    // Results arrive in meeting order (see macros/outputs/search.py); a meeting's pages share one group.
    function renderItems(pages, query) {
      pages.forEach(function (page) {
        var name = page.meta.meeting || "";
        var group = list.lastElementChild;
        if (!group || group.getAttribute("data-meeting") !== name) {
          list.insertAdjacentHTML("beforeend", '<li class="portal-search__group" data-meeting="' + escapeHtml(name) + '">' +
            '<p class="portal-search__meeting">' + escapeHtml(name || "其他页面") + "</p><ol></ol></li>");
          group = list.lastElementChild;
        }
        group.querySelector("ol").insertAdjacentHTML("beforeend", '<li class="portal-search__item">' +
          '<a class="portal-search__link" href="' + escapeHtml(pageUrl(page, query)) + '">' + escapeHtml(page.meta.title || page.url) + "</a>" +
          '<span class="portal-search__kind">' + escapeHtml(page.meta.kind || "") + "</span>" +
          excerpts(page.text, query).map(function (e) { return '<p class="portal-search__excerpt">' + e + "</p>"; }).join("") +
          "</li>");
      });
    }

    // A page's plain text (written gzip-compressed beside the index by macros/outputs/search.py).
    async function pageText(page) {
      var response = await fetch(new URL("text/" + page.meta.number + ".gz", indexUrl));
      var bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
        var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
        return new Response(stream).text();
      }
      return new TextDecoder().decode(bytes);  // a server that already unpacked it
    }

    // Shows up to ``count`` more results, each as soon as it and those before it are ready.
    async function showMore(ticket, count) {
      var batch = current.results.slice(current.next, current.next + (count || PAGE_SIZE));
      current.next += batch.length;
      var ready = batch.map(async function (result) {
        var page = await result.data();
        if (!current.holds(page)) { return null; }
        page.text = await pageText(page);
        return page;
      });
      for (var i = 0; i < ready.length; i++) {
        var page = await ready[i];
        if (ticket !== latest) { return; }
        if (page) { renderItems([page], current.query); }
      }
      more.hidden = current.next >= current.results.length;
    }

    // Results are shown as soon as a shard holds some (the first shard holds the newest meetings),
    // up to a page of them; the count follows when all shards are searched. Until then the list
    // is aria-busy, which screen readers (and the browser tests) wait for.
    async function run() {
      var query = input.value.trim();
      var ticket = ++latest;
      active = -1;
      if (!query) { clear(false); return; }
      panel.hidden = false;
      list.setAttribute("aria-busy", "true");
      var fresh = true;
      await searchShards(query, async function (results, holds, last) {
        if (ticket !== latest) { return false; }
        if (fresh && (results.length || last)) {
          fresh = false;
          current = { query: query, results: results, holds: holds, next: 0 };
          list.innerHTML = "";
        }
        if (!fresh) {
          current.results = results;
          if (current.next < PAGE_SIZE) { await showMore(ticket, PAGE_SIZE - current.next); }
          if (ticket !== latest) { return false; }
          more.hidden = current.next >= results.length;
        }
        if (!last) {
          status.textContent = "已找到 " + results.length + " 个页面，正在继续查找……";
        } else {
          status.textContent = results.length ? "找到 " + results.length + " 个页面" : "没有找到包含“" + query + "”的页面";
          list.setAttribute("aria-busy", "false");
        }
        return true;
      });
    }

    function clear(empty) {
      latest++;
      if (empty) { input.value = ""; }
      list.innerHTML = "";
      list.setAttribute("aria-busy", "false");
      status.textContent = "";
      more.hidden = true;
      panel.hidden = true;
      current = null;
      active = -1;
    }

    function links() { return list.querySelectorAll(".portal-search__link"); }

    function move(step) {
      var all = links();
      if (!all.length) { return; }
      if (active >= 0 && all[active]) { all[active].classList.remove("portal-search__link--active"); }
      active = Math.max(0, Math.min(all.length - 1, active + step));
      all[active].classList.add("portal-search__link--active");
      all[active].scrollIntoView({ block: "nearest" });
    }

    input.addEventListener("input", run);
    input.addEventListener("focus", function () {
      engine(0);
      if (current) { panel.hidden = false; }
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        move(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Enter") {
        var target = links()[Math.max(active, 0)];
        if (target) { event.preventDefault(); location.href = target.href; }
      } else if (event.key === "Escape") {
        event.preventDefault();
        clear(true);
      }
    });
    selects.forEach(function (select) { select.addEventListener("change", run); });
    more.addEventListener("click", function () { showMore(latest); });
    document.addEventListener("click", function (event) {
      if (!box.contains(event.target)) { panel.hidden = true; }
    });
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
      if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        input.focus();
      }
    });

    // Every page found (the tests' and the benchmark's check of recall). The pages' data are fetched
    // fifty at a time: thousands of fetches at once exhaust the browser (ERR_INSUFFICIENT_RESOURCES).
    box.portalSearch = async function (query) {
      var answer = await searchShards(query);
      var pages = [];
      for (var i = 0; i < answer.results.length; i += 50) {
        pages = pages.concat(await Promise.all(answer.results.slice(i, i + 50).map(function (r) { return r.data(); })));
      }
      return pages.filter(answer.holds).map(function (page) { return page.url; });
    };
  }

  // On arrival from a result (?q=…): mark the query in the page's content and scroll to the first match.
  function markArrival() {
    var query = new URLSearchParams(location.search).get("q");
    var content = document.querySelector(".md-content article");
    if (!query || !query.trim() || !content) { return; }
    var nodes = [];
    var text = "";
    var walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        return node.parentElement.closest("script, style, mark, .headerlink, .portal-crumbs") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      },
    });
    while (walker.nextNode()) {
      nodes.push({ node: walker.currentNode, start: text.length });
      text += walker.currentNode.nodeValue;
    }
    var ranges = matches(text, query.trim());
    nodes.forEach(function (entry) {
      var node = entry.node;
      var end = entry.start + node.nodeValue.length;
      var local = ranges.filter(function (r) { return r[0] < end && r[1] > entry.start; });
      for (var i = local.length - 1; i >= 0; i--) {
        var from = Math.max(local[i][0], entry.start) - entry.start;
        var to = Math.min(local[i][1], end) - entry.start;
        var piece = node.splitText(from);
        piece.splitText(to - from);
        var mark = document.createElement("mark");
        mark.className = "portal-hit";
        piece.parentNode.replaceChild(mark, piece);
        mark.appendChild(piece);
      }
    });
    var first = content.querySelector("mark.portal-hit");
    if (first) { first.scrollIntoView({ block: "center" }); }
  }

  window.portalQueryTokens = queryTokens;
  window.portalShardsHolding = shardsHolding;
  window.portalExcerpts = excerpts;
  window.portalSearch = function (query) {
    return document.querySelector(".portal-search").portalSearch(query);
  };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".portal-search").forEach(start);
    markArrival();
  });
})();
