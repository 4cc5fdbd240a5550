// Catalog: sorts and filters every postmortem in the browser from catalog.json.
// Rows are built with textContent, never innerHTML: titles come from front matter.
(function () {
  "use strict";
  var root = document.getElementById("pmkb-catalog");
  if (!root) return;
  var PAGE = 200;
  var form = root.querySelector("form");
  var tbody = root.querySelector("tbody");
  var count = root.querySelector(".pmkb-count");
  var more = root.querySelector(".pmkb-more");
  var heads = root.querySelectorAll("th[data-sort]");
  var base = root.getAttribute("data-src").replace(/assets\/pmkb\/catalog\.json$/, "");
  var data = null, shown = PAGE, sortKey = "date", sortDir = -1;

  function params() {
    var p = {};
    Array.prototype.forEach.call(form.elements, function (el) { if (el.name) p[el.name] = el.value; });
    return p;
  }
  function keyOf(r, k) {
    switch (k) {
      case "date": return r.d;
      case "title": return r.t.toLowerCase();
      case "severity": return r.s;
      case "services": return r.sv.join(",");
      case "factors": return r.f.length;
      case "ttr": return r.ttr;
      case "status": return r.st;
    }
    return "";
  }
  // The server's human_duration (analyse/common.py), ported: a row reads the same before
  // and after a sort ("1 d 6 h", not "30 h 20 min"). Keep the two in step.
  function fmt(min) {
    if (typeof min !== "number" || !(min >= 0)) return "–";
    var total = Math.floor(min), days = Math.floor(total / 1440), rest = total % 1440;
    var hours = Math.floor(rest / 60), mins = rest % 60;
    if (days) return days + " d " + hours + " h";
    if (hours) return hours + " h " + (mins < 10 ? "0" : "") + mins + " min";
    return mins + " min";
  }
  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  // An in-review postmortem is not agreed yet: its row is marked, as on the first load.
  function statusCell(tr, status) {
    if (status !== "in-review") return cell(tr, status);
    tr.className = "pmkb-in-review";
    var badge = document.createElement("span");
    badge.className = "pmkb-badge pmkb-badge-review";
    badge.title = "Not agreed yet: it may still change";
    badge.textContent = status;
    return cell(tr, "").appendChild(badge);
  }
  function render() {
    // The free-text filter is `text`, not `q`: Material opens its search overlay on `?q=`.
    var p = params(), q = (p.text || "").toLowerCase();
    var rows = data.rows.filter(function (r) {
      if (p.year && r.d.slice(0, 4) !== p.year) return false;
      if (p.severity && r.s !== p.severity) return false;
      if (p.service && r.sv.indexOf(p.service) < 0) return false;
      if (p.factor && r.f.indexOf(p.factor) < 0) return false;
      if (p.status && r.st !== p.status) return false;
      if (q && (r.t + " " + r.id + " " + r.sv.join(" ")).toLowerCase().indexOf(q) < 0) return false;
      return true;
    });
    rows.sort(function (a, b) {
      var x = keyOf(a, sortKey), y = keyOf(b, sortKey);
      return (x < y ? -1 : x > y ? 1 : 0) * sortDir || (a.id < b.id ? -1 : 1);
    });
    var frag = document.createDocumentFragment();
    rows.slice(0, shown).forEach(function (r) {
      var tr = document.createElement("tr");
      cell(tr, r.d, "pmkb-nowrap");
      var a = document.createElement("a");
      a.href = base + r.u; a.textContent = r.t;
      cell(tr, "", "pmkb-title").appendChild(a);
      cell(tr, r.s, "pmkb-nowrap");
      cell(tr, r.sv.join(", "));
      cell(tr, r.f.map(function (f) { return data.factors[f] || f; }).join(", "));
      cell(tr, fmt(r.ttr), "pmkb-nowrap");
      statusCell(tr, r.st);
      frag.appendChild(tr);
    });
    tbody.textContent = "";
    tbody.appendChild(frag);
    count.textContent = rows.length + " of " + data.rows.length + " postmortems" + (rows.length > shown ? " (showing " + shown + ")" : "");
    more.hidden = rows.length <= shown;
    Array.prototype.forEach.call(heads, function (th) {
      th.setAttribute("aria-sort", th.getAttribute("data-sort") === sortKey ? (sortDir > 0 ? "ascending" : "descending") : "none");
    });
    var qs = new URLSearchParams();
    Object.keys(p).forEach(function (k) { if (p[k]) qs.set(k, p[k]); });
    history.replaceState(null, "", qs.toString() ? "?" + qs.toString() : location.pathname);
  }
  function init(json) {
    data = json;
    var qs = new URLSearchParams(location.search);
    Array.prototype.forEach.call(form.elements, function (el) { if (el.name && qs.get(el.name)) el.value = qs.get(el.name); });
    form.addEventListener("input", function () { shown = PAGE; render(); });
    form.addEventListener("change", function () { shown = PAGE; render(); });
    more.addEventListener("click", function () { shown += PAGE; render(); });
    Array.prototype.forEach.call(heads, function (th) {
      th.addEventListener("click", function () {
        var k = th.getAttribute("data-sort");
        sortDir = k === sortKey ? -sortDir : (k === "date" || k === "ttr" ? -1 : 1);
        sortKey = k;
        render();
      });
    });
    render();
    root.setAttribute("data-ready", "true");
  }
  fetch(root.getAttribute("data-src")).then(function (r) { return r.json(); }).then(init).catch(function (e) {
    count.textContent = "Could not load the catalog data (" + e + "); showing the most recent postmortems.";
  });
})();
