/* Power/interest grid: interested parties placed by interest (x) and influence (y), with
   the four quadrants drawn behind them. Data comes from a json_script tag. */
(function () {
  "use strict";
  var canvas = document.getElementById("party-grid");
  var source = document.getElementById("party-grid-data");
  if (!canvas || !source || typeof Chart === "undefined") { return; }
  var points = JSON.parse(source.textContent);

  var quadrants = {
    id: "quadrants",
    beforeDraw: function (chart) {
      var x = chart.scales.x, y = chart.scales.y, ctx = chart.ctx;
      var midX = x.getPixelForValue(3), midY = y.getPixelForValue(3);
      ctx.save();
      ctx.strokeStyle = "#adb5bd";
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(midX, y.top); ctx.lineTo(midX, y.bottom);
      ctx.moveTo(x.left, midY); ctx.lineTo(x.right, midY);
      ctx.stroke();
      ctx.restore();
    }
  };

  var chart = new Chart(canvas, {
    type: "scatter",
    data: {
      datasets: [{
        data: points,
        pointRadius: 8,
        pointHoverRadius: 10,
        backgroundColor: "rgba(13, 110, 253, 0.6)"
      }]
    },
    options: {
      scales: {
        x: { min: 0.5, max: 5.5, ticks: { stepSize: 1 }, title: { display: true, text: canvas.dataset.xLabel } },
        y: { min: 0.5, max: 5.5, ticks: { stepSize: 1 }, title: { display: true, text: canvas.dataset.yLabel } }
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: function (item) { return item.raw.name; } } }
      },
      onClick: function (event, elements) {
        if (elements.length) { window.location.href = points[elements[0].index].url; }
      }
    },
    plugins: [quadrants]
  });
  canvas.dataset.ready = String(chart.data.datasets[0].data.length);
})();
