/* The dashboard refreshes its body when the phase feed says a run moved
   (at most once a second), and every 30 s for what the feed does not carry
   (runners, waiting time passing). The charts come drawn from the server. */
(function () {
  "use strict";
  function start() {
    var root = document.getElementById("stigmer-dashboard");
    if (!root) { return; }
    var body = root.querySelector('[data-field="body"]');
    var refreshed = root.querySelector('[data-field="refreshed"]');
    var status = root.querySelector('[data-field="connection"]');
    var url = "?window=" + encodeURIComponent(root.dataset.window) + "&fragment=1";
    var timer = null, busy = false, again = false;

    function refresh() {
      timer = null;
      if (busy) { again = true; return; }
      busy = true;
      fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      }).then(function (html) {
        body.innerHTML = html;
        refreshed.textContent = new Date().toTimeString().slice(0, 8);
      }).catch(function (err) {
        refreshed.textContent = "failed (" + err.message + "), retrying";
      }).finally(function () {
        busy = false;
        if (again) { again = false; schedule(); }
      });
    }
    function schedule() { if (!timer) { timer = window.setTimeout(refresh, 1000); } }

    window.StigmerLive.connect(root.dataset.wsPath, {
      onMessage: function (frame) { if (frame.type === "phase") { schedule(); } },
      onStatus: function (text, state) {
        window.StigmerLive.setStatus(status, text, state);
        if (state === "open" && text !== "live") { schedule(); }  // catch up after a reconnect
      }
    });
    window.setInterval(schedule, 30000);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
