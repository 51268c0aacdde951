// Countdowns: <span data-deadline="ISO instant">; progress: <div data-poll="/api/batches/ID"> refreshed while an award runs.
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
