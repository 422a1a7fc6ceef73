/* Self-assessment page: open the part a link points to, recompute the rates as the union
   types (mirrors app/assessment/rates.py; the server recomputes on save), count answers,
   and save the draft before an upload so nothing typed is lost; removing a file asks first
   (base.js). No library. The page's words come in <script type="application/json" id="sa-texts">. */
(function () {
  "use strict";
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var holder = target.closest("details");
    if (holder) holder.open = true;
    if (target.classList.contains("sa-item")) {
      // Messages about an upload or a comment belong beside the item they concern.
      var body = target.querySelector(".card-body") || target;
      document.querySelectorAll("main > .alert-dismissible").forEach(function (alert) {
        body.insertBefore(alert, body.firstChild);
      });
    }
    target.scrollIntoView();
  }
  openTarget();
  window.addEventListener("hashchange", openTarget);
  // After a refused save, bring the first field in error into view.
  var firstError = !location.hash && document.querySelector("#sa-form .is-invalid, #sa-form .sa-item.border-danger");
  if (firstError) {
    var around = firstError.closest("details");
    if (around) around.open = true;
    firstError.scrollIntoView({block: "center"});
    if (firstError.focus && firstError.matches("input, textarea")) firstError.focus({preventScroll: true});
  }

  var form = document.getElementById("sa-form");
  if (!form) return;
  var cfg = JSON.parse(form.getAttribute("data-rates"));
  var labels = cfg.labels;
  // The server's messages (app/assessment/rates.py) in the page's language, "{name}" to fill.
  var texts = JSON.parse(document.getElementById("sa-texts").textContent);
  function listNames(list) {
    return list.map(function (n) { return labels[n]; }).join(texts.sep);
  }

  function figure(name) {
    var el = form.elements["figures." + name];
    if (!el) return null;
    var v = el.value.trim();
    return /^\d+$/.test(v) ? parseInt(v, 10) : null;
  }
  function total(names) {
    return names.reduce(function (s, n) { return s + figure(n); }, 0);
  }
  function rate(rule) {
    var names = rule.num.concat(rule.den);
    var missing = names.filter(function (n) { return figure(n) === null; });
    if (missing.length) return {problem: texts.missing.replace("{figures}", listNames(missing))};
    var num = total(rule.num), den = total(rule.den);
    if (den === 0) {
      if (rule.zeroNA) return {na: true, problem: texts.notApplicable};
      return {problem: texts.zero.replace("{rate}", rule.label).replace("{figures}", listNames(rule.den))};
    }
    if (num > den) return {problem: texts.over.replace("{rate}", rule.label)};
    // Exact: num/den >= t0/t1, as the server compares fractions.
    return {value: (num * 100 / den).toFixed(1) + "%", meets: num * rule.t[1] >= rule.t[0] * den};
  }
  function setBadge(badge, result) {
    badge.className = "badge rate-badge " + (result.na ? "text-bg-secondary" :
      result.value === undefined ? "d-none" :
      result.meets ? "text-bg-success" : "text-bg-danger");
    badge.textContent = result.na ? badge.getAttribute("data-na") :
      result.value === undefined ? "" : result.meets ? "✓" : "✗";
    badge.setAttribute("aria-label", result.value === undefined ? "" :
      result.meets ? badge.getAttribute("data-ok") : badge.getAttribute("data-below"));
  }
  function recompute() {
    cfg.rules.forEach(function (rule) {
      var row = document.querySelector('[data-rate="' + rule.key + '"]');
      if (!row) return;
      var result = rate(rule);
      row.querySelector(".rate-value").textContent = result.value || "—";
      var problem = row.querySelector(".rate-problem");
      problem.textContent = result.problem || "";
      problem.className = "small rate-problem " + (result.na ? "text-muted" : "text-danger");
      setBadge(row.querySelector(".rate-badge"), result);
    });
    cfg.partOf.forEach(function (pair) {
      var part = figure(pair[0]), whole = figure(pair[1]);
      var live = document.getElementById("figures-" + pair[0] + "-live");
      var input = form.elements["figures." + pair[0]];
      var wrong = part !== null && whole !== null && part > whole;
      live.textContent = wrong ? texts.partOver.replace("{part}", labels[pair[0]])
        .replace("{p}", part).replace("{whole}", labels[pair[1]]).replace("{w}", whole) : "";
      live.classList.toggle("d-block", wrong);
      input.classList.toggle("is-invalid", wrong || !!document.getElementById(
        "figures-" + pair[0] + "-err"));
    });
  }
  document.querySelectorAll(".rate-badge").forEach(function (b) {
    b.setAttribute("data-na", texts.na);
    b.setAttribute("data-ok", texts.ok);
    b.setAttribute("data-below", texts.below);
  });
  form.addEventListener("input", function (ev) {
    if (ev.target.hasAttribute("data-figure")) recompute();
  });

  function recount(details) {
    var badge = details.querySelector(".sa-dim-count");
    var n = parseInt(badge.getAttribute("data-total"), 10);
    var a = details.querySelectorAll(".sa-rating input:checked").length;
    badge.textContent = texts.counter.replace("{a}", a).replace("{n}", n);
    badge.className = "badge rounded-pill sa-dim-count " + (a === n ? "text-bg-success" : "text-bg-secondary");
  }
  var dirty = false;
  form.addEventListener("change", function (ev) {
    dirty = true;
    var details = ev.target.closest("details.sa-dim");
    if (details && ev.target.type === "radio") recount(details);
  });
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });

  document.querySelectorAll("form.sa-upload").forEach(function (upload) {
    upload.addEventListener("submit", function (ev) {
      if (!dirty) return;
      // Save what was typed first, then upload; on a refusal show the form's errors.
      ev.preventDefault();
      document.querySelectorAll('[form="' + upload.id + '"][type=submit]').forEach(function (b) {
        b.disabled = true;
      });
      fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin"})
        .then(function (response) {
          if (response.ok) { dirty = false; upload.submit(); } else { form.submit(); }
        }, function () { upload.submit(); });
    });
  });
})();
