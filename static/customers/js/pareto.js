/* Pareto chart: bars of mentions per topic, a line of the cumulative percentage on a
 * second axis; clicking a bar opens its evidence. Data comes from json_script
 * (CSP allows no inline script). */
(function () {
  "use strict";
  var source = document.getElementById("pareto-data");
  var canvas = document.getElementById("pareto-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var chart = new Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        {
          type: "bar",
          label: data.countLabel,
          data: data.counts,
          backgroundColor: "rgba(13, 110, 253, 0.7)",
          yAxisID: "y",
          order: 2
        },
        {
          type: "line",
          label: data.cumulativeLabel,
          data: data.cumulative,
          borderColor: "rgb(220, 53, 69)",
          backgroundColor: "rgb(220, 53, 69)",
          yAxisID: "y1",
          tension: 0,
          clip: 8,
          order: 1
        }
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: true,
      aspectRatio: 1.6,
      layout: { padding: { top: 8 } },
      scales: {
        y: { beginAtZero: true, grace: "10%", ticks: { precision: 0 } },
        y1: {
          position: "right",
          min: 0,
          max: 100,
          grid: { drawOnChartArea: false },
          ticks: {
            callback: function (value) {
              return value + " %";
            }
          }
        }
      },
      onClick: function (event, elements) {
        if (elements.length && data.urls[elements[0].index]) {
          window.location.href = data.urls[elements[0].index];
        }
      },
      onHover: function (event, elements) {
        event.native.target.style.cursor = elements.length ? "pointer" : "default";
      }
    }
  });
  canvas.chart = chart;
  canvas.dataset.ready = "true"; // tests wait for this without evaluating script (CSP)
})();
