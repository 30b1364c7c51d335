/* 暖心驿站地图 — station map app (our code; MIT like the project).
 *
 * Reads window.LOCATOR_DATA (stations, hours schedules) and window.LOCATOR_PAGE (folium's map
 * and tile layer variable names). Open state is computed here, at the moment the page is viewed,
 * in Beijing time, from schedules precomputed with the Chinese holiday table (weekly template +
 * dated exceptions). Station text is always inserted with textContent, never as HTML.
 */
(function () {
  "use strict";

  var D = window.LOCATOR_DATA;
  var P = window.LOCATOR_PAGE;
  var map = window[P.map];
  if (!D || !map) { return; }

  var DAY = 86400000;
  var BJ_OFFSET = 8 * 3600000;
  var NEAR_COUNT = 8;
  var TYPE_GLYPH = { service_station: "工", warm_station: "暖", worker_home: "家", mother_baby_room: "婴" };
  var AMENITY_ICON = {
    drinking_water: "💧", hot_water: "♨️", microwave: "🍱", toilet: "🚻", rest_area: "🛋️",
    phone_charging: "🔌", ebike_charging: "🛵", battery_swap: "🔋", first_aid: "⛑️", tire_pump: "🚲",
    wifi: "📶", sewing_kit: "🧵", umbrella: "☂️", blood_pressure: "🩺", blood_glucose: "🩸",
    reading: "📚", free_cold_drinks: "🧊", air_conditioning: "❄️", heating: "🔥", nursing_room: "🍼",
    decompression_space: "🥊", meals: "🍚", accessible: "♿", legal_aid: "⚖️", counseling: "💬", childcare: "🧸"
  };
  var QUICK_AMENITIES = ["microwave", "hot_water", "drinking_water", "toilet", "rest_area", "phone_charging", "ebike_charging", "battery_swap"];

  /* ---------- coordinates: WGS-84 → GCJ-02 (same public-domain formula as locator/coords.py) ---------- */
  var A = 6378245.0, EE = 0.00669342162296594323, PI = Math.PI;
  function inChina(lon, lat) { return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271; }
  function gcj(lon, lat) {
    if (!inChina(lon, lat)) { return [lon, lat]; }
    var x = lon - 105.0, y = lat - 35.0, sx = Math.sqrt(Math.abs(x));
    var six = Math.sin(6.0 * x * PI) * 20.0 + Math.sin(2.0 * x * PI) * 20.0;
    var dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx;
    dlat += (six + Math.sin(y * PI) * 20.0 + Math.sin(y / 3.0 * PI) * 40.0) * 2.0 / 3.0;
    dlat += (Math.sin(y / 12.0 * PI) * 160.0 + Math.sin(y * PI / 30.0) * 320.0) * 2.0 / 3.0;
    var dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx;
    dlon += (six + Math.sin(x * PI) * 20.0 + Math.sin(x / 3.0 * PI) * 40.0) * 2.0 / 3.0;
    dlon += (Math.sin(x / 12.0 * PI) * 150.0 + Math.sin(x / 30.0 * PI) * 300.0) * 2.0 / 3.0;
    var rad = lat / 180.0 * PI, magic = 1 - EE * Math.sin(rad) * Math.sin(rad), sm = Math.sqrt(magic);
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sm) * PI);
    dlon = (dlon * 180.0) / (A / sm * Math.cos(rad) * PI);
    return [lon + dlon, lat + dlat];
  }
  function gcjInverse(lon, lat) {
    var w = [lon, lat];
    for (var i = 0; i < 30; i++) {
      var f = gcj(w[0], w[1]), ex = f[0] - lon, ey = f[1] - lat;
      w = [w[0] - ex, w[1] - ey];
      if (Math.abs(ex) < 1e-10 && Math.abs(ey) < 1e-10) { break; }
    }
    return w;
  }
  function metres(lat1, lon1, lat2, lon2) {
    var r = PI / 180, dp = (lat2 - lat1) * r, dl = (lon2 - lon1) * r;
    var a = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dl / 2) * Math.sin(dl / 2);
    return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  /* ---------- stations ---------- */
  var stations = D.s.map(function (r) {
    var lon = r[6] / 1e6, lat = r[7] / 1e6, g = gcj(lon, lat);
    return {
      id: r[0], name: r[1], type: D.types[r[2]][0], typeZh: D.types[r[2]][1], mask: r[3], hours: r[4],
      tempClosed: (r[5] & 1) === 1, approx: (r[5] & 2) === 2, lon: lon, lat: lat, glon: g[0], glat: g[1],
      source: r[8] >= 0 ? D.sources[r[8]] : "", district: r[9] >= 0 ? D.districts[r[9]] : "",
      address: r[10] || "", phone: r[11] || "", verified: r[12] || "", note: r[13] || "",
      marker: null
    };
  });
  var amenityBit = {};
  D.amenities.forEach(function (a, i) { amenityBit[a[0]] = i; });
  function has(st, amenity) { return Math.floor(st.mask / Math.pow(2, amenityBit[amenity])) % 2 === 1; }

  /* ---------- open state, Beijing time ---------- */
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function isoDay(dayIndex) {
    var d = new Date(dayIndex * DAY);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate());
  }
  function spansOn(h, dayIndex) {
    var x = h.x[isoDay(dayIndex)];
    if (x !== undefined) { return x; }
    var weekday = (new Date(dayIndex * DAY).getUTCDay() + 6) % 7; // Monday = 0
    return h.w[weekday];
  }
  /* {open: true|false|null, change: ms|null} at time ms: spans of the next nine days on one
     timeline (minutes from today's midnight, Beijing), touching spans merged across midnight */
  function stateAt(st, ms) {
    if (st.tempClosed) { return { open: false, change: null, temp: true }; }
    if (st.hours < 0) { return { open: null, change: null }; }
    var h = D.hours[st.hours];
    var bj = ms + BJ_OFFSET, day = Math.floor(bj / DAY), minute = Math.floor((bj - day * DAY) / 60000);
    var line = [];
    for (var d = 0; d < 9; d++) {
      spansOn(h, day + d).forEach(function (sp) {
        var a = sp[0] + d * 1440, b = sp[1] + d * 1440, last = line[line.length - 1];
        if (last && a <= last[1]) { last[1] = Math.max(last[1], b); } else { line.push([a, b]); }
      });
    }
    var horizon = 9 * 1440;
    function at(m) { return m >= horizon ? null : day * DAY + m * 60000 - BJ_OFFSET; }
    for (var i = 0; i < line.length; i++) {
      if (line[i][0] <= minute && minute < line[i][1]) { return { open: true, change: at(line[i][1]) }; }
      if (line[i][0] > minute) { return { open: false, change: at(line[i][0]) }; }
    }
    return { open: false, change: null };
  }
  function clock(ms) {
    var d = new Date(ms + BJ_OFFSET);
    return pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
  }
  function when(ms, now) {
    var today = Math.floor((now + BJ_OFFSET) / DAY), day = Math.floor((ms + BJ_OFFSET) / DAY);
    var prefix = day === today ? "" : day === today + 1 ? "明天 " : (new Date(ms + BJ_OFFSET).getUTCMonth() + 1) + "月" + new Date(ms + BJ_OFFSET).getUTCDate() + "日 ";
    return prefix + clock(ms);
  }
  function stateText(state, now) {
    if (state.temp) { return "暂停开放"; }
    if (state.open === null) { return "开放时间未知"; }
    if (state.open) { return state.change ? "营业中 · " + when(state.change, now) + " 关门" : "营业中"; }
    return state.change ? "已关门 · " + when(state.change, now) + " 开门" : "已关门";
  }
  function stateClass(state) { return state.open === true ? "open" : state.open === false ? "closed" : "unknown"; }
  var validUntil = Date.parse(D.valid[1] + "T23:59:59+08:00");

  /* ---------- markers ---------- */
  var useGcj = true;
  var icons = {};
  function iconFor(st, state) {
    var key = st.type + ":" + stateClass(state);
    if (!icons[key]) {
      icons[key] = L.divIcon({
        className: "lc-pin lc-" + st.type + " lc-" + stateClass(state),
        html: "<span>" + TYPE_GLYPH[st.type] + "</span>",
        iconSize: [30, 30], iconAnchor: [15, 15], popupAnchor: [0, -14]
      });
    }
    return icons[key];
  }
  function latlng(st) { return useGcj ? [st.glat, st.glon] : [st.lat, st.lon]; }
  /* one-shot loading measured faster to first clusters than chunked loading (bench/bench_maps.py) */
  var cluster = L.markerClusterGroup({
    chunkedLoading: false, showCoverageOnHover: false, maxClusterRadius: 60, spiderfyOnMaxZoom: true,
    disableClusteringAtZoom: 17
  });
  map.addLayer(cluster);
  /* one popup handler for all markers instead of a closure per marker */
  cluster.on("click", function (e) {
    var st = e.layer.options.station;
    if (!e.layer.getPopup()) { e.layer.bindPopup(popupFor(st), { maxWidth: 300, autoPanPadding: [16, 64] }); }
    else { e.layer.setPopupContent(popupFor(st)); }
    e.layer.openPopup();
  });
  function openStation(st) {
    cluster.zoomToShowLayer(st.marker, function () {
      if (!st.marker.getPopup()) { st.marker.bindPopup(popupFor(st), { maxWidth: 300, autoPanPadding: [16, 64] }); }
      else { st.marker.setPopupContent(popupFor(st)); }
      st.marker.openPopup();
    });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function amapLink(st, mode) {
    var name = encodeURIComponent(st.name);
    return "https://uri.amap.com/navigation?to=" + st.glon.toFixed(6) + "," + st.glat.toFixed(6) + "," + name +
      "&mode=" + mode + "&coordinate=gaode&callnative=1&src=nuanxin-station-map";
  }
  function popupFor(st) {
    var now = Date.now(), state = stateAt(st, now);
    var box = el("div", "lc-popup");
    box.appendChild(el("h2", "", st.name));
    box.appendChild(el("p", "lc-type", st.typeZh + (st.district ? " · " + st.district : "")));
    box.appendChild(el("p", "lc-state lc-" + stateClass(state), stateText(state, now)));
    box.appendChild(el("p", "lc-hours", "开放时间：" + (st.hours >= 0 ? D.hours[st.hours].t : "未知")));
    if (now > validUntil) { box.appendChild(el("p", "lc-warn", "节假日安排数据截至 " + D.valid[1] + "，营业状态仅供参考")); }
    if (st.address) { box.appendChild(el("p", "", "地址：" + st.address)); }
    if (st.approx) { box.appendChild(el("p", "lc-warn", "位置为大致位置，请以现场为准")); }
    var list = el("ul", "lc-amenities");
    D.amenities.forEach(function (a) {
      if (has(st, a[0])) { list.appendChild(el("li", "", (AMENITY_ICON[a[0]] || "•") + " " + a[1])); }
    });
    if (list.childNodes.length) { box.appendChild(list); }
    var actions = el("p", "lc-actions");
    var walk = el("a", "lc-btn lc-nav", "导航 · 步行");
    walk.href = amapLink(st, "walk"); walk.target = "_blank"; walk.rel = "noopener";
    var ride = el("a", "lc-btn", "骑行");
    ride.href = amapLink(st, "ride"); ride.target = "_blank"; ride.rel = "noopener";
    actions.appendChild(walk); actions.appendChild(ride);
    if (st.phone) {
      var tel = el("a", "lc-btn", "电话 " + st.phone);
      tel.href = "tel:" + st.phone.replace(/[^0-9+]/g, "");
      actions.appendChild(tel);
    }
    box.appendChild(actions);
    if (st.note) { box.appendChild(el("p", "lc-note", st.note)); }
    box.appendChild(el("p", "lc-source", "来源：" + st.source + (st.verified ? " · 核实于 " + st.verified : " · 尚未现场核实")));
    return box;
  }

  /* ---------- filters ---------- */
  var filters = { text: "", type: "", amenities: [], openOnly: false };
  function matches(st, now) {
    if (filters.type && st.type !== filters.type) { return false; }
    for (var i = 0; i < filters.amenities.length; i++) { if (!has(st, filters.amenities[i])) { return false; } }
    if (filters.text && st.name.indexOf(filters.text) < 0 && st.address.indexOf(filters.text) < 0) { return false; }
    if (filters.openOnly && stateNow(st, now).open !== true) { return false; }
    return true;
  }
  /* stations sharing an hours expression share a state at a moment: compute it once per redraw */
  var stateCache = { at: -1, byHours: [] };
  function stateNow(st, now) {
    if (st.tempClosed || st.hours < 0) { return stateAt(st, now); }
    if (stateCache.at !== now) { stateCache = { at: now, byHours: [] }; }
    var s = stateCache.byHours[st.hours];
    if (!s) { s = stateCache.byHours[st.hours] = stateAt(st, now); }
    return s;
  }
  var shown = [];
  function redraw() {
    var now = Date.now();
    shown = stations.filter(function (st) { return matches(st, now); });
    cluster.clearLayers();
    cluster.addLayers(shown.map(function (st) {
      var m = L.marker(latlng(st), { icon: iconFor(st, stateNow(st, now)), title: st.name, alt: st.name, station: st });
      st.marker = m;
      return m;
    }));
    count.textContent = "显示 " + shown.length + " / " + stations.length + " 个站点";
    document.body.setAttribute("data-shown", String(shown.length));
    updateNearest();
  }

  /* ---------- controls ---------- */
  var Panel = L.Control.extend({
    options: { position: "topleft" },
    onAdd: function () {
      var box = el("div", "lc-panel leaflet-bar");
      var h = el("h1", "lc-title", P.title || "暖心驿站地图");
      box.appendChild(h);
      var row = el("div", "lc-row");
      var search = el("input", "lc-search");
      search.type = "search"; search.placeholder = "搜索站点名称或地址"; search.setAttribute("aria-label", "搜索站点名称或地址");
      search.addEventListener("input", function () { filters.text = search.value.trim(); redraw(); });
      var locBtn = el("button", "lc-row-btn lc-locate", "📍 定位");
      locBtn.type = "button"; locBtn.setAttribute("aria-label", "定位到我的位置");
      locBtn.addEventListener("click", locate);
      var more = el("button", "lc-row-btn", "筛选");
      more.type = "button"; more.setAttribute("aria-expanded", "false"); more.setAttribute("aria-controls", "lc-filters");
      row.appendChild(search); row.appendChild(locBtn); row.appendChild(more);
      box.appendChild(row);
      var extra = el("div", "lc-filters");
      extra.id = "lc-filters"; extra.hidden = true;
      more.addEventListener("click", function () {
        extra.hidden = !extra.hidden; more.setAttribute("aria-expanded", String(!extra.hidden));
      });
      var typeSel = el("select", "lc-type-select");
      typeSel.setAttribute("aria-label", "站点类型");
      typeSel.appendChild(new Option("全部类型", ""));
      D.types.forEach(function (t) { typeSel.appendChild(new Option(t[1], t[0])); });
      typeSel.addEventListener("change", function () { filters.type = typeSel.value; redraw(); });
      extra.appendChild(typeSel);
      var chips = el("div", "lc-chips");
      chips.setAttribute("role", "group"); chips.setAttribute("aria-label", "需要的设施");
      var openBtn = el("button", "lc-chip", "🟢 营业中");
      openBtn.type = "button"; openBtn.setAttribute("aria-pressed", "false");
      openBtn.addEventListener("click", function () {
        filters.openOnly = !filters.openOnly; openBtn.setAttribute("aria-pressed", String(filters.openOnly)); redraw();
      });
      chips.appendChild(openBtn);
      QUICK_AMENITIES.forEach(function (id) {
        var label = D.amenities[amenityBit[id]][1];
        var b = el("button", "lc-chip", (AMENITY_ICON[id] || "") + " " + label);
        b.type = "button"; b.setAttribute("aria-pressed", "false"); b.setAttribute("data-amenity", id);
        b.addEventListener("click", function () {
          var i = filters.amenities.indexOf(id);
          if (i >= 0) { filters.amenities.splice(i, 1); } else { filters.amenities.push(id); }
          b.setAttribute("aria-pressed", String(i < 0)); redraw();
        });
        chips.appendChild(b);
      });
      extra.appendChild(chips);
      box.appendChild(extra);
      count = el("p", "lc-count", "");
      count.setAttribute("aria-live", "polite");
      box.appendChild(count);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    }
  });
  var count = null;
  var me = null, meMarker = null, message = null;
  function say(text) { message.textContent = text; message.hidden = !text; }
  new Panel().addTo(map);

  L.control.scale({ imperial: false, position: "topright" }).addTo(map);
  function locate() {
    if (!window.isSecureContext) {
      say("当前页面不是 HTTPS 网址，手机浏览器不允许定位。请用 https:// 开头的地址打开本地图，或拖动地图查看附近站点。");
      return;
    }
    if (!navigator.geolocation) { say("此浏览器不支持定位，请拖动地图查看附近站点。"); return; }
    say("正在定位……");
    navigator.geolocation.getCurrentPosition(function (pos) {
      me = { lat: pos.coords.latitude, lon: pos.coords.longitude };
      var p = useGcj ? gcj(me.lon, me.lat) : [me.lon, me.lat];
      if (!meMarker) { meMarker = L.circleMarker([p[1], p[0]], { radius: 8, color: "#fff", weight: 3, fillColor: "#1a73e8", fillOpacity: 1 }).addTo(map); }
      meMarker.setLatLng([p[1], p[0]]);
      map.setView([p[1], p[0]], Math.max(map.getZoom(), 15));
      say("");
      updateNearest();
    }, function (err) {
      if (err.code === 1) { say("定位权限被拒绝。请在浏览器或系统设置中允许本网站使用位置，或拖动地图查看附近站点。"); }
      else if (err.code === 3) { say("定位超时，请到开阔处重试，或拖动地图查看附近站点。"); }
      else { say("暂时无法获取位置，请稍后重试，或拖动地图查看附近站点。"); }
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  var nearList = null, nearTitle = null;
  var Near = L.Control.extend({
    options: { position: "bottomleft" },
    onAdd: function () {
      var box = el("section", "lc-near");
      box.setAttribute("aria-label", "离我最近的站点");
      var head = el("div", "lc-near-head");
      nearTitle = el("h2", "", "离我最近");
      var toggle = el("button", "lc-near-toggle", "收起");
      toggle.type = "button"; toggle.setAttribute("aria-expanded", "true");
      toggle.addEventListener("click", function () {
        var hide = !nearList.hidden; nearList.hidden = hide;
        toggle.textContent = hide ? "展开" : "收起"; toggle.setAttribute("aria-expanded", String(!hide));
      });
      head.appendChild(nearTitle); head.appendChild(toggle);
      box.appendChild(head);
      message = el("p", "lc-message", "");
      message.setAttribute("role", "status"); message.hidden = true;
      box.appendChild(message);
      nearList = el("ol", "lc-near-list");
      box.appendChild(nearList);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    }
  });
  new Near().addTo(map);

  function updateNearest() {
    if (!nearList) { return; }
    var origin = me, label = "离我最近";
    if (!origin) {
      var c = map.getCenter(), w = useGcj ? gcjInverse(c.lng, c.lat) : [c.lng, c.lat];
      origin = { lat: w[1], lon: w[0] }; label = "地图中心附近";
    }
    nearTitle.textContent = label;
    var now = Date.now();
    var ranked = shown.map(function (st) { return { st: st, d: metres(origin.lat, origin.lon, st.lat, st.lon) }; });
    ranked.sort(function (a, b) { return a.d - b.d; });
    while (nearList.firstChild) { nearList.removeChild(nearList.firstChild); }
    ranked.slice(0, NEAR_COUNT).forEach(function (r) {
      var state = stateNow(r.st, now);
      var li = el("li", "lc-near-item lc-" + stateClass(state));
      var b = el("button", "lc-near-btn");
      b.type = "button";
      b.appendChild(el("span", "lc-near-name", r.st.name));
      b.appendChild(el("span", "lc-near-meta", (r.d < 1000 ? Math.round(r.d) + " 米" : (r.d / 1000).toFixed(1) + " 公里") + " · " + stateText(state, now)));
      b.addEventListener("click", function () {
        openStation(r.st);
      });
      li.appendChild(b);
      nearList.appendChild(li);
    });
    if (!ranked.length) { nearList.appendChild(el("li", "lc-near-empty", "没有符合条件的站点")); }
  }
  map.on("moveend", function () { if (!me) { updateNearest(); } });

  /* basemap switch: Amap tiles are GCJ-02, the others WGS-84 */
  map.on("baselayerchange", function (e) {
    useGcj = e.layer === window[P.layers.amap];
    redraw();
    if (meMarker && me) { var p = useGcj ? gcj(me.lon, me.lat) : [me.lon, me.lat]; meMarker.setLatLng([p[1], p[0]]); }
  });

  var t0 = performance.now();
  redraw();
  window.LC_TIMING = { redraw_ms: performance.now() - t0 };
  if (Date.now() > validUntil) { say("节假日安排数据截至 " + D.valid[1] + "，营业状态可能不准确。"); }
  document.body.setAttribute("data-ready", "1");
})();
