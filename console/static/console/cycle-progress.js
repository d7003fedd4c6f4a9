// The cycle page's progress: poll the cycle's status every second and move the bar; reload when done.
// A static file, not an inline script, so that the Content-Security-Policy can forbid inline scripts.
(function () {
  var card = document.getElementById("progress-card");
  if (!card || card.dataset.done === "1") {
    return;
  }
  var url = card.dataset.statusUrl;
  var timer = setInterval(function () {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        document.getElementById("cycle-progress").value = s.percent;
        document.getElementById("cycle-percent").textContent = s.percent;
        document.getElementById("cycle-stage").textContent = s.stage_label || "—";
        document.getElementById("cycle-status").textContent = s.status_label;
        if (s.done) {
          clearInterval(timer);
          window.location.reload();
        }
      });
  }, 1000);
})();
