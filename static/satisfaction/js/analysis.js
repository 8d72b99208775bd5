/* Charts of the survey analysis page. Data come from json_script elements; the same
   numbers are in the tables beside each chart, so nothing depends on this script. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }

  function data(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  var trend = data("trend-data");
  var trendCanvas = document.getElementById("trend-chart");
  if (trend && trendCanvas) {
    new Chart(trendCanvas, {
      type: "line",
      data: {
        labels: trend.labels,
        datasets: [
          { label: trend.nps_label, data: trend.nps, yAxisID: "y", spanGaps: true },
          { label: trend.csat_label, data: trend.csat, yAxisID: "y", spanGaps: true },
          { label: trend.ces_label, data: trend.ces, yAxisID: "y2", spanGaps: true },
        ],
      },
      options: {
        maintainAspectRatio: false,
        scales: {
          y: { min: -100, max: 100 },
          y2: { position: "right", min: 1, max: 7, grid: { drawOnChartArea: false } },
        },
      },
    });
  }

  var pareto = data("pareto-data");
  var paretoCanvas = document.getElementById("pareto-chart");
  if (pareto && paretoCanvas) {
    new Chart(paretoCanvas, {
      data: {
        labels: pareto.labels,
        datasets: [
          { type: "bar", label: pareto.share_label, data: pareto.share, yAxisID: "y" },
          {
            type: "line",
            label: pareto.cumulative_label,
            data: pareto.cumulative,
            yAxisID: "y",
          },
        ],
      },
      options: {
        maintainAspectRatio: false,
        scales: { y: { min: 0, max: 100 } },
      },
    });
  }
})();
