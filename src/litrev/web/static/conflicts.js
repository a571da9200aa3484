// litrev workspace: conflicts, stage gates and allocation pages.
// A refused resolution or gate change comes back as an error status with the re-rendered
// row or card (saying why); htmx leaves error responses unswapped by default, so the parts
// marked data-swap-errors take them in, and the person sees the message where they acted.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    if ((status === 400 || status === 409) && target && target.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
