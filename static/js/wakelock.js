// Keeps the screen awake while the run sheet is open (Screen Wake Lock API, where the browser has
// it). The lock is let go when the tab is hidden, so it is asked for again when it comes back.
(function () {
  var status = document.querySelector("[data-wakelock]");
  var lock = null;
  function say(on) {
    if (status) { status.textContent = on ? status.dataset.on : status.dataset.off; }
  }
  function request() {
    if (!("wakeLock" in navigator) || document.visibilityState !== "visible") { return; }
    navigator.wakeLock.request("screen").then(function (sentinel) {
      lock = sentinel;
      say(true);
      lock.addEventListener("release", function () { lock = null; say(false); });
    }).catch(function () { say(false); });
  }
  if (!("wakeLock" in navigator)) { say(false); return; }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && lock === null) { request(); }
  });
  request();
})();
