// litrev workspace: the extraction form (extract_form.html). Autosave itself is htmx
// (hx-post on each field, 400 ms after a change); this file adds the keyboard, new group rows,
// and shows or hides conditional fields as the server says after each save. Without it every
// field shows and the Save / Complete buttons post the whole form.
(function () {
  "use strict";
  var form = document.querySelector("[data-extract]");
  if (!form) return;
  form.classList.add("js");
  var autosave = document.getElementById("autosave");
  var pending = 0;

  function fields() {
    return Array.prototype.filter.call(form.querySelectorAll(".xfield"), function (f) {
      return !f.hidden && !f.closest("template");
    });
  }
  function control(field) {
    return field.querySelector("input:not([type=hidden]), select, textarea");
  }
  function hasValue(field) {
    return Array.prototype.some.call(field.querySelectorAll("input, select, textarea"), function (el) {
      if (el.type === "hidden") return false;
      if (el.type === "checkbox") return el.checked;
      return el.value.trim() !== "";
    });
  }
  // A conditional field that does not apply is hidden, unless it still holds a value (then it
  // stays, with the server's problem beside it, so the value can be cleared).
  function toggle(field) {
    if (!field.hasAttribute("data-when")) return;
    field.hidden = field.getAttribute("data-applies") === "false" && !hasValue(field);
  }
  fields().forEach(toggle);

  document.body.addEventListener("litrev-applies", function (event) {
    var detail = event.detail || {};
    Object.keys(detail).forEach(function (key) {
      if (key === "elt") return;
      var parts = key.split(":");
      var field = document.getElementById("x-" + parts[0] + "-" + parts[1]);
      if (!field) return;
      field.setAttribute("data-applies", detail[key] ? "true" : "false");
      toggle(field);
    });
  });
  document.body.addEventListener("litrev-state", function (event) {
    var chip = document.querySelector('[data-testid="extract-state"]');
    var state = event.detail && event.detail.state;
    if (chip && state) {
      chip.textContent = state === "complete" ? "Complete" : "In progress";
      chip.className = "chip xstate-" + state;
    }
  });

  // Autosave status: "Saving…" from a change until its save has answered (a field's save
  // waits 400 ms after its last change), then the time of the last save.
  var changed = {};  // field id -> time of its last change not yet saved
  form.addEventListener("change", function (event) {
    var field = event.target.closest(".xfield");
    if (!field) return;
    changed[field.id] = Date.now();
    autosave.textContent = "Saving…";
  });
  form.addEventListener("htmx:beforeRequest", function (event) {
    var status = event.target.querySelector && event.target.querySelector(".xstatus");
    if (status) status.textContent = "Saving…";
    event.target.setAttribute("data-sent", String(Date.now()));
    pending += 1;
    autosave.textContent = "Saving…";
  });
  form.addEventListener("htmx:afterRequest", function (event) {
    pending = Math.max(0, pending - 1);
    var field = event.target.closest ? event.target.closest(".xfield") : null;
    if (field && changed[field.id] !== undefined && changed[field.id] <= +field.getAttribute("data-sent")) {
      delete changed[field.id];
    }
    if (!event.detail.successful) {
      var status = field && field.querySelector(".xstatus");
      var text = "Not saved: the server answered " + event.detail.xhr.status + " (reload the page)";
      if (status) status.textContent = text;
      autosave.textContent = text;
      return;
    }
    if (field) {
      var bad = field.querySelector(".xproblem") !== null;
      field.classList.toggle("has-problem", bad);
      var input = control(field);
      if (input) {
        if (bad) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
      }
    }
    if (!pending && !Object.keys(changed).length) {
      var now = new Date();
      autosave.textContent = "All changes saved at " + now.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    }
  });

  // New rows of a repeating group: the group's <template> with the next row number.
  form.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      event.preventDefault();
      var group = add.getAttribute("data-add-row");
      var n = parseInt(add.getAttribute("data-next-instance"), 10);
      var template = form.querySelector('template[data-row-template="' + CSS.escape(group) + '"]');
      var html = template.innerHTML.split("__row__").join(String(n));
      var holder = document.createElement("div");
      holder.innerHTML = html;  // the server's own markup, escaped there; only the number changes
      var row = holder.firstElementChild;
      row.setAttribute("data-new", "true");
      form.querySelector('[data-rows="' + CSS.escape(group) + '"]').appendChild(row);
      add.setAttribute("data-next-instance", String(n + 1));
      if (window.htmx) window.htmx.process(row);
      row.querySelectorAll(".xfield").forEach(toggle);
      var first = row.querySelector(".xfield");
      if (first && control(first)) control(first).focus();
      return;
    }
    var remove = event.target.closest('[name="remove"]');
    if (remove) {
      var unsaved = remove.closest(".xrow");
      if (unsaved && unsaved.getAttribute("data-new") === "true" && !Array.prototype.some.call(unsaved.querySelectorAll(".xfield"), hasValue)) {
        event.preventDefault();  // a row never saved: nothing on the server to remove
        unsaved.remove();
      }
    }
  });

  function move(step) {
    var list = fields();
    var here = document.activeElement ? document.activeElement.closest(".xfield") : null;
    var index = here ? list.indexOf(here) : -1;
    var next = list[Math.min(list.length - 1, Math.max(0, index + step))];
    if (next && control(next)) control(next).focus();
  }
  var help = document.getElementById("extract-help");
  var helpButton = document.querySelector("[data-help-toggle]");
  function toggleHelp() {
    help.hidden = !help.hidden;
    if (helpButton) helpButton.setAttribute("aria-expanded", help.hidden ? "false" : "true");
  }
  if (helpButton) helpButton.addEventListener("click", toggleHelp);

  document.addEventListener("keydown", function (event) {
    if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      move(event.key === "ArrowDown" ? 1 : -1);
      return;
    }
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      form.requestSubmit(form.querySelector("[data-complete]"));
      return;
    }
    if (event.altKey && !event.ctrlKey && (event.code === "KeyN" || event.key === "n")) {
      var next = document.querySelector("[data-next-record]");
      if (next) { event.preventDefault(); window.location.href = next.href; }
      return;
    }
    var tag = event.target && event.target.tagName ? event.target.tagName.toLowerCase() : "";
    var typing = tag === "textarea" || tag === "select" || (tag === "input" && event.target.type !== "checkbox");
    if (event.key === "?" && !typing && !event.ctrlKey && !event.altKey) {
      event.preventDefault();
      toggleHelp();
    } else if (event.key === "Escape" && !help.hidden) {
      toggleHelp();
    }
  });
})();
