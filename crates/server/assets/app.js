// ReformWatch: small progressive enhancements; every page works without it.
// Confirm dangerous actions: <form data-confirm="...">.
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    ev.preventDefault();
  }
});
// A refused form: move focus to the summary of its errors (it links to each field).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
});
