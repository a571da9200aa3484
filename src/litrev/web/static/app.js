// litrev workspace: the little JavaScript the pages need (CSP allows only this file and htmx).
(function () {
  "use strict";
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  // Every htmx request carries the session's CSRF token.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrf();
  });
  // A fetch() from page scripts gets the same header through this helper.
  window.litrevFetch = function (url, options) {
    options = options || {};
    options.headers = Object.assign({ "X-CSRF-Token": csrf() }, options.headers || {});
    options.credentials = "same-origin";
    return fetch(url, options);
  };
  // Keyboard shortcuts: any element with data-key="x" is clicked when x is pressed,
  // unless the focus is in a text field. Pages declare their own keys in their markup.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    if (tag === "input" || tag === "textarea" || tag === "select" || (target && target.isContentEditable)) {
      if (event.key === "Escape" && target.blur) target.blur();
      return;
    }
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    var scope = document.querySelector("[data-shortcuts]") || document;
    var button = scope.querySelector('[data-key="' + CSS.escape(key) + '"]:not([disabled])');
    if (button) {
      event.preventDefault();
      if (button.tagName.toLowerCase() === "input" || button.tagName.toLowerCase() === "textarea") {
        button.focus();
      } else {
        button.click();
      }
    }
  });
  // Copy fields select themselves on focus.
  document.addEventListener("focusin", function (event) {
    if (event.target.classList && event.target.classList.contains("copy")) event.target.select();
  });
})();
