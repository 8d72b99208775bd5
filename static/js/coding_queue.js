// The coding queue's keyboard: j / k move between texts, 1-5 code the current text to
// that suggestion, x ticks it, / jumps to the topic list. Without JavaScript every
// button and checkbox works as a plain form.
(function () {
  "use strict";
  var form = document.getElementById("queue-form");
  if (!form) {
    return;
  }
  var items = Array.prototype.slice.call(form.querySelectorAll(".coding-item"));
  var current = -1;
  function focus(index) {
    if (!items.length) {
      return;
    }
    current = Math.max(0, Math.min(items.length - 1, index));
    items.forEach(function (item, i) {
      item.classList.toggle("border-primary", i === current);
    });
    items[current].focus();
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (target && (target.tagName === "INPUT" && target.type !== "checkbox" ||
        target.tagName === "SELECT" || target.tagName === "TEXTAREA")) {
      return;
    }
    var key = event.key;
    if (key === "j") {
      focus(current + 1);
    } else if (key === "k") {
      focus(current - 1);
    } else if (key === "x" && current >= 0) {
      var box = items[current].querySelector("input[type=checkbox]");
      if (box && !box.disabled) {
        box.checked = !box.checked;
      }
    } else if (key === "/") {
      event.preventDefault();
      document.getElementById("queue-topic").focus();
    } else if (/^[1-5]$/.test(key)) {
      var item = items[current >= 0 ? current : 0];
      var button = item && item.querySelector("button[data-key='" + key + "']");
      if (button) {
        event.preventDefault();
        button.click();
      }
    } else {
      return;
    }
  });
  var all = form.querySelector("[data-select-all]");
  if (all) {
    all.addEventListener("click", function () {
      form.querySelectorAll("input[name=texts]:not(:disabled)").forEach(function (box) {
        box.checked = true;
      });
    });
  }
  if (items.length) {
    focus(0);
  }
})();
