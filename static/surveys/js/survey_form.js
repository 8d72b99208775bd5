// New survey: picking a template also picks its purpose (transactional for a hotel stay,
// relationship for a B2B survey); the quality manager can still change it.
(function () {
  "use strict";
  var purpose = document.querySelector("select[name=purpose]");
  if (!purpose) {
    return;
  }
  document.querySelectorAll("input[name=template][data-purpose]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      var value = radio.getAttribute("data-purpose");
      if (radio.checked && value) {
        purpose.value = value;
      }
    });
  });
})();
