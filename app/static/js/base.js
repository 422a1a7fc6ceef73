/* Behaviours any page asks for by attribute; every page works without them, and the server
   checks everything anyway. Loaded on every page that extends base.html.
   - form[data-confirm], button[data-confirm]: ask before sending, with the attribute's text;
   - a[data-back]: go back in the history when there is one, else follow the link. */
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (e.defaultPrevented || !form.matches("form[data-confirm]")) return;
    if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
  });
  document.addEventListener("click", function (e) {
    if (e.defaultPrevented || !e.target.closest) return;
    var button = e.target.closest("button[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      e.preventDefault();
      return;
    }
    var back = e.target.closest("a[data-back]");
    if (back && window.history.length > 1) {
      e.preventDefault();
      window.history.back();
    }
  });
})();
