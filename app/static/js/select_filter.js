/* Progressive enhancement: a <select data-filter-by="other-id" data-filter-map='{value: [levels]}'>
   keeps only the options whose data-level suits the other field's value. The server checks anyway. */
document.querySelectorAll("select[data-filter-by]").forEach(function (target) {
  var source = document.getElementById(target.dataset.filterBy);
  var map = JSON.parse(target.dataset.filterMap);
  if (!source) { return; }
  function apply() {
    var allowed = map[source.value];
    target.querySelectorAll("option[data-level]").forEach(function (option) {
      var ok = !allowed || allowed.indexOf(option.dataset.level) >= 0;
      option.hidden = !ok;
      option.disabled = !ok;
      if (!ok && option.selected) { target.value = ""; }
    });
  }
  source.addEventListener("change", apply);
  apply();
});
