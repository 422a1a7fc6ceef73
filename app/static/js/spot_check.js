/* The page works without script; this adds: a photo is uploaded as soon as it is taken, the
   rectification fields appear for 限期整改 only, the sample rate updates while typing, and a
   conclusion is not sent while the log has unsaved changes. Deleting asks first (base.js). */
(function () {
  "use strict";
  var dirty = false;
  function autoUpload(form, buttonName) {
    if (!form) return;
    form.classList.add("sc-auto");
    form.addEventListener("change", function (e) {
      var el = e.target;
      if (el.type !== "file") { if (form.id === "log-form") dirty = true; return; }
      if (!el.files || !el.files.length) return;
      var button = form.querySelector('button[name="' + buttonName + '"][value="' + el.getAttribute("data-item") + '"]');
      dirty = false;
      if (form.requestSubmit && button) form.requestSubmit(button); else if (button) button.click();
    });
    form.addEventListener("input", function (e) { if (e.target.type !== "file" && form.id === "log-form") dirty = true; });
    form.addEventListener("submit", function () { if (form.id === "log-form") dirty = false; });
  }
  var log = document.getElementById("log-form");
  autoUpload(log, "upload");
  autoUpload(document.getElementById("rect-form"), "upload");

  document.querySelectorAll("form[data-needs-saved-log]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (dirty && log) { e.preventDefault(); alert(log.getAttribute("data-unsaved")); }
    });
  });

  var cform = document.getElementById("conclusion-form");
  if (cform) {
    var part = cform.querySelector("[data-rectify]");
    var sync = function () {
      var chosen = cform.querySelector('input[name="conclusion"]:checked');
      if (part) part.hidden = !(chosen && chosen.value === "rectify");
    };
    cform.addEventListener("change", sync);
    sync();
  }

  var asked = document.getElementById("interviewed");
  var happy = document.getElementById("interviewed_satisfied");
  var rate = document.querySelector("[data-rate]");
  if (asked && happy && rate) {
    var threshold = parseFloat(rate.getAttribute("data-threshold"));
    var update = function () {
      var a = parseInt(asked.value, 10), h = parseInt(happy.value, 10);
      var ok = a > 0 && h >= 0 && h <= a && /^\d+$/.test(asked.value.trim()) && /^\d+$/.test(happy.value.trim());
      rate.querySelector("[data-rate-value]").textContent = ok ? (h / a * 100).toFixed(1) + "%" : "—";
      var meets = rate.querySelector("[data-rate-meets]"), below = rate.querySelector("[data-rate-below]");
      if (meets && below) {
        meets.hidden = !(ok && h / a >= threshold);
        below.hidden = !(ok && h / a < threshold);
      }
    };
    asked.addEventListener("input", update);
    happy.addEventListener("input", update);
  }
})();
