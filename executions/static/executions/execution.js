/* The live execution page: renders the event log and streamed tokens. */
(function () {
  "use strict";
  var TERMINAL = { COMPLETED: 1, FAILED: 1, CANCELLED: 1 };

  function start() {
    var root = document.getElementById("stigmer-live");
    if (!root) { return; }
    var transcript = root.querySelector('[data-field="transcript"]');
    var lastSequence = 0, streaming = null, cards = {};

    function field(name) { return root.querySelector('[data-field="' + name + '"]'); }
    function setField(name, value) { var n = field(name); if (n) { n.textContent = value; } }
    function el(tag, cls, text) {
      var n = document.createElement(tag);
      if (cls) { n.className = cls; }
      if (text !== undefined && text !== null) { n.textContent = text; }
      return n;
    }
    function stamp(iso) { return iso ? iso.replace("T", " ").slice(0, 19) : "—"; }
    function pretty(value) {
      if (typeof value === "string") { return value; }
      return JSON.stringify(value, null, 2);
    }
    function follow() {
      var atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 120;
      if (atBottom) { window.scrollTo(0, document.body.scrollHeight); }
    }
    function add(node) { transcript.appendChild(node); follow(); return node; }

    function message(role, text, label) {
      var li = el("li", "stigmer-msg stigmer-msg-" + role);
      li.appendChild(el("div", "stigmer-role", label || role));
      li.appendChild(el("div", "stigmer-text", text));
      return add(li);
    }

    function duration() {
      var node = field("duration");
      var started = node.dataset.started, completed = node.dataset.completed;
      if (!started) { node.textContent = "—"; return; }
      var end = completed ? new Date(completed) : new Date();
      node.textContent = ((end - new Date(started)) / 1000).toFixed(1) + " s" + (completed ? "" : " so far");
    }

    function setPhase(phase, at, error) {
      var badge = field("phase");
      badge.textContent = phase;
      badge.dataset.phase = phase;
      root.dataset.phase = phase;
      if (phase === "IN_PROGRESS") { setField("started_at", stamp(at)); field("duration").dataset.started = at; }
      if (TERMINAL[phase]) {
        setField("completed_at", stamp(at));
        field("duration").dataset.completed = at;
        var cancel = field("cancel");
        if (cancel) { cancel.disabled = true; }
        if (streaming) { streaming.classList.remove("stigmer-streaming"); streaming = null; }
      }
      if (error) { var e = field("error"); e.textContent = error; e.hidden = false; }
      duration();
      var li = message("system", "Phase → " + phase + (error ? ": " + error : ""), "phase");
      li.classList.add("stigmer-phase-line");
    }

    function aiMessage(data) {
      if (!data.content) {
        if (streaming && !streaming.querySelector(".stigmer-text").textContent) { streaming.remove(); streaming = null; }
        return;
      }
      if (streaming) {
        streaming.querySelector(".stigmer-text").textContent = data.content;
        streaming.classList.remove("stigmer-streaming");
        streaming = null;
      } else {
        message("ai", data.content);
      }
    }

    function toolCard(data) {
      var li = el("li", "stigmer-tool");
      li.dataset.status = "running";
      var head = el("div", "stigmer-tool-head");
      head.appendChild(el("span", "stigmer-role", "tool call"));
      head.appendChild(el("strong", "stigmer-tool-name", data.name));
      head.appendChild(el("span", "stigmer-tool-status", "running"));
      head.appendChild(el("span", "stigmer-tool-duration", ""));
      li.appendChild(head);
      li.appendChild(el("div", "stigmer-tool-label", "Arguments"));
      li.appendChild(el("pre", "stigmer-tool-args", pretty(data.args || {})));
      cards[data.id] = li;
      return add(li);
    }

    function toolDone(data, failed) {
      var li = cards[data.id] || toolCard({ id: data.id, name: data.name, args: {} });
      li.dataset.status = failed ? "failed" : "completed";
      li.querySelector(".stigmer-tool-status").textContent = failed ? "failed" : "completed";
      li.querySelector(".stigmer-tool-duration").textContent = data.duration_ms + " ms";
      li.appendChild(el("div", "stigmer-tool-label", failed ? "Error" : "Result"));
      li.appendChild(el("pre", "stigmer-tool-result", pretty(failed ? data.error : data.result)));
    }

    function usage(data) {
      ["input_tokens", "output_tokens", "total_tokens"].forEach(function (k) { setField(k, data[k]); });
      // A live preview with the execution's frozen prices; the record's cost
      // (computed by the database from the same numbers) is shown on reload.
      var cost = root.querySelector('[data-field="cost"]');
      if (cost) {
        var spent = (data.input_tokens * parseFloat(cost.dataset.inputPrice) +
                     data.output_tokens * parseFloat(cost.dataset.outputPrice)) / 1e6;
        cost.textContent = spent.toFixed(6);
      }
    }

    function modelRetry(data) {
      // The failed attempt's streamed words are not the answer: the next attempt streams anew.
      if (streaming) { streaming.remove(); streaming = null; }
      var li = message("system", data.message, "retry");
      li.classList.add("stigmer-retry");
    }

    function onToken(frame) {
      if (TERMINAL[root.dataset.phase]) { return; }
      if (!streaming) { streaming = message("ai", ""); streaming.classList.add("stigmer-streaming"); }
      streaming.querySelector(".stigmer-text").textContent += frame.delta;
      follow();
    }

    function onEvent(frame) {
      if (frame.type === "token") { onToken(frame); return; }
      if (typeof frame.sequence !== "number" || frame.sequence <= lastSequence) { return; }
      lastSequence = frame.sequence;
      root.dataset.lastSequence = lastSequence;
      var data = frame.data || {};
      switch (frame.type) {
        case "phase": setPhase(data.phase, data.at || frame.created_at, data.error); break;
        case "message":
          if (data.role === "ai") { aiMessage(data); }
          else if (data.role === "tool") { message("tool", data.content, "tool · " + (data.name || "")); }
          else { message(data.role || "system", data.content); }
          break;
        case "tool_call_started": toolCard(data); break;
        case "tool_call_completed": toolDone(data, false); break;
        case "tool_call_failed": toolDone(data, true); break;
        case "usage": usage(data); break;
        case "model_retry": modelRetry(data); break;
        default: message("system", data.message || data.error || pretty(data), frame.type);
      }
    }

    duration();
    window.setInterval(function () { if (!TERMINAL[root.dataset.phase]) { duration(); } }, 1000);
    window.StigmerLive.connect(root.dataset.wsPath, {
      query: function () { return "?after=" + lastSequence; },
      onMessage: onEvent,
      onStatus: function (text, state) { window.StigmerLive.setStatus(field("connection"), text, state); }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
