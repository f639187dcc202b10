// The order list's bulk actions: "select all on this page" ticks every order of the page, the
// bar counts the ticked ones and its buttons wake up once one is ticked. Listening on the
// document also serves the rows htmx swaps in when the filters change.
(function () {
  function refresh(form) {
    var boxes = form.querySelectorAll("input[name=order]");
    var ticked = form.querySelectorAll("input[name=order]:checked").length;
    form.querySelectorAll("[data-selected-count]").forEach(function (el) { el.textContent = ticked; });
    form.querySelectorAll("[data-bulk-action]").forEach(function (el) { el.disabled = ticked === 0; });
    var all = form.querySelector("[data-select-all]");
    if (all) {
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest("#bulk-form");
    if (!form) { return; }
    if (event.target.matches("[data-select-all]")) {
      form.querySelectorAll("input[name=order]").forEach(function (box) { box.checked = event.target.checked; });
    }
    refresh(form);
  });
  function init() {
    var form = document.getElementById("bulk-form");
    if (form) { refresh(form); }
  }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", init);
})();
