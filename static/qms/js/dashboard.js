/* Satisfaction trends on the quality dashboard: one line per metric, by month.
   Data comes from the json_script tag "trend-data" ({nps: [{month, value, n, low}], ...}):
   only the months that have answers; a month with too few answers has no value (it is
   not plotted, so one response cannot plunge the line) and is marked on the axis. The
   tooltip gives n for every point. */
(function () {
  "use strict";
  var canvas = document.getElementById("trend-chart");
  var source = document.getElementById("trend-data");
  if (!canvas || !source || typeof Chart === "undefined") { return; }
  var trends = JSON.parse(source.textContent);
  var keys = Object.keys(trends);
  if (!keys.length) { return; }
  var colours = { nps: "#0d6efd", csat: "#198754", ces: "#fd7e14" };
  var nLabel = canvas.dataset.labelN || "n";
  var tooFew = canvas.dataset.labelTooFew || "too few answers";
  var first = trends[keys[0]];
  var labels = first.map(function (point, index) {
    var low = keys.some(function (key) { return trends[key][index] && trends[key][index].low; });
    return low ? point.month + " ⚠" : point.month;
  });
  var datasets = keys.map(function (key) {
    return {
      label: canvas.dataset["labels" + key.charAt(0).toUpperCase() + key.slice(1)] || key,
      data: trends[key].map(function (point) { return point.value; }),
      points: trends[key],
      borderColor: colours[key] || "#6c757d",
      backgroundColor: colours[key] || "#6c757d",
      spanGaps: false,
      yAxisID: key === "ces" ? "y1" : "y"
    };
  });
  canvas.dataset.months = labels.length;
  new Chart(canvas, {
    type: "line",
    data: { labels: labels, datasets: datasets },
    options: {
      interaction: { mode: "index", intersect: false },
      plugins: {
        tooltip: {
          filter: function () { return true; },
          callbacks: {
            label: function (context) {
              var point = context.dataset.points[context.dataIndex] || {};
              var text = context.dataset.label + ": ";
              text += point.low ? tooFew : context.formattedValue;
              return text + " (" + nLabel + " = " + (point.n || 0) + ")";
            }
          }
        }
      },
      scales: {
        y: { suggestedMin: -100, suggestedMax: 100 },
        y1: { position: "right", min: 1, max: 7, grid: { drawOnChartArea: false } }
      }
    }
  });
})();
