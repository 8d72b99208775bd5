/* Searchable selects: each <select data-searchable> becomes a Tom Select box (vendored,
   static/vendor/tom-select-*) where typing filters the options by their words; picked
   options show as removable items. Without JavaScript the plain select still works. */
(function () {
  "use strict";
  function enhance(root) {
    root.querySelectorAll("select[data-searchable]:not(.tomselected)").forEach(function (select) {
      var multiple = select.multiple;
      var box = new TomSelect(select, {
        plugins: multiple ? ["remove_button"] : [],
        maxOptions: null,
        // No hidePlaceholder: it hides the search box when the select loses focus, the
        // box shrinks by a line and the button under it jumps away from the pointer.
        placeholder: select.dataset.placeholder || "",
        searchField: ["text"],
      });
      // The label now names the search box; the select it fills keeps the same name.
      var label = document.getElementById(box.inputId + "-ts-label");
      if (label && !select.hasAttribute("aria-labelledby")) {
        select.setAttribute("aria-labelledby", label.id);
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSwap", function (event) { enhance(event.target); });
})();
