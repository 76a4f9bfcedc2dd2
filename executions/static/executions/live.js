/* A WebSocket that reconnects with back-off; refusals (44xx) are final. */
(function () {
  "use strict";
  var REFUSED = {
    4401: "not logged in",
    4403: "not allowed to watch this execution",
    4404: "execution not found"
  };

  function url(path, query) {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + path + (query || "");
  }

  // opts: query() → "?after=N", onMessage(frame), onStatus(text, state)
  function connect(path, opts) {
    var delay = 500, socket = null, stopped = false, opened = false;
    function open() {
      socket = new WebSocket(url(path, opts.query ? opts.query() : ""));
      socket.onopen = function () {
        delay = 500;
        opts.onStatus(opened ? "live (resumed)" : "live", "open");
        opened = true;
      };
      socket.onmessage = function (e) {
        try { opts.onMessage(JSON.parse(e.data)); } catch (err) { console.error(err); }
      };
      socket.onclose = function (e) {
        if (REFUSED[e.code]) {
          stopped = true;
          opts.onStatus("refused: " + REFUSED[e.code] + " (" + e.code + ")", "refused");
          return;
        }
        if (stopped) { return; }
        opts.onStatus("reconnecting…", "closed");
        window.setTimeout(open, delay);
        delay = Math.min(delay * 2, 10000);
      };
    }
    open();
    return { close: function () { stopped = true; if (socket) { socket.close(); } } };
  }

  function setStatus(node, text, state) {
    if (!node) { return; }
    node.textContent = text;
    node.dataset.state = state;
  }

  window.StigmerLive = { connect: connect, setStatus: setStatus };
})();
