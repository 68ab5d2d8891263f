// Delete and label actions for users who may write. The page draws the
// buttons hidden (they need this script) and only for such users; the
// API checks the credentials again. Each asks first, then calls the API
// and reloads or moves on.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var status = document.querySelector(".ops-status");
  function report(text, ok) {
    if (!status) { window.alert(text); return; }
    status.hidden = false;
    status.textContent = text;
    status.classList.toggle("ok", !!ok);
  }
  // What the last action did, said on the page it led to (after the
  // reload, or where data-then went).
  var done = null;
  try { done = window.sessionStorage.getItem("accord-done"); window.sessionStorage.removeItem("accord-done"); } catch (e) { /* storage off */ }
  if (done) {
    if (!status) {
      status = document.createElement("p");
      status.className = "ops-status";
      status.setAttribute("role", "status");
      var main = document.querySelector("main");
      if (main) { main.insertBefore(status, main.firstChild); }
    }
    report(done, true);
  }
  function remember(text) {
    if (!text) { return; }
    try { window.sessionStorage.setItem("accord-done", text); } catch (e) { /* storage off */ }
  }
  function enable() {
    document.querySelectorAll("[data-delete]").forEach(function (b) { b.disabled = false; });
  }
  function call(method, url, done, what) {
    fetch(url, { method: method, credentials: "same-origin", headers: { "Accept": "application/hal+json", "Content-Type": "application/json" }, body: method === "PUT" ? "{}" : undefined })
      .then(function (res) {
        // Read the answer to its end before the page moves on, so the
        // browser does not abort it.
        if (res.ok) { return res.text().then(done); }
        return res.json().catch(function () { return {}; }).then(function (body) {
          var msg = (body.error && body.error.message) || (body.errors && JSON.stringify(body.errors)) || res.statusText;
          report(what + " failed (" + res.status + "): " + msg);
          enable();
        });
      })
      .catch(function (err) { report(what + " failed: " + err); enable(); });
  }
  document.querySelectorAll("[data-delete]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      if (!window.confirm(b.getAttribute("data-confirm"))) { return; }
      b.disabled = true;
      call("DELETE", b.getAttribute("data-delete"), function () {
        remember(b.getAttribute("data-done"));
        var then = b.getAttribute("data-then");
        if (then) { window.location.assign(then); } else { window.location.reload(); }
      }, b.getAttribute("aria-label") || b.textContent);
    });
  });
  document.querySelectorAll("form.add-label").forEach(function (f) {
    f.hidden = false;
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      var name = f.querySelector("input").value.trim();
      if (!name) { return; }
      call("PUT", f.getAttribute("data-url") + encodeURIComponent(name), function () { remember("Added the label " + name + "."); window.location.reload(); }, "Adding the label " + name);
    });
  });
});
