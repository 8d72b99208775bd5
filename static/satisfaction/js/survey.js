/* Progressive enhancement of the survey page. Without JavaScript every question shows
   and "Save and finish later" saves; with it, show-if questions appear as answers
   change and answers are saved as the customer goes. */
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form) {
    return;
  }
  document.documentElement.classList.add("js");

  function valuesOf(name) {
    var values = [];
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    inputs.forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) {
        return;
      }
      if (input.value) {
        values.push(input.value);
      }
    });
    return values;
  }

  function updateConditions() {
    form.querySelectorAll("[data-depends-on]").forEach(function (block) {
      var wanted = (block.getAttribute("data-depends-values") || "").split(",");
      var given = valuesOf(block.getAttribute("data-depends-on"));
      var show = given.some(function (v) {
        return wanted.indexOf(v) !== -1;
      });
      block.hidden = !show;
    });
  }

  var status = document.getElementById("autosave-status");
  var timer = null;

  function autosave() {
    if (!form.hasAttribute("data-autosave") || !window.fetch || !window.FormData) {
      return;
    }
    var data = new FormData(form);
    data.set("action", "save");
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        if (response.ok && status) {
          status.textContent = status.getAttribute("data-saved-text") || "";
        }
      })
      .catch(function () {
        /* The save button still works; nothing is lost by a failed autosave. */
      });
  }

  form.addEventListener("change", function () {
    updateConditions();
    window.clearTimeout(timer);
    timer = window.setTimeout(autosave, 800);
  });
  updateConditions();
})();
