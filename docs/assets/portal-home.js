// Narrows the home page's (or a year page's) list of meetings by year and status, in the browser.
(function () {
  var form = document.querySelector(".portal-filter");
  if (!form) return;
  var year = form.querySelector(".portal-filter__year");
  var state = form.querySelector(".portal-filter__state");
  var count = form.querySelector(".portal-filter__count");
  var none = document.querySelector(".portal-filter__none");
  var sections = Array.prototype.slice.call(document.querySelectorAll(".portal-year"));

  function matches(row) {
    var mark = row.querySelector(".portal-state");
    var value = state.value;
    if (!mark || !value) return true;
    // 有逾期事项 is across stages (before or after the meeting); the other choices are the stages.
    if (value === "overdue") return mark.getAttribute("data-overdue") === "true";
    return mark.getAttribute("data-stage") === value;
  }

  function apply() {
    var shown = 0;
    sections.forEach(function (section) {
      var inYear = !year || !year.value || section.getAttribute("data-year") === year.value;
      var visible = 0;
      section.querySelectorAll("tbody tr").forEach(function (row) {
        var show = inYear && matches(row);
        row.hidden = !show;
        if (show) visible += 1;
      });
      section.hidden = visible === 0;
      shown += visible;
    });
    count.textContent = "共 " + shown + " 次会议";
    if (none) none.hidden = shown !== 0;
  }

  form.hidden = false;
  if (year) year.addEventListener("change", apply);
  state.addEventListener("change", apply);
  apply();
})();
