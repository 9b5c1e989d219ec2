/* ptce — financing: the map of a campaign's investors by commune. One disc per commune at
   its centroid, its area proportional to the number of investors; filled when the commune
   is in the hub's perimeter. Data: the json_script element named by data-points. */
(function () {
  "use strict";

  var LANG = document.documentElement.lang || "fr";

  function euros(cents) {
    // the page's language writes the amount: "1 200 €" in French, "€1,200" in English
    return Math.round(cents / 100).toLocaleString(LANG === "fr" ? "fr-FR" : LANG, {
      style: "currency",
      currency: "EUR",
      maximumFractionDigits: 0,
    });
  }

  function draw(element) {
    var source = document.getElementById(element.dataset.points || "");
    if (!source || typeof L === "undefined") {
      return;
    }
    var points;
    try {
      points = JSON.parse(source.textContent);
    } catch (error) {
      return;
    }
    var map = L.map(element, { scrollWheelZoom: false, zoomSnap: 0.25 });
    if (element.dataset.tilesUrl) {
      L.tileLayer(element.dataset.tilesUrl, {
        attribution: element.dataset.tilesAttribution || "",
        maxZoom: 18
      }).addTo(map);
    }
    var max = 1;
    points.forEach(function (p) { max = Math.max(max, p.investors); });
    var layer = L.featureGroup();
    points.forEach(function (p) {
      var radius = 4 + 22 * Math.sqrt(p.investors / max);
      L.circleMarker([p.lat, p.lon], {
        radius: radius,
        color: "#1d4f8c",
        weight: 1.5,
        fillColor: p.local ? "#1d4f8c" : "#ffffff",
        fillOpacity: p.local ? 0.45 : 0.6
      }).bindTooltip(
        p.nom + " : " + p.investors + (p.investors > 1 ? " investisseurs, " : " investisseur, ") +
        euros(p.amount_cents)
      ).addTo(layer);
    });
    layer.addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 11 });
    } else {
      map.setView([46.6, 2.4], 5);
    }
  }

  function init() {
    document.querySelectorAll("[data-campaign-map]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
