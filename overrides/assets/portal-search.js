// The portal's search box: Pagefind's index, queried with the same character-pair tokens
// that macros/search.py adds to every page, so any Chinese word inside a sentence is found.
(function () {
  "use strict";
  var CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;

  function hex(ch) { return ("0000" + ch.codePointAt(0).toString(16)).slice(-5); }

  function queryTokens(query) {
    var out = [];
    var last = 0;
    query.replace(CJK, function (run, at) {
      var before = query.slice(last, at).trim();
      if (before) { out.push(before); }
      if (run.length === 1) { out.push("c" + hex(run)); }
      for (var i = 0; i + 1 < run.length; i++) { out.push("c" + hex(run[i]) + hex(run[i + 1])); }
      last = at + run.length;
      return run;
    });
    var after = query.slice(last).trim();
    if (after) { out.push(after); }
    return out.join(" ");
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function start(box) {
    var base = box.getAttribute("data-base");
    var input = box.querySelector("input");
    var list = box.querySelector(".portal-search__results");
    var status = box.querySelector(".portal-search__status");
    var pagefind = null;
    var latest = 0;

    // A browser does not let a page opened from a folder (file://) read the index: say so plainly.
    if (location.protocol === "file:") {
      input.disabled = true;
      input.placeholder = "从文件夹打开时不能搜索";
      status.textContent = "搜索需要通过网址打开门户：请把门户放到内网的网站服务器上，用网址打开后再搜索。各页面的链接照常可以点击。";
      return;
    }

    function at(path) { return new URL(base + path, document.baseURI).href; }

    // The index comes in shards (see macros/search.py): the first is loaded, the others merged into it.
    async function open() {
      var manifest = await (await fetch(at("pagefind/shards.json"))).json();
      var engine = await import(at("pagefind/" + manifest.shards[0] + "pagefind.js"));
      await engine.options({});
      for (var i = 1; i < manifest.shards.length; i++) {
        await engine.mergeIndex(new URL(at("pagefind/" + manifest.shards[i])).pathname);
      }
      return engine;
    }

    function load() {
      if (!pagefind) { pagefind = open(); }
      return pagefind;
    }

    async function run() {
      var query = input.value.trim();
      var ticket = ++latest;
      if (!query) { list.innerHTML = ""; status.textContent = ""; return; }
      var engine = await load();
      var search = await engine.search(queryTokens(query));
      var pages = await Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); }));
      if (ticket !== latest) { return; }
      status.textContent = search.results.length ? "找到 " + search.results.length + " 个页面" : "没有找到包含“" + query + "”的页面";
      list.innerHTML = pages.map(function (page) {
        return '<li><a class="portal-search__link" href="' + escapeHtml(page.url) + '">' +
          escapeHtml(page.meta.title || page.url) + "</a></li>";
      }).join("");
    }

    box.portalSearch = async function (query) {
      var engine = await load();
      var search = await engine.search(queryTokens(query));
      var pages = await Promise.all(search.results.map(function (r) { return r.data(); }));
      return pages.map(function (page) { return page.url; });
    };
    input.addEventListener("input", run);
    input.addEventListener("focus", load, { once: true });
  }

  window.portalQueryTokens = queryTokens;
  window.portalSearch = function (query) {
    var box = document.querySelector(".portal-search");
    return box.portalSearch(query);
  };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".portal-search").forEach(start);
  });
})();
