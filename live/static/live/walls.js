/* The wall of walls: at every push (a batch accepted, alert counts refreshed) the page re-reads itself, at most
   every 2 seconds, and swaps the table (no reload of the page). */
(function () {
  "use strict";
  var root = document.getElementById("walls");
  if (!root) return;
  var pending = false;

  function reread() {
    if (pending) return;
    pending = true;
    setTimeout(function () {
      fetch(location.href, {credentials: "same-origin"}).then(function (r) { return r.text(); }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("walls");
        if (fresh) root.innerHTML = fresh.innerHTML;
        pending = false;
      }, function () { pending = false; });
    }, 500);
  }

  function connect() {
    var socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + root.dataset.socket);
    var opened = false;
    socket.onopen = function () { opened = true; root.dataset.connected = "1"; };
    socket.onmessage = reread;
    socket.onclose = function () { root.dataset.connected = ""; if (opened) setTimeout(connect, 2000); };
  }
  connect();
})();
