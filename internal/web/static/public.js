// Hosted forms: tell an embedding page how tall the form is, and move the
// keyboard to the problems after a refused submission.
(function () {
  function report() {
    if (window.parent !== window) {
      window.parent.postMessage({ leadflowHeight: document.documentElement.scrollHeight }, "*");
    }
  }
  window.addEventListener("load", report);
  window.addEventListener("resize", report);
  document.addEventListener("DOMContentLoaded", function () {
    var errors = document.getElementById("lf-errors");
    if (errors) errors.focus();
  });
})();
