// Progressive enhancement only: the site works the same without this file.
// An error summary takes focus, so that a screen reader reads it first (GOV.UK pattern).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});

// "Kopiera länk": shown only where the browser can copy; without JavaScript the address bar does the same.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector(".copy-link");
  var status = document.querySelector(".copy-status");
  if (!button || !navigator.clipboard) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var link = document.querySelector(".short-link");
    navigator.clipboard.writeText(link ? link.textContent : window.location.href).then(function () {
      if (status) {
        status.textContent = button.getAttribute("data-copied");
      }
    });
  });
});

// The filters sit in a disclosure, closed on a phone so that the results come first; beside the
// results on a wide screen there is room to keep it open.
document.addEventListener("DOMContentLoaded", function () {
  var filters = document.querySelector("details.filters");
  if (filters && window.matchMedia("(min-width: 48rem)").matches) {
    filters.open = true;
  }
});

// A new short link: its banner takes focus, so that a screen reader says it at once.
document.addEventListener("DOMContentLoaded", function () {
  var banner = document.getElementById("ny-kort-lank");
  if (banner && window.location.hash === "#ny-kort-lank") {
    banner.focus();
  }
});
