// The run sheet: a refusal of a one-tap action (400, 403, 409) comes with the list and the reason
// shown above the bar; let htmx swap it in instead of dropping it (no inline script under our CSP).
document.addEventListener("htmx:beforeSwap", function (event) {
  var detail = event.detail;
  var status = detail.xhr && detail.xhr.status;
  if (status !== 400 && status !== 403 && status !== 409) { return; }
  if (detail.elt && detail.elt.closest && detail.elt.closest("[data-swap-errors]")) {
    detail.shouldSwap = true;
    detail.isError = false;
  }
});
