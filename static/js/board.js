// The live board's full-screen button (the Fullscreen API; no inline script under our CSP).
document.querySelectorAll("[data-fullscreen]").forEach(function (button) {
  button.addEventListener("click", function () {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen();
    }
  });
});
