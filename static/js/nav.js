// Main navigation menus are <details> elements: they open and close without JavaScript.
// This only makes them behave like menus: one open at a time, closed by Escape or a
// click elsewhere.
(function () {
  "use strict";
  var groups = document.querySelectorAll("details[data-nav-group]");
  function closeAll(except) {
    groups.forEach(function (group) {
      if (group !== except) {
        group.removeAttribute("open");
      }
    });
  }
  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (group.open) {
        closeAll(group);
      }
    });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest("details[data-nav-group]")) {
      closeAll(null);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var open = document.querySelector("details[data-nav-group][open]");
      if (open) {
        open.removeAttribute("open");
        open.querySelector("summary").focus();
      }
    }
  });
})();
