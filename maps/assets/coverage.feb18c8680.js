/* 驿站覆盖分析 — the planners' page: districts coloured by covered share, areas out of reach,
 * and the hour curve of the selected district.
 *
 * Served (http): every moment and radius is asked of the API (../coverage, ../coverage/hours,
 * ../coverage/uncovered). Opened from disk (or when the API does not answer): what the build
 * embedded in COVERAGE_DATA — hour curves at 1000 m on three reference days, the share covered
 * by every station whatever its hours, and the areas out of reach of every station.
 * Geometry is WGS-84; Amap tiles are GCJ-02, so every vertex goes through engine.js's formula.
 */
(function () {
  "use strict";

  var D = self.COVERAGE_DATA, gcj = window.LocatorEngine.gcj;
  var KINDS = [["workday", "工作日"], ["saturday", "周六"], ["holiday", "法定节假日"]];
  var KIND_ZH = { workday: "工作日", saturday: "周六", holiday: "法定节假日" };
  var RADII = [300, 500, 1000, 1500, 2000, 3000, 5000];
  /* covered share classes, light (little covered) to dark (well covered): ColorBrewer PuBu */
  var CLASSES = [
    [0.2, "#f1eef6", "0–20%"], [0.4, "#bdc9e1", "20–40%"], [0.6, "#74a9cf", "40–60%"],
    [0.8, "#2b8cbe", "60–80%"], [1.01, "#045a8d", "80–100%"]
  ];
  var GAP_COLOUR = "#c2410c";
  var $ = function (id) { return document.getElementById(id); };
  var served = /^https?:$/.test(location.protocol);
  var state = { name: null, rows: {}, curve: D.hours, live: false, seq: 0 };

  function colour(share) {
    if (share === null || share === undefined) { return "#d0d0d0"; }
    for (var i = 0; i < CLASSES.length; i++) { if (share < CLASSES[i][0]) { return CLASSES[i][1]; } }
    return CLASSES[CLASSES.length - 1][1];
  }
  function pct(share) { return share === null || share === undefined ? "—" : (share * 100).toFixed(1) + "%"; }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function todayBeijing() {
    var t = new Date(Date.now() + 8 * 3600000);
    return t.getUTCFullYear() + "-" + pad(t.getUTCMonth() + 1) + "-" + pad(t.getUTCDate());
  }
  function hourBeijing() { return new Date(Date.now() + 8 * 3600000).getUTCHours(); }

  /* ---- geometry: WGS-84 GeoJSON → Leaflet latlngs on GCJ-02 tiles ---- */
  function ring(coords) {
    return coords.map(function (c) { var g = gcj(c[0], c[1]); return [g[1], g[0]]; });
  }
  function latlngs(geom) {
    if (geom.type === "Polygon") { return geom.coordinates.map(ring); }
    if (geom.type === "MultiPolygon") { return geom.coordinates.map(function (p) { return p.map(ring); }); }
    return [];
  }

  var map = L.map("cv-map", { zoomControl: true, minZoom: 7, maxZoom: 16, zoomSnap: 0.25 });
  L.tileLayer("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}", {
    subdomains: "1234", maxZoom: 18, attribution: "&copy; 高德地图"
  }).addTo(map);
  L.control.scale({ metric: true, imperial: false, position: "bottomright" }).addTo(map);
  map.attributionControl.setPrefix(false);

  var shapes = {}, order = [];
  var districtLayer = L.layerGroup().addTo(map), gapLayer = L.layerGroup().addTo(map);
  var bounds = L.latLngBounds([]);
  D.districts.features.forEach(function (f) {
    var name = f.properties.name;
    var poly = L.polygon(latlngs(f.geometry), {
      className: "cv-district", color: "#ffffff", weight: 1.5, fillOpacity: 0.7, fillColor: "#d0d0d0"
    });
    poly.bindTooltip("", { permanent: true, direction: "center", className: "cv-label", interactive: false });
    poly.on("click", function () { select(name); });
    poly.addTo(districtLayer);
    shapes[name] = poly;
    order.push(name);
    bounds.extend(poly.getBounds());
  });
  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8] }); } else { map.setView([40.2, 116.4], 8); }
  /* a label only where the district is wide enough on screen for it (the old city's two are small) */
  function labels() {
    order.forEach(function (name) {
      var b = shapes[name].getBounds(), w = map.latLngToContainerPoint(b.getNorthEast()).x - map.latLngToContainerPoint(b.getSouthWest()).x;
      var tip = shapes[name].getTooltip();
      if (w >= 56) { shapes[name].openTooltip(); } else { shapes[name].closeTooltip(); }
      tip.options.opacity = w >= 56 ? 0.9 : 0;
    });
  }
  map.on("zoomend", labels);

  /* ---- controls ---- */
  var day = $("cv-day"), date = $("cv-date"), hour = $("cv-hour"), radius = $("cv-radius"), openOnly = $("cv-open");
  function fillDays(days) {
    var keep = day.value;
    day.textContent = "";
    if (served) { day.appendChild(new Option("今天 " + todayBeijing(), "today")); }
    KINDS.forEach(function (k) {
      if (days[k[0]]) { day.appendChild(new Option(k[1] + " " + days[k[0]], k[0])); }
    });
    if (served) { day.appendChild(new Option("其他日期…", "other")); }
    if (keep && Array.prototype.some.call(day.options, function (o) { return o.value === keep; })) { day.value = keep; }
  }
  RADII.forEach(function (r) {
    var o = new Option(r >= 1000 ? r / 1000 + " 公里" : r + " 米", String(r));
    radius.appendChild(o);
  });
  radius.value = String(D.radius_m);
  fillDays(D.hours.days);
  hour.value = String(served ? hourBeijing() : 10);

  function chosenDate() {
    if (day.value === "today") { return todayBeijing(); }
    if (day.value === "other") { return date.value || todayBeijing(); }
    return state.curve.days[day.value];
  }
  function kindOfChoice() { return KIND_ZH[day.value] ? day.value : null; }

  /* ---- legend ---- */
  (function legend() {
    var box = $("cv-legend");
    box.appendChild(el("h2", "cv-h2", "覆盖面积占比"));
    var list = el("ul", "cv-swatches");
    CLASSES.forEach(function (c) {
      var li = el("li"), sw = el("span", "cv-swatch");
      sw.style.background = c[1];
      li.appendChild(sw); li.appendChild(document.createTextNode(c[2])); list.appendChild(li);
    });
    box.appendChild(list);
    var gap = el("p", "cv-gap-key"), sw = el("span", "cv-swatch cv-swatch-gap");
    gap.appendChild(sw);
    gap.appendChild(el("span", "", ""));
    gap.id = "cv-gap-key";
    box.appendChild(gap);
  })();
  function gapNote(text) { $("cv-gap-key").lastChild.textContent = text; }

  /* ---- drawing ---- */
  function paint(rows, outside) {
    state.rows = rows;
    state.outside = outside;
    order.forEach(function (name) {
      var r = rows[name] || {}, share = r.covered_share;
      shapes[name].setStyle({ fillColor: colour(share) });
      shapes[name].setTooltipContent(name.replace(/区$/, "") + " " + (share === undefined ? "—" : Math.round(share * 100) + "%"));
      var path = shapes[name].getElement && shapes[name].getElement();
      if (path) { path.setAttribute("data-share", share === undefined ? "" : String(share)); }
    });
    table();
    detail();
    labels();
    document.body.setAttribute("data-painted", String(++state.seq));
  }
  function drawGaps(fc) {
    gapLayer.clearLayers();
    (fc.features || []).forEach(function (f) {
      L.polygon(latlngs(f.geometry), {
        className: "cv-gap", color: GAP_COLOUR, weight: 1, opacity: 0.8, fillColor: "url(#cv-hatch)", fillOpacity: 1,
        interactive: false
      }).addTo(gapLayer);
    });
  }
  function table() {
    var outside = state.outside;
    var body = $("cv-table").tBodies[0];
    body.textContent = "";
    order.slice().sort(function (a, b) {
      return ((state.rows[a] || {}).covered_share || 0) - ((state.rows[b] || {}).covered_share || 0);
    }).forEach(function (name) {
      var r = state.rows[name] || {}, tr = el("tr");
      if (name === state.name) { tr.className = "cv-selected"; }
      var th = el("th"), b = el("button", "cv-link", name);
      b.type = "button";
      b.addEventListener("click", function () { select(name); $("cv-detail").scrollIntoView({ block: "nearest" }); });
      th.scope = "row"; th.appendChild(b); tr.appendChild(th);
      tr.appendChild(el("td", "cv-num", r.stations === undefined ? "—" : String(r.stations)));
      tr.appendChild(el("td", "cv-num", r.open === undefined || r.open === null ? "—" : String(r.open)));
      var td = el("td", "cv-num"), sw = el("span", "cv-swatch cv-swatch-small");
      sw.style.background = colour(r.covered_share);
      td.appendChild(sw); td.appendChild(document.createTextNode(pct(r.covered_share)));
      tr.appendChild(td);
      body.appendChild(tr);
    });
    var cap = $("cv-table").caption;
    cap.textContent = "各区覆盖率（从低到高；点击查看逐时曲线）" + (outside ? " · 不在任何区界内的站点 " + outside + " 个" : "");
  }

  /* ---- the hour curve of the selected district (inline SVG, no library) ---- */
  var SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, parent) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function chart(name) {
    var W = 340, H = 170, L0 = 36, R0 = 16, T0 = 8, B0 = 24, w = W - L0 - R0, h = H - T0 - B0;
    var s = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "cv-chart", role: "img" });
    var per = (state.curve.districts || {})[name] || {}, desc = [], top = 0;
    KINDS.forEach(function (k) { (per[k[0]] || []).forEach(function (v) { top = Math.max(top, v); }); });
    /* the axis reaches the smallest of 10 %, 20 %, 50 %, 100 % above the curve: low shares stay readable */
    var ymax = [0.1, 0.2, 0.5, 1].filter(function (m) { return m >= top - 1e-9; })[0] || 1;
    var x = function (hr) { return L0 + (w * hr) / 23; }, y = function (v) { return T0 + h * (1 - v / ymax); };
    [0, ymax / 2, ymax].forEach(function (v) {
      svg("line", { x1: L0, x2: W - R0, y1: y(v), y2: y(v), class: "cv-grid" }, s);
      svg("text", { x: L0 - 4, y: y(v) + 4, class: "cv-axis", "text-anchor": "end" }, s).textContent = Math.round(v * 100) + "%";
    });
    [0, 6, 12, 18, 23].forEach(function (hr) {
      svg("text", { x: x(hr), y: H - 6, class: "cv-axis", "text-anchor": "middle" }, s).textContent = hr + "时";
    });
    KINDS.forEach(function (k) {
      var v = per[k[0]];
      if (!v || !v.length) { return; }
      var pts = v.map(function (share, hr) { return x(hr).toFixed(1) + "," + y(share).toFixed(1); }).join(" ");
      svg("polyline", { points: pts, class: "cv-line cv-line-" + k[0], "data-kind": k[0] }, s);
      desc.push(k[1] + " " + Math.round(v[Number(hour.value)] * 100) + "%");
    });
    var hx = x(Number(hour.value));
    svg("line", { x1: hx, x2: hx, y1: T0, y2: T0 + h, class: "cv-now" }, s);
    s.setAttribute("aria-label", name + " 逐时覆盖率，" + pad(Number(hour.value)) + ":00：" + desc.join("，"));
    return s;
  }
  function detail() {
    var box = $("cv-detail");
    box.textContent = "";
    if (!state.name) {
      box.appendChild(el("p", "cv-hint", "点击地图上的区或下表中的区名，查看它一天中每个整点的覆盖率。"));
      return;
    }
    var r = state.rows[state.name] || {};
    box.appendChild(el("h2", "cv-h2", state.name + " · " + pct(r.covered_share)));
    box.appendChild(el("p", "cv-facts", "区内站点 " + (r.stations === undefined ? "—" : r.stations) + " 个" +
      (r.open === undefined || r.open === null ? "" : "，此刻开放 " + r.open + " 个")));
    box.appendChild(el("h3", "cv-h3", "逐时覆盖率（半径 " + radius.options[radius.selectedIndex].text + "，只计该时刻开放的驿站）"));
    box.appendChild(chart(state.name));
    var key = el("ul", "cv-line-key");
    KINDS.forEach(function (k) {
      var li = el("li", "cv-key-" + k[0], k[1] + " " + (state.curve.days[k[0]] || ""));
      key.appendChild(li);
    });
    box.appendChild(key);
  }
  function select(name) {
    state.name = name;
    order.forEach(function (n) { shapes[n].setStyle({ color: n === name ? "#202124" : "#ffffff", weight: n === name ? 3 : 1.5 }); });
    shapes[name].bringToFront();
    table();
    detail();
  }

  /* ---- what to show: from the embedded data, or asked of the API ---- */
  function status(text, warn) {
    var s = $("cv-status");
    s.textContent = text;
    s.className = "cv-status" + (warn ? " cv-warn" : "");
  }
  function rowsOf(report) {
    var rows = {};
    report.districts.forEach(function (d) { rows[d.name] = d; });
    return rows;
  }
  function embedded() {
    var kind = kindOfChoice(), hr = Number(hour.value), rows = rowsOf(D.report);
    state.curve = D.hours;
    if (openOnly.checked && kind) {
      Object.keys(rows).forEach(function (name) {
        var c = (D.hours.districts[name] || {})[kind];
        rows[name] = { name: name, stations: rows[name].stations, open: null, covered_share: c ? c[hr] : undefined };
      });
      status("离线数据：" + KIND_ZH[kind] + " " + D.hours.days[kind] + " " + pad(hr) + ":00，半径 " + D.radius_m + " 米，只计开放的驿站。");
    } else {
      status("离线数据：半径 " + D.radius_m + " 米，计入所有驿站（不论开放时间）。");
    }
    gapNote("未覆盖区域：离所有驿站都超过 " + D.radius_m + " 米（不论开放时间）");
    drawGaps(D.uncovered);
    paint(rows, D.report.outside);
  }
  function query(extra) {
    var q = "radius=" + encodeURIComponent(radius.value);
    return q + (extra || "");
  }
  function fetchJson(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) {
        return r.json().then(function (b) { throw new Error((b.parameter ? b.parameter + ": " : "") + b.description); },
          function () { throw new Error("HTTP " + r.status); });
      }
      return r.json();
    });
  }
  var hoursFor = null, pending = 0;
  function live() {
    var ticket = ++pending, at = chosenDate() + "T" + pad(Number(hour.value)) + ":00";
    var moment = "&at=" + encodeURIComponent(at) + "&open_now=" + (openOnly.checked ? "true" : "false");
    status("正在计算 " + at.replace("T", " ") + " 的覆盖率…");
    var wantHours = hoursFor !== radius.value;
    var asks = [
      fetchJson("../coverage?" + query(moment)),
      fetchJson("../coverage/uncovered?" + query(moment)),
      wantHours ? fetchJson("../coverage/hours?" + query()) : Promise.resolve(null)
    ];
    Promise.all(asks).then(function (res) {
      if (ticket !== pending) { return; }
      if (res[2]) { state.curve = res[2]; hoursFor = radius.value; fillDays(res[2].days); }
      var which = openOnly.checked ? "只计此刻开放的驿站" : "计入所有驿站（不论开放时间）";
      status(at.replace("T", " ") + "（北京时间），半径 " + radius.options[radius.selectedIndex].text + "，" + which + "。");
      gapNote("未覆盖区域：离" + (openOnly.checked ? "此刻开放的" : "所有") + "驿站都超过所选半径");
      drawGaps(res[1]);
      paint(rowsOf(res[0]), res[0].outside);
    }, function (err) {
      if (ticket !== pending) { return; }
      served = false;
      document.body.setAttribute("data-mode", "static");
      status("服务器没有回答（" + err.message + "），显示生成页面时的离线数据。", true);
      offline();
      embedded();
    });
  }
  function offline() {
    radius.value = String(D.radius_m);
    radius.disabled = true;
    fillDays(D.hours.days);
    if (!KIND_ZH[day.value]) { day.value = KINDS[0][0]; }
    date.hidden = true;
  }
  function update() {
    $("cv-hour-out").textContent = pad(Number(hour.value)) + ":00";
    date.hidden = day.value !== "other";
    if (served) { live(); } else { embedded(); }
  }

  [day, date, radius, openOnly].forEach(function (c) { c.addEventListener("change", update); });
  hour.addEventListener("input", function () { $("cv-hour-out").textContent = pad(Number(hour.value)) + ":00"; if (!served) { update(); } });
  hour.addEventListener("change", update);
  $("cv-controls").addEventListener("submit", function (e) { e.preventDefault(); });

  document.body.setAttribute("data-mode", served ? "served" : "static");
  if (!served) { offline(); status(""); } else { date.value = todayBeijing(); }
  update();
  document.body.setAttribute("data-ready", "1");
})();
