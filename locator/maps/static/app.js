/* 暖心驿站地图 — the page's user interface (our code; MIT like the project).
 *
 * The heavy work (30,000 stations: parsing, filters, open state, clustering, nearest) is done by
 * engine.js in a Web Worker; this thread builds the controls at once from window.LOCATOR_PAGE and
 * draws only the clusters and stations in view. Station text always goes in with textContent.
 */
(function () {
  "use strict";

  var P = window.LOCATOR_PAGE;
  var map = window[P.map];
  if (!P || !map) { return; }

  var NEAR_COUNT = 8;
  /* glyphs and icons come with the vocabulary from the build (locator/maps/icons.py) */
  var TYPE_GLYPH = {};
  P.types.forEach(function (t) { TYPE_GLYPH[t[0]] = t[2]; });
  var AMENITY_ICON = {};
  P.amenities.forEach(function (a) { AMENITY_ICON[a[0]] = a[2]; });
  var QUICK_AMENITIES = ["microwave", "hot_water", "drinking_water", "toilet", "rest_area", "phone_charging", "ebike_charging", "battery_swap"];
  var amenityZh = {};
  P.amenities.forEach(function (a) { amenityZh[a[0]] = a[1]; });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  /* ---------- engine: a Web Worker, or the main thread for pages opened from disk ---------- */
  var handlers = {};
  function receive(m) { if (handlers[m.type]) { handlers[m.type](m); } }
  var send = (function connect() {
    var abs = function (u) { return new URL(u, document.baseURI).href; };
    var init = { type: "init", data: abs(P.data), supercluster: abs(P.supercluster) };
    try {
      if (location.protocol === "file:") { throw new Error("workers are not allowed on file:// pages"); }
      var w = new Worker(abs(P.engine));
      w.onmessage = function (e) { receive(e.data); };
      w.postMessage(init);
      return function (m) { w.postMessage(m); };
    } catch (err) {
      var queue = [], engine = null;
      var load = function (src, next) { var s = document.createElement("script"); s.src = src; s.onload = next; document.head.appendChild(s); };
      load(init.supercluster, function () {
        load(init.data, function () {
          engine = window.LocatorEngine(window.LOCATOR_DATA, function (r) { setTimeout(function () { receive(r); }, 0); });
          engine(init);
          queue.forEach(function (m) { engine(m); });
        });
      });
      return function (m) { if (engine) { setTimeout(function () { engine(m); }, 0); } else { queue.push(m); } };
    }
  })();

  /* ---------- state ---------- */
  var filters = { text: "", type: "", amenities: [], openOnly: false };
  var useGcj = true, me = null, meMarker = null, lastId = 0, ready = false;
  var layer = L.layerGroup().addTo(map);
  var icons = {};
  function pinIcon(type, cls) {
    var key = type + ":" + cls;
    if (!icons[key]) {
      icons[key] = L.divIcon({ className: "lc-pin lc-" + type + " lc-" + cls, html: "<span>" + TYPE_GLYPH[type] + "</span>", iconSize: [30, 30], iconAnchor: [15, 15] });
    }
    return icons[key];
  }
  function clusterIcon(count) {
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    return L.divIcon({ className: "lc-cluster lc-cluster-" + size, html: "<span>" + count + "</span>", iconSize: [44, 44], iconAnchor: [22, 22] });
  }

  function query() {
    var b = map.getBounds(), origin = me;
    if (!origin) {
      var c = map.getCenter();
      origin = useGcj ? gcjInverse(c.lng, c.lat) : { lat: c.lat, lon: c.lng };
    }
    send({
      type: "query", id: ++lastId, now: Date.now(), filters: filters, gcj: useGcj, near: NEAR_COUNT, origin: origin,
      bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], zoom: Math.round(map.getZoom())
    });
  }
  /* coordinates: engine.js (loaded before this file) holds the one copy of the GCJ-02 formula */
  var gcj = window.LocatorEngine.gcj;
  function gcjInverse(lon, lat) {
    var w = [lon, lat];
    for (var k = 0; k < 30; k++) {
      var f = gcj(w[0], w[1]), ex = f[0] - lon, ey = f[1] - lat;
      w = [w[0] - ex, w[1] - ey];
      if (Math.abs(ex) < 1e-10 && Math.abs(ey) < 1e-10) { break; }
    }
    return { lat: w[1], lon: w[0] };
  }

  handlers.ready = function () { ready = true; query(); };
  handlers.result = function (m) {
    if (m.id !== lastId) { return; }
    layer.clearLayers();
    m.items.forEach(function (it) {
      if (it.c !== undefined) {
        var cm = L.marker(it.at, { icon: clusterIcon(it.n), title: it.n + " 个站点", alt: it.n + " 个站点", keyboard: true });
        cm.on("click", function () { send({ type: "expand", c: it.c, at: it.at }); });
        layer.addLayer(cm);
      } else {
        var pm = L.marker(it.at, { icon: pinIcon(it.t, it.cls), title: it.name, alt: it.name, keyboard: true });
        pm.on("click", function () { openStation(it.i); });
        layer.addLayer(pm);
      }
    });
    count.textContent = "显示 " + m.shown + " / " + m.total + " 个站点";
    document.body.setAttribute("data-shown", String(m.shown));
    renderNear(m.near);
    document.body.setAttribute("data-ready", "1");
  };
  handlers.expand = function (m) { map.setView(m.at, m.zoom); };
  var popupAt = null;
  handlers.station = function (m) {
    var d = m.detail;
    popupAt = d.at;
    /* pan the popup clear of the search panel above and the nearest list below, once the map has
       settled (Leaflet skips its auto-pan while a zoom animation runs) */
    var show = function () {
      var top = document.querySelector(".lc-panel"), bottom = document.querySelector(".lc-near");
      L.popup({
        maxWidth: 300,
        autoPanPaddingTopLeft: [16, (top ? top.getBoundingClientRect().bottom : 48) + 16],
        autoPanPaddingBottomRight: [16, (bottom ? window.innerHeight - bottom.getBoundingClientRect().top : 48) + 16]
      }).setLatLng(d.at).setContent(popupFor(d)).openOn(map);
    };
    if (map.getZoom() < 16) { map.once("moveend", show); map.setView(d.at, 16); } else { show(); }
  };
  function openStation(i) { send({ type: "station", i: i, now: Date.now(), gcj: useGcj }); }

  function amapLink(d, mode) {
    return "https://uri.amap.com/navigation?to=" + d.glon.toFixed(6) + "," + d.glat.toFixed(6) + "," + encodeURIComponent(d.name) +
      "&mode=" + mode + "&coordinate=gaode&callnative=1&src=nuanxin-station-map";
  }
  /* "010-12351 / 13800138000", "010-1234；010-5678", "010-1234 转 8" → one entry per number: the
   * text as written (an extension included) and what to dial (digits, "+" and "-" only). */
  var EXTENSION = /\s*(?:转|分机|ext\.?|x)\s*\d+\s*$/i;
  function phoneNumbers(text) {
    var out = [];
    (text || "").split(/[\/／;；、,，|]+/).forEach(function (part) {
      part = part.trim();
      var main = part.replace(EXTENSION, ""), ext = part.slice(main.length), tokens = main.split(/\s+/);
      var separate = tokens.length > 1 && tokens.every(function (t) { return t.replace(/[^0-9]/g, "").length >= 7; });
      (separate ? tokens : [main]).forEach(function (t, k, all) {
        var dial = t.replace(/[^0-9+-]/g, "");
        if (/[0-9]/.test(dial)) { out.push({ text: t + (k === all.length - 1 ? ext : ""), dial: dial }); }
      });
    });
    return out;
  }
  function popupFor(d) {
    var box = el("div", "lc-popup");
    box.appendChild(el("h2", "", d.name));
    box.appendChild(el("p", "lc-type", d.typeZh + (d.district ? " · " + d.district : "")));
    box.appendChild(el("p", "lc-state lc-" + d.stateClass, d.stateText));
    box.appendChild(el("p", "lc-hours", "开放时间：" + d.hoursText));
    if (d.stale) { box.appendChild(el("p", "lc-warn", "节假日安排数据截至 " + d.valid + "，营业状态仅供参考")); }
    if (d.address) { box.appendChild(el("p", "", "地址：" + d.address)); }
    if (d.approx) { box.appendChild(el("p", "lc-warn", "位置为大致位置，请以现场为准")); }
    if (d.amenities.length) {
      var list = el("ul", "lc-amenities");
      d.amenities.forEach(function (a) { list.appendChild(el("li", "", (AMENITY_ICON[a[0]] || "•") + " " + a[1])); });
      box.appendChild(list);
    }
    var actions = el("p", "lc-actions");
    var walk = el("a", "lc-btn lc-nav", "导航 · 步行");
    walk.href = amapLink(d, "walk"); walk.target = "_blank"; walk.rel = "noopener";
    var ride = el("a", "lc-btn", "骑行");
    ride.href = amapLink(d, "ride"); ride.target = "_blank"; ride.rel = "noopener";
    actions.appendChild(walk); actions.appendChild(ride);
    phoneNumbers(d.phone).forEach(function (p) {
      var tel = el("a", "lc-btn lc-tel", "电话 " + p.text);
      tel.href = "tel:" + p.dial;
      actions.appendChild(tel);
    });
    box.appendChild(actions);
    if (d.note) { box.appendChild(el("p", "lc-note", d.note)); }
    box.appendChild(el("p", "lc-source", "来源：" + d.source + (d.verified ? " · 核实于 " + d.verified : " · 尚未现场核实")));
    return box;
  }

  /* ---------- controls ---------- */
  var count = null, message = null, nearList = null, nearTitle = null;
  function refresh() { if (ready) { query(); } }
  function say(text) { message.textContent = text; message.hidden = !text; }

  var Panel = L.Control.extend({
    options: { position: "topleft" },
    onAdd: function () {
      var box = el("div", "lc-panel leaflet-bar");
      box.appendChild(el("h1", "lc-title", P.title || "暖心驿站地图"));
      var row = el("div", "lc-row");
      var search = el("input", "lc-search");
      search.type = "search"; search.placeholder = "搜索站点名称或地址"; search.setAttribute("aria-label", "搜索站点名称或地址");
      search.addEventListener("input", function () { filters.text = search.value.trim(); refresh(); });
      var locBtn = el("button", "lc-row-btn lc-locate", "📍 定位");
      locBtn.type = "button"; locBtn.setAttribute("aria-label", "定位到我的位置");
      locBtn.addEventListener("click", locate);
      var more = el("button", "lc-row-btn", "筛选");
      more.type = "button"; more.setAttribute("aria-expanded", "false"); more.setAttribute("aria-controls", "lc-filters");
      row.appendChild(search); row.appendChild(locBtn); row.appendChild(more);
      box.appendChild(row);
      var extra = el("div", "lc-filters");
      extra.id = "lc-filters"; extra.hidden = true;
      more.addEventListener("click", function () { extra.hidden = !extra.hidden; more.setAttribute("aria-expanded", String(!extra.hidden)); });
      var typeSel = el("select", "lc-type-select");
      typeSel.setAttribute("aria-label", "站点类型");
      typeSel.appendChild(new Option("全部类型", ""));
      P.types.forEach(function (t) { typeSel.appendChild(new Option(t[1], t[0])); });
      typeSel.addEventListener("change", function () { filters.type = typeSel.value; refresh(); });
      extra.appendChild(typeSel);
      var chips = el("div", "lc-chips");
      chips.setAttribute("role", "group"); chips.setAttribute("aria-label", "需要的设施");
      var openBtn = el("button", "lc-chip", "🟢 营业中");
      openBtn.type = "button"; openBtn.setAttribute("aria-pressed", "false");
      openBtn.addEventListener("click", function () {
        filters.openOnly = !filters.openOnly; openBtn.setAttribute("aria-pressed", String(filters.openOnly)); refresh();
      });
      chips.appendChild(openBtn);
      QUICK_AMENITIES.forEach(function (id) {
        var b = el("button", "lc-chip", (AMENITY_ICON[id] || "") + " " + amenityZh[id]);
        b.type = "button"; b.setAttribute("aria-pressed", "false");
        b.addEventListener("click", function () {
          var k = filters.amenities.indexOf(id);
          if (k >= 0) { filters.amenities.splice(k, 1); } else { filters.amenities.push(id); }
          b.setAttribute("aria-pressed", String(k < 0)); refresh();
        });
        chips.appendChild(b);
      });
      extra.appendChild(chips);
      box.appendChild(extra);
      count = el("p", "lc-count", "正在加载站点……");
      count.setAttribute("aria-live", "polite");
      box.appendChild(count);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    }
  });
  new Panel().addTo(map);
  L.control.scale({ imperial: false, position: "topright" }).addTo(map);

  var Near = L.Control.extend({
    options: { position: "bottomleft" },
    onAdd: function () {
      var box = el("section", "lc-near");
      box.setAttribute("aria-label", "离我最近的站点");
      var head = el("div", "lc-near-head");
      nearTitle = el("h2", "", "地图中心附近");
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

  function renderNear(near) {
    nearTitle.textContent = me ? "离我最近" : "地图中心附近";
    while (nearList.firstChild) { nearList.removeChild(nearList.firstChild); }
    near.forEach(function (r) {
      var li = el("li", "lc-near-item lc-" + r.cls), b = el("button", "lc-near-btn");
      b.type = "button";
      b.appendChild(el("span", "lc-near-name", r.name));
      b.appendChild(el("span", "lc-near-meta", (r.d < 1000 ? Math.round(r.d) + " 米" : (r.d / 1000).toFixed(1) + " 公里") + " · " + r.text));
      b.addEventListener("click", function () { openStation(r.i); });
      li.appendChild(b);
      nearList.appendChild(li);
    });
    if (!near.length) { nearList.appendChild(el("li", "lc-near-empty", "没有符合条件的站点")); }
  }

  function locate() {
    if (!window.isSecureContext) {
      say("当前页面不是 HTTPS 网址，手机浏览器不允许定位。请用 https:// 开头的地址打开本地图，或拖动地图查看附近站点。");
      return;
    }
    if (!navigator.geolocation) { say("此浏览器不支持定位，请拖动地图查看附近站点。"); return; }
    say("正在定位……");
    navigator.geolocation.getCurrentPosition(function (pos) {
      me = { lat: pos.coords.latitude, lon: pos.coords.longitude };
      placeMe();
      map.setView(meMarker.getLatLng(), Math.max(map.getZoom(), 15));
      say("");
      refresh();
    }, function (err) {
      if (err.code === 1) { say("定位权限被拒绝。请在浏览器或系统设置中允许本网站使用位置，或拖动地图查看附近站点。"); }
      else if (err.code === 3) { say("定位超时，请到开阔处重试，或拖动地图查看附近站点。"); }
      else { say("暂时无法获取位置，请稍后重试，或拖动地图查看附近站点。"); }
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }
  function placeMe() {
    if (!me) { return; }
    var g = gcj(me.lon, me.lat), ll = useGcj ? [g[1], g[0]] : [me.lat, me.lon];
    if (!meMarker) { meMarker = L.circleMarker(ll, { radius: 8, color: "#fff", weight: 3, fillColor: "#1a73e8", fillOpacity: 1 }).addTo(map); }
    meMarker.setLatLng(ll);
  }
  map.on("moveend", refresh);
  map.on("baselayerchange", function (e) {
    useGcj = e.layer === window[P.layers.amap];
    placeMe();
    map.closePopup();
    refresh();
  });
  setInterval(refresh, 60000); /* open states follow the clock */
  window.LOCATOR_APP = { popupLatLng: function () { return popupAt; }, phoneNumbers: phoneNumbers };
})();
