// Progressive enhancement only: the site works the same without this file.
// An error summary takes focus, so that a screen reader reads it first (GOV.UK pattern).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});
