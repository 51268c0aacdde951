// Select-all checkboxes; countdowns: <span data-deadline="ISO instant">; progress: <div data-poll="/api/batches/ID"> refreshed while an award runs.
(function () {
  function tick() {
    document.querySelectorAll('[data-deadline]').forEach(function (el) {
      var ms = Date.parse(el.getAttribute('data-deadline')) - Date.now();
      if (ms <= 0) { el.textContent = el.getAttribute('data-passed') || 'passed'; return; }
      var s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
      el.textContent = (d > 0 ? d + 'd ' : '') + String(h).padStart(2, '0') + ':' + String(m).padStart(2, '0') + ':' + String(s % 60).padStart(2, '0');
    });
  }
  tick(); setInterval(tick, 1000);
  // Select all: <input type="checkbox" data-select-all="G"> ticks or clears every checkbox whose data-group lists G.
  document.querySelectorAll('[data-select-all]').forEach(function (all) {
    var group = all.getAttribute('data-select-all');
    var members = function () {
      return Array.prototype.filter.call(document.querySelectorAll('[data-group]'), function (el) {
        return el.getAttribute('data-group').split(' ').indexOf(group) >= 0;
      });
    };
    var sync = function () { var m = members(); all.checked = m.length > 0 && m.every(function (el) { return el.checked; }); };
    all.addEventListener('change', function () { members().forEach(function (el) { el.checked = all.checked; }); document.querySelectorAll('[data-select-all]').forEach(function (o) { if (o !== all) { o.dispatchEvent(new Event('sync')); } }); });
    all.addEventListener('sync', sync);
    members().forEach(function (el) { el.addEventListener('change', sync); });
    sync();
  });
  document.querySelectorAll('[data-poll]').forEach(function (el) {
    var url = el.getAttribute('data-poll');
    var timer = setInterval(function () {
      fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } }).then(function (r) { return r.json(); }).then(function (b) {
        var p = b.awardProgress;
        if (p) { el.querySelector('[data-progress]').textContent = p.phase + ' · ' + p.elapsedSeconds.toFixed(1) + ' s · ' + Number(p.bestCost).toLocaleString() + ' / ' + Number(p.bound).toLocaleString(); }
        if (b.awardStatus !== 'running') { clearInterval(timer); location.reload(); }
      });
    }, 1000);
  });
})();
