/* Live turnout: fetch the counts every 30 s (counts only) while the page is visible. */
(function () {
  "use strict";
  var card = document.querySelector("[data-turnout-url]");
  if (!card || !window.fetch) return;
  var url = card.getAttribute("data-turnout-url");
  function refresh() {
    if (document.hidden) return;
    fetch(url, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        card.querySelectorAll("[data-turnout-field]").forEach(function (el) {
          var key = el.getAttribute("data-turnout-field");
          if (key in data) el.textContent = data[key];
        });
        var bar = card.querySelector("[data-turnout-bar]");
        if (bar) {
          bar.setAttribute("aria-valuenow", data.bar_percent);
          bar.firstElementChild.style.width = data.bar_percent + "%";
        }
        var stamp = card.querySelector("[data-turnout-updated]");
        if (stamp) stamp.textContent = new Date().toLocaleTimeString("zh-CN", {hour12: false, timeZone: "Asia/Shanghai"});
        if (data.status === "closed") location.reload();
      })
      .catch(function () { /* offline for a moment: try again next time */ });
  }
  setInterval(refresh, 30000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
})();
