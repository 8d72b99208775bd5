/* Satisfaction trends on the quality dashboard: one line per metric, by month.
   Data comes from the json_script tag "trend-data" ({nps: [{month, value}], ...}). */
(function () {
  "use strict";
  var canvas = document.getElementById("trend-chart");
  var source = document.getElementById("trend-data");
  if (!canvas || !source || typeof Chart === "undefined") { return; }
  var trends = JSON.parse(source.textContent);
  var keys = Object.keys(trends);
  if (!keys.length) { return; }
  var colours = { nps: "#0d6efd", csat: "#198754", ces: "#fd7e14" };
  var labels = trends[keys[0]].map(function (point) { return point.month; });
  var datasets = keys.map(function (key) {
    return {
      label: canvas.dataset["labels" + key.charAt(0).toUpperCase() + key.slice(1)] || key,
      data: trends[key].map(function (point) { return point.value; }),
      borderColor: colours[key] || "#6c757d",
      backgroundColor: colours[key] || "#6c757d",
      spanGaps: true,
      yAxisID: key === "ces" ? "y1" : "y"
    };
  });
  new Chart(canvas, {
    type: "line",
    data: { labels: labels, datasets: datasets },
    options: {
      interaction: { mode: "index", intersect: false },
      scales: {
        y: { suggestedMin: -100, suggestedMax: 100 },
        y1: { position: "right", min: 1, max: 7, grid: { drawOnChartArea: false } }
      }
    }
  });
})();
