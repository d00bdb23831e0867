/* Public portal: "换一张" fetches a new captcha without losing what was typed (CSP: no inline JS). */
(function () {
  "use strict";
  // Without JavaScript the button would do nothing: it is drawn hidden and shown only here.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-captcha-refresh][hidden]").forEach(function (b) { b.hidden = false; });
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-captcha-refresh]");
    if (!button) { return; }
    var row = button.closest(".captcha-row");
    fetch("/captcha/refresh/", { headers: { "X-Requested-With": "XMLHttpRequest" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        row.querySelector("img.captcha").src = data.image_url;
        row.querySelector("input[name$='captcha_0']").value = data.key;
        var input = row.querySelector("input[name$='captcha_1']");
        input.value = "";
        input.focus();
      });
  });
})();
