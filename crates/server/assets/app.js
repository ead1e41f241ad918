// ReformWatch: small progressive enhancements; every page works without it.
// Confirm dangerous actions: <form data-confirm="...">.
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    ev.preventDefault();
  }
});
