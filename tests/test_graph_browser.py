"""The graph page in Chromium, over a knowledge base of 200 generated incidents
(bench/generate.py): at the default view on a laptop screen (1366 × 768) no two labels
overlap, measured from the label boxes cytoscape renders; the drawing sits at the
positions the build computed; the filters re-fit the view; hover highlights neighbours
and lists the incidents; a click opens the factor's page; at 390 px nothing scrolls
sideways but the table's own box. No console error or warning (cytoscape warns about
a style it cannot apply), no request to another host.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from site_helpers import (
    ROOT,
    TODAY,
    Guard,
    assert_built,
    build_site,
    read_config,
    serve_dir,
    set_plugin_config,
    write_config,
)

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # bench/ is not a package

playwright_sync = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
FIT_PADDING, FIT_MAX_ZOOM = 24, 1.5  # graph.js

# Every visible labelled node's label box and every visible node's disc, as drawn.
BOXES = """() => {
    const cy = window.pmkbGraph;
    const shown = cy.nodes(':visible');
    const box = b => ({x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2});
    return {
        zoom: cy.zoom(),
        labels: shown.filter(n => n.data('label')).map(n => ({id: n.id(), b: box(n.renderedBoundingBox(
            {includeLabels: true, includeNodes: false, includeEdges: false, includeOverlays: false}))})),
        discs: shown.map(n => ({id: n.id(), b: box(n.renderedBoundingBox(
            {includeLabels: false, includeEdges: false, includeOverlays: false}))})),
    };
}"""
# The visible elements' box against the canvas: cy.fit leaves FIT_PADDING on the tighter side.
FIT = """() => {
    const cy = window.pmkbGraph;
    const b = cy.elements(':visible').renderedBoundingBox();
    return {x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2, w: cy.width(), h: cy.height(), zoom: cy.zoom()};
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = generate(tmp_path_factory.mktemp("kb") / "kb", 200, 1)
    set_plugin_config(root, today=TODAY.isoformat())
    # The postmortems' own pages are left out of this build (a third of its time): the
    # graph page and its data are made from the whole knowledge base all the same.
    doc = read_config(root / "mkdocs.yml")
    doc["exclude_docs"] = "/20*/\n"
    write_config(root / "mkdocs.yml", doc)
    dest = tmp_path_factory.mktemp("site")
    assert_built(build_site(root, dest))
    return dest


@pytest.fixture(scope="module")
def data(site: Path) -> dict[str, Any]:
    return json.loads((site / "assets" / "pmkb" / "graph.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    with serve_dir(site) as url:
        yield url


class GraphGuard(Guard):
    """The shared guard, plus console warnings: cytoscape reports a style it cannot apply
    (a data mapping on a node without that data) with console.warn, not an error."""

    def console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"{message.type}: {message.text}")


def _open(
    browser: Any, base_url: str, viewport: dict[str, int], scheme: str = "light", **options: Any
) -> tuple[Any, Any, Guard]:
    context = browser.new_context(viewport=viewport, color_scheme=scheme, service_workers="block", **options)
    if scheme == "dark":  # Material's palette toggle, as a reader left it
        context.add_init_script(
            "localStorage.setItem('/.__palette', JSON.stringify({index: 1, color: {scheme: 'slate'}}))"
        )
    page = context.new_page()
    guard = GraphGuard()
    guard.watch(context, page, console=True)
    page.set_default_timeout(15_000)
    page.goto(base_url + "graph/")
    page.wait_for_selector("#pmkb-graph[data-ready=true]", state="attached")
    page.wait_for_function("() => window.pmkbGraph && window.pmkbGraph.nodes(':visible').length > 0")
    return context, page, guard


@pytest.fixture
def laptop(browser: Any, base_url: str) -> Iterator[tuple[Any, Guard]]:
    context, page, guard = _open(browser, base_url, LAPTOP)
    try:
        yield page, guard
    finally:
        context.close()
    guard.assert_clean()


def _overlaps(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> list[tuple[str, str]]:
    out = []
    for i, p in enumerate(a):
        for j, q in enumerate(b):
            if (a is b and j <= i) or p["id"] == q["id"]:
                continue
            if (
                p["b"]["x1"] < q["b"]["x2"]
                and q["b"]["x1"] < p["b"]["x2"]
                and p["b"]["y1"] < q["b"]["y2"]
                and q["b"]["y1"] < p["b"]["y2"]
            ):
                out.append((p["id"], q["id"]))
    return out


def _assert_fitted(page: Any) -> None:
    f = page.evaluate(FIT)
    assert (
        f["x1"] >= FIT_PADDING - 2
        and f["y1"] >= FIT_PADDING - 2
        and f["x2"] <= f["w"] - FIT_PADDING + 2
        and f["y2"] <= f["h"] - FIT_PADDING + 2
    ), f
    tight = f["x2"] - f["x1"] >= f["w"] - 2 * FIT_PADDING - 2 or f["y2"] - f["y1"] >= f["h"] - 2 * FIT_PADDING - 2
    assert tight or abs(f["zoom"] - FIT_MAX_ZOOM) < 1e-6, f


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_two_labels_overlap_at_the_default_view_on_a_laptop(
    browser: Any, base_url: str, data: dict[str, Any], scheme: str
) -> None:
    context, page, guard = _open(browser, base_url, LAPTOP, scheme)
    try:
        drawn = page.evaluate(BOXES)
        factors = {n["id"] for n in data["nodes"] if n["kind"] == "factor"}
        recurring = {e["source"] for e in data["edges"] if e["kind"] == "contributed"}
        # The default view: every factor seen in an incident, labelled; incidents and services on request.
        assert {x["id"] for x in drawn["labels"]} == recurring and recurring <= factors and len(recurring) >= 20
        assert _overlaps(drawn["labels"], drawn["labels"]) == []
        assert _overlaps(drawn["labels"], drawn["discs"]) == []  # nor does a label cover another's disc
        assert drawn["zoom"] * data["layout"]["metrics"]["font"] >= 10, "labels readable without zooming"
        _assert_fitted(page)
    finally:
        context.close()
    guard.assert_clean()


def test_the_drawing_sits_at_the_positions_the_build_computed(laptop: tuple[Any, Guard], data: dict[str, Any]) -> None:
    page, _ = laptop
    drawn = page.evaluate("() => pmkbGraph.nodes().map(n => [n.id(), n.position('x'), n.position('y')])")
    built = {n["id"]: (n["x"], n["y"]) for n in data["nodes"]}
    assert len(drawn) > 200
    assert all(built[i] == (x, y) for i, x, y in drawn)


def test_filters_refit_the_view(laptop: tuple[Any, Guard], data: dict[str, Any]) -> None:
    page, _ = laptop
    nodes = {n["id"]: n for n in data["nodes"]}
    total = page.evaluate("() => pmkbGraph.nodes('[kind = \"factor\"]').length")
    # One category: its factors only, and the view closes in on them.
    for cat in ("technical", "response", "organisational"):
        page.uncheck(f"#pmkb-graph input[name=category][value={cat}]")
    page.wait_for_function("(n) => pmkbGraph.nodes('[kind = \"factor\"]').length < n", arg=total)
    cats = page.evaluate("() => pmkbGraph.nodes('[kind = \"factor\"]').map(n => n.data('category'))")
    assert cats and set(cats) == {"detection"}
    _assert_fitted(page)
    for cat in ("technical", "response", "organisational"):
        page.check(f"#pmkb-graph input[name=category][value={cat}]")
    # One service: each factor's disc counts that service's incidents only.
    service = max(
        (n for n in nodes.values() if n["kind"] == "service"),
        key=lambda s: (sum(e["target"] == s["id"] for e in data["edges"]), s["id"]),
    )
    page.select_option("#pmkb-graph select[name=service]", service["id"])
    page.wait_for_function(
        "() => pmkbGraph.nodes('[kind = \"factor\"]').length < 29 "
        "|| pmkbGraph.nodes('[kind = \"incident\"]').length < 200"
    )
    hit = {e["source"] for e in data["edges"] if e["kind"] == "affected" and e["target"] == service["id"]}
    expected: dict[str, int] = {}
    for e in data["edges"]:
        if e["kind"] == "contributed" and e["target"] in hit:
            expected[e["source"]] = expected.get(e["source"], 0) + 1
    shown = dict(page.evaluate("() => pmkbGraph.nodes('[kind = \"factor\"]').map(n => [n.id(), n.data('n')])"))
    assert shown == expected
    _assert_fitted(page)
    page.select_option("#pmkb-graph select[name=service]", "")
    # One year and one severity: the count says so, and the view re-fits.
    years = sorted({n["year"] for n in nodes.values() if n["kind"] == "incident"})
    page.select_option("#pmkb-graph select[name=from]", str(years[-1]))
    page.uncheck("#pmkb-graph input[name=severity][value=SEV4]")
    expected_incidents = sum(
        1 for n in nodes.values() if n["kind"] == "incident" and n["year"] == years[-1] and n["severity"] != "SEV4"
    )
    page.wait_for_function("(n) => pmkbGraph.nodes('[kind = \"incident\"]').length === n", arg=expected_incidents)
    assert f"from {expected_incidents} incidents, {years[-1]}." in page.locator("#pmkb-graph .pmkb-count").inner_text()
    _assert_fitted(page)


def test_incidents_and_services_on_request_on_a_time_axis(laptop: tuple[Any, Guard], data: dict[str, Any]) -> None:
    page, _ = laptop
    assert page.evaluate("() => pmkbGraph.nodes('[kind = \"incident\"]:visible').length") == 0
    page.check("#pmkb-graph input[name=incidents]")
    page.wait_for_function("() => pmkbGraph.nodes('[kind = \"incident\"]:visible').length === 200")
    years = sorted({n["year"] for n in data["nodes"] if n["kind"] == "incident"})
    assert page.evaluate("() => pmkbGraph.nodes('[kind = \"year\"]').map(n => n.data('label'))") == [
        str(y) for y in years
    ]
    _assert_fitted(page)  # the view widens to take the axis in
    page.check("#pmkb-graph input[name=services]")
    page.wait_for_function("() => pmkbGraph.nodes('[kind = \"service\"]:visible').length > 0")
    _assert_fitted(page)


def _factor_on_screen(page: Any) -> dict[str, Any]:
    """The factor in the most incidents, where the mouse finds it on the page."""
    page.locator("#pmkb-graph .pmkb-graph-canvas").scroll_into_view_if_needed()
    box = page.locator("#pmkb-graph .pmkb-graph-canvas").bounding_box()
    n = page.evaluate(
        """() => { const n = pmkbGraph.nodes('[kind = "factor"]').max(x => x.data('n')).ele;
        const p = n.renderedPosition();
        return {id: n.id(), label: n.data('label'), url: n.data('url'), n: n.data('n'), x: p.x, y: p.y,
                hood: n.closedNeighborhood().map(e => e.id())}; }"""
    )
    n["page_x"], n["page_y"] = box["x"] + n["x"], box["y"] + n["y"]
    return n


def test_hover_highlights_neighbours_and_lists_incidents(laptop: tuple[Any, Guard]) -> None:
    page, _ = laptop
    f = _factor_on_screen(page)
    page.mouse.move(f["page_x"], f["page_y"])
    page.wait_for_function("() => pmkbGraph.$('.hl').length > 0")
    assert set(page.evaluate("() => pmkbGraph.$('.hl').map(e => e.id())")) == set(f["hood"])
    assert page.evaluate(
        "(hood) => pmkbGraph.elements().filter(e => !hood.includes(e.id())).every(e => e.hasClass('faded'))", f["hood"]
    )
    detail = page.locator("#pmkb-graph .pmkb-graph-detail")
    assert detail.locator("a").first.inner_text() == f["label"]
    assert f"{f['n']} incidents" in detail.inner_text()
    assert detail.locator("li a").count() == min(10, f["n"])
    page.mouse.move(5, 5)
    page.wait_for_function("() => pmkbGraph.$('.hl, .faded').length === 0")


def test_a_click_on_a_factor_opens_its_page(laptop: tuple[Any, Guard], base_url: str) -> None:
    page, _ = laptop
    f = _factor_on_screen(page)
    with page.expect_navigation():
        page.mouse.click(f["page_x"], f["page_y"])
    assert page.url == base_url + f["url"]
    assert page.locator("article h1").first.inner_text().strip().rstrip("¶").strip() == f["label"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_on_a_phone_only_the_table_scrolls_sideways(
    browser: Any, base_url: str, data: dict[str, Any], scheme: str
) -> None:
    context, page, guard = _open(browser, base_url, PHONE, scheme)
    try:
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        box = page.locator(".pmkb-scroll:has(.pmkb-graph-table)")
        assert box.evaluate("el => getComputedStyle(el).overflowX") == "auto"
        assert box.evaluate("el => el.getBoundingClientRect().right <= window.innerWidth")
        assert page.locator(".pmkb-graph-table tbody tr").count() >= 20
        # The graph takes the build's tall arrangement, its labels still apart.
        drawn = page.evaluate(BOXES)
        tall = {n["id"]: (n["tx"], n["ty"]) for n in data["nodes"]}
        assert all(
            tall[i] == (x, y)
            for i, x, y in page.evaluate("() => pmkbGraph.nodes().map(n => [n.id(), n.position('x'), n.position('y')])")
        )
        assert _overlaps(drawn["labels"], drawn["labels"]) == []
        assert drawn["zoom"] > 0.45, "twice the scale the wide arrangement gets on a phone (0.32)"
        _assert_fitted(page)
    finally:
        context.close()
    guard.assert_clean()


def test_on_a_phone_the_first_tap_shows_a_factor_and_the_second_opens_it(browser: Any, base_url: str) -> None:
    # A finger has no hover: without this, a tap went straight to the page.
    context, page, guard = _open(browser, base_url, PHONE, has_touch=True, is_mobile=True)
    try:
        # The page tells a phone's reader what the taps below do.
        intro = " ".join(page.locator("article p").first.inner_text().split())
        assert (
            "Hover or tap a factor to see what it recurs with and list its incidents under the graph; click it (or "
            "tap it again) to open its page." in intro
        )
        assert (
            page.locator("#pmkb-graph .pmkb-graph-detail").inner_text().strip()
            == "Hover or tap a factor to list its incidents here."
        )
        f = _factor_on_screen(page)
        page.touchscreen.tap(f["page_x"], f["page_y"])
        page.wait_for_function("() => pmkbGraph.$('.hl').length > 0")
        assert page.url == base_url + "graph/"
        assert page.locator("#pmkb-graph .pmkb-graph-detail a").first.inner_text() == f["label"]
        with page.expect_navigation():
            page.touchscreen.tap(f["page_x"], f["page_y"])
        assert page.url == base_url + f["url"]
    finally:
        context.close()
    guard.assert_clean()


# What is drawn, by kind, and the count line the reader sees.
DRAWN = """() => {
    const shown = pmkbGraph.nodes(':visible');
    const n = k => shown.filter(`[kind = "${k}"]`).length;
    return {factor: n('factor'), incident: n('incident'), service: n('service'),
            links: pmkbGraph.edges(':visible').length,
            text: document.querySelector('#pmkb-graph .pmkb-count').textContent};
}"""


def _show(page: Any, incidents: bool, services: bool) -> dict[str, Any]:
    for name, on in (("incidents", incidents), ("services", services)):
        box = page.locator(f"#pmkb-graph input[name={name}]")
        if box.is_checked() != on:
            box.set_checked(on)
    page.wait_for_function(
        "([i, s]) => pmkbGraph.nodes('[kind = \"incident\"]:visible').nonempty() === i "
        "&& pmkbGraph.nodes('[kind = \"service\"]:visible').nonempty() === s",
        arg=[incidents, services],
    )
    return page.evaluate(DRAWN)


@pytest.mark.parametrize(("incidents", "services"), [(False, False), (True, False), (False, True), (True, True)])
def test_the_count_line_counts_what_is_drawn(laptop: tuple[Any, Guard], incidents: bool, services: bool) -> None:
    # It said "68 nodes, 292 links" over 29 factors and 152 links: the hidden ones counted.
    page, _ = laptop
    d = _show(page, incidents, services)
    years = page.evaluate(
        "() => [document.querySelector('select[name=from]').value, "
        "document.querySelector('select[name=to]').value].join('–')"
    )
    parts = (
        [f"{d['factor']} factors"]
        + ([f"{d['incident']} incidents"] if incidents else [])
        + ([f"{d['service']} services"] if services else [])
    )
    tail = "" if incidents else " from 200 incidents"
    assert d["text"] == f"Showing {', '.join(parts)} and {d['links']} links{tail}, {years}."
    assert d["factor"] >= 20 and (d["incident"] == 200) == incidents and (d["service"] > 0) == services


def test_services_without_incidents_link_to_the_factors_of_their_incidents(
    laptop: tuple[Any, Guard], data: dict[str, Any]
) -> None:
    # Services alone were squares with no line to anything.
    page, _ = laptop
    _show(page, False, True)
    drawn = page.evaluate(
        """() => pmkbGraph.edges('[kind = "via-service"]:visible')"""
        ".map(e => [e.source().id(), e.target().id(), e.data('n'), e.source().visible(), e.target().visible()])"
    )
    by_incident: dict[str, dict[str, set[str]]] = {}
    for e in data["edges"]:
        if e["kind"] == "contributed":
            by_incident.setdefault(e["target"], {"f": set(), "s": set()})["f"].add(e["source"])
        elif e["kind"] == "affected":
            by_incident.setdefault(e["source"], {"f": set(), "s": set()})["s"].add(e["target"])
    expected: dict[tuple[str, str], int] = {}
    for inc in by_incident.values():
        for f in inc["f"]:
            for s in inc["s"]:
                expected[(f, s)] = expected.get((f, s), 0) + 1
    assert {(f, s): n for f, s, n, *_ in drawn} == expected
    assert all(fv and sv for *_, fv, sv in drawn)
    lonely = page.evaluate(
        "() => pmkbGraph.nodes('[kind = \"service\"]:visible').filter(n => "
        "n.connectedEdges(':visible').empty()).map(n => n.id())"
    )
    assert lonely == []
    # With incidents shown, services hang off their incidents again, not off factors.
    _show(page, True, True)
    assert page.evaluate("() => pmkbGraph.edges('[kind = \"via-service\"]:visible').length") == 0
    assert page.evaluate("() => pmkbGraph.edges('[kind = \"affected\"]:visible').length") == sum(
        len(i["s"]) for i in by_incident.values()
    )


def test_a_year_range_cannot_be_inverted(laptop: tuple[Any, Guard], data: dict[str, Any]) -> None:
    # "From 2025 To 2023" drew an empty graph and said nothing.
    page, _ = laptop
    years = sorted({n["year"] for n in data["nodes"] if n["kind"] == "incident"})
    assert len(years) >= 3
    page.select_option("#pmkb-graph select[name=to]", str(years[0]))
    page.select_option("#pmkb-graph select[name=from]", str(years[-1]))
    page.wait_for_function(
        "(y) => document.querySelector('#pmkb-graph .pmkb-count').textContent.endsWith(', ' + y + '.')",
        arg=str(years[-1]),
    )
    assert (
        page.evaluate(
            "() => [document.querySelector('select[name=from]').value, document.querySelector('select[name=to]').value]"
        )
        == [str(years[-1])] * 2
    )
    in_year = sum(1 for n in data["nodes"] if n["kind"] == "incident" and n["year"] == years[-1])
    assert f"from {in_year} incidents" in page.evaluate(DRAWN)["text"]
    # Moving To below From takes From along.
    page.select_option("#pmkb-graph select[name=to]", str(years[1]))
    page.wait_for_function("(y) => document.querySelector('select[name=from]').value === y", arg=str(years[1]))
    assert page.evaluate(DRAWN)["factor"] > 0


def test_a_filter_that_leaves_no_incident_says_so(laptop: tuple[Any, Guard], data: dict[str, Any]) -> None:
    page, _ = laptop
    for sev in ("SEV1", "SEV2", "SEV3", "SEV4"):
        page.uncheck(f"#pmkb-graph input[name=severity][value={sev}]")
    page.wait_for_function("() => pmkbGraph.nodes(':visible').empty()")
    assert page.evaluate(DRAWN)["text"].startswith("No incidents match these filters")
