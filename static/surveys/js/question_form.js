// The question form: show only the fields of the chosen type, only the answers of the
// question a show-if condition reads, and add, remove and move choice rows in place.
// Without JavaScript every section shows, and the row buttons submit the form, which
// comes back with the rows changed and nothing saved.
(function () {
  "use strict";
  var form = document.getElementById("question-form");
  if (!form) {
    return;
  }

  var kind = form.querySelector("[name=kind]");
  function showKindFields() {
    var value = kind ? kind.value : "";
    form.querySelectorAll("[data-kinds]").forEach(function (section) {
      var kinds = section.getAttribute("data-kinds").split(" ");
      section.hidden = kinds.indexOf(value) === -1;
    });
  }
  if (kind) {
    kind.addEventListener("change", showKindFields);
    showKindFields();
  }

  var source = form.querySelector("[name=show_if_question]");
  var values = document.getElementById("show-if-values");
  function showSourceAnswers() {
    if (!source || !values) {
      return;
    }
    var picked = source.value;
    values.hidden = !picked;
    values.querySelectorAll("[data-source]").forEach(function (group) {
      var shown = group.getAttribute("data-source") === picked;
      group.hidden = !shown;
      if (!shown) {
        group.querySelectorAll("input[type=checkbox]").forEach(function (box) {
          box.checked = false;
        });
      }
    });
  }
  if (source) {
    source.addEventListener("change", showSourceAnswers);
    showSourceAnswers();
  }

  var rows = document.getElementById("choice-rows");
  var template = document.getElementById("choice-row-template");
  if (!rows || !template) {
    return;
  }
  var prefix = rows.getAttribute("data-prefix");
  var total = form.querySelector("[name=" + prefix + "-TOTAL_FORMS]");
  var pattern = new RegExp(prefix + "-(\\d+|__prefix__)-");

  function renumber() {
    var all = rows.querySelectorAll(".choice-row");
    all.forEach(function (row, index) {
      row.querySelectorAll("[name], [id], [for]").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var old = el.getAttribute(attr);
          if (old && pattern.test(old)) {
            el.setAttribute(attr, old.replace(pattern, prefix + "-" + index + "-"));
          }
        });
      });
      row.querySelectorAll("[data-row-action]").forEach(function (button) {
        button.value = button.getAttribute("data-row-action") + "-" + index;
      });
    });
    total.value = all.length;
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-row-action]");
    if (!button) {
      return;
    }
    event.preventDefault();
    var action = button.getAttribute("data-row-action");
    var row = button.closest(".choice-row");
    if (action === "add") {
      var fresh = template.content.firstElementChild.cloneNode(true);
      rows.appendChild(fresh);
      renumber();
      var first = fresh.querySelector("input[type=text]");
      if (first) {
        first.focus();
      }
      return;
    }
    if (action === "remove") {
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber();
      var focusTarget = next ? next.querySelector("input[type=text]") : null;
      (focusTarget || form.querySelector("[data-row-action=add]")).focus();
      return;
    }
    if (action === "up" && row.previousElementSibling) {
      rows.insertBefore(row, row.previousElementSibling);
    } else if (action === "down" && row.nextElementSibling) {
      rows.insertBefore(row.nextElementSibling, row);
    }
    renumber();
    button.focus();
  });
})();
