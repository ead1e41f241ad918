// ReformWatch: small progressive enhancements; every page works without it.
// Confirm dangerous actions: <form data-confirm="...">.
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    ev.preventDefault();
  }
});

// Plan editor (issue 10): an optional task's section appears as soon as its box is ticked
// (without JavaScript the section appears after saving).
document.addEventListener("change", function (ev) {
  var box = ev.target;
  if (box instanceof HTMLInputElement && box.dataset.shows) {
    var section = document.getElementById(box.dataset.shows);
    if (section) {
      section.hidden = !box.checked;
    }
  }
});

// "Add row": one more empty row in the list, here and now (without JavaScript the button
// saves the draft and the page comes back with the extra row).
document.addEventListener("click", function (ev) {
  var button = ev.target instanceof Element ? ev.target.closest("button[data-add-row]") : null;
  if (!button) {
    return;
  }
  var list = button.dataset.addRow;
  var body = document.querySelector('tbody[data-rows="' + list + '"]');
  if (!body || body.rows.length === 0) {
    return;
  }
  ev.preventDefault();
  var index = body.rows.length;
  var row = body.rows[body.rows.length - 1].cloneNode(true);
  var pattern = new RegExp("(^|[^a-z0-9])" + list + "_\\d+_");
  var renumber = function (value) {
    return value.replace(pattern, "$1" + list + "_" + index + "_");
  };
  row.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
  row.querySelectorAll("*").forEach(function (el) {
    ["name", "id", "for", "aria-describedby", "aria-labelledby"].forEach(function (attr) {
      var v = el.getAttribute(attr);
      if (v !== null) {
        el.setAttribute(attr, renumber(v));
      }
    });
    if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
      el.value = "";
      el.removeAttribute("aria-invalid");
      el.removeAttribute("title");
    }
  });
  body.appendChild(row);
  renumberRows(body);
  var first = row.querySelector("input, textarea, select");
  if (first) {
    first.focus();
  }
});

// Each row's visible number ("#" cell) and its fields' screen-reader labels ("指标（第 3 行）")
// follow the row's position: the server numbers the rows it sends, a cloned row copies its
// model's number (issue 10).
function renumberRows(body) {
  Array.prototype.forEach.call(body.rows, function (tr, i) {
    var n = String(i + 1);
    Array.prototype.forEach.call(tr.cells, function (td) {
      if (td.children.length === 0 && /^\s*\d+\s*$/.test(td.textContent)) {
        td.textContent = n;
      }
    });
    tr.querySelectorAll("label.sr-only").forEach(function (label) {
      // The row number is the label's last number ("Metric (row 2)", "指标（第 2 行）").
      label.textContent = label.textContent.replace(/\d+(?=\D*$)/, n);
    });
  });
}

// A refused form: move focus to the summary of its errors (it links to each field).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
});
