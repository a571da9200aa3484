// litrev screening page: arming the exclusion reasons, note shortcuts and the toast.
// Works with app.js's data-key shortcuts; without JavaScript every button is a plain form submit.
(function () {
  "use strict";
  document.documentElement.classList.add("js-screen");
  function reasonsOf(button) {
    var form = button.closest("form");
    return form ? form.querySelector("[data-reasons]") : null;
  }
  function expanded(panel, value) {
    var form = panel.closest("form");
    var button = form ? form.querySelector("[data-exclude-arm]") : null;
    if (button) button.setAttribute("aria-expanded", value ? "true" : "false");
  }
  function disarm(panel) {
    panel.classList.remove("armed");
    expanded(panel, false);
    panel.querySelectorAll("[data-reason-key]").forEach(function (b) { b.removeAttribute("data-key"); });
  }
  function arm(panel) {
    panel.classList.add("armed");
    expanded(panel, true);
    // The number keys pick a reason only once exclude was chosen, so a stray digit decides nothing.
    panel.querySelectorAll("[data-reason-key]").forEach(function (b) {
      b.setAttribute("data-key", b.getAttribute("data-reason-key"));
    });
    var first = panel.querySelector("button");
    if (first) first.focus({ preventScroll: true });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-exclude-arm]");
    if (!button) return;
    var panel = reasonsOf(button);
    if (!panel) return;
    if (panel.classList.contains("armed")) disarm(panel); else arm(panel);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("[data-reasons].armed").forEach(disarm);
      return;
    }
    // Ctrl+Enter (or Cmd+Enter) saves the note being written.
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target && target.tagName === "TEXTAREA") {
      event.preventDefault();
      var form = target.closest("form");
      if (form && form.requestSubmit) form.requestSubmit();
    }
  });
  // A refused request (403, 409: say the lead closed the stage meanwhile) is not swapped in by
  // htmx; its page's message is shown in the toast instead of nothing happening.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail && event.detail.xhr;
    var toast = document.getElementById("toast");
    if (!xhr || !toast) return;
    var text = "That did not work (" + xhr.status + ")";
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
      var message = doc.querySelector(".message");
      if (message && message.textContent.trim()) text = message.textContent.trim();
    } catch (e) { /* keep the plain text */ }
    toast.textContent = text;  // textContent: the server's words are never markup here
    fade();
  });
  // While a decision is on its way, shortcut keys are dropped: a second "i" must not decide the
  // next record unseen. Once the next record is in the page but htmx has not yet wired its forms
  // (swap to settle), keys wait and are replayed when it settles; pressed in between they would
  // have posted the new record's form as a plain form.
  var phase = null;  // null, "request" or "settling"
  var waiting = [];
  var phaseTimer = null;
  function setPhase(value) {
    phase = value;
    if (phaseTimer) clearTimeout(phaseTimer);
    if (value) phaseTimer = setTimeout(function () { phase = null; waiting = []; }, 10000);
  }
  function inRecordForm(elt) {
    return elt && elt.closest && elt.closest("#record") && !elt.closest("#notes-panel");
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (inRecordForm(event.detail && event.detail.elt)) setPhase("request");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail && !event.detail.successful) { setPhase(null); waiting = []; }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (phase === "request" && target && target.id === "record") setPhase("settling");
  });
  function settled() {
    setPhase(null);
    var keys = waiting;
    waiting = [];
    for (var i = 0; i < keys.length && phase === null; i++) {
      document.dispatchEvent(new KeyboardEvent("keydown", { key: keys[i], bubbles: true }));
    }
  }
  window.addEventListener("keydown", function (event) {
    if (!phase || event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) return;
    var tag = event.target && event.target.tagName ? event.target.tagName.toLowerCase() : "";
    if (tag === "input" || tag === "textarea" || tag === "select") return;
    if (phase === "settling") waiting.push(event.key);
    event.preventDefault();
    event.stopImmediatePropagation();
  }, true);
  // The toast goes away by itself after a few seconds.
  var timer = null;
  function fade() {
    var toast = document.getElementById("toast");
    if (!toast || !toast.textContent.trim()) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { toast.textContent = ""; }, 6000);
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    fade();
    var elt = event.detail && event.detail.elt;
    if (!elt) return;
    if (elt.id === "notes-panel") {
      // A saved tag or note hands the keys back to screening (htmx would keep the field focused).
      if (elt.contains(document.activeElement)) document.activeElement.blur();
      return;
    }
    if (elt.id === "record") {
      // The next record: read from its top, and keys keep working (the clicked button is gone).
      var title = document.getElementById("record-title");
      if (title) { title.setAttribute("tabindex", "-1"); title.focus({ preventScroll: true }); }
      window.scrollTo({ top: 0 });
      settled();
    }
  });
})();
