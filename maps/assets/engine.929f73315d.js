/* 暖心驿站地图 — the page's engine: station data, filters, open state, clustering, nearest list.
 *
 * Runs in a Web Worker on served pages, so parsing 30,000 stations and clustering them never
 * blocks the map; pages opened from disk (where browsers forbid workers) run the same code on
 * the main thread. Every request carries `now` from the page, so the page's clock is the truth.
 * Open state: Beijing time, from schedules precomputed with the Chinese holiday table (weekly
 * template + dated exceptions, see locator/schedule.py).
 */
(function (root) {
  "use strict";

  var DAY = 86400000, BJ = 8 * 3600000, PI = Math.PI, A = 6378245.0, EE = 0.00669342162296594323;

  /* WGS-84 → GCJ-02, the same public-domain formula as locator/coords.py */
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
  function metres(lat1, lon1, lat2, lon2) {
    var r = PI / 180, dp = (lat2 - lat1) * r, dl = (lon2 - lon1) * r;
    var a = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dl / 2) * Math.sin(dl / 2);
    return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function createEngine(D, post) {
    var n = D.s.length;
    var lon = new Float64Array(n), lat = new Float64Array(n), glon = new Float64Array(n), glat = new Float64Array(n);
    var type = new Int8Array(n), hours = new Int32Array(n), flags = new Int8Array(n), mask = new Float64Array(n);
    var names = new Array(n), addresses = new Array(n);
    for (var i = 0; i < n; i++) {
      var r = D.s[i];
      lon[i] = r[6] / 1e6; lat[i] = r[7] / 1e6;
      var g = gcj(lon[i], lat[i]);
      glon[i] = g[0]; glat[i] = g[1];
      type[i] = r[2]; mask[i] = r[3]; hours[i] = r[4]; flags[i] = r[5];
      names[i] = r[1]; addresses[i] = r[10] || "";
    }
    var amenityBit = {};
    D.amenities.forEach(function (a, k) { amenityBit[a[0]] = k; });
    function has(i, amenity) { return Math.floor(mask[i] / Math.pow(2, amenityBit[amenity])) % 2 === 1; }

    /* ---- open state: the API's HoursBook, minute for minute (tests/maps/test_agreement.py) ----
     * A schedule span is [start, end] (open) or [start, end, -1] (unknown), minutes after Beijing
     * midnight; time outside every span is closed. Days of the encoded range differ from the weekly
     * template only where `x` says so. The state at a moment is the state of the span holding it;
     * the next change is the first later minute with another state, reported within `D.ahead` days. */
    var ahead = D.ahead || 366;
    /* past the encoded range only the weekly template is known (no dated or year-ranged rules, no
     * holidays): a change there is not claimed, and the state carries the stale-data note */
    var rangeEnd = D.range ? Date.parse(D.range[1] + "T00:00:00+08:00") + DAY : Infinity;
    D.hours.forEach(function (h) {
      h.xd = {};
      Object.keys(h.x).forEach(function (k) { h.xd[Math.round(Date.parse(k + "T00:00:00Z") / DAY)] = h.x[k]; });
    });
    function spansOn(h, day) {
      var x = h.xd[day];
      return x !== undefined ? x : h.w[((day + 3) % 7 + 7) % 7]; /* day 0 = Thursday 1970-01-01 */
    }
    function code(sp) { return sp.length > 2 ? sp[2] : 1; }
    function hoursState(h, ms) {
      var bj = ms + BJ, day = Math.floor(bj / DAY), minute = Math.floor((bj - day * DAY) / 60000);
      var today = spansOn(h, day), cur = 0;
      for (var k = 0; k < today.length; k++) {
        if (today[k][0] <= minute && minute < today[k][1]) { cur = code(today[k]); break; }
      }
      function found(d, m, next) {
        var change = (day + d) * DAY + m * 60000 - BJ;
        if (change - ms > ahead * DAY || change >= rangeEnd) { change = null; next = null; } /* horizon, range */
        return { open: cur === 1 ? true : cur === 0 ? false : null, change: change, next: next, known: true };
      }
      for (var d = 0; d <= ahead; d++) {
        var spans = d === 0 ? today : spansOn(h, day + d), pos = d === 0 ? minute : 0;
        for (var j = 0; j < spans.length; j++) {
          var sp = spans[j];
          if (sp[1] <= pos) { continue; }
          if (sp[0] > pos) {
            if (cur !== 0) { return found(d, pos, 0); }
            pos = sp[0];
          }
          if (code(sp) !== cur) { return found(d, pos, code(sp)); }
          pos = sp[1];
        }
        if (pos < 1440 && cur !== 0) { return found(d, pos, 0); }
      }
      return { open: cur === 1 ? true : cur === 0 ? false : null, change: null, next: null, known: true };
    }
    var cache = { minute: -1, byHours: [] };
    function state(i, now) {
      if (flags[i] & 1) { return { open: false, change: null, temp: true }; }
      if (hours[i] < 0) { return { open: null, change: null, known: false }; }
      var minute = Math.floor(now / 60000);
      if (cache.minute !== minute) { cache = { minute: minute, byHours: [] }; }
      var s = cache.byHours[hours[i]];
      if (!s) { s = cache.byHours[hours[i]] = hoursState(D.hours[hours[i]], minute * 60000); }
      return s;
    }
    function clock(ms) { var d = new Date(ms + BJ); return pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()); }
    function when(ms, now) {
      var today = Math.floor((now + BJ) / DAY), day = Math.floor((ms + BJ) / DAY), d = new Date(ms + BJ);
      var year = new Date(now + BJ).getUTCFullYear() === d.getUTCFullYear() ? "" : d.getUTCFullYear() + "年";
      var prefix = day === today ? "" : day === today + 1 ? "明天 " : year + (d.getUTCMonth() + 1) + "月" + d.getUTCDate() + "日 ";
      return prefix + clock(ms);
    }
    function stateText(s, now) {
      if (s.temp) { return "暂停开放"; }
      if (s.open === null && !s.known) { return "开放时间未知"; }
      var head = s.open === true ? "营业中" : s.open === false ? "已关门" : "时间未知";
      if (!s.change) { return head; }
      var what = s.next === 1 ? " 开门" : s.next === 0 ? " 关门" : " 起时间未知";
      return head + " · " + when(s.change, now) + what;
    }
    function stateClass(s) { return s.open === true ? "open" : s.open === false ? "closed" : "unknown"; }

    /* ---- filters and clustering ---- */
    var shown = [], index = null, builtFor = "";
    function rebuild(q) {
      var f = q.filters, key = JSON.stringify([f, q.gcj, f.openOnly ? Math.floor(q.now / 60000) : 0]);
      if (key === builtFor) { return; }
      builtFor = key;
      shown = [];
      for (var i = 0; i < n; i++) {
        if (f.type && D.types[type[i]][0] !== f.type) { continue; }
        var ok = true;
        for (var k = 0; k < f.amenities.length && ok; k++) { ok = has(i, f.amenities[k]); }
        if (!ok) { continue; }
        if (f.text && names[i].indexOf(f.text) < 0 && addresses[i].indexOf(f.text) < 0) { continue; }
        if (f.openOnly && state(i, q.now).open !== true) { continue; }
        shown.push(i);
      }
      var points = shown.map(function (i) {
        return { type: "Feature", properties: { i: i }, geometry: { type: "Point", coordinates: q.gcj ? [glon[i], glat[i]] : [lon[i], lat[i]] } };
      });
      /* radius in screen pixels on 256-px tiles: 44-px cluster icons never overlap */
      index = new root.Supercluster({ radius: 64, extent: 256, maxZoom: 16, minZoom: 0 }).load(points);
    }
    function nearest(q) {
      if (!q.origin) { return []; }
      var o = q.origin, best = [];
      for (var k = 0; k < shown.length; k++) {
        var i = shown[k], d = metres(o.lat, o.lon, lat[i], lon[i]);
        if (best.length < q.near || d < best[best.length - 1].d) {
          best.push({ i: i, d: d });
          best.sort(function (a, b) { return a.d - b.d; });
          if (best.length > q.near) { best.pop(); }
        }
      }
      return best.map(function (b) {
        var s = state(b.i, q.now);
        return { i: b.i, name: names[b.i], d: b.d, text: stateText(s, q.now), cls: stateClass(s) };
      });
    }

    function detail(i, now, gcjOn) {
      var r = D.s[i], s = state(i, now), amen = [];
      D.amenities.forEach(function (a) { if (has(i, a[0])) { amen.push(a); } });
      return {
        i: i, id: r[0], name: r[1], type: D.types[r[2]][0], typeZh: D.types[r[2]][1],
        district: r[9] >= 0 ? D.districts[r[9]] : "", address: r[10] || "", phone: r[11] || "",
        verified: r[12] || "", note: r[13] || "", source: r[8] >= 0 ? D.sources[r[8]] : "",
        approx: (flags[i] & 2) === 2, hoursText: hours[i] >= 0 ? D.hours[hours[i]].t : "未知",
        stateText: stateText(s, now), stateClass: stateClass(s), amenities: amen,
        glon: glon[i], glat: glat[i], at: gcjOn ? [glat[i], glon[i]] : [lat[i], lon[i]],
        stale: now > Date.parse(D.valid[1] + "T23:59:59+08:00"), valid: D.valid[1]
      };
    }

    return function handle(m) {
      if (m.type === "init") {
        post({ type: "ready", total: n, valid: D.valid });
      } else if (m.type === "query") {
        rebuild(m);
        var items = index.getClusters(m.bbox, m.zoom).map(function (f) {
          var c = f.geometry.coordinates;
          if (f.properties.cluster) { return { c: f.properties.cluster_id, n: f.properties.point_count, at: [c[1], c[0]] }; }
          var i = f.properties.i, s = state(i, m.now);
          return { i: i, t: D.types[type[i]][0], cls: stateClass(s), name: names[i], at: [c[1], c[0]] };
        });
        post({ type: "result", id: m.id, shown: shown.length, total: n, items: items, near: nearest(m) });
      } else if (m.type === "station") {
        post({ type: "station", detail: detail(m.i, m.now, m.gcj) });
      } else if (m.type === "states") {
        /* open state and next change of every station at each moment (for tests and tools) */
        post({ type: "states", rows: m.moments.map(function (t) {
          var row = [];
          for (var i = 0; i < n; i++) { var s = state(i, t); row.push([D.s[i][0], s.open, s.change]); }
          return row;
        }) });
      } else if (m.type === "expand") {
        post({ type: "expand", zoom: Math.min(index.getClusterExpansionZoom(m.c), 18), at: m.at });
      }
    };
  }

  root.LocatorEngine = createEngine;
  createEngine.gcj = gcj; /* for app.js: one copy of the formula on the page */
  if (typeof WorkerGlobalScope !== "undefined" && root instanceof WorkerGlobalScope) {
    var engine = null;
    root.onmessage = function (e) {
      var m = e.data;
      if (m.type === "init") {
        root.importScripts(m.supercluster, m.data);
        engine = createEngine(root.LOCATOR_DATA, function (r) { root.postMessage(r); });
      }
      engine(m);
    };
  }
})(typeof self !== "undefined" ? self : this);
