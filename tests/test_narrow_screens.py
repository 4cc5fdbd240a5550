"""Every page type at 390 × 844 (a phone), in the light and the dark palette: the page is
no wider than the screen (wide tables scroll inside their own box), tokens such as dates
and "overdue" badges do not wrap inside themselves, nothing is logged as an error and
nothing is requested from any host but the local server.

The site is built once for the module: the repository's knowledge base (clock frozen at
2026-11-21), two postmortems with overdue actions and one in review.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from site_helpers import (
    Guard,
    add_overdue_postmortems,
    assert_built,
    build_site,
    copy_kb,
    serve_dir,
    write_postmortem,
)

playwright_sync = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 390, 844
REVIEW_ID = "2026-11-06-narrow-in-review"
# One page of every type the site has.
PAGES = {
    "home": "",
    "catalog": "catalog/",
    "postmortem": "2024/2024-03-14-customer-comms-outage/",
    "service": "services/checkout/",
    "factor": "factors/retry-storm/",
    "factors index": "factors/",
    "services index": "services/",
    "graph": "graph/",
    "remediation": "remediation/",
    "insights": "insights/",
    "playbook page": "playbook/severities/",
    "rule page": "rules/blame-language/",
    "rules index": "rules/",
}
READY = {"catalog": "#pmkb-catalog[data-ready=true]", "graph": "#pmkb-graph[data-ready=true]"}
# Elements whose text is one token: it must sit on one line (the remediation table's
# Due, Overdue and Age columns are 5-7).
TOKENS = ".pmkb-nowrap, .pmkb-badge, .pmkb-sev, .pmkb-table time, .pmkb-remediation td:nth-child(n+5):nth-child(-n+7)"
# The lines a token's text runs over: the tops of its text's boxes (text nodes only: a
# badge's own box sits a little higher than its text).
LINES_OF = """els => els.map(el => {
    const tops = new Set();
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        const r = document.createRange();
        r.selectNodeContents(n);
        for (const b of r.getClientRects()) if (b.width > 0) tops.add(Math.round(b.top + b.height / 2));
    }
    return [el.textContent.trim(), tops.size];
})"""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = copy_kb(tmp_path_factory.mktemp("kb"))
    add_overdue_postmortems(root)
    when = datetime(2026, 11, 6, 9, 0, tzinfo=UTC)
    write_postmortem(
        root,
        meta={
            "id": REVIEW_ID,
            "status": "in-review",
            "title": "A postmortem still in review",
            "started": when,
            "detected": when,
            "mitigated": when,
            "resolved": when.replace(hour=10),
            "filed": date(2026, 11, 6),
        },
    )
    site = tmp_path_factory.mktemp("site")
    assert_built(build_site(root, site))
    for url in PAGES.values():
        assert (site / url / "index.html").is_file(), url
    with serve_dir(site) as url:
        yield url


def open_phone(browser: Any, scheme: str, url: str, ready: str | None) -> tuple[Any, Any, Guard]:
    watch = Guard()
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT}, color_scheme=scheme, service_workers="block"
    )
    page = context.new_page()
    watch.watch(context, page, console=True)
    page.set_default_timeout(15_000)
    page.goto(url)
    page.wait_for_load_state("load")
    if ready:
        page.wait_for_selector(ready, state="attached")
    return context, page, watch


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_every_page_fits_a_phone_screen(browser: Any, base_url: str, kind: str, scheme: str) -> None:
    context, page, watch = open_phone(browser, scheme, base_url + PAGES[kind], READY.get(kind))
    try:
        # The palette follows the system's: the dark one is really in force.
        assert page.get_attribute("body", "data-md-color-scheme") == ("slate" if scheme == "dark" else "default")
        scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert inner == WIDTH
        assert scroll <= inner, f"{kind} ({scheme}) is {scroll} px wide at {inner} px"
        wrapped = [(t, n) for t, n in page.eval_on_selector_all(TOKENS, LINES_OF) if n > 1]
        assert not wrapped, f"tokens wrapped inside themselves on {kind}: {wrapped}"
    finally:
        context.close()
    assert not watch.outside, f"requests to outside hosts: {watch.outside}"
    assert not watch.errors, f"console errors: {watch.errors}"


@pytest.mark.parametrize(("kind", "box"), [("catalog", ".pmkb-scroll"), ("remediation", ".pmkb-remediation")])
def test_a_wide_table_scrolls_inside_its_own_box(browser: Any, base_url: str, kind: str, box: str) -> None:
    """The tables that widened the page to 551-655 px are wider than the screen still:
    their box scrolls, the page does not. (The rules index now fits: its rows wrap.)"""
    context, page, watch = open_phone(browser, "light", base_url + PAGES[kind], READY.get(kind))
    try:
        sizes = page.locator(box).first.evaluate(
            "el => [el.scrollWidth, el.clientWidth, getComputedStyle(el).overflowX]"
        )
        assert sizes[0] > sizes[1] and sizes[2] == "auto", sizes
        before = page.evaluate("() => window.scrollX")
        page.locator(box).first.evaluate("el => { el.scrollLeft = 200; }")
        assert page.locator(box).first.evaluate("el => el.scrollLeft") > 0
        assert page.evaluate("() => window.scrollX") == before == 0
    finally:
        context.close()
    assert not watch.outside and not watch.errors


def _sample_titles(status: str) -> list[str]:
    """Titles of the repository's sample postmortems with `status` (the samples grow)."""
    import yaml
    from site_helpers import ROOT

    out = []
    for path in sorted((ROOT / "postmortems").glob("[0-9]*/*.md")):
        front = path.read_text(encoding="utf-8").split("---\n", 2)[1]
        meta = yaml.safe_load(front)
        if meta.get("status") == status:
            out.append(meta["title"])
    return out


def test_the_catalog_marks_in_review_rows(browser: Any, base_url: str) -> None:
    context, page, watch = open_phone(browser, "light", base_url + "catalog/", READY["catalog"])
    try:
        in_review = {*_sample_titles("in-review"), "A postmortem still in review"}  # the samples' and ours
        intro = page.locator("article p").first.inner_text()
        assert "but drafts" in intro and f"{len(in_review)} in review" in intro
        marked = page.eval_on_selector_all(
            "#pmkb-catalog tbody tr.pmkb-in-review", "rows => rows.map(r => r.cells[1].textContent.trim())"
        )
        assert set(marked) == in_review and len(marked) == len(in_review)
        assert set(page.locator("#pmkb-catalog tr.pmkb-in-review .pmkb-badge-review").all_inner_texts()) == {
            "in-review"
        }
        # After a filter the rows are drawn again by the script: still marked.
        page.select_option("#pmkb-catalog select[name=status]", "in-review")
        assert page.locator("#pmkb-catalog tbody tr").count() == len(in_review)
        assert page.locator("#pmkb-catalog tbody tr.pmkb-in-review .pmkb-badge-review").count() == len(in_review)
    finally:
        context.close()
    assert not watch.outside and not watch.errors
