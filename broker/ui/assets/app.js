// Small enhancements; every page works without them.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Matrix form: add another application row.
  var add = document.getElementById("add-selector");
  var set = document.getElementById("selectors");
  if (add && set) {
    add.hidden = false;
    add.addEventListener("click", function () {
      var rows = set.querySelectorAll(".selector");
      var row = rows[rows.length - 1].cloneNode(true);
      row.querySelectorAll("input").forEach(function (i) {
        if (i.type === "checkbox") { i.checked = false; } else { i.value = ""; }
      });
      set.appendChild(row);
      row.querySelector("input").focus();
    });
  }
  // Index: submit the status filter as soon as it changes.
  var status = document.getElementById("status-filter");
  if (status && status.form) {
    status.addEventListener("change", function () { status.form.submit(); });
  }
});
