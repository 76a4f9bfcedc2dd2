/* The live execution page: renders the event log and streamed tokens. */
(function () {
  "use strict";
  var TERMINAL = { COMPLETED: 1, FAILED: 1, CANCELLED: 1 };

  function start() {
    var root = document.getElementById("stigmer-live");
    if (!root) { return; }
    var transcript = root.querySelector('[data-field="transcript"]');
    var lastSequence = 0, streaming = null, cards = {}, waiting = {};

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
        Object.keys(waiting).forEach(function (id) {
          var form = waiting[id].querySelector("form");
          if (form) { form.remove(); }
        });
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

    function delegation(data) {
      // The child is an execution of its own, with its own live page.
      var li = message("system", "", "delegated to " + data.agent);
      var link = el("a", "stigmer-child", "execution " + data.execution.slice(0, 8) + " — open its live page");
      link.href = root.dataset.executionUrl.replace("00000000-0000-0000-0000-000000000000", data.execution);
      li.querySelector(".stigmer-text").appendChild(link);
    }

    // Gated tool calls: a card with Approve / Edit / Reject while one waits,
    // a row of the audit table once decided.
    function auditRow(box, id) {
      var rows = box.querySelectorAll("tr[data-call]");
      for (var i = 0; i < rows.length; i++) { if (rows[i].dataset.call === id) { return rows[i]; } }
      return null;
    }

    function decideForm(box, data) {
      var form = el("form", "stigmer-decide");
      form.method = "post";
      form.action = box.dataset.decideUrl.replace("TOOL-CALL-ID", encodeURIComponent(data.id));
      var csrf = el("input"); csrf.type = "hidden"; csrf.name = "csrfmiddlewaretoken"; csrf.value = box.dataset.csrf;
      form.appendChild(csrf);
      form.appendChild(el("div", "stigmer-tool-label", "Arguments (edit them, then Edit)"));
      var args = el("textarea", "stigmer-decide-args"); args.name = "args"; args.rows = 3;
      args.value = JSON.stringify(data.args || {}, null, 2);
      form.appendChild(args);
      var comment = el("input", "stigmer-decide-comment"); comment.name = "comment"; comment.type = "text";
      comment.placeholder = "Comment (for a rejection, the model reads it)";
      form.appendChild(comment);
      [["approve", "Approve"], ["edit", "Edit"], ["reject", "Reject"]].forEach(function (pair) {
        var button = el("button", "button stigmer-decide-" + pair[0], pair[1]);
        button.type = "submit"; button.name = "decision"; button.value = pair[0];
        form.appendChild(button);
      });
      var problem = el("p", "errornote stigmer-decide-error"); problem.hidden = true;
      form.appendChild(problem);
      // Posted in the background: the page stays, and the decision (then the
      // resumed run) arrives through the live feed like every other step.
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var body = new FormData(form);
        if (event.submitter) { body.append("decision", event.submitter.value); }
        var buttons = form.querySelectorAll("button");
        buttons.forEach(function (b) { b.disabled = true; });
        fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
                             headers: { "X-Requested-With": "stigmer-live" } })
          .then(function (response) { return response.json().then(function (data) { return [response.ok, data]; }); })
          .then(function (result) {
            if (result[0]) { form.dataset.sent = "1"; return; }
            problem.textContent = result[1].error || "Not recorded."; problem.hidden = false;
            buttons.forEach(function (b) { b.disabled = false; });
          })
          .catch(function (err) {
            problem.textContent = "Not sent: " + err; problem.hidden = false;
            buttons.forEach(function (b) { b.disabled = false; });
          });
      });
      return form;
    }

    function approvalRequested(data) {
      var box = field("approvals");
      box.hidden = false;
      if (auditRow(box, data.id)) { return; }  // decided already, as loaded
      var li = el("li", "stigmer-approval");
      li.dataset.call = data.id;
      li.dataset.status = "waiting";
      var head = el("div", "stigmer-tool-head");
      head.appendChild(el("span", "stigmer-role", "waiting for approval"));
      head.appendChild(el("strong", "stigmer-tool-name", data.name));
      head.appendChild(el("span", "stigmer-tool-duration", "rejected automatically at " + stamp(data.expires_at)));
      li.appendChild(head);
      li.appendChild(el("pre", "stigmer-tool-args", pretty(data.args || {})));
      if (box.dataset.canDecide && !TERMINAL[root.dataset.phase]) { li.appendChild(decideForm(box, data)); }
      field("approval-list").appendChild(li);
      waiting[data.id] = li;
      follow();
    }

    function approvalDecided(data) {
      var box = field("approvals");
      box.hidden = false;
      if (waiting[data.id]) { waiting[data.id].remove(); delete waiting[data.id]; }
      if (auditRow(box, data.id)) { return; }
      var row = el("tr");
      row.dataset.call = data.id;
      [data.id, data.name, pretty(data.requested_args || {}), data.decision,
       data.args === null ? "—" : pretty(data.args), data.by || "—", data.surface, stamp(data.at), data.comment || ""
      ].forEach(function (text, i) { row.appendChild(el("td", i === 3 ? "stigmer-decision" : "", text)); });
      box.querySelector("tbody").appendChild(row);
      message("system", data.name + ": " + data.decision + (data.by ? " by " + data.by : "") + " (" + data.surface + ")", "approval");
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
        case "delegation": delegation(data); break;
        case "approval_requested": approvalRequested(data); break;
        case "approval_decided": approvalDecided(data); break;
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
