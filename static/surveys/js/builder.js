// The survey builder page: drag and drop of questions (SortableJS), and the live
// preview's language and width switches. Without JavaScript the Move up / Move down
// buttons reorder, and the language links reload the page with the other preview.
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  var frame = document.getElementById("preview-frame");

  document.querySelectorAll("[data-preview-lang]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!frame) {
        return;
      }
      event.preventDefault();
      var lang = link.getAttribute("data-preview-lang");
      frame.src = frame.getAttribute("data-base-src") + "?lang=" + lang;
      document.querySelectorAll("[data-preview-lang]").forEach(function (other) {
        var active = other === link;
        other.classList.toggle("active", active);
        if (active) {
          other.setAttribute("aria-current", "true");
        } else {
          other.removeAttribute("aria-current");
        }
      });
      var select = document.getElementById("test-lang");
      if (select) {
        select.value = lang;
      }
    });
  });

  document.querySelectorAll("[data-preview-width]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (!frame) {
        return;
      }
      var width = button.getAttribute("data-preview-width");
      frame.classList.toggle("preview-phone", width === "phone");
      frame.classList.toggle("preview-desktop", width === "desktop");
      document.querySelectorAll("[data-preview-width]").forEach(function (other) {
        var active = other === button;
        other.classList.toggle("active", active);
        other.setAttribute("aria-pressed", active ? "true" : "false");
      });
    });
  });

  var list = document.querySelector("[data-reorder-url]");
  if (list && window.Sortable) {
    window.Sortable.create(list, {
      handle: ".drag-handle",
      animation: 150,
      // Pointer events rather than the browser's native drag and drop: the same on
      // mouse and touch screens.
      forceFallback: true,
      onEnd: function (event) {
        if (event.oldIndex === event.newIndex) {
          return;
        }
        var order = Array.prototype.map.call(list.querySelectorAll("[data-id]"), function (row) {
          return row.getAttribute("data-id");
        });
        var body = new FormData();
        body.append("order", order.join(","));
        fetch(list.getAttribute("data-reorder-url"), {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
        }).then(function (response) {
          if (!response.ok) {
            window.alert(list.getAttribute("data-reorder-error"));
          }
          window.location.reload();
        });
      },
    });
  }
})();
