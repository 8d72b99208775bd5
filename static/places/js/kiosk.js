/* The kiosk page (places/public_views.KioskView): each answer is queued in this page
   (never in localStorage or a cookie), sent with its own idempotency key, and kept
   until the server has it: a network drop only delays it. The form starts over after
   a short thank-you screen. */
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form || !form.hasAttribute("data-kiosk") || !window.fetch || !window.FormData) {
    return;
  }
  var survey = document.getElementById("kiosk-survey");
  var thanks = document.getElementById("kiosk-thanks");
  var pending = document.getElementById("kiosk-pending");
  var missing = document.getElementById("kiosk-missing");
  var required = (form.getAttribute("data-required") || "").split(",").filter(Boolean);
  var queue = [];
  var sending = false;
  var THANKS_MS = 4000;

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    return Date.now().toString(16) + Math.random().toString(16).slice(2);
  }

  function showPending() {
    pending.textContent = queue.length
      ? pending.getAttribute("data-template").replace("%s", String(queue.length))
      : "";
  }

  function send() {
    if (sending || !queue.length) {
      return;
    }
    sending = true;
    fetch(form.action, {
      method: "POST",
      body: queue[0],
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (response.status >= 500) {
          throw new Error("server");
        }
        // Stored (or refused for good: a revoked kiosk, invalid answers): done with it.
        queue.shift();
        if (response.status === 410) {
          window.location.reload();
        }
      })
      .catch(function () {
        /* offline: kept in the queue, tried again */
      })
      .then(function () {
        sending = false;
        showPending();
        if (queue.length && navigator.onLine !== false) {
          window.setTimeout(send, 2000);
        }
      });
  }

  function answered(code) {
    var box = document.getElementById("question-" + code);
    if (!box || box.hidden || box.classList.contains("d-none")) {
      return true;
    }
    var name = "q_" + code;
    var checked = form.querySelector("[name='" + name + "']:checked");
    var text = form.querySelector("textarea[name='" + name + "']");
    return Boolean(checked || (text && text.value.trim()));
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!required.every(answered)) {
      missing.classList.remove("d-none");
      missing.focus && missing.setAttribute("tabindex", "-1");
      missing.focus();
      return;
    }
    missing.classList.add("d-none");
    var data = new FormData(form);
    data.set("idem", newKey());
    queue.push(data);
    showPending();
    send();
    form.reset();
    form.dispatchEvent(new Event("change", { bubbles: true }));
    survey.classList.add("d-none");
    thanks.classList.remove("d-none");
    window.setTimeout(function () {
      thanks.classList.add("d-none");
      survey.classList.remove("d-none");
      window.scrollTo(0, 0);
    }, THANKS_MS);
  });

  window.addEventListener("online", send);
  window.setInterval(send, 5000);
})();
