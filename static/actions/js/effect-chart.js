/* Baseline vs follow-up of each effectiveness criterion (data from json_script). */
(function () {
  "use strict";
  var canvas = document.getElementById("effect-chart");
  var source = document.getElementById("effect-data");
  if (!canvas || !source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  if (!data.labels || !data.labels.length) {
    return;
  }
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: canvas.dataset.baselineLabel || "Baseline", data: data.baseline, backgroundColor: "#adb5bd" },
        { label: canvas.dataset.followupLabel || "Follow-up", data: data.followup, backgroundColor: "#0d6efd" }
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: "bottom" } },
      scales: { y: { beginAtZero: true } }
    }
  });
})();
