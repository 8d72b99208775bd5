/* Tables on a phone. Each cell of a data table in the page gets its column's name
   (data-label, from the table's header row), and the table is marked .table-stack: on a
   narrow screen (app.css) every row then reads as a card, one "name: value" line per
   cell, instead of a table wider than the screen. A table that only reads as a grid
   opts out with .table-keep (it scrolls sideways in its .table-responsive). */
(function () {
  "use strict";
  function columnNames(table) {
    var row = table.querySelector(":scope > thead > tr:last-child");
    if (!row) return null;
    var names = [];
    Array.prototype.forEach.call(row.children, function (th) {
      var text = th.textContent.replace(/\s+/g, " ").trim();
      for (var i = 0; i < (th.colSpan || 1); i += 1) names.push(text);
    });
    return names;
  }
  function label(table) {
    var names = columnNames(table);
    if (!names) return;
    table.classList.add("table-stack");
    table.querySelectorAll(":scope > tbody > tr").forEach(function (tr) {
      var column = 0;
      Array.prototype.forEach.call(tr.children, function (cell) {
        var span = cell.colSpan || 1;
        if (span === 1 && names[column] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", names[column]);
        }
        column += span;
      });
    });
  }
  function labelAll(root) {
    root.querySelectorAll("main table.table:not(.table-keep)").forEach(label);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { labelAll(document); });
  } else {
    labelAll(document);
  }
  document.addEventListener("htmx:afterSettle", function () { labelAll(document); });
})();
