/* ptce — maps: every element with [data-map] draws the GeoJSON found in the json_script
   element named by its data-geojson attribute, over the tiles named by data-tiles-url.
   Without tiles (offline, intranet) the outlines still show on the container's background.

   Feature properties used: name (tooltip), url (a click opens it), role ("commune" and
   "member" are drawn strongly and framed; "neighbour" lightly, as context). */
(function () {
  "use strict";

  var STYLES = {
    commune: { color: "#1d4f8c", weight: 3, fillColor: "#1d4f8c", fillOpacity: 0.18 },
    member: { color: "#1d4f8c", weight: 2, fillColor: "#1d4f8c", fillOpacity: 0.14 },
    neighbour: { color: "#5b6b7c", weight: 1.5, fillColor: "#9aa5b1", fillOpacity: 0.08, dashArray: "4 3" }
  };
  var HOVER = { weight: 4, fillOpacity: 0.32 };
  var FRAMED = { commune: true, member: true, "": true };

  function roleOf(feature) {
    return (feature.properties && feature.properties.role) || "";
  }

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

  function onEachFeature(feature, layer) {
    var props = feature.properties || {};
    if (props.name) {
      layer.bindTooltip(props.name, { sticky: true });
    }
    if (props.url) {
      layer.on("click", function () {
        window.location.assign(props.url);
      });
      layer.on("mouseover", function () {
        layer.setStyle(HOVER);
      });
      layer.on("mouseout", function () {
        layer.setStyle(STYLES[roleOf(feature)] || STYLES.member);
      });
    }
  }

  function draw(element) {
    var data = readData(element);
    if (!data || typeof L === "undefined") {
      return;
    }
    var map = L.map(element, { scrollWheelZoom: false, zoomSnap: 0.25 });
    if (element.dataset.tilesUrl) {
      L.tileLayer(element.dataset.tilesUrl, {
        attribution: element.dataset.tilesAttribution || "",
        maxZoom: 18
      }).addTo(map);
    }
    var context = L.geoJSON(data, {
      filter: function (feature) { return !FRAMED[roleOf(feature)]; },
      style: function () { return STYLES.neighbour; },
      onEachFeature: onEachFeature
    }).addTo(map);
    var main = L.geoJSON(data, {
      filter: function (feature) { return !!FRAMED[roleOf(feature)]; },
      style: function (feature) { return STYLES[roleOf(feature)] || STYLES.member; },
      onEachFeature: onEachFeature
    }).addTo(map);
    var bounds = main.getBounds();
    if (!bounds.isValid()) {
      bounds = context.getBounds();
    }
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16] });
    } else {
      map.setView([46.6, 2.4], 5);  // metropolitan France
    }
    element.dataset.mapReady = "true";
  }

  function init() {
    document.querySelectorAll("[data-map]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
