/* The cooperation graph: reads the JSON of the page (json_script #coop-graph-data) and draws
   it with Cytoscape.js. The filter form filters the view at once (types, year) and still
   works without JavaScript (it reloads the page with the same filters). */
(function () {
  "use strict";
  var COLOURS = { ess: "#2e7d32", enterprise: "#1565c0", public: "#8e24aa", other: "#757575" };

  function start() {
    var box = document.getElementById("coop-graph");
    var source = document.getElementById("coop-graph-data");
    if (!box || !source || typeof window.cytoscape !== "function") { return; }
    var data = JSON.parse(source.textContent);
    var elements = [];
    data.nodes.forEach(function (n) {
      elements.push({ group: "nodes", data: { id: "n" + n.id, label: n.label, group: n.group, size: 18 + 6 * n.degree } });
    });
    data.links.forEach(function (l) {
      elements.push({ group: "edges", data: {
        id: "l" + l.id, source: "n" + l.source, target: "n" + l.target, type: l.type,
        label: l.type_label, directed: l.directed ? "yes" : "no",
        start: l.start_year, end: l.end_year === null ? 9999 : l.end_year } });
    });
    var cy = window.cytoscape({
      container: box,
      elements: elements,
      wheelSensitivity: 0.2,
      maxZoom: 1.6,
      minZoom: 0.2,
      style: [
        { selector: "node", style: {
          "background-color": function (ele) { return COLOURS[ele.data("group")] || COLOURS.other; },
          "label": "data(label)", "font-size": 11, "text-wrap": "wrap", "text-max-width": 100,
          "width": "data(size)", "height": "data(size)", "color": "#222", "text-valign": "bottom", "text-margin-y": 3 } },
        { selector: "edge", style: { "width": 2, "line-color": "#90a4ae", "curve-style": "bezier",
          "target-arrow-color": "#90a4ae", "target-arrow-shape": "none" } },
        { selector: "edge[directed = 'yes']", style: { "target-arrow-shape": "triangle" } },
        { selector: ".hidden", style: { "display": "none" } }
      ],
      layout: { name: "preset" }
    });
    // linked organisations by force layout; isolated members in a grid below them, so that
    // a hub with many isolated members keeps a readable network (labels not shrunk to dots)
    var linked = cy.nodes().filter(function (n) { return n.degree(false) > 0; });
    var alone = cy.nodes().filter(function (n) { return n.degree(false) === 0; });
    var width = 900;
    var bottom = 0;
    if (linked.length) {
      linked.union(linked.connectedEdges()).layout({ name: "cose", animate: false, randomize: false,
        nodeRepulsion: 12000, nodeDimensionsIncludeLabels: true, componentSpacing: 80,
        idealEdgeLength: 90, boundingBox: { x1: 0, y1: 0, w: width, h: 420 } }).run();
      bottom = linked.boundingBox().y2 + 50;
    }
    if (alone.length) {
      var cols = Math.min(alone.length, 8);
      alone.layout({ name: "grid", cols: cols, avoidOverlap: true, nodeDimensionsIncludeLabels: true,
        boundingBox: { x1: 0, y1: bottom, w: width, h: 70 * Math.ceil(alone.length / cols) } }).run();
    }
    cy.fit(undefined, 20);

    var form = document.getElementById("graph-filters");
    if (!form) { return; }
    function apply() {
      var types = Array.prototype.slice.call(form.querySelectorAll("input[name=type]:checked")).map(function (i) { return i.value; });
      var year = parseInt(form.querySelector("select[name=year]").value, 10);
      cy.edges().forEach(function (e) {
        var ok = (types.length === 0 || types.indexOf(e.data("type")) !== -1) &&
          (isNaN(year) || (e.data("start") <= year && e.data("end") >= year));
        e.toggleClass("hidden", !ok);
      });
    }
    form.addEventListener("change", apply);
    apply();
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
