"""What a new reader's review of the built site found, in Chromium, over the repository's
own knowledge base: durations read the same before and after the catalog's JavaScript
re-draws a row; the postmortem's action table gives its room to the Action text at
1366 px and scrolls inside its own box at 390 px; the rules index shows what each rule
finds on a phone; a code token in a playbook table does not break mid-word.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from site_helpers import Guard, assert_built, build_site, copy_kb, load_page, serve_dir, squash

from postmortem_kb.analyse.common import human_duration

pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
TTR_COLUMN = 6  # Date, Title, Severity, Services, Factors, Time to restore, Status


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_kb(tmp_path_factory.mktemp("kb"))
    dest = tmp_path_factory.mktemp("site")
    assert_built(build_site(root, dest))
    return dest


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    with serve_dir(site) as url:
        yield url


@pytest.fixture
def open_page(browser: Any, base_url: str) -> Iterator[Any]:
    """`open_page(url, viewport, scheme)`: a fresh page; no outside request, error or warning."""
    contexts: list[tuple[Any, Guard]] = []

    def _open(url: str, viewport: dict[str, int], scheme: str = "light") -> Any:
        context = browser.new_context(viewport=viewport, color_scheme=scheme, service_workers="block")
        if scheme == "dark":
            context.add_init_script(
                "localStorage.setItem('/.__palette', JSON.stringify({index: 1, color: {scheme: 'slate'}}))"
            )
        page = context.new_page()
        guard = Guard()
        guard.watch(context, page, console=True)
        page.set_default_timeout(15_000)
        contexts.append((context, guard))
        page.goto(base_url + url)
        return page

    yield _open
    for context, guard in contexts:
        context.close()
        guard.assert_clean()


def _ttr_by_url(rows: list[tuple[str, str]]) -> dict[str, str]:
    return {href: squash(text) for href, text in rows}


def _catalog_js_rows(page: Any) -> list[tuple[str, str]]:
    return page.evaluate(
        "() => [...document.querySelectorAll('#pmkb-catalog tbody tr')].map(tr => "
        f"[tr.querySelector('a').getAttribute('href'), tr.children[{TTR_COLUMN - 1}].textContent])"
    )


# ---- durations ---------------------------------------------------------------------------


def test_a_sort_keeps_every_samples_duration_as_the_server_wrote_it(open_page: Any, site: Path) -> None:
    # The server wrote "1 d 6 h"; after a sort the script wrote "30 h 20 min" for the same row.
    html = load_page(site, "catalog/")
    server = []
    for tr in html.find("table", cls="pmkb-table").find("tbody").find_all("tr"):
        cells = tr.find_all("td")
        server.append((tr.find("a").get("href"), cells[TTR_COLUMN - 1].text))
    written = _ttr_by_url(server)
    assert (
        len(written) >= 20
        and any(" d " in t for t in written.values())
        and any(t.endswith(" min") for t in written.values())
    )
    page = open_page("catalog/", LAPTOP)
    page.wait_for_selector("#pmkb-catalog[data-ready=true]", state="attached")
    for _ in range(2):  # both directions
        page.click("#pmkb-catalog th[data-sort=ttr]")
        drawn = _ttr_by_url(_catalog_js_rows(page))
        assert drawn == written


# Minutes around every boundary of the format, and some ordinary values.
MINUTES = [
    0,
    1,
    9,
    59,
    60,
    61,
    69,
    70,
    119,
    600,
    1439,
    1440,
    1441,
    1499,
    1500,
    1820,
    2879,
    2880,
    2881,
    4380,
    10_079,
    10_080,
    43_201,
    525_600,
]


def test_the_script_formats_a_duration_exactly_as_human_duration(open_page: Any, base_url: str, site: Path) -> None:
    data = json.loads((site / "assets" / "pmkb" / "catalog.json").read_text(encoding="utf-8"))
    template = data["rows"][0]
    rows = [{**template, "id": f"x{m:07d}", "u": f"x{m}/", "t": f"x{m}", "ttr": m} for m in MINUTES]
    page = open_page("", LAPTOP)  # the home page first: the route must be set before the catalog loads
    page.route(
        "**/assets/pmkb/catalog.json",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps({**data, "rows": rows})
        ),
    )
    page.goto(base_url + "catalog/")
    page.wait_for_selector("#pmkb-catalog[data-ready=true]", state="attached")
    drawn = {href: text for href, text in _catalog_js_rows(page)}
    assert drawn == {f"../x{m}/": human_duration(timedelta(minutes=m)) for m in MINUTES}


# ---- the postmortem's action table -------------------------------------------------------

ACTIONS = "2024/2024-03-14-customer-comms-outage/"  # five actions, with priorities
COLUMNS = """() => {
    const t = document.querySelector('.pmkb-actions table');
    const head = [...t.querySelectorAll('thead th')]
        .map(th => [th.textContent.trim(), th.getBoundingClientRect().width]);
    // Lines of text in a cell: its boxes' tops, a badge's padding (a few px) not a new line.
    const lines = el => { const r = document.createRange(); r.selectNodeContents(el);
        const tops = [...r.getClientRects()].filter(x => x.height > 0).map(x => x.top).sort((a, b) => a - b);
        return tops.filter((t, i) => i === 0 || t - tops[i - 1] > 8).length; };
    const rows = [...t.querySelectorAll('tbody tr')].map(tr => [...tr.children].map(lines));
    return {head: Object.fromEntries(head), table: t.getBoundingClientRect().width, rows,
            action: [...t.querySelectorAll('tbody td:nth-child(2)')].map(td => td.textContent.trim())};
}"""


def test_on_a_laptop_the_action_column_takes_the_room(open_page: Any) -> None:
    # Seven equal 100 px columns: the Action text broke almost every word onto its own line.
    page = open_page(ACTIONS, LAPTOP)
    t = page.evaluate(COLUMNS)
    head = t["head"]
    assert list(head) == ["#", "Action", "Priority", "Kind", "Owner", "Due", "Status"]
    assert head["Action"] >= 0.35 * t["table"] and head["Action"] == max(head.values()), head
    assert head["#"] < 40 and head["Priority"] < 80, head
    for row, text in zip(t["rows"], t["action"], strict=True):
        # Every other cell on one line; the action at least six words a line.
        assert all(n == 1 for i, n in enumerate(row) if i != 1), row
        assert row[1] <= max(1, len(text.split()) // 6 + 1), (text, row[1])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_on_a_phone_the_action_table_scrolls_in_its_own_box(open_page: Any, scheme: str) -> None:
    # Owner, Due and Status were off-screen.
    page = open_page(ACTIONS, PHONE, scheme)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    box = page.evaluate(
        """() => {
        const boxes = []; let e = document.querySelector('.pmkb-actions table').parentElement;
        for (; e && e !== document.body; e = e.parentElement)
            if (['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1)
                boxes.push(e);
        if (boxes.length !== 1) return {count: boxes.length};
        const b = boxes[0], r = b.getBoundingClientRect();
        b.scrollLeft = b.scrollWidth;
        const status = [...document.querySelectorAll('.pmkb-actions thead th')].pop().getBoundingClientRect();
        return {count: 1, left: r.left, right: r.right, statusLeft: status.left, statusRight: status.right};
    }"""
    )
    assert box["count"] == 1, "one scroll box, not two nested ones"
    assert box["left"] >= 0 and box["right"] <= PHONE["width"]
    assert box["left"] <= box["statusLeft"] and box["statusRight"] <= box["right"] + 1, (
        box
    )  # scrolled, Status is in view
    action = page.locator(".pmkb-actions tbody td:nth-child(2)").first.bounding_box()
    assert action and action["width"] >= 140, "the Action column keeps readable lines"


# ---- other pages on a phone --------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_on_a_phone_the_rules_index_shows_what_each_rule_finds(open_page: Any, scheme: str) -> None:
    page = open_page("rules/", PHONE, scheme)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    cells = page.evaluate(
        """() => [...document.querySelectorAll('.pmkb-table tbody td.pmkb-text')].map(td => {
        const r = td.getBoundingClientRect(); return [td.textContent.trim(), r.left, r.right, r.width]; })"""
    )
    assert len(cells) >= 20
    for text, left, right, width in cells:
        assert left >= 0 and right <= PHONE["width"] and width >= 300, (text, left, right, width)
    # Each rule's code, name and severity stay readable beside each other.
    names = page.evaluate(
        "() => [...document.querySelectorAll('.pmkb-table tbody td:nth-child(2) a')].map(a => { const r = "
        "a.getBoundingClientRect(); return [a.textContent, r.right, a.getClientRects().length]; })"
    )
    assert all(right <= PHONE["width"] and n == 1 for _, right, n in names), names


def test_on_a_phone_a_code_token_in_a_playbook_table_stays_whole(open_page: Any) -> None:
    # "lightweight" read "lightweigh" / "t".
    page = open_page("playbook/postmortems/", PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    tokens = page.evaluate(
        "() => [...document.querySelectorAll('.md-typeset table td code')].map(c => [c.textContent, "
        "c.getClientRects().length])"
    )
    assert ["lightweight", 1] in tokens and ["standard", 1] in tokens
    assert all(n == 1 for text, n in tokens if " " not in text and len(text) <= 30), tokens
    # Prose wraps between words: nothing in the article may break a word anywhere.
    assert (
        page.evaluate(
            "() => [...document.querySelectorAll('article *')].filter(e => getComputedStyle(e).wordBreak === "
            "'break-all').length"
        )
        == 0
    )
