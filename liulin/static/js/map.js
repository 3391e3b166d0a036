// Maps of the community (Leaflet): its grids and buildings drawn as shapes on a plain
// background, tiles only when the deployment names a tile server (data-tiles). Three uses:
//   pick  - in a form with lat/lon inputs: tapping the map fills them (they stay the no-JS way);
//   show  - one place (data-lat, data-lon), e.g. a ticket's;
//   queue - the tickets listed on the page (JSON in #queue-markers), each a link to its ticket;
//   shade - the grids coloured by a figure (JSON in the element named by data-figures: rows of
//           {code, name, open, total}); tapping a grid names its figures and jumps to its row.
// Every page works without this file.
(function () {
  "use strict";
  if (typeof L === "undefined") return;
  var en = document.documentElement.lang === "en";
  function t(zh, english) { return en ? english : zh; }
  var GRID = { color: "#7a0012", weight: 2, fillColor: "#b3001b", fillOpacity: 0.06, interactive: false };
  var BUILDING = { radius: 5, color: "#333", weight: 1, fillColor: "#767676", fillOpacity: 0.7, interactive: false };
  var PLACE = { radius: 11, color: "#fff", weight: 3, fillColor: "#005fcc", fillOpacity: 1 };
  var cache = {};

  function features(url) {
    if (!url) return Promise.resolve({ grids: [], buildings: [] });
    if (!cache[url]) {
      cache[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { grids: [], buildings: [] }; })
        .catch(function () { return { grids: [], buildings: [] }; });
    }
    return cache[url];
  }

  function number(value) {
    var n = parseFloat(value);
    return isFinite(n) ? n : null;
  }

  function baseMap(box) {
    var map = L.map(box, { attributionControl: !!box.dataset.tiles, scrollWheelZoom: false, zoomSnap: 0.5 });
    if (box.dataset.tiles) {
      L.tileLayer(box.dataset.tiles, { attribution: box.dataset.tilesAttribution || "", maxZoom: 19 }).addTo(map);
    }
    map.setView([0, 0], 2);
    return map;
  }

  function draw(map, data) {
    var bounds = L.latLngBounds([]);
    (data.grids || []).forEach(function (grid) {
      var layer = L.geoJSON(grid.boundary, { style: GRID, interactive: false }).addTo(map);
      bounds.extend(layer.getBounds());
    });
    (data.buildings || []).forEach(function (b) {
      L.circleMarker([b.lat, b.lon], BUILDING).addTo(map);
      bounds.extend([b.lat, b.lon]);
    });
    return bounds;
  }

  function fit(map, bounds, points) {
    points.forEach(function (p) { bounds.extend(p); });
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [12, 12], maxZoom: 18 });
    }
  }

  // Draw once the box is on screen: Leaflet measures its box, and a hidden one measures 0.
  function whenShown(box, start) {
    if (box.offsetParent !== null) { start(); return; }
    var form = box.closest("form");
    var started = false;
    function check() {
      if (!started && box.offsetParent !== null) { started = true; start(); }
    }
    (form || document).addEventListener("change", function () { window.setTimeout(check, 0); });
  }

  function pick(box) {
    var form = box.closest("form");
    var lat = form.querySelector('[name="lat"]');
    var lon = form.querySelector('[name="lon"]');
    var status = document.createElement("p");
    status.className = "helptext";
    status.setAttribute("role", "status");
    box.insertAdjacentElement("afterend", status);
    whenShown(box, function () {
      var map = baseMap(box);
      var marker = null;
      function place(latlng) {
        if (marker) marker.setLatLng(latlng);
        else marker = L.circleMarker(latlng, PLACE).addTo(map);
      }
      var start = number(lat.value) !== null && number(lon.value) !== null ? [number(lat.value), number(lon.value)] : null;
      if (start) place(start);
      features(box.dataset.mapUrl).then(function (data) { fit(map, draw(map, data), start ? [start] : []); });
      map.on("click", function (event) {
        place(event.latlng);
        lat.value = event.latlng.lat.toFixed(6);
        lon.value = event.latlng.lng.toFixed(6);
        var point = form.querySelector('input[name="where"][value="point"]');
        if (point && !point.checked) point.checked = true;
        status.textContent = t("已选定位置，可再点一下修改。", "Place chosen; tap again to change it.");
      });
      [lat, lon].forEach(function (input) {
        input.addEventListener("change", function () {
          var a = number(lat.value), b = number(lon.value);
          if (a !== null && b !== null) { place([a, b]); map.panTo([a, b]); }
        });
      });
    });
  }

  function show(box) {
    var here = [number(box.dataset.lat), number(box.dataset.lon)];
    var map = baseMap(box);
    var points = [];
    if (here[0] !== null && here[1] !== null) {
      L.circleMarker(here, Object.assign({}, PLACE, { interactive: false })).addTo(map);
      points.push(here);
    }
    features(box.dataset.mapUrl).then(function (data) {
      fit(map, draw(map, data), points);
      if (points.length) map.setView(here, Math.max(map.getZoom(), 16));
    });
  }

  function queue(box) {
    var map = baseMap(box);
    var markers = L.layerGroup().addTo(map);
    var shapes = null;
    function tickets() {
      var node = document.getElementById(box.dataset.markers);
      try { return node ? JSON.parse(node.textContent) : []; } catch (e) { return []; }
    }
    function refresh() {
      markers.clearLayers();
      var points = [];
      tickets().forEach(function (ticket) {
        var m = L.circleMarker([ticket.lat, ticket.lon], PLACE).addTo(markers);
        m.bindTooltip(ticket.number, { direction: "top" });
        m.on("click", function () { window.location.href = ticket.url; });
        points.push([ticket.lat, ticket.lon]);
      });
      box.dataset.count = String(points.length);
      if (shapes) fit(map, L.latLngBounds(shapes.getSouthWest(), shapes.getNorthEast()), points);
      return points;
    }
    features(box.dataset.mapUrl).then(function (data) {
      shapes = draw(map, data);
      if (!shapes.isValid()) shapes = L.latLngBounds([]);
      refresh();
      if (!shapes.isValid() && !tickets().length) map.setView([0, 0], 2);
    });
    document.body.addEventListener("htmx:afterSwap", function () { if (shapes) refresh(); });
  }

  function shade(box) {
    var node = document.getElementById(box.dataset.figures);
    var rows = {};
    var top = 0;
    try { (node ? JSON.parse(node.textContent) : []).forEach(function (r) { rows[r.code] = r; top = Math.max(top, r.open); }); }
    catch (e) { rows = {}; }
    var map = baseMap(box);
    features(box.dataset.mapUrl).then(function (data) {
      var bounds = L.latLngBounds([]);
      (data.grids || []).forEach(function (grid) {
        var row = rows[grid.code] || { open: 0, total: 0, name: grid.name };
        var share = top ? row.open / top : 0;
        var layer = L.geoJSON(grid.boundary, {
          style: { color: "#7a0012", weight: 2, fillColor: "#b3001b", fillOpacity: 0.08 + 0.6 * share }
        }).addTo(map);
        layer.bindTooltip(grid.name + " · " + t("在办 ", "open ") + row.open + " / " + t("累计 ", "total ") + row.total);
        layer.on("click", function () { window.location.hash = "grid-" + grid.code; });
        bounds.extend(layer.getBounds());
      });
      box.dataset.count = String((data.grids || []).length);
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12], maxZoom: 18 });
    });
  }

  function init() {
    document.querySelectorAll("form[data-map-url]").forEach(function (form) {
      var lat = form.querySelector('[name="lat"]');
      if (!lat || form.querySelector(".map")) return;
      var box = document.createElement("div");
      box.className = "map";
      box.dataset.map = "pick";
      box.dataset.mapUrl = form.dataset.mapUrl;
      if (form.dataset.tiles) {
        box.dataset.tiles = form.dataset.tiles;
        box.dataset.tilesAttribution = form.dataset.tilesAttribution || "";
      }
      box.setAttribute("role", "application");
      box.setAttribute("aria-label", t("地图：点一下问题所在的位置", "Map: tap where the problem is"));
      var hint = document.createElement("p");
      hint.className = "helptext";
      hint.textContent = t("在地图上点一下问题所在的位置，经纬度会自动填好。", "Tap the map where the problem is; latitude and longitude fill in.");
      var field = lat.closest("div") || lat.parentNode;
      field.insertBefore(box, field.firstChild);
      field.insertBefore(hint, box);
    });
    document.querySelectorAll(".map[data-map]").forEach(function (box) {
      if (box.dataset.started) return;
      box.dataset.started = "1";
      ({ pick: pick, show: show, queue: queue, shade: shade })[box.dataset.map](box);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
