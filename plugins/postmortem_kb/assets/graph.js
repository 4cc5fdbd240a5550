// The contributing-factors graph: cytoscape (self-hosted) over graph.json.
// Labels are set as data and drawn on canvas, so no front-matter text becomes HTML.
(function () {
  "use strict";
  var root = document.getElementById("pmkb-graph");
  if (!root) return;
  var canvas = root.querySelector(".pmkb-graph-canvas");
  var form = root.querySelector("form");
  var count = root.querySelector(".pmkb-count");
  var base = root.getAttribute("data-base") || "";
  if (typeof cytoscape === "undefined") {
    count.textContent = "The graph library is missing from this build (run `make setup`).";
    return;
  }
  // Colours are read when drawing, not at load: the palette (light or dark) can change.
  function color(cat) { return (getComputedStyle(document.body).getPropertyValue("--pmkb-" + cat) || "#777").trim() || "#777"; }
  var cy = null, all = null;
  // Material's colours can be 8-digit hex, which the canvas styles reject: use the scheme.
  function fg() { return document.body.getAttribute("data-md-color-scheme") === "slate" ? "#e2e4e9" : "#333"; }

  function selected() {
    var cats = {}, p = { cats: cats };
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name === "category") cats[el.value] = el.checked;
      else if (el.name === "services") p.services = el.checked;
      else if (el.name) p[el.name] = parseInt(el.value, 10);
    });
    return p;
  }
  function elements(p) {
    var keep = {}, els = [];
    all.nodes.forEach(function (n) {
      if (n.kind === "incident" && (n.year < p.from || n.year > p.to)) return;
      if (n.kind === "factor" && p.cats[n.category] === false) return;
      if (n.kind === "service" && !p.services) return;
      keep[n.id] = n;
    });
    var degree = {};
    all.edges.forEach(function (e) {
      if (keep[e.source] && keep[e.target]) {
        degree[e.source] = (degree[e.source] || 0) + 1;
        degree[e.target] = (degree[e.target] || 0) + 1;
        els.push({ group: "edges", data: { id: e.source + "->" + e.target, source: e.source, target: e.target, kind: e.kind } });
      }
    });
    Object.keys(keep).forEach(function (id) {
      var n = keep[id];
      if (n.kind !== "incident" && !degree[id]) return; // factors and services with no incident in view
      els.push({ group: "nodes", data: { id: id, label: n.label, kind: n.kind, url: n.url, category: n.category || "", weight: degree[id] || 0, col: n.kind === "factor" ? color(n.category) : n.kind === "service" ? "#607d8b" : "#9e9e9e" } });
    });
    return els;
  }
  function draw() {
    var p = selected();
    var els = elements(p);
    var nodes = els.filter(function (e) { return e.group === "nodes"; }).length;
    count.textContent = nodes + " nodes, " + (els.length - nodes) + " links";
    if (cy) cy.destroy();
    cy = cytoscape({
      container: canvas,
      elements: els,
      style: [
        { selector: "node", style: { "background-color": "data(col)", label: "data(label)", "font-size": 9, color: fg(), "text-wrap": "ellipsis", "text-max-width": 120, width: "mapData(weight, 0, 30, 12, 48)", height: "mapData(weight, 0, 30, 12, 48)" } },
        { selector: "node[kind = 'factor']", style: { shape: "diamond" } },
        { selector: "node[kind = 'service']", style: { shape: "round-rectangle" } },
        { selector: "node[kind = 'incident']", style: { "font-size": 7 } },
        { selector: "edge", style: { width: 1, "line-color": "#9e9e9e", opacity: 0.5, "curve-style": "haystack" } },
        { selector: "edge[kind = 'enabled']", style: { "line-style": "dashed", "line-color": "#ef6c00", opacity: 0.9 } },
        { selector: ".faded", style: { opacity: 0.08 } },
        { selector: ".hl", style: { opacity: 1, "border-width": 2, "border-color": "#ef6c00" } }
      ],
      layout: nodes > 600
        ? { name: "concentric", concentric: function (n) { return n.data("kind") === "factor" ? 3 : n.data("kind") === "service" ? 2 : 1; }, levelWidth: function () { return 1; }, minNodeSpacing: 4, animate: false }
        : { name: "cose", animate: false, randomize: false, nodeRepulsion: function () { return 9000; }, idealEdgeLength: function () { return 60; } }
    });
    cy.on("mouseover tapstart", "node", function (evt) {
      var hood = evt.target.closedNeighborhood();
      cy.elements().addClass("faded");
      hood.removeClass("faded").addClass("hl");
    });
    cy.on("mouseout", "node", function () { cy.elements().removeClass("faded hl"); });
    cy.on("tap", "node", function (evt) {
      var url = evt.target.data("url");
      if (url) window.location.href = base + url;
    });
    root.setAttribute("data-ready", "true");
    window.pmkbGraph = cy; // for tests and the curious
  }
  fetch(root.getAttribute("data-src")).then(function (r) { return r.json(); }).then(function (json) {
    all = json;
    form.addEventListener("change", draw);
    // Redraw with the other palette's colours when the reader switches light/dark.
    new MutationObserver(draw).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
    draw();
  }).catch(function (e) { count.textContent = "Could not load the graph data (" + e + ")."; });
})();
