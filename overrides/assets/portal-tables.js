// Marks each table wider than its column (on a phone, the talk matrix, the steps table) so that a
// line above it (portal.css) says it scrolls sideways; re-checked when the window changes size.
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      var table = wrap.querySelector("table");  // Material lets the table itself scroll
      wrap.classList.toggle("portal-wide", !!table && table.scrollWidth > table.clientWidth + 1);
    });
  }
  window.addEventListener("load", mark);
  window.addEventListener("resize", mark);
})();
