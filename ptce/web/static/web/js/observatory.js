/* ptce — maps of the hubs (no inline script: CSP script-src 'self').

   [data-observatory-map]: the national map. The server clusters (view
   `observatory:map_data`, built on ptce.actors.clustering): on each move the map asks
   `data-url?bbox=west,south,east,north&zoom=z&<filters>` and draws what comes back, a
   numbered disc per cluster (activating it zooms on its hubs) or a marker per hub (opens
   its page). Markers are Leaflet markers: reachable with Tab, activated with Enter. When
   the directory's filters change (htmx swaps #hub-results), the map takes the new filters
   from `.hub-results[data-query]` and fits the hubs they select.

   [data-hub-map]: a hub's page. Draws the GeoJSON of the json_script element named by
   data-geojson: the perimeter outline (role "perimeter"), the hub (role "hub") and its
   members' establishments (role "member") as discs. */
(function () {
  "use strict";

  var FRANCE = [[41.3, -5.2], [51.2, 9.7]];
  var PERIMETER = { color: "#1d4f8c", weight: 2, fillColor: "#1d4f8c", fillOpacity: 0.1 };
  var HUB = { radius: 9, color: "#ffffff", weight: 2, fillColor: "#13304f", fillOpacity: 1 };
  var MEMBER = { radius: 6, color: "#13304f", weight: 1.5, fillColor: "#6fa8dc", fillOpacity: 0.9 };

  function addTiles(map, element) {
    if (element.dataset.tilesUrl) {
      L.tileLayer(element.dataset.tilesUrl, {
        attribution: element.dataset.tilesAttribution || "",
        maxZoom: 18
      }).addTo(map);
    }
  }

  // A container restored by htmx's history cache holds a dead map's markup: start afresh.
  function fresh(element) {
    if (element._leaflet_id) {
      return false;
    }
    if (element.classList.contains("leaflet-container")) {
      element.innerHTML = "";
      element.className = element.className.replace(/\bleaflet-\S+/g, "").trim();
    }
    return true;
  }

  // ---- the national map -------------------------------------------------------------------

  var observatory = null;

  function clusterIcon(count) {
    var size = count < 10 ? 34 : count < 50 ? 42 : 50;
    var span = document.createElement("span");
    span.textContent = String(count);
    return L.divIcon({
      className: "hub-cluster hub-cluster--" + (count < 10 ? "s" : count < 50 ? "m" : "l"),
      html: span.outerHTML,
      iconSize: [size, size]
    });
  }

  var HUB_ICON = null;

  function hubIcon() {
    if (!HUB_ICON) {
      HUB_ICON = L.divIcon({ className: "hub-marker", html: "", iconSize: [18, 18] });
    }
    return HUB_ICON;
  }

  // A marker acts on a click, and on Enter or Space when it has the keyboard focus
  // (Leaflet makes it a focusable role="button" but only clicks it with the mouse).
  function activate(marker, action) {
    marker.on("click", function () {
      action(false);
    });
    marker.on("keydown", function (event) {
      var key = event.originalEvent.key;
      if (key === "Enter" || key === " ") {
        event.originalEvent.preventDefault();
        action(true);
      }
    });
  }

  function observatoryMap(element) {
    var map = L.map(element, { scrollWheelZoom: false, zoomSnap: 1, minZoom: 3 });
    addTiles(map, element);
    var layer = L.layerGroup().addTo(map);
    var status = document.getElementById("map-status");
    var state = { query: element.dataset.query || "", refit: false, sequence: 0 };

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function draw(data) {
      layer.clearLayers();
      data.features.forEach(function (feature) {
        var coords = feature.geometry.coordinates;
        var props = feature.properties || {};
        var position = [coords[1], coords[0]];
        var marker;
        if (props.cluster) {
          marker = L.marker(position, {
            icon: clusterIcon(props.count),
            title: (element.dataset.labelZoom || "") + " " + props.count + " " +
              (element.dataset.labelHubs || ""),
            riseOnHover: true
          });
          activate(marker, function (byKeyboard) {
            var b = feature.bbox;
            if (b && (b[0] !== b[2] || b[1] !== b[3])) {
              map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [48, 48] });
            } else {
              map.setView(position, Math.min(map.getZoom() + 3, 16));
            }
            if (byKeyboard) {
              element.focus(); // the markers are redrawn: Tab reaches the new ones
            }
          });
        } else {
          var name = props.name + (props.commune ? " — " + props.commune : "");
          marker = L.marker(position, { icon: hubIcon(), title: name, riseOnHover: true });
          marker.bindTooltip(name, { direction: "top", offset: [0, -8] });
          activate(marker, function () {
            window.location.assign(props.url);
          });
        }
        marker.addTo(layer);
      });
      element.dataset.zoom = String(map.getZoom());
      element.dataset.total = String(data.total);
      element.dataset.all = String(data.all);
      element.dataset.mapReady = "true";
      var template = (data.total > 1 ? element.dataset.statusMany : element.dataset.statusOne) || "";
      say(template.replace("{n}", String(data.total)).replace("{all}", String(data.all)));
    }

    function load() {
      var bounds = map.getBounds();
      var bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
        .map(function (v) { return v.toFixed(5); })
        .join(",");
      var url = element.dataset.url + "?bbox=" + bbox + "&zoom=" + Math.round(map.getZoom()) +
        (state.query ? "&" + state.query : "");
      var mine = ++state.sequence;
      element.setAttribute("aria-busy", "true");
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (data) {
          if (mine !== state.sequence) {
            return;
          }
          element.removeAttribute("aria-busy");
          var extent = data.extent;
          if (state.refit && extent) {
            state.refit = false;
            var target = L.latLngBounds([[extent[1], extent[0]], [extent[3], extent[2]]]);
            if (!map.getBounds().contains(target) || map.getZoom() < 5) {
              map.fitBounds(target, { padding: [40, 40], maxZoom: 9 });
              return; // the move loads again
            }
          }
          state.refit = false;
          draw(data);
        })
        .catch(function () {
          element.removeAttribute("aria-busy");
        });
    }

    map.on("moveend", load);
    map.fitBounds(FRANCE);
    element.observatory = {
      setQuery: function (query) {
        if (query === state.query) {
          return;
        }
        state.query = query;
        state.refit = true;
        load();
      }
    };
    observatory = element;
  }

  // ---- a hub's map ---------------------------------------------------------------------------

  function readData(element) {
    var source = document.getElementById(element.dataset.geojson || "");
    if (!source) {
      return null;
    }
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
  }

  function roleOf(feature) {
    return (feature.properties && feature.properties.role) || "";
  }

  function hubMap(element) {
    var data = readData(element);
    if (!data) {
      return;
    }
    var map = L.map(element, { scrollWheelZoom: false, zoomSnap: 0.25 });
    addTiles(map, element);
    var outline = L.geoJSON(data, {
      filter: function (feature) { return roleOf(feature) === "perimeter"; },
      style: function () { return PERIMETER; },
      interactive: false
    }).addTo(map);
    function discs(role, style) {
      return L.geoJSON(data, {
        filter: function (feature) { return roleOf(feature) === role; },
        pointToLayer: function (feature, latlng) { return L.circleMarker(latlng, style); },
        onEachFeature: function (feature, layer) {
          if (feature.properties && feature.properties.name) {
            layer.bindTooltip(feature.properties.name);
          }
        }
      });
    }
    // The members' discs first, the hub's own on top.
    var points = L.featureGroup([discs("member", MEMBER), discs("hub", HUB)]).addTo(map);
    var bounds = outline.getBounds();
    var pointBounds = points.getBounds();
    if (pointBounds.isValid()) {
      bounds = bounds.isValid() ? bounds.extend(pointBounds) : pointBounds;
    }
    if (bounds.isValid() && !bounds.getNorthEast().equals(bounds.getSouthWest())) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 13 });
    } else if (bounds.isValid()) {
      map.setView(bounds.getCenter(), 11);
    } else {
      map.fitBounds(FRANCE);
    }
    element.dataset.mapReady = "true";
  }

  function init() {
    if (typeof L === "undefined") {
      return;
    }
    document.querySelectorAll("[data-observatory-map]").forEach(function (element) {
      if (fresh(element)) {
        observatoryMap(element);
      }
    });
    document.querySelectorAll("[data-hub-map]").forEach(function (element) {
      if (fresh(element)) {
        hubMap(element);
      }
    });
  }

  // The directory's filters changed: the map follows.
  document.addEventListener("htmx:afterSwap", function () {
    var results = document.querySelector(".hub-results[data-query]");
    if (observatory && results && observatory.observatory) {
      observatory.observatory.setQuery(results.dataset.query);
    }
  });
  document.addEventListener("htmx:historyRestore", init);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
