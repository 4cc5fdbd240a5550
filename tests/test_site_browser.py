"""The built site in Chromium: a reader's path through catalog, postmortem, factor, graph
and remediation pages, the dark palette, Material's search, and script injection from
front matter. Every request is routed: one to a host other than 127.0.0.1/localhost
is recorded, aborted and fails the test; so does a dialog or an uncaught script error.

The site is built once for the module (the repository's knowledge base, clock frozen at
2026-11-21, plus two postmortems with overdue actions and one with injection payloads).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from site_helpers import (
    INJECTION_ID,
    OVERDUE_IDS,
    Guard,
    add_injection_postmortem,
    add_overdue_postmortems,
    assert_built,
    build_site,
    copy_kb,
    serve_dir,
)

playwright_sync = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

PAYLOAD = (
    "<img src=x onerror=window.__pwned=1> <script>window.__pwned=1</script> <script>alert(1)</script> <img src=x "
    "onerror=alert(1)>"
)
SEARCH_WORD = "auditors"  # appears in one sample postmortem only (checked below)
SEARCH_TARGET = "2023/2023-06-02-revenue-migration-duplicates/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_kb(tmp_path_factory.mktemp("kb"))
    add_overdue_postmortems(root)
    add_injection_postmortem(root, PAYLOAD)
    dest = tmp_path_factory.mktemp("site")
    assert_built(build_site(root, dest))
    return dest


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    with serve_dir(site) as url:
        yield url


@pytest.fixture
def guard() -> Guard:
    return Guard()


@pytest.fixture
def page(browser: Any, guard: Guard) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, color_scheme="light", service_workers="block"
    )
    pg = context.new_page()
    guard.watch(context, pg)
    pg.set_default_timeout(15_000)
    try:
        yield pg
    finally:
        context.close()
    guard.assert_clean()


def catalog_data(site: Path) -> dict[str, Any]:
    return json.loads((site / "assets" / "pmkb" / "catalog.json").read_text(encoding="utf-8"))


def visible_rows(page: Any) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#pmkb-catalog tbody tr",
        "rows => rows.map(r => Array.from(r.cells, c => c.textContent.trim()))",
    )


def heading(page: Any) -> str:
    return page.locator("article h1").first.inner_text().strip().rstrip("¶").strip()


def wait_catalog(page: Any) -> None:
    page.wait_for_selector("#pmkb-catalog[data-ready=true]", state="attached")


def material_search(page: Any, query: str) -> Any:
    """Type `query` into Material's search once its index is ready; the result links."""
    box = page.locator(".md-search__input")
    box.click()
    page.wait_for_function(
        "() => { const m = document.querySelector('.md-search-result__meta');"
        " return m && !/Initializing/.test(m.textContent); }"
    )
    box.press_sequentially(query, delay=20)  # key by key, as a reader types
    results = page.locator(".md-search-result__item a.md-search-result__link")
    results.first.wait_for()
    return results


def wait_graph(page: Any) -> None:
    page.wait_for_selector("#pmkb-graph[data-ready=true]", state="attached")
    page.wait_for_function("() => window.pmkbGraph && window.pmkbGraph.nodes().length > 0")


# ---- the reader's path ----------------------------------------------------------------


def test_reader_path_catalog_postmortem_factor(page: Any, guard: Guard, site: Path, base_url: str) -> None:
    data = catalog_data(site)
    rows = data["rows"]
    page.goto(base_url)
    page.locator(".md-tabs").get_by_role("link", name="Catalog", exact=True).click()
    page.wait_for_url(base_url + "catalog/")
    wait_catalog(page)
    assert len(visible_rows(page)) == len(rows)
    assert page.locator("#pmkb-catalog .pmkb-count").inner_text().startswith(f"{len(rows)} of {len(rows)}")

    # Filter by a severity: fewer rows, all of that severity.
    severities = sorted({r["s"] for r in rows}, key=lambda s: -sum(r["s"] == s for r in rows))
    sev = severities[0]
    expected = [r for r in rows if r["s"] == sev]
    assert 1 < len(expected) < len(rows)
    page.select_option("#pmkb-catalog select[name=severity]", sev)
    shown = visible_rows(page)
    assert len(shown) == len(expected)
    assert all(cells[2] == sev for cells in shown)

    # …and by a factor that some but not all of those incidents share.
    counts: dict[str, int] = {}
    for r in expected:
        for f in r["f"]:
            counts[f] = counts.get(f, 0) + 1
    factor = max((f for f, n in counts.items() if n < len(expected)), key=lambda f: (counts[f], f))
    factor_name = data["factors"][factor]
    page.select_option("#pmkb-catalog select[name=factor]", factor)
    shown = visible_rows(page)
    assert len(shown) == counts[factor]
    assert all(cells[2] == sev and factor_name in cells[4].split(", ") for cells in shown)
    assert {cells[1] for cells in shown} == {r["t"] for r in expected if factor in r["f"]}
    assert f"factor={factor}" in page.url and f"severity={sev}" in page.url
    assert page.locator("#pmkb-catalog .pmkb-more").is_hidden()  # nothing more to show

    # The filters live in the address: a shared link opens the same view, and the
    # free-text filter does not open Material's search overlay on top of it.
    word = expected[0]["t"].split()[0].lower()
    page.fill("#pmkb-catalog input[type=search]", word)
    page.wait_for_url(re.compile(r"[?&]text="))
    shared = page.url
    page.goto(shared)
    wait_catalog(page)
    assert page.input_value("#pmkb-catalog select[name=severity]") == sev
    assert page.input_value("#pmkb-catalog input[type=search]") == word
    assert all(word in (cells[1] + " " + cells[3]).lower() for cells in visible_rows(page))
    assert not page.is_checked("#__search"), "Material's search opened over the catalog"
    page.fill("#pmkb-catalog input[type=search]", "")

    # Sort by title, both ways (on every row: clear the factor filter first).
    page.select_option("#pmkb-catalog select[name=factor]", "")
    page.click("#pmkb-catalog th[data-sort=title]")
    titles = [cells[1] for cells in visible_rows(page)]
    assert titles == sorted(titles, key=str.lower) and len(titles) == len(expected)
    assert page.get_attribute("#pmkb-catalog th[data-sort=title]", "aria-sort") == "ascending"
    page.click("#pmkb-catalog th[data-sort=title]")
    assert [cells[1] for cells in visible_rows(page)] == titles[::-1]
    page.click("#pmkb-catalog th[data-sort=ttr]")
    ttr = {r["t"]: r["ttr"] for r in rows}
    by_ttr = [ttr[cells[1]] for cells in visible_rows(page)]
    assert by_ttr == sorted(by_ttr, reverse=True)

    # Open a postmortem from the table.
    first = next(r for r in rows if r["t"] == visible_rows(page)[0][1])
    page.locator("#pmkb-catalog tbody tr").first.get_by_role("link").click()
    page.wait_for_url(base_url + first["u"])
    assert heading(page) == first["t"]
    card = page.locator(".pmkb-card")
    assert card.is_visible()
    assert sev in card.inner_text()

    # Click a factor chip: its factor page.
    chip = card.locator("a.pmkb-chip").first
    chip_name = chip.inner_text().strip()
    chip.click()
    page.wait_for_url(re.compile(re.escape(base_url) + r"factors/[a-z0-9-]+/$"))
    assert heading(page) == chip_name

    # On the factor page, click the incident we came from.
    page.locator("article table").first.get_by_role("link", name=first["t"], exact=True).click()
    page.wait_for_url(base_url + first["u"])
    assert heading(page) == first["t"]
    guard.assert_clean()


def test_graph_page(page: Any, guard: Guard, site: Path, base_url: str) -> None:
    graph = json.loads((site / "assets" / "pmkb" / "graph.json").read_text(encoding="utf-8"))
    page.goto(base_url)
    page.locator(".md-tabs").get_by_role("link", name="Graph", exact=True).click()
    page.wait_for_url(base_url + "graph/")
    wait_graph(page)
    total = page.evaluate("() => pmkbGraph.nodes().length")
    assert total > 20
    assert page.evaluate("() => pmkbGraph.nodes('[kind = \"incident\"]').length") == sum(
        n["kind"] == "incident" for n in graph["nodes"]
    )
    # The count line counts what is drawn: the factors (incidents are hidden at first).
    shown = page.evaluate("() => pmkbGraph.nodes('[kind = \"factor\"]').filter(n => n.visible()).length")
    assert shown == sum(n["kind"] == "factor" for n in graph["nodes"])
    count = page.locator("#pmkb-graph .pmkb-count").inner_text()
    assert count.startswith("Showing ") and f"{shown} factors" in count, count

    # Hovering a node highlights it and its neighbours and fades the rest, with the mouse.
    box = page.locator("#pmkb-graph .pmkb-graph-canvas").bounding_box()
    node = page.evaluate(
        """() => {
            const n = pmkbGraph.nodes('[kind = "factor"]').max(x => x.degree()).ele;
            const p = n.renderedPosition();
            return {id: n.id(), x: p.x, y: p.y, hood: n.closedNeighborhood().map(e => e.id())};
        }"""
    )
    page.mouse.move(box["x"] + node["x"], box["y"] + node["y"])
    page.wait_for_function("() => pmkbGraph.$('.hl').length > 0")
    state = page.evaluate(
        """(id) => {
            const n = pmkbGraph.getElementById(id);
            const hood = n.closedNeighborhood();
            return {
                hovered: pmkbGraph.$('.hl').map(e => e.id()),
                hoodHl: hood.every(e => e.hasClass('hl')),
                neighbours: n.neighborhood('node').length,
                restFaded: pmkbGraph.elements().difference(hood).every(e => e.hasClass('faded')),
            };
        }""",
        node["id"],
    )
    assert set(state["hovered"]) == set(node["hood"]), "the mouse should be over the busiest factor node"
    assert state["hoodHl"] and state["restFaded"] and state["neighbours"] > 1
    page.mouse.move(box["x"] + 2, box["y"] + 2)
    page.wait_for_function("() => pmkbGraph.$('.hl, .faded').length === 0")

    # Filter by category: that category's factors leave the graph.
    cats = page.eval_on_selector_all("#pmkb-graph input[name=category]", "els => els.map(e => e.value)")
    assert "detection" in cats
    page.uncheck("#pmkb-graph input[name=category][value=detection]")
    page.wait_for_function("(n) => pmkbGraph.nodes().length < n", arg=total)
    assert page.evaluate("() => pmkbGraph.nodes('[category = \"detection\"]').length") == 0
    assert page.evaluate("() => pmkbGraph.nodes('[kind = \"factor\"]').length") > 0
    page.check("#pmkb-graph input[name=category][value=detection]")
    page.wait_for_function("(n) => pmkbGraph.nodes().length === n", arg=total)

    # Filter by time: incidents before the chosen year leave the graph.
    years = sorted({n["year"] for n in graph["nodes"] if n["kind"] == "incident"})
    page.select_option("#pmkb-graph select[name=from]", str(years[-2]))
    page.wait_for_function("(n) => pmkbGraph.nodes().length < n", arg=total)
    shown_years = page.evaluate("() => pmkbGraph.nodes('[kind = \"incident\"]').map(n => n.id())")
    expected = {n["id"] for n in graph["nodes"] if n["kind"] == "incident" and n["year"] >= years[-2]}
    assert set(shown_years) == expected
    page.select_option("#pmkb-graph select[name=from]", str(years[0]))
    page.wait_for_function("(n) => pmkbGraph.nodes().length === n", arg=total)

    # Clicking (tapping) a node opens its page.
    target = page.evaluate(
        "() => { const n = pmkbGraph.$('node[kind=\"factor\"]')[0]; return {url: n.data('url'), label: "
        "n.data('label')}; }"
    )
    with page.expect_navigation():
        page.evaluate("() => { pmkbGraph.$('node[kind=\"factor\"]')[0].emit('tap'); }")
    assert page.url == base_url + target["url"]
    assert re.fullmatch(r"factors/[a-z0-9-]+/", target["url"])
    assert heading(page) == target["label"]
    guard.assert_clean()


def test_graph_incident_node_opens_its_postmortem(page: Any, guard: Guard, base_url: str) -> None:
    page.goto(base_url + "graph/")
    wait_graph(page)
    target = page.evaluate(f"() => pmkbGraph.getElementById('incident:{OVERDUE_IDS[0]}').data('url')")
    assert target == f"2026/{OVERDUE_IDS[0]}/"
    with page.expect_navigation():
        page.evaluate(f"() => {{ pmkbGraph.getElementById('incident:{OVERDUE_IDS[0]}').emit('tap'); }}")
    assert page.url == base_url + target
    assert page.locator(".pmkb-card").is_visible()
    guard.assert_clean()


def test_remediation_report_shows_overdue_first(page: Any, guard: Guard, base_url: str) -> None:
    page.goto(base_url)
    assert page.locator(".pmkb-tile-alert strong").inner_text().strip() == "3"
    page.locator(".md-tabs").get_by_role("link", name="Remediation", exact=True).click()
    page.wait_for_url(base_url + "remediation/")
    rows = page.locator(".pmkb-remediation tbody tr")
    n = rows.count()
    assert n > 3
    overdue = [("pmkb-overdue" in (rows.nth(i).get_attribute("class") or "")) for i in range(n)]
    assert overdue[:3] == [True, True, True] and not any(overdue[3:])
    days = [int(rows.nth(i).locator(".pmkb-badge-overdue").inner_text().split()[0]) for i in range(3)]
    assert days == [60, 20, 10]  # due 2026-09-22, 2026-11-01, 2026-11-11; today 2026-11-21
    assert rows.nth(0).get_attribute("id") == f"{OVERDUE_IDS[0]}#1"
    # The overdue rows stand out: a coloured mark on their first cell.
    mark = rows.nth(0).locator("td").first.evaluate("td => getComputedStyle(td).boxShadow")
    assert mark not in ("", "none")
    guard.assert_clean()


# ---- palette and search ------------------------------------------------------------------------


def _rgba(css: str) -> tuple[float, float, float, float]:
    nums = [float(x) for x in re.findall(r"[\d.]+", css)]
    assert len(nums) >= 3, css
    return nums[0], nums[1], nums[2], nums[3] if len(nums) > 3 else 1.0


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(fg_css: str, bg_css: str) -> float:
    bg = _rgba(bg_css)[:3]
    r, g, b, a = _rgba(fg_css)
    fg = (r * a + bg[0] * (1 - a), g * a + bg[1] * (1 - a), b * a + bg[2] * (1 - a))
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


EFFECTIVE_COLORS = """el => {
    let bg = 'rgba(0, 0, 0, 0)';
    for (let e = el; e; e = e.parentElement) {
        const c = getComputedStyle(e).backgroundColor;
        if (c && !/rgba\\(.*,\\s*0\\)$/.test(c) && c !== 'transparent') { bg = c; break; }
    }
    return {fg: getComputedStyle(el).color, bg: bg};
}"""


def test_dark_mode(page: Any, guard: Guard, base_url: str) -> None:
    page.goto(base_url + "2024/2024-03-14-customer-comms-outage/")
    assert page.get_attribute("body", "data-md-color-scheme") == "default"
    light = page.locator(".pmkb-card dd").first.evaluate(EFFECTIVE_COLORS)
    page.locator("label[title='Switch to dark mode']:visible").click()
    page.wait_for_selector("body[data-md-color-scheme=slate]", state="attached")
    for selector in (".pmkb-card dd", ".pmkb-card dt", ".pmkb-card a.pmkb-chip", "article h1", ".pmkb-actions td"):
        colors = page.locator(selector).first.evaluate(EFFECTIVE_COLORS)
        assert colors["fg"] != colors["bg"]
        ratio = _contrast(colors["fg"], colors["bg"])
        assert ratio >= 3.0, f"{selector}: {colors} contrast {ratio:.2f}"
    dark = page.locator(".pmkb-card dd").first.evaluate(EFFECTIVE_COLORS)
    assert dark["bg"] != light["bg"], "the background did not change"
    # The choice sticks on the next page.
    page.goto(base_url + "catalog/")
    assert page.get_attribute("body", "data-md-color-scheme") == "slate"
    guard.assert_clean()


def test_material_search_finds_a_postmortem(page: Any, guard: Guard, site: Path, base_url: str) -> None:
    holders = [
        p.relative_to(site).parent.as_posix() + "/"
        for p in site.rglob("*.html")
        if SEARCH_WORD in p.read_text(encoding="utf-8").lower()
    ]
    assert holders == [SEARCH_TARGET], f"{SEARCH_WORD!r} should be on one page only: {holders}"
    page.goto(base_url)
    results = material_search(page, SEARCH_WORD)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert hrefs and all(urlsplit(h).path.endswith("/" + SEARCH_TARGET) for h in hrefs), hrefs
    results.first.click()
    page.wait_for_url(re.compile(re.escape(base_url + SEARCH_TARGET)))
    assert SEARCH_WORD in page.locator("article").inner_text().lower()
    guard.assert_clean()


# ---- script injection -------------------------------------------------------------------------


INJECTION_PAGES = {
    "postmortem": f"2026/{INJECTION_ID}/",
    "catalog": "catalog/?text=injection",
    "graph": "graph/",
    "remediation": "remediation/",
    "service": "services/{service}/",
    "factor": "factors/software-defect/",
    "home": "",
    "search": "",
}


@pytest.mark.parametrize("where", list(INJECTION_PAGES))
def test_front_matter_cannot_run_script(page: Any, guard: Guard, site: Path, base_url: str, where: str) -> None:
    services = [p.parent.name for p in (site / "services").glob("svc-*/index.html")]
    assert len(services) == 1
    url = INJECTION_PAGES[where].format(service=services[0])
    page.goto(base_url + url)
    page.wait_for_load_state("load")
    if where == "catalog":
        wait_catalog(page)
        rows = visible_rows(page)
        assert len(rows) == 1 and rows[0][1] == f"Injection {PAYLOAD}"  # there, as text
    elif where == "graph":
        wait_graph(page)
        label = page.evaluate(f"() => pmkbGraph.getElementById('incident:{INJECTION_ID}').data('label')")
        assert PAYLOAD in label
        with page.expect_navigation():
            page.evaluate(f"() => {{ pmkbGraph.getElementById('incident:{INJECTION_ID}').emit('tap'); }}")
        assert page.url == base_url + INJECTION_PAGES["postmortem"]
    elif where == "search":
        results = material_search(page, "injection")
        assert INJECTION_ID in (results.first.get_attribute("href") or "")
        assert PAYLOAD in results.first.inner_text()  # shown as text
    else:
        assert PAYLOAD in page.locator("article").inner_text(), "the payload should be shown as text"
    if where == "postmortem":
        assert heading(page) == f"Injection {PAYLOAD}"
        assert PAYLOAD in page.title() and PAYLOAD in page.locator(".md-header__topic").last.inner_text()
    page.wait_for_timeout(100)  # let any injected handler fire
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    injected = page.evaluate(
        """() => ({
            imgs: Array.from(document.images).filter(i => /(^|\\/)x$/.test(i.getAttribute('src') || '')).length,
            scripts: Array.from(document.scripts).filter(s => /__pwned|alert\\(1\\)/.test(s.textContent)).length,
            handlers: Array.from(document.querySelectorAll('*')).filter(e =>
                Array.from(e.attributes).some(a => a.name.startsWith('on') && /pwned|alert/.test(a.value))).length,
        })"""
    )
    assert injected == {"imgs": 0, "scripts": 0, "handlers": 0}
    guard.assert_clean()
