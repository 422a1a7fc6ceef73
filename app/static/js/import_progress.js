/* An import at work: ask for its progress every second; reload when it is done. */
(function () {
  "use strict";
  var card = document.querySelector("[data-import-status-url]");
  if (!card || !window.fetch) return;
  var url = card.getAttribute("data-import-status-url");
  function refresh() {
    fetch(url, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (!data.working) { location.reload(); return; }
        card.querySelectorAll("[data-import-field]").forEach(function (el) {
          var key = el.getAttribute("data-import-field");
          if (key in data) el.textContent = data[key];
        });
        var bar = card.querySelector("[data-import-bar]");
        if (bar) {
          bar.setAttribute("aria-valuenow", data.percent);
          bar.firstElementChild.style.width = data.percent + "%";
        }
      })
      .catch(function () { /* offline for a moment: try again */ })
      .then(function () { setTimeout(refresh, 1000); });
  }
  setTimeout(refresh, 1000);
})();
