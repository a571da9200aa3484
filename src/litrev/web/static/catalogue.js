// The catalogue's filters apply as soon as a box is ticked or the sort changes (the form is a
// plain GET form: without this script its Apply button does the same).
(function () {
  "use strict";
  var form = document.getElementById("catalogue-form");
  if (!form) return;
  // On a phone the filters start folded, so the studies come first; the summary unfolds them.
  var panel = form.querySelector("[data-collapse-narrow]");
  if (panel && window.matchMedia("(max-width: 760px)").matches) panel.open = false;
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target && (target.type === "checkbox" || target.tagName.toLowerCase() === "select")) {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });
})();
