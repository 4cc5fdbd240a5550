"""The built site, read as files: postmortem pages, generated pages, downloads, policy text,
`--strict`, escaping of front-matter text and no outside requests. No browser.

The knowledge base is the repository's own (copied, clock frozen at 2026-11-21), plus two
postmortems with overdue actions, one with script-injection payloads in every field and
a few edge cases. Each distinct configuration is built once per module.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from site_helpers import (
    INJECTION_ID,
    OVERDUE_IDS,
    ROOT,
    TODAY,
    Element,
    add_injection_postmortem,
    add_overdue_postmortems,
    assert_built,
    build_site,
    copy_kb,
    load_page,
    parse_html,
    squash,
    write_postmortem,
)

from postmortem_kb.rules.registry import registry

# ---- the samples ------------------------------------------------------------------------


def _front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    return yaml.safe_load(text[4 : text.index("\n---", 4)])


SAMPLE_FILES = sorted((ROOT / "postmortems").glob("20*/*.md"))
SAMPLES = {p: _front_matter(p) for p in SAMPLE_FILES}
PUBLISHED = {p: m for p, m in SAMPLES.items() if m["status"] != "draft"}
DRAFTS = {p: m for p, m in SAMPLES.items() if m["status"] == "draft"}
TAXONOMY = yaml.safe_load((ROOT / "postmortems" / "factors.yml").read_text(encoding="utf-8"))
RULES = [{"code": r.code, "name": r.name} for r in registry().values()]
PLAYBOOK = sorted((ROOT / "ops-playbook").glob("*.md"))

# PRODUCT.md: "Rule names that must exist"; every rule has a doc page on the site.
REQUIRED_RULES = [
    "yaml-syntax", "schema", "missing-section", "empty-section", "duplicate-id", "unknown-factor",
    "unknown-related", "blame-language", "counterfactual", "root-cause-language", "too-few-factors",
    "action-missing-owner", "action-missing-due", "stale-action", "late-postmortem",
    "missing-public-postmortem", "timeline-order", "vigilance-action",
]  # fmt: skip

RAW_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=window.__pwned=1>",
]
PAYLOAD = " ".join([RAW_PAYLOADS[0], RAW_PAYLOADS[1], "[x](javascript:alert(1))", RAW_PAYLOADS[2], RAW_PAYLOADS[3]])
COLON_ID = "2026-10-02-colon-title"
COLON_TITLE = "Checkout: payments ~ slow | retried *twice*"
INVALID_ID = "2026-10-02-invalid-front-matter"
DEEP_ID = "2026-10-03-filed-deeper"


def sample_url(path: Path) -> str:
    """`postmortems/2024/x.md` → `2024/x/` (directory URLs)."""
    rel = path.relative_to(ROOT / "postmortems").with_suffix("")
    return rel.as_posix() + "/"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def target(site: Path, page_url: str, href: str) -> Path:
    """The built file a relative link on the page at `page_url` leads to."""
    href = href.split("#", 1)[0].split("?", 1)[0]
    assert not re.match(r"^[a-z][a-z0-9+.-]*:|^//", href, re.I), f"not a site link: {href}"
    joined = posixpath.normpath(posixpath.join(page_url, href))
    joined = "" if joined == "." else joined
    assert not joined.startswith(".."), f"{href} on {page_url} leaves the site"
    path = site / joined
    return path / "index.html" if href.endswith("/") or path.is_dir() else path


def minutes_of(text: str) -> int:
    """Minutes shown by the card: `14 min`, `1 h 48 min`, `2 d 3 h`."""
    m = re.fullmatch(r"(?:(\d+) d)? ?(?:(\d+) h)? ?(?:(\d+) min)?", text.strip())
    assert m and any(m.groups()), f"not a duration: {text!r}"
    d, h, mins = (int(g or 0) for g in m.groups())
    return d * 1440 + h * 60 + mins


def card_fields(page: Element) -> dict[str, Element]:
    card = page.find("div", cls="pmkb-card")
    assert card is not None, "no header card"
    out = {}
    for dt in card.find_all("dt"):
        dd = dt.parent.find("dd")
        assert dd is not None
        out[squash(dt.text)] = dd
    return out


def all_files(site: Path, *suffixes: str) -> list[Path]:
    return [p for p in site.rglob("*") if p.is_file() and (not suffixes or p.suffix in suffixes)]


# ---- builds ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_kb(tmp_path_factory.mktemp("kb"))
    add_overdue_postmortems(root)
    add_injection_postmortem(root, PAYLOAD)
    write_postmortem(root, meta={"id": COLON_ID, "title": COLON_TITLE})
    # A schema error (a due date that is not a date): reported, not published, no crash.
    bad = write_postmortem(root, meta={"id": INVALID_ID, "title": "Invalid front matter example"})
    bad.write_text(bad.read_text(encoding="utf-8").replace("due: 2026-12-30", "due: next tuesday"), encoding="utf-8")
    # One a folder deeper than the rest: its links to the rest of the site are one "../" longer.
    deep = write_postmortem(root, meta={"id": DEEP_ID, "title": "Filed a folder deeper"})
    (deep.parent / "archive").mkdir()
    deep.rename(deep.parent / "archive" / deep.name)
    return root


@pytest.fixture(scope="module")
def build(kb: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    dest = tmp_path_factory.mktemp("site")
    result = build_site(kb, dest)
    assert_built(result)
    result.site = dest
    return result


@pytest.fixture(scope="module")
def site(build: Any) -> Path:
    return build.site


@pytest.fixture(scope="module")
def strict_report_only(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """`--strict` with postmortem_due_hours 36 and one postmortem whose action is stale."""
    root = copy_kb(tmp_path_factory.mktemp("kb-policy"))
    write_postmortem(
        root,
        meta={
            "id": "2026-10-02-stale-action",
            "actions": [
                {
                    "summary": "Make send workers reconnect with backoff",
                    "owner": "Tomás Ortega",
                    "due": TODAY.replace(month=10),
                    "status": "open",
                    "tracker": "https://tracker.example.com/MSG-9",
                    "kind": "prevent",
                }
            ],
        },
    )
    dest = tmp_path_factory.mktemp("site-policy")
    result = build_site(root, dest, strict=True, config_overrides={"policy": {"postmortem_due_hours": 36}})
    result.site = dest
    return result


# ---- postmortem pages -------------------------------------------------------------------------


def test_samples_cover_the_cases() -> None:
    assert len(PUBLISHED) >= 10
    assert DRAFTS, "the samples should include a draft"
    assert any(m.get("related") for m in PUBLISHED.values())


@pytest.mark.parametrize("path", list(PUBLISHED), ids=[p.stem for p in PUBLISHED])
def test_published_postmortem_page(site: Path, path: Path) -> None:
    meta = PUBLISHED[path]
    url = sample_url(path)
    assert (site / url / "index.html").is_file(), f"no page for {path.name}"
    page = load_page(site, url)

    h1 = page.find("h1")
    assert h1 is not None and squash(h1.text).rstrip("¶").strip() == meta["title"]

    # Header card.
    card = card_fields(page)
    for label in ("Severity", "Services", "Duration", "Time to detect", "Time to restore", "Status", "Authors"):
        assert label in card, f"{label} missing from the header card"
    assert squash(card["Severity"].text) == meta["severity"]
    assert squash(card["Status"].text) == meta["status"]
    assert squash(card["Authors"].text) == ", ".join(meta["authors"])
    services = card["Services"].find_all("a")
    assert [squash(a.text) for a in services] == list(meta["services"])
    for a in services:
        assert target(site, url, a.get("href")).is_file(), f"service link {a.get('href')} is broken"
    started, detected, resolved = meta["started"], meta["detected"], meta["resolved"]
    restored = meta.get("mitigated") or resolved
    for label, delta in (
        ("Duration", resolved - started),
        ("Time to detect", detected - started),
        ("Time to restore", restored - started),
    ):
        expected = int(delta.total_seconds() // 60)
        shown = minutes_of(squash(card[label].text))
        tolerance = 60 if expected >= 1440 else 0  # days are shown with hours only
        assert abs(shown - expected) <= tolerance, f"{label}: shows {card[label].text!r}, expected {expected} min"

    # Factor chips link to the factor pages, and those list this incident.
    chips = page.find("div", cls="pmkb-card").find_all("a", cls="pmkb-chip")
    factor_ids = {cf["factor"] for cf in meta["contributing_factors"]}
    assert {posixpath.basename(a.get("href").rstrip("/")) for a in chips} == factor_ids
    for a in chips:
        factor_page = target(site, url, a.get("href"))
        assert factor_page.is_file(), f"chip {a.get('href')} leads nowhere"
        fp_url = factor_page.parent.relative_to(site).as_posix() + "/"
        linked = {
            target(site, fp_url, x.get("href"))
            for x in parse_html(factor_page.read_text(encoding="utf-8")).find("article").find_all("a")
            if x.get("href", "").startswith("../")
        }
        assert site / url / "index.html" in linked, f"{fp_url} does not list {url}"

    # The action table: one row per action, with owner, due date, status and tracker.
    actions = page.find("div", cls="pmkb-actions")
    assert actions is not None, "no action table"
    rows = actions.find("tbody").find_all("tr") if meta["actions"] else []
    assert len(rows) == len(meta["actions"])
    for row, action in zip(rows, meta["actions"], strict=True):
        cells = [squash(td.text) for td in row.find_all("td")]
        if any(a.get("priority") for a in meta["actions"]):
            assert cells.pop(2) == (action.get("priority") or "–")  # the priority column
        assert cells[1] == action["summary"]
        assert cells[3] == (action.get("owner") or "–")
        assert cells[4] == (str(action["due"]) if action.get("due") else "–")
        assert cells[5].split()[0] == action["status"]
        if action.get("tracker"):
            assert row.find("a").get("href") == action["tracker"]
        overdue = action["status"] in ("open", "in-progress") and action.get("due") and action["due"] < TODAY
        assert ("pmkb-overdue" in row.classes) == bool(overdue)

    # Related incidents: declared ones are linked (when published), similar ones resolve.
    assert page.find("h2", id="related-incidents") is not None
    related_links = [a for ul in page.find_all("ul", cls="pmkb-related") for a in ul.find_all("a")]
    targets = {target(site, url, a.get("href")) for a in related_links}
    for a in related_links:
        assert target(site, url, a.get("href")).is_file(), f"related link {a.get('href')} is broken"
    published_ids = {m["id"]: p for p, m in PUBLISHED.items()}
    for rid in meta.get("related") or []:
        if rid in published_ids:
            assert site / sample_url(published_ids[rid]) / "index.html" in targets, f"declared related {rid} not linked"
    if not meta.get("related"):
        assert related_links or "No related incidents yet" in page.find("article").text

    # Its own factor diagram.
    assert page.find("figure", cls="pmkb-diagram") is not None


def test_header_card_values_of_a_known_postmortem(site: Path) -> None:
    card = card_fields(load_page(site, "2024/2024-03-14-customer-comms-outage/"))
    assert squash(card["Severity"].text) == "SEV2"
    assert squash(card["Services"].text) == "notifications, customer-comms"
    assert squash(card["Duration"].text) == "2 h 13 min"  # 13:52 → 16:05
    assert squash(card["Time to detect"].text) == "14 min"  # 13:52 → 14:06
    assert squash(card["Time to restore"].text) == "1 h 48 min"  # 13:52 → 15:40
    assert squash(card["Authors"].text) == "Priya Raman, Tomás Ortega"


def test_overdue_action_is_marked_on_its_page(site: Path) -> None:
    page = load_page(site, f"2026/{OVERDUE_IDS[0]}/")
    rows = page.find("div", cls="pmkb-actions").find("tbody").find_all("tr")
    assert "pmkb-overdue" in rows[0].classes
    assert "overdue 60 d" in squash(rows[0].text)  # due 2026-09-22, today 2026-11-21
    assert rows[0].find("span", cls="pmkb-badge-overdue") is not None
    assert "pmkb-overdue" not in rows[1].classes  # done, though past its due date
    assert rows[1].find("span", cls="pmkb-badge-overdue") is None


def test_title_punctuation_is_shown_as_written(site: Path) -> None:
    page = load_page(site, f"2026/{COLON_ID}/")
    assert squash(page.find("h1").text).rstrip("¶").strip() == COLON_TITLE
    assert squash(page.find("title").text) == f"{COLON_TITLE} - Postmortem knowledge base"


def test_invalid_front_matter_is_reported_not_published(build: Any, site: Path) -> None:
    log = build.stdout + build.stderr
    assert INVALID_ID in log and "schema" in log
    assert not (site / "2026" / INVALID_ID).exists()
    assert (site / sample_url(next(iter(PUBLISHED))) / "index.html").is_file()


# ---- drafts and navigation ------------------------------------------------------------------------


def test_drafts_are_not_published(site: Path) -> None:
    catalog = json.loads((site / "assets" / "pmkb" / "catalog.json").read_text(encoding="utf-8"))
    catalog_ids = {r["id"] for r in catalog["rows"]}
    assert {m["id"] for m in PUBLISHED.values()} <= catalog_ids
    search = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {d["location"].split("#")[0] for d in search["docs"]}
    for path, meta in DRAFTS.items():
        assert not (site / sample_url(path)).exists(), f"draft {path.name} has a page"
        assert meta["id"] not in catalog_ids
        assert sample_url(path) not in locations
        needles = [meta["id"], meta["title"], *(a["tracker"] for a in meta["actions"] if a.get("tracker"))]
        # Its open actions are owed all the same: the remediation report lists them, marked
        # as a draft's and not linked (#14); nothing else shows it.
        report = {"remediation.csv", "remediation.json", "remediation/index.html"}
        for f in all_files(site):
            if f.relative_to(site).as_posix() in report:
                continue
            text = f.read_text(encoding="utf-8", errors="replace")
            for needle in needles:
                assert needle not in text, f"draft text {needle!r} appears in {f.relative_to(site)}"
        page = (site / "remediation" / "index.html").read_text(encoding="utf-8")
        assert meta["title"] in page and "pmkb-badge-draft" in page
        assert f'href="../{sample_url(path)}' not in page


def _nav_parts(page: Element) -> list[Element]:
    return [el for el in page.iter() if el.tag in ("nav", "div") and ({"md-nav--primary", "md-tabs"} & el.classes)]


@pytest.mark.parametrize("url", ["", "catalog/", "2024/2024-03-14-customer-comms-outage/", "factors/dns/", "playbook/"])
def test_postmortems_stay_out_of_the_navigation(site: Path, url: str) -> None:
    page = load_page(site, url)
    navs = _nav_parts(page)
    assert navs, "no navigation found"
    text = " ".join(squash(n.text) for n in navs)
    assert "Catalog" in text and "Ops Playbook" in text  # the nav is there
    hrefs = {
        target(site, url, a.get("href"))
        for n in navs
        for a in n.find_all("a")
        if a.get("href") and not a.get("href").startswith(("#", "http"))
    }
    for path, meta in PUBLISHED.items():
        assert meta["title"] not in text, f"{meta['title']!r} is in the nav of {url or 'home'}"
        assert site / sample_url(path) / "index.html" not in hrefs


def _nav_html(html: str) -> str:
    """The raw HTML of the tabs and the primary navigation of a page."""
    out = []
    for start in (html.index('<nav class="md-tabs"'), html.index('<nav class="md-nav md-nav--primary')):
        depth, i = 0, start
        for m in re.finditer(r"<nav\b|</nav>", html[start:]):
            depth += 1 if m.group(0) == "<nav" else -1
            if depth == 0:
                i = start + m.end()
                break
        out.append(html[start:i])
    return "\n".join(out)


def _site_links(html: str, page_url: str) -> str:
    """`html` with each relative link written as the site path it leads to."""
    return re.sub(
        r'(href|src)="(?!#|[a-z]+:)([^"]*)"',
        lambda m: f'{m.group(1)}="/{posixpath.normpath(posixpath.join(page_url, m.group(2)))}"',
        html,
    )


def test_navigation_on_postmortem_pages_is_materials_own(site: Path) -> None:
    """The plugin renders the navigation of postmortem pages once per folder depth: it
    must be what Material renders for any other page outside the nav (a service page,
    rendered by Material itself), link for link."""
    pm_url, service_url = "2024/2024-03-14-customer-comms-outage/", "services/notifications/"
    postmortem = _nav_html((site / pm_url / "index.html").read_text(encoding="utf-8"))
    service = _nav_html((site / service_url / "index.html").read_text(encoding="utf-8"))
    assert _site_links(postmortem, pm_url) == _site_links(service, service_url)
    assert "md-nav__link--active" not in postmortem
    deep_url = f"{DEEP_ID[:4]}/archive/{DEEP_ID}/"
    deep = load_page(site, deep_url)
    hrefs = [
        a.get("href")
        for n in _nav_parts(deep)
        for a in n.find_all("a")
        if a.get("href") and not a.get("href").startswith(("#", "http"))
    ]
    assert len(hrefs) >= 9
    for href in hrefs:
        assert target(site, deep_url, href).is_file(), f"{href} on {deep_url} leads nowhere"


# ---- generated pages -------------------------------------------------------------------------------


def test_generated_pages_exist(site: Path) -> None:
    expected = ["", "catalog/", "graph/", "remediation/", "insights/", "services/", "factors/", "rules/", "playbook/"]
    expected += [f"services/{slug(s)}/" for m in PUBLISHED.values() for s in m["services"]]
    expected += [f"factors/{f['id']}/" for f in TAXONOMY["factors"]]
    expected += [f"rules/{r['name']}/" for r in RULES]
    expected += ["playbook/" if p.stem == "index" else f"playbook/{p.stem}/" for p in PLAYBOOK]
    missing = [u for u in expected if not (site / u / "index.html").is_file()]
    assert not missing, f"missing pages: {missing}"
    assert set(REQUIRED_RULES) <= {r["name"] for r in RULES}
    rules_index = load_page(site, "rules/")
    linked = {squash(a.text) for a in rules_index.find("article").find_all("a")}
    assert {r["name"] for r in RULES} <= linked
    for name in (
        "pmkb.css",
        "catalog.js",
        "graph.js",
        "catalog.json",
        "graph.json",
        "graph.graphml",
        "cytoscape.min.js",
    ):
        assert (site / "assets" / "pmkb" / name).is_file(), name


def test_factor_page_lists_definition_incidents_and_co_occurring_factors(site: Path) -> None:
    page = load_page(site, "factors/software-defect/")
    article = squash(page.find("article").text)
    definition = next(f["definition"] for f in TAXONOMY["factors"] if f["id"] == "software-defect")
    assert definition in article
    assert "Factors it co-occurs with" in article
    titles = {
        m["title"]
        for m in PUBLISHED.values()
        if any(cf["factor"] == "software-defect" for cf in m["contributing_factors"])
    }
    assert titles and all(t in article for t in titles)


def test_rule_docs_render_their_markdown(site: Path) -> None:
    html = (site / "rules" / "schema" / "index.html").read_text(encoding="utf-8")
    assert "<code>pmkb schema</code>" in html
    assert "\\:" not in html and "`pmkb schema`" not in html


def test_playbook_shows_the_policy_values(site: Path) -> None:
    index = squash(load_page(site, "playbook/").find("article").text)
    assert "within 24 hours" in index and "within 72 hours" in index
    assert "SEV1, SEV2, SEV3, SEV4" in index
    for p in PLAYBOOK:
        url = "playbook/" if p.stem == "index" else f"playbook/{p.stem}/"
        text = (site / url / "index.html").read_text(encoding="utf-8")
        assert "{{" not in text and "policy." not in text, f"unfilled policy value in {url}"


def test_a_changed_policy_reaches_the_playbook_and_the_rules(strict_report_only: Any) -> None:
    assert_built(strict_report_only)
    site = strict_report_only.site
    index = squash(load_page(site, "playbook/").find("article").text)
    assert "within 36 hours" in index and "within 24 hours" not in index
    postmortems = squash(load_page(site, "playbook/postmortems/").find("article").text)
    assert "within 36 hours of" in postmortems
    rules = squash(load_page(site, "rules/").find("article").text)
    assert "within 36 h of resolution" in rules and "24 h" not in rules


# ---- remediation downloads ---------------------------------------------------------------------------


def test_remediation_downloads_list_overdue_first(site: Path) -> None:
    data = json.loads((site / "remediation.json").read_text(encoding="utf-8"))
    assert data["today"] == TODAY.isoformat()
    actions = data["actions"]
    overdue = [a["overdue_days"] for a in actions if a["overdue_days"] > 0]
    assert data["totals"]["overdue"] == len(overdue) == 3  # two overdue examples and the injection one
    assert [a["overdue_days"] for a in actions[: len(overdue)]] == sorted(overdue, reverse=True)
    assert all(a["overdue_days"] == 0 for a in actions[len(overdue) :])
    assert actions[0]["id"] == f"{OVERDUE_IDS[0]}#1" and actions[0]["overdue_days"] == 60
    assert data["totals"]["open"] == len(actions)

    import csv
    import io

    rows = list(csv.DictReader(io.StringIO((site / "remediation.csv").read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows] == [a["id"] for a in actions]
    assert [int(r["overdue_days"]) for r in rows] == [a["overdue_days"] for a in actions]

    page = load_page(site, "remediation/")
    body = page.find("div", cls="pmkb-remediation").find("tbody").find_all("tr")
    assert [tr.get("id") for tr in body] == [a["id"] for a in actions]
    assert ["pmkb-overdue" in tr.classes for tr in body] == [a["overdue_days"] > 0 for a in actions]
    links = {a.get("href") for a in page.find("article").find_all("a")}
    for name in ("remediation.csv", "remediation.json"):
        assert any(h and posixpath.basename(h) == name and target(site, "remediation/", h).is_file() for h in links), (
            f"no working link to {name}"
        )


# ---- --strict -----------------------------------------------------------------------------------


def test_strict_build_passes_when_only_a_report_only_rule_fires(strict_report_only: Any) -> None:
    log = strict_report_only.stdout + strict_report_only.stderr
    assert strict_report_only.returncode == 0, log
    assert "stale-action" in log and "2026-10-02-stale-action" in log  # it did fire


def test_strict_build_fails_on_an_error_finding(tmp_path: Path) -> None:
    root = copy_kb(tmp_path)
    write_postmortem(
        root,
        meta={"id": "2026-10-02-blame"},
        sections={"Summary": "The outage happened because of human error by the on-call engineer."},
    )
    result = build_site(root, tmp_path / "site", strict=True)
    log = result.stdout + result.stderr
    assert result.returncode != 0, log
    warnings = [line for line in log.splitlines() if line.startswith("WARNING")]
    assert warnings and all("blame-language" in w for w in warnings), warnings


# ---- safety ------------------------------------------------------------------------------------------


def test_front_matter_text_is_never_markup(site: Path) -> None:
    page = site / "2026" / INJECTION_ID / "index.html"
    assert page.is_file()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.read_text(encoding="utf-8")  # it is there, as text
    html_files = all_files(site, ".html")
    assert len(html_files) > 50
    js_href = re.compile(r"""\b(?:href|src|action|formaction|xlink:href)\s*=\s*["']?\s*javascript:""", re.I)
    for f in html_files:
        text = f.read_text(encoding="utf-8")
        for raw in RAW_PAYLOADS:
            assert raw not in text, f"unescaped {raw!r} in {f.relative_to(site)}"
        assert not js_href.search(text), f"javascript: link in {f.relative_to(site)}"
        for el in parse_html(text).iter():
            for name in ("href", "src", "xlink:href", "action"):
                value = el.get(name)
                assert not (value and re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith("javascript:")), (
                    f"{el} in {f.relative_to(site)}"
                )
            assert not [k for k in el.attrs if k.startswith("on") and "pwned" in el.attrs[k]]


def test_search_index_holds_no_markup_from_front_matter(site: Path) -> None:
    """Material's search shows the index's titles, texts and tags as HTML."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs = [d for d in index["docs"] if INJECTION_ID in d["location"] or "svc-" in d["location"]]
    assert docs, "the injection postmortem should be searchable"
    for doc in index["docs"]:
        for value in [doc.get("title", ""), doc.get("text", ""), *doc.get("tags", [])]:
            for raw in RAW_PAYLOADS:
                assert raw not in value, f"unescaped {raw!r} in the search index entry {doc['location']}"


ABSOLUTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)
CSS_URL = re.compile(
    r"""url\(\s*['"]?\s*((?:[a-z][a-z0-9+.-]*:)?//[^)'"\s]*)|@import\s+(?:url\(\s*)?['"]?\s*((?:[a-z][a-z0-9+.-]*:)?//[^)'"\s;]*)""",
    re.I,
)
JS_ATTR = re.compile(r"""\b(?:src|href|srcset)\s*=\s*\\?['"]?\s*((?:https?:)?//[^'"\s>\\]+)""", re.I)
FETCHING = {  # tag: attributes the browser loads without a click
    "script": ("src",), "link": ("href",), "img": ("src", "srcset"), "source": ("src", "srcset"),
    "iframe": ("src",), "frame": ("src",), "embed": ("src",), "object": ("data",), "video": ("src", "poster"),
    "audio": ("src",), "track": ("src",), "input": ("src",), "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}  # fmt: skip


def test_the_site_references_no_outside_host(site: Path) -> None:
    outside: list[str] = []
    for f in all_files(site, ".html"):
        rel = f.relative_to(site)
        doc = parse_html(f.read_text(encoding="utf-8"))
        for el in doc.iter():
            for attr in FETCHING.get(el.tag, ()):
                for value in re.split(r",\s*", el.get(attr) or ""):
                    if ABSOLUTE.match(value):
                        outside.append(f"{rel}: <{el.tag} {attr}={value}>")
            if (
                el.tag == "meta"
                and (el.get("http-equiv") or "").lower() == "refresh"
                and "//" in (el.get("content") or "")
            ):
                outside.append(f"{rel}: meta refresh {el.get('content')}")
            styles = [el.get("style") or ""] + (
                [c for c in el.children if isinstance(c, str)] if el.tag == "style" else []
            )
            outside += [f"{rel}: {m.group(0)}" for s in styles for m in CSS_URL.finditer(s)]
    for f in all_files(site, ".css", ".js"):
        text = f.read_text(encoding="utf-8", errors="replace")
        outside += [f"{f.relative_to(site)}: {m.group(0)}" for m in CSS_URL.finditer(text)]
        if f.suffix == ".js":
            outside += [f"{f.relative_to(site)}: {m.group(0)}" for m in JS_ATTR.finditer(text)]
    assert not outside, "\n".join(outside[:20])
    # Web fonts off, and the graph library is the self-hosted copy.
    graph = (site / "graph" / "index.html").read_text(encoding="utf-8")
    assert 'src="../assets/pmkb/cytoscape.min.js"' in graph
    assert "fonts.googleapis" not in (site / "index.html").read_text(encoding="utf-8")
