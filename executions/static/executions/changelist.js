/* The execution changelist: phases update live from the feed socket. */
(function () {
  "use strict";
  function start() {
    var feed = document.getElementById("stigmer-feed");
    if (!feed) { return; }
    var status = feed.querySelector('[data-field="connection"]');
    var fresh = feed.querySelector(".stigmer-feed-new");
    window.StigmerLive.connect(feed.dataset.wsPath, {
      onMessage: function (frame) {
        if (frame.type !== "phase") { return; }
        var badges = document.querySelectorAll('.stigmer-phase[data-execution="' + frame.execution + '"]');
        if (!badges.length) { fresh.hidden = false; return; }
        badges.forEach(function (badge) {
          badge.textContent = frame.phase;
          badge.dataset.phase = frame.phase;
          badge.title = frame.error || "";
        });
      },
      onStatus: function (text, state) {
        window.StigmerLive.setStatus(status, state === "open" && text !== "live" ? "live (reload for changes missed while offline)" : text, state);
      }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
