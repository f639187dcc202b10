// Buttons marked data-copy="<input id>" copy that input's text (no inline script under our CSP).
// Listening on the document also serves buttons that htmx swaps in later.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) { return; }
  var input = document.getElementById(button.dataset.copy);
  if (!input) { return; }
  input.select();
  var done = function () { if (button.dataset.copied) { button.textContent = button.dataset.copied; } };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(done, function () {});
  } else if (document.execCommand("copy")) {
    done();
  }
});
