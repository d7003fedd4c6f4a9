/* The live wall: draws the minute curves and the source split (ECharts), opens the stream's socket and re-reads
   state.json at every push (no reload). Without this script the page still shows the latest state. */
(function () {
  "use strict";
  var root = document.getElementById("wall");
  if (!root) return;
  var stateUrl = root.dataset.stateUrl;
  var curves = null, sources = null;

  function setTile(name, text) {
    var el = root.querySelector('[data-tile="' + name + '"]');
    if (el) el.textContent = text;
  }

  function draw(state) {
    if (typeof echarts === "undefined") return;
    var c = state.curves;
    var marks = state.events.map(function (e) { return {xAxis: String(e.minute), name: e.label, label: {formatter: e.label}}; });
    if (document.getElementById("curves")) {
      curves = curves || echarts.init(document.getElementById("curves"));
      curves.setOption({
        animation: false,
        tooltip: {trigger: "axis"},
        legend: {data: [root.dataset.labelGmv, root.dataset.labelOnline]},
        xAxis: {type: "category", data: c.minute.map(String)},
        yAxis: [{type: "value", name: root.dataset.labelGmv}, {type: "value", name: root.dataset.labelOnline}],
        series: [
          {name: root.dataset.labelGmv, type: "line", data: c.gmv, showSymbol: false, markLine: {symbol: "none", data: marks}},
          {name: root.dataset.labelOnline, type: "line", yAxisIndex: 1, data: c.online, showSymbol: false}
        ]
      });
    }
    if (document.getElementById("sources-chart")) {
      sources = sources || echarts.init(document.getElementById("sources-chart"));
      sources.setOption({
        animation: false,
        tooltip: {trigger: "item"},
        series: [{type: "pie", radius: ["40%", "70%"], data: state.sources.map(function (s, i) { return {name: state.sources_text[i][0], value: s[1]}; })}]
      });
    }
  }

  function rows(tbodyParent, texts) {
    var body = tbodyParent && tbodyParent.querySelector("tbody");
    if (!body) return;
    texts.forEach(function (text, i) {
      var row = body.rows[i];
      if (row && row.cells[1]) row.cells[1].textContent = text;
    });
  }

  function update(state) {
    // Figures arrive formatted by the server (pages.formats, the reader's language): placed here as they are.
    document.getElementById("live-minute").textContent = state.minute === null ? "—" : state.minute;
    Object.keys(state.tiles_text).forEach(function (name) { setTile(name, state.tiles_text[name]); });
    var list = document.getElementById("alerts");
    if (list) {
      list.textContent = "";
      state.alerts.forEach(function (a) {
        var li = document.createElement("li");
        if (a.red) li.className = "red";
        var label = document.createElement("strong");
        label.textContent = a.label;
        li.appendChild(label);
        li.appendChild(document.createTextNode(" " + a.text));
        list.appendChild(li);
      });
      if (!state.alerts.length) {
        var none = document.createElement("li");
        none.className = "none";
        none.textContent = root.dataset.labelNoAlerts;
        list.appendChild(none);
      }
    }
    rows(document.getElementById("sources"), state.sources_text.map(function (s) { return s[1]; }));
    rows(document.getElementById("funnel"), state.funnel_text);
    draw(state);
  }

  function refresh() {
    return fetch(stateUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) { if (state && state.tiles && state.minute !== null) update(state); });
  }

  function connect() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + root.dataset.socket;
    var socket = new WebSocket(url);
    var opened = false;
    socket.onopen = function () { opened = true; root.dataset.connected = "1"; };
    socket.onmessage = function () { refresh(); };
    socket.onclose = function () {
      root.dataset.connected = "";
      if (opened) setTimeout(connect, 2000);  // a refused handshake (not yours) is not retried
    };
  }

  refresh();
  if (root.dataset.live) connect();
  window.addEventListener("resize", function () { if (curves) curves.resize(); if (sources) sources.resize(); });
})();
