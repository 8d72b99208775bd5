/* The effectiveness-criterion page: choosing a metric shows its choices at once (the
   "Choose this number" button does the same without JavaScript). */
(function () {
  "use strict";
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function () { form.requestSubmit(); });
    var button = form.querySelector("[data-autosubmit-button]");
    if (button) { button.classList.add("visually-hidden-focusable"); }
  });
})();
