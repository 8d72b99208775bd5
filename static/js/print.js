// A "Print" button (data-print) opens the browser's print dialog; print.css hides the
// navigation and the buttons.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () {
    window.print();
  });
});
