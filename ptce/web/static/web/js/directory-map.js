/* ptce — the maps of the actor directory (no inline script: CSP script-src 'self').

   [data-directory-map] — the search map. Its settings (API addresses, French labels) are
   in the json_script element named by data-config. The current filters, as the API's
   query string, and the extent of the matching points are in the data-query and
   data-bounds attributes of the element named by data-state, which the server renders
   again with every result list (an htmx swap drops <script> elements, json_script
   included, so these are attributes). On each
   move or zoom, and when the filters change, the map asks /api/v1/map/establishments for
   the viewport (bbox, zoom and the same filters), aborting the request still running.
   The answer is either clusters — circles sized by their count, labelled with it; a click
   (or Enter on the label) zooms on the cluster — or points: small circles, one per
   position; a click fetches the organisation(s) there and opens a popup with a link.

   [data-establishments-map] — an organisation's establishments, from the GeoJSON in the
   json_script named by data-geojson, coloured by the precision of their position.

   Both draw over the tiles named by data-tiles-url; without tiles (offline, intranet) the
   markers still show on the container's background. */
(function () {
  "use strict";

  var FRANCE = [[41.3, -5.2], [51.1, 9.6]];
  var MAX_ZOOM = 18;
  var POPUP_MAX = 8; // organisations fetched for one position
  var PRECISION_COLOURS = {
    exact: "#146c43",
    address: "#1d4f8c",
    commune: "#8a4b00",
    none: "#4f5b69"
  };

  function readJSON(id) {
    var source = id ? document.getElementById(id) : null;
    if (!source) {
      return null;
    }
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
  }

  function format(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : match;
    });
  }

  var LANG = document.documentElement.lang || "fr";

  function number(n) {
    return Number(n).toLocaleString(LANG === "fr" ? "fr-FR" : LANG);
  }

  // The label for n: labels[key + "One"] when the language says "one" for n (French: 0
  // and 1), else labels[key].
  function plural(labels, key, n) {
    var one = false;
    try {
      one = new Intl.PluralRules(LANG).select(n) === "one";
    } catch (error) {
      one = n === 1;
    }
    return (one && labels[key + "One"]) || labels[key];
  }

  function addTiles(map, element) {
    if (element.dataset.tilesUrl) {
      L.tileLayer(element.dataset.tilesUrl, {
        attribution: element.dataset.tilesAttribution || "",
        maxZoom: MAX_ZOOM
      }).addTo(map);
    }
  }

  function latLngBounds(box) {
    // box: [west, south, east, north]
    return L.latLngBounds([box[1], box[0]], [box[3], box[2]]);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  // ---- the search map -------------------------------------------------------------------

  function readState(id) {
    var source = id ? document.getElementById(id) : null;
    if (!source) {
      return null;
    }
    var bounds = (source.dataset.bounds || "").split(",").map(Number);
    return {
      query: source.dataset.query || "",
      bounds: bounds.length === 4 && bounds.every(isFinite) ? bounds : null
    };
  }

  function placeOf(query) {
    var params = new URLSearchParams(query || "");
    return params.getAll("departement").join(",") + "|" + params.getAll("epci").join(",");
  }

  function SearchMap(container) {
    var config = readJSON(container.dataset.config) || {};
    var labels = config.labels || {};
    var state = readState(container.dataset.state) || { query: "", bounds: null };
    var status = document.getElementById("directory-map-status");
    var map = L.map(container, { scrollWheelZoom: false, zoomSnap: 1, minZoom: 2, maxZoom: MAX_ZOOM });
    var layer = L.layerGroup().addTo(map);
    var controller = null;
    var detailController = null;
    var timer = null;
    var requests = 0;

    addTiles(map, container);

    function say(text) {
      if (status) {
        status.textContent = text || "";
      }
    }

    // The map frames the results until the person moves it; then it stays where they put
    // it, unless the results leave the view or the territory filters change.
    var framing = false;
    var moved = false;

    function frame(box) {
      framing = true;
      if (box) {
        map.fitBounds(latLngBounds(box), { padding: [40, 40], maxZoom: 13, animate: false });
      } else {
        map.fitBounds(FRANCE, { animate: false });
      }
      framing = false;
      moved = false;
    }

    function bboxParam() {
      var b = map.getBounds();
      var west = Math.max(-180, b.getWest());
      var east = Math.min(180, b.getEast());
      var south = Math.max(-85, b.getSouth());
      var north = Math.min(85, b.getNorth());
      if (!(west < east) || !(south < north)) {
        return null;
      }
      return [west, south, east, north].map(function (v) { return v.toFixed(5); }).join(",");
    }

    function zoomOn(latlng, box) {
      var target;
      var zoom;
      if (box && (box[2] - box[0] > 1e-6 || box[3] - box[1] > 1e-6)) {
        var bounds = latLngBounds(box);
        target = bounds.getCenter();
        zoom = map.getBoundsZoom(bounds, false, L.point(48, 48));
      } else {
        target = latlng;
        zoom = 16;
      }
      // Always closer than now, so that a click on a cluster never does nothing.
      zoom = Math.min(MAX_ZOOM, Math.max(zoom, map.getZoom() + 1));
      map.setView(target, zoom);
    }

    function drawCluster(latlng, count, box) {
      var radius = Math.min(34, 11 + 5 * Math.log10(Math.max(1, count)));
      var title = count === 1 ? labels.clusterOne : format(labels.cluster, { n: number(count) });
      var circle = L.circleMarker(latlng, {
        radius: radius,
        className: "directory-cluster",
        color: "#143a69",
        weight: 2,
        opacity: 0.9,
        fillColor: "#1d4f8c",
        fillOpacity: 0.78
      });
      var label = element("span", "", number(count));
      var marker = L.marker(latlng, {
        icon: L.divIcon({
          className: "directory-cluster-label",
          html: label,
          iconSize: [Math.round(radius * 2), Math.round(radius * 2)]
        }),
        title: title,
        alt: title,
        keyboard: true,
        riseOnHover: true
      });
      function onClick() {
        zoomOn(latlng, box);
      }
      circle.on("click", onClick);
      marker.on("click", onClick);
      marker.on("add", function () {
        var icon = marker.getElement();
        if (icon) {
          icon.setAttribute("role", "button");
          icon.setAttribute("aria-label", title);
        }
      });
      circle.addTo(layer);
      marker.addTo(layer);
    }

    function organisationNode(org) {
      var item = element("div", "directory-popup__org");
      var link = element("a", "directory-popup__name", org.name);
      link.href = format(config.pageUrl, { id: org.id });
      item.appendChild(link);
      var meta = [org.actor_type_label, org.commune].filter(Boolean).join(" · ");
      if (meta) {
        item.appendChild(element("span", "directory-popup__meta", meta));
      }
      return item;
    }

    function fillPopup(box, popup, orgs, total) {
      box.textContent = "";
      var found = orgs.filter(Boolean);
      if (!found.length) {
        box.appendChild(element("p", "", labels.unavailable));
      } else if (found.length === 1 && total === 1) {
        var org = found[0];
        box.appendChild(element("p", "directory-popup__title", org.name));
        box.appendChild(element("p", "directory-popup__meta", [org.actor_type_label, org.commune].filter(Boolean).join(" · ")));
        var open = element("a", "directory-popup__open", labels.open);
        open.href = format(config.pageUrl, { id: org.id });
        box.appendChild(open);
      } else {
        box.appendChild(element("p", "directory-popup__title", format(labels.several, { n: number(total) })));
        var list = element("ul", "directory-popup__list");
        found.forEach(function (o) {
          var li = element("li");
          li.appendChild(organisationNode(o));
          list.appendChild(li);
        });
        box.appendChild(list);
        if (total > found.length) {
          box.appendChild(element("p", "directory-popup__meta", format(labels.more, { n: number(total - found.length) })));
        }
      }
      popup.update();
    }

    function openPoint(group) {
      var box = element("div", "directory-popup", labels.loading);
      box.setAttribute("aria-live", "polite");
      var popup = L.popup({ maxWidth: 300, autoPanPadding: [24, 24] })
        .setLatLng(group.latlng)
        .setContent(box)
        .openOn(map);
      if (detailController) {
        detailController.abort();
      }
      var mine = new AbortController();
      detailController = mine;
      var ids = group.orgs.slice(0, POPUP_MAX);
      Promise.all(ids.map(function (id) {
        return fetch(format(config.detailUrl, { id: id }), {
          signal: mine.signal,
          credentials: "same-origin",
          headers: { Accept: "application/json" }
        }).then(function (response) {
          return response.ok ? response.json() : null;
        });
      })).then(function (orgs) {
        if (mine === detailController) {
          fillPopup(box, popup, orgs, group.orgs.length);
        }
      }).catch(function (error) {
        if (error && error.name === "AbortError") {
          return;
        }
        box.textContent = labels.unavailable;
        popup.update();
      });
    }

    function drawPoint(group) {
      var several = group.orgs.length > 1;
      var marker = L.circleMarker(group.latlng, {
        radius: several ? 8 : 6,
        className: "directory-point",
        color: "#ffffff",
        weight: several ? 2.5 : 1.5,
        fillColor: "#0f6b63",
        fillOpacity: 0.92
      });
      marker.on("click", function () {
        openPoint(group);
      });
      marker.addTo(layer);
    }

    function draw(data) {
      layer.clearLayers();
      var groups = {};
      var order = [];
      var clusters = 0;
      (data.features || []).forEach(function (feature) {
        var coords = feature.geometry && feature.geometry.coordinates;
        if (!coords) {
          return;
        }
        var latlng = L.latLng(coords[1], coords[0]);
        var props = feature.properties || {};
        if (props.cluster) {
          clusters += 1;
          drawCluster(latlng, props.count, feature.bbox);
          return;
        }
        var key = coords[0] + "," + coords[1];
        if (!groups[key]) {
          groups[key] = { latlng: latlng, orgs: [] };
          order.push(key);
        }
        if (props.org !== undefined && groups[key].orgs.indexOf(props.org) < 0) {
          groups[key].orgs.push(props.org);
        }
      });
      order.forEach(function (key) {
        drawPoint(groups[key]);
      });
      var total = data.total || 0;
      var shown = (data.features || []).length - clusters;
      if (!total) {
        say(labels.none);
      } else if (data.mode === "clusters") {
        say(format(plural(labels, "clusters", total), { total: number(total) }));
      } else if (data.truncated) {
        say(format(labels.truncated, { shown: number(shown), total: number(total) }));
      } else {
        say(format(plural(labels, "points", shown), { shown: number(shown) }));
      }
      container.dataset.mapMode = data.mode || "";
      container.dataset.mapTotal = String(total);
      container.dataset.mapReady = "true";
    }

    function refresh() {
      timer = null;
      var bbox = bboxParam();
      if (!bbox || !config.mapUrl) {
        return;
      }
      if (controller) {
        controller.abort();
      }
      var mine = new AbortController();
      controller = mine;
      var params = new URLSearchParams(state.query || "");
      params.set("bbox", bbox);
      params.set("zoom", String(Math.max(0, Math.min(20, Math.round(map.getZoom())))));
      container.setAttribute("aria-busy", "true");
      fetch(config.mapUrl + "?" + params.toString(), {
        signal: mine.signal,
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      }).then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      }).then(function (data) {
        if (mine === controller) {
          requests += 1;
          container.dataset.mapRequests = String(requests);
          draw(data);
        }
      }).catch(function (error) {
        if (error && error.name === "AbortError") {
          return;
        }
        if (mine === controller) {
          say(labels.failed);
        }
      }).then(function () {
        if (mine === controller) {
          controller = null;
          container.removeAttribute("aria-busy");
        }
      });
    }

    function schedule() {
      if (timer) {
        clearTimeout(timer);
      }
      timer = setTimeout(refresh, 80);
    }

    // New results: the filters may have changed; the map follows them.
    document.body.addEventListener("htmx:afterSettle", function () {
      var next = readState(container.dataset.state);
      if (!next || next.query === state.query) {
        return; // another page of the same search
      }
      var previous = state;
      state = next;
      if (next.bounds) {
        var target = latLngBounds(next.bounds);
        if (
          !moved ||
          placeOf(next.query) !== placeOf(previous.query) ||
          !map.getBounds().intersects(target)
        ) {
          frame(next.bounds);
        }
      }
      schedule();
    });

    map.on("moveend", function () {
      if (!framing) {
        moved = true;
      }
    });
    map.on("moveend zoomend", schedule);
    frame(state.bounds);
    schedule();
  }

  // ---- an organisation's establishments ---------------------------------------------------

  function EstablishmentsMap(container) {
    var data = readJSON(container.dataset.geojson);
    if (!data) {
      return;
    }
    var map = L.map(container, { scrollWheelZoom: false, zoomSnap: 0.5, maxZoom: MAX_ZOOM });
    addTiles(map, container);
    var points = L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        var props = feature.properties || {};
        return L.circleMarker(latlng, {
          radius: props.siege ? 9 : 7,
          className: "establishment-point establishment-point--" + (props.precision || "none"),
          color: "#ffffff",
          weight: 2,
          fillColor: PRECISION_COLOURS[props.precision] || PRECISION_COLOURS.none,
          fillOpacity: props.active === false ? 0.45 : 0.92
        });
      },
      onEachFeature: function (feature, marker) {
        var props = feature.properties || {};
        var text = [props.name, props.commune, props.precision_label].filter(Boolean).join(" — ");
        marker.bindTooltip(text);
      }
    }).addTo(map);
    var bounds = points.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [40, 40], maxZoom: 13 });
    } else {
      map.fitBounds(FRANCE);
    }
    container.dataset.mapReady = "true";
  }

  // ---- wiring --------------------------------------------------------------------------------

  // Under the CSP (style-src 'self') a style attribute is refused: htmx must not copy one
  // from an element to its replacement while settling (the facets are swapped out of
  // band); it could only log a violation. Browser tools, for one, leave style="" behind.
  if (window.htmx && htmx.config && Array.isArray(htmx.config.attributesToSettle)) {
    htmx.config.attributesToSettle = htmx.config.attributesToSettle.filter(function (name) {
      return name !== "style";
    });
  }

  // Facet lists scroll inside their box: keep the position when htmx replaces them.
  var scrolls = {};
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.target;
    if (target && target.id && target.classList.contains("facet__options")) {
      scrolls[target.id] = target.scrollTop;
    }
  });
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var target = event.target;
    if (target && target.id && Object.prototype.hasOwnProperty.call(scrolls, target.id)) {
      target.scrollTop = scrolls[target.id];
      delete scrolls[target.id];
    }
  });

  // The search map is never kept in htmx's history cache (hx-history="false"): going back
  // to an earlier search reloads that page, map included.
  document.addEventListener("htmx:historyCacheMiss", function (event) {
    if (document.querySelector("[data-directory-map]")) {
      event.preventDefault();
      window.location.reload();
    }
  });

  function init() {
    if (typeof L === "undefined") {
      return;
    }
    document.querySelectorAll("[data-directory-map]").forEach(SearchMap);
    document.querySelectorAll("[data-establishments-map]").forEach(EstablishmentsMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
