// Marks each table wider than its column (on a phone, the talk matrix, the steps table) so that a
// line above it (portal.css) says it scrolls sideways, and makes it reachable by keyboard (it scrolls
// with the arrow keys once focused), named by the heading above it; re-checked when the window changes size.
(function () {
  "use strict";
  function heading(table) {
    for (var node = table.closest(".md-typeset__scrollwrap"); node; node = node.previousElementSibling) {
      if (/^H[1-6]$/.test(node.tagName)) { return node.textContent.replace("¶", "").trim(); }
    }
    return "";
  }
  function mark() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      var table = wrap.querySelector("table");  // Material lets the table itself scroll
      var wide = !!table && table.scrollWidth > table.clientWidth + 1;
      wrap.classList.toggle("portal-wide", wide);
      if (!table) { return; }
      if (wide) {
        table.setAttribute("tabindex", "0");
        table.setAttribute("aria-label", (heading(table) || "表格") + "（可左右滑动查看）");
      } else {
        table.removeAttribute("tabindex");
        table.removeAttribute("aria-label");
      }
    });
  }
  window.addEventListener("load", mark);
  window.addEventListener("resize", mark);
})();
