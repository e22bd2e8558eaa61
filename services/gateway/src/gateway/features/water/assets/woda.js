/* Live preview of the water invoice while the resident types; the form works without it. */
(function () {
  "use strict";
  var form = document.getElementById("odczyt");
  if (!form || !window.fetch || !window.FormData) { return; }
  var target = document.getElementById("podglad");
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var seq = 0;
  function refresh() {
    var mine = ++seq;
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Podglad": "1" },
      credentials: "same-origin"
    }).then(function (resp) {
      return resp.ok ? resp.text() : null;
    }).then(function (html) {
      if (html !== null && mine === seq) { target.innerHTML = html; }
    }).catch(function () { /* the preview button still works */ });
  }
  function later(ms) {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, ms);
  }
  form.addEventListener("input", function () { later(300); });
  form.addEventListener("change", function () { later(50); });
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.getAttribute("data-final") === "1") {
      if (form.getAttribute("data-sent") === "1") { event.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
      button.setAttribute("aria-disabled", "true");
    }
  });
})();
