// The contributing-factors graph: cytoscape (self-hosted) over graph.json, at the
// positions the build computed (`preset` layout: the same picture on every load).
// Labels are set as data and drawn on canvas, and the detail panel is built with
// textContent, so no front-matter text becomes HTML.
(function () {
  "use strict";
  var root = document.getElementById("pmkb-graph");
  if (!root) return;
  var canvas = root.querySelector(".pmkb-graph-canvas");
  var form = root.querySelector("form");
  var count = root.querySelector(".pmkb-count");
  var detail = root.querySelector(".pmkb-graph-detail");
  var base = root.getAttribute("data-base") || "";
  if (typeof cytoscape === "undefined") {
    count.textContent = "The graph library is missing from this build (run `make setup`).";
    return;
  }
  var FIT_PADDING = 24, FIT_MAX_ZOOM = 1.5, HIDDEN_MAX = 1000;
  var cy = null, all = null, index = null, metrics = null;

  // Colours are read when drawing, not at load: the palette (light or dark) can change.
  function cssVar(name, fallback) { return (getComputedStyle(document.body).getPropertyValue(name) || "").trim() || fallback; }
  function catColor(cat) { return cssVar("--pmkb-" + cat, "#777"); }
  function sevColor(sev) {
    var key = root.querySelector('.pmkb-key[data-severity="' + (window.CSS && CSS.escape ? CSS.escape(sev) : sev) + '"]');
    return key ? getComputedStyle(key).backgroundColor : "#9e9e9e";
  }
  // Material's colours can be 8-digit hex, which the canvas styles reject: use the scheme.
  function dark() { return document.body.getAttribute("data-md-color-scheme") === "slate"; }
  function fg() { return dark() ? "#e2e4e9" : "#333"; }
  function bg() { return dark() ? "#1e2129" : "#ffffff"; }

  // Who is linked to whom, once: incidents' factors and services, factors' incidents.
  function buildIndex(json) {
    var nodes = {}, incidents = [];
    json.nodes.forEach(function (n) {
      nodes[n.id] = n;
      if (n.kind === "incident") { n.factors = []; n.services = []; incidents.push(n); }
      // One line of words, as the build measured it (a newline would add a line).
      if (n.kind === "factor") { n.incidents = []; n.label = String(n.label).replace(/\s+/g, " ").trim(); }
    });
    var enabled = [];
    json.edges.forEach(function (e) {
      var s = nodes[e.source], t = nodes[e.target];
      if (!s || !t) return;
      if (e.kind === "contributed") { t.factors.push(s.id); s.incidents.push(t.id); }
      else if (e.kind === "affected") s.services.push(t.id);
      else if (e.kind === "enabled") enabled.push(e);
    });
    incidents.sort(function (a, b) { return a.started < b.started ? 1 : a.started > b.started ? -1 : 0; });
    return { nodes: nodes, incidents: incidents, enabled: enabled };
  }

  function selected() {
    var p = { cats: {}, sevs: {} };
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name === "category") p.cats[el.value] = el.checked;
      else if (el.name === "severity") p.sevs[el.value] = el.checked;
      else if (el.name === "incidents" || el.name === "services") p[el.name] = el.checked;
      else if (el.name === "service") p.service = el.value;
      else if (el.name) p[el.name] = parseInt(el.value, 10);
    });
    return p;
  }
  function keepIncident(n, p) {
    if (n.year < p.from || n.year > p.to) return false;
    if (p.sevs[n.severity] === false) return false;
    return !p.service || n.services.indexOf(p.service) >= 0;
  }
  // Disc area proportional to incidents, on one scale for every filter (the build's).
  function diameter(n) { return n > 0 ? Math.max(metrics.min_d, metrics.max_d * Math.sqrt(n / all.layout.most)) : 0; }

  // The build laid the graph out twice: for a wide canvas and for a tall one (a phone).
  function tall() { return canvas.clientWidth < canvas.clientHeight; }
  function at(n, t) { return t ? { x: n.tx, y: n.ty } : { x: n.x, y: n.y }; }

  function elements(p) {
    var els = [], counts = {}, shared = {}, kept = [], svcSeen = {}, viaSvc = {}, t = tall();
    // Services without incidents would be squares with no line: link each to the factors
    // of its incidents (in this filter) instead, thicker the more incidents.
    var svcToFactors = p.services && !p.incidents;
    index.incidents.forEach(function (inc) {
      if (!keepIncident(inc, p)) return;
      kept.push(inc);
      var fs = inc.factors.filter(function (f) { return p.cats[index.nodes[f].category] !== false; }).sort();
      fs.forEach(function (f, i) {
        counts[f] = (counts[f] || 0) + 1;
        for (var j = i + 1; j < fs.length; j++) { var k = f + "|" + fs[j]; shared[k] = (shared[k] || 0) + 1; }
        if (svcToFactors) inc.services.forEach(function (s) { var k = f + "|" + s; viaSvc[k] = (viaSvc[k] || 0) + 1; });
      });
    });
    var factors = Object.keys(counts).sort();
    factors.forEach(function (id) {
      var n = index.nodes[id];
      els.push({ group: "nodes", position: at(n, t), data: { id: id, label: n.label, kind: "factor", url: n.url, category: n.category, n: counts[id], d: diameter(counts[id]), col: catColor(n.category) } });
    });
    var most = 0;
    Object.keys(shared).forEach(function (k) { most = Math.max(most, shared[k]); });
    Object.keys(shared).sort().forEach(function (k) {
      var ends = k.split("|"), w = shared[k] / most;
      els.push({ group: "edges", data: { id: "shared:" + k, source: ends[0], target: ends[1], kind: "shared", n: shared[k], width: 1 + 7 * w, op: 0.15 + 0.55 * w } });
    });
    index.enabled.forEach(function (e) {
      if (counts[e.source] && counts[e.target]) els.push({ group: "edges", data: { id: e.source + "->" + e.target, source: e.source, target: e.target, kind: "enabled" } });
    });
    // Incidents and services are shown on request. Hidden, they stay in the graph while
    // that is cheap (scripts and the hover reach them); past HIDDEN_MAX incidents they
    // join only when shown (5,000 hidden incidents took the page 20 s to draw).
    var withInc = p.incidents || kept.length <= HIDDEN_MAX, withSvc = p.services || kept.length <= HIDDEN_MAX, sevCol = {};
    kept.forEach(function (inc) {
      if (withSvc) inc.services.forEach(function (s) { svcSeen[s] = true; });
      if (!withInc) return;
      if (!(inc.severity in sevCol)) sevCol[inc.severity] = sevColor(inc.severity);
      els.push({ group: "nodes", classes: p.incidents ? "" : "off", position: at(inc, t), data: { id: inc.id, label: inc.label, kind: "incident", url: inc.url, year: inc.year, col: sevCol[inc.severity] } });
      inc.factors.forEach(function (f) {
        if (counts[f]) els.push({ group: "edges", classes: p.incidents ? "" : "off", data: { id: f + "->" + inc.id, source: f, target: inc.id, kind: "contributed" } });
      });
      if (withSvc) inc.services.forEach(function (s) {
        els.push({ group: "edges", classes: p.incidents && p.services ? "" : "off", data: { id: inc.id + "->" + s, source: inc.id, target: s, kind: "affected" } });
      });
    });
    Object.keys(svcSeen).sort().forEach(function (id) {
      var n = index.nodes[id];
      els.push({ group: "nodes", classes: p.services ? "" : "off", position: at(n, t), data: { id: id, label: n.label, kind: "service", url: n.url } });
    });
    var mostVia = 0;
    Object.keys(viaSvc).forEach(function (k) { mostVia = Math.max(mostVia, viaSvc[k]); });
    Object.keys(viaSvc).sort().forEach(function (k) {
      var ends = k.split("|"), w = viaSvc[k] / mostVia;
      if (svcSeen[ends[1]]) els.push({ group: "edges", data: { id: "via:" + k, source: ends[0], target: ends[1], kind: "via-service", n: viaSvc[k], width: 1 + 3 * w } });
    });
    if (p.incidents) {
      (t ? all.layout.tall_axis : all.layout.axis).forEach(function (a) {
        var y = parseInt(a.label, 10);
        if (y >= p.from && y <= p.to) els.push({ group: "nodes", position: { x: a.x, y: a.y }, data: { id: "year:" + a.label, label: a.label, kind: "year" } });
      });
    }
    return { els: els, factors: factors.length, incidents: kept.length };
  }

  function style() {
    var m = metrics;
    return [
      { selector: "node", style: { label: "data(label)", color: fg(), "font-size": m.font, "line-height": m.line_h, "text-wrap": "wrap", "text-max-width": m.wrap, "text-valign": "bottom", "text-halign": "center", "text-margin-y": m.label_gap, "text-background-color": bg(), "text-background-opacity": 0.7, "text-background-padding": 1 } },
      { selector: "node[col]", style: { "background-color": "data(col)" } },
      { selector: "node[kind = 'factor']", style: { width: "data(d)", height: "data(d)", "border-width": 1, "border-color": bg() } },
      { selector: "node[kind = 'incident']", style: { width: m.dot, height: m.dot, label: "" } },
      { selector: "node[kind = 'service']", style: { shape: "round-rectangle", width: m.min_d, height: m.min_d, "background-color": "#607d8b" } },
      { selector: "node[kind = 'year']", style: { width: 1, height: 1, "background-opacity": 0, "text-valign": "center", "text-margin-y": 0, "text-background-opacity": 0, events: "no" } },
      { selector: "edge", style: { width: 1, "line-color": "#9e9e9e", opacity: 0.25, "curve-style": "haystack" } },
      { selector: "edge[kind = 'shared']", style: { width: "data(width)", opacity: "data(op)" } },
      { selector: "edge[kind = 'via-service']", style: { width: "data(width)", "line-color": "#607d8b", opacity: 0.3 } },
      { selector: "edge[kind = 'enabled']", style: { "curve-style": "bezier", "line-style": "dashed", "line-color": "#ef6c00", "target-arrow-shape": "triangle", "target-arrow-color": "#ef6c00", opacity: 0.6 } },
      { selector: ".off", style: { display: "none" } },
      { selector: ".faded", style: { opacity: 0.08 } },
      { selector: ".hl", style: { opacity: 1, "border-width": 2, "border-color": "#ef6c00" } },
      { selector: "node.focus[kind = 'incident']", style: { label: "data(label)", "z-index": 10 } }
    ];
  }

  // What the reader sees, counted as drawn: hidden helpers and the year labels are not.
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function summary(p, built) {
    var years = p.from === p.to ? String(p.from) : p.from + "–" + p.to;
    if (!built.incidents) return "No incidents match these filters (" + years + "): nothing to draw.";
    var shown = cy.nodes(":visible"), parts = [plural(shown.filter("[kind = 'factor']").length, "factor")];
    if (p.incidents) parts.push(plural(shown.filter("[kind = 'incident']").length, "incident"));
    if (p.services) parts.push(plural(shown.filter("[kind = 'service']").length, "service"));
    var links = plural(cy.edges(":visible").length, "link");
    var from = p.incidents ? "" : " from " + plural(built.incidents, "incident");
    return "Showing " + parts.join(", ") + " and " + links + from + ", " + years + ".";
  }

  // A year range cannot be turned inside out: moving one end past the other takes the
  // other along (From 2025 with To 2023 reads as 2025 alone), rather than greying out
  // options a reader would then have to find a way round.
  function orderYears(changed) {
    var from = form.elements.from, to = form.elements.to;
    if (parseInt(from.value, 10) <= parseInt(to.value, 10)) return;
    if (changed === to) from.value = to.value; else to.value = from.value;
  }

  function fit() {
    var shown = cy.elements(":visible");
    if (shown.empty()) return; // a filter that leaves nothing
    cy.fit(shown, FIT_PADDING);
    // A filter that leaves two factors should not blow them up to fill the screen.
    if (cy.zoom() > FIT_MAX_ZOOM) { cy.zoom(FIT_MAX_ZOOM); cy.center(shown); }
  }

  function draw() {
    var p = selected();
    var built = elements(p);
    if (cy) cy.destroy();
    cy = cytoscape({ container: canvas, elements: built.els, style: style(), layout: { name: "preset" }, minZoom: 0.05, maxZoom: 6, boxSelectionEnabled: false, autoungrabify: true });
    fit();
    count.textContent = summary(p, built);
    cy.on("mouseover tapstart", "node", function (evt) {
      var hood = evt.target.closedNeighborhood();
      cy.elements().addClass("faded");
      hood.removeClass("faded").addClass("hl");
      evt.target.addClass("focus");
      if (evt.target.data("kind") === "factor") describe(evt.target, p);
    });
    cy.on("mouseout", "node", function () { cy.elements().removeClass("faded hl focus"); });
    canvas.onmouseleave = function () { cy.elements().removeClass("faded hl focus"); }; // left the graph past a node's edge
    // A click opens the node's page. A finger has no hover: its first tap on a node shows
    // what hover shows (highlight, incidents listed under the graph), the second opens it.
    var armed = null;
    cy.on("tap", "node", function (evt) {
      var url = evt.target.data("url");
      var touch = evt.originalEvent && (evt.originalEvent.pointerType === "touch" || (window.TouchEvent && evt.originalEvent instanceof TouchEvent));
      if (touch && armed !== evt.target.id()) { armed = evt.target.id(); return; }
      if (url) window.location.href = base + url;
    });
    cy.on("tap", function (evt) { if (evt.target === cy) { armed = null; cy.elements().removeClass("faded hl focus"); } });
    root.setAttribute("data-ready", "true");
    window.pmkbGraph = cy; // for tests and the curious
  }

  // The detail panel: the factor, its incidents in the current filter (latest first).
  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text) e.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function describe(node, p) {
    var f = index.nodes[node.id()];
    var incs = index.incidents.filter(function (inc) { return keepIncident(inc, p) && inc.factors.indexOf(f.id) >= 0; });
    var years = {};
    incs.forEach(function (inc) { years[inc.year] = (years[inc.year] || 0) + 1; });
    var head = el("p");
    head.appendChild(el("a", f.label, { href: base + f.url }));
    head.appendChild(document.createTextNode(" (" + f.category + "): " + incs.length + " incident" + (incs.length === 1 ? "" : "s") + " — " + Object.keys(years).sort().map(function (y) { return y + ": " + years[y]; }).join(", ")));
    // The factors it shares most incidents with in this view, from the drawn edges.
    var near = node.connectedEdges("[kind = 'shared']").sort(function (a, b) { return b.data("n") - a.data("n") || (a.id() < b.id() ? -1 : 1); }).slice(0, 3);
    var with_ = el("p");
    if (near.length) {
      with_.appendChild(document.createTextNode("Shares most incidents with: "));
      near.forEach(function (e, i) {
        var other = e.source().id() === node.id() ? e.target() : e.source();
        if (i) with_.appendChild(document.createTextNode(", "));
        with_.appendChild(el("a", other.data("label"), { href: base + other.data("url") }));
        with_.appendChild(document.createTextNode(" (" + e.data("n") + ")"));
      });
    }
    var list = el("ul");
    incs.slice(0, 10).forEach(function (inc) {
      var li = el("li");
      li.appendChild(el("span", inc.started.slice(0, 10) + " " + inc.severity + " ", { "class": "pmkb-nowrap" }));
      li.appendChild(el("a", inc.label, { href: base + inc.url }));
      list.appendChild(li);
    });
    detail.replaceChildren(head, with_, list);
    if (incs.length > 10) detail.appendChild(el("p", "… and " + (incs.length - 10) + " more on the factor's page."));
  }

  fetch(root.getAttribute("data-src")).then(function (r) { return r.json(); }).then(function (json) {
    all = json;
    metrics = json.layout.metrics;
    index = buildIndex(json);
    form.addEventListener("change", function (evt) { orderYears(evt.target); draw(); });
    // A phone turned sideways (or a window resized past square) takes the other layout.
    var wasTall = tall();
    window.addEventListener("resize", function () { if (tall() !== wasTall) { wasTall = tall(); draw(); } });
    // Redraw with the other palette's colours when the reader switches light/dark.
    new MutationObserver(draw).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
    draw();
  }).catch(function (e) { count.textContent = "Could not load the graph data (" + e + ")."; });
})();
