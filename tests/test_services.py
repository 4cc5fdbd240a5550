"""The service catalog (postmortems/services.yml): unknown ids are findings with a
"did you mean", a bad catalog is findings at its lines, and service pages come from it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from conftest import KB, line_col, only

from postmortem_kb.config import load_project
from postmortem_kb.load.corpus import load_corpus
from postmortem_kb.render.site import Site

CATALOG = """services:
  - id: payments-gateway
    name: Payments gateway
    owner: payments
    tier: 1
  - id: notifications
    name: Notifications
    owner: messaging
    tier: 2
"""


def _catalog(kb: KB, text: str = CATALOG) -> Path:
    path = kb / "postmortems" / "services.yml"
    path.write_text(text, encoding="utf-8")
    return path


def _in_2022() -> dict[str, Any]:
    return {
        "started": datetime(2022, 3, 1, 13, 52, tzinfo=UTC),
        "detected": datetime(2022, 3, 1, 14, 6, tzinfo=UTC),
        "mitigated": datetime(2022, 3, 1, 15, 40, tzinfo=UTC),
        "resolved": datetime(2022, 3, 1, 16, 5, tzinfo=UTC),
        "filed": date(2022, 3, 2),
    }


def _site(kb: KB) -> tuple[Site, dict[str, Any]]:
    project = load_project(kb.config)
    site = Site(
        corpus=load_corpus(project), settings=project.settings, today=date(2024, 3, 20), docs_dir=project.docs_dir
    )
    return site, site.pages()


def test_an_unknown_service_is_a_finding_at_its_item_with_did_you_mean(kb: KB) -> None:
    _catalog(kb)
    path = kb.write(meta={"services": ["notifications", "payments"]})
    found = only(kb.findings(), "unknown-service")
    assert len(found) == 1
    f = found[0]
    assert f["line"] == line_col(path, "- payments")[0]
    assert f["code"] == "PM108" and f["severity"] == "error"
    assert "unknown service `payments`; did you mean `payments-gateway`?" in f["message"]
    assert "services.yml" in f["hint"]


def test_without_a_catalog_any_service_is_accepted(kb: KB) -> None:
    kb.write(meta={"services": ["anything-at-all"]})
    assert only(kb.findings(), "unknown-service") == []


def test_catalogued_services_are_no_finding(kb: KB) -> None:
    _catalog(kb)
    kb.write(meta={"services": ["notifications", "payments-gateway"]})
    assert only(kb.findings(), "unknown-service") == []


def test_a_bad_catalog_is_findings_at_its_lines_and_the_good_entries_count(kb: KB) -> None:
    path = _catalog(
        kb,
        "services:\n"
        "  - id: notifications\n    name: Notifications\n    owner: messaging\n    tier: 2\n"
        "  - id: notifications\n    owner: messaging\n    tier: 2\n"  # line 6: twice
        "  - name: no id\n"  # line 9
        "  - id: search\n    owner: search\n    tier: 5\n    onwer: typo\n"  # tier line 12, typo line 13
        "  - id: wiki\n    tier: 3\n",  # line 14: no owner
    )
    kb.write(meta={"services": ["notifications", "search", "wiki"]})
    found = [f for f in kb.findings() if f["path"] == "postmortems/services.yml"]
    got = sorted((f["line"], f["rule"]) for f in found)
    assert got == [(6, "duplicate-id"), (9, "schema"), (12, "schema"), (13, "schema"), (14, "schema")], found
    assert all(f["severity"] == "error" for f in found)
    # The entries that have an id are still known: no unknown-service for them.
    assert only(kb.findings(), "unknown-service") == []
    assert path.exists()


def test_a_catalog_that_is_not_a_list_is_one_finding_and_checks_nothing(kb: KB) -> None:
    _catalog(kb, "services: payments\n")
    kb.write(meta={"services": ["whatever"]})
    found = kb.findings()
    assert [(f["path"], f["line"], f["rule"]) for f in found if f["path"].endswith("services.yml")] == [
        ("postmortems/services.yml", 1, "schema")
    ]
    assert only(found, "unknown-service") == []


def test_a_catalog_that_is_not_yaml_is_a_finding_and_the_run_goes_on(kb: KB) -> None:
    _catalog(kb, "services:\n  - id: [unclosed\n")
    kb.write(meta={"services": ["whatever"]})
    found = kb.findings()
    assert [f["rule"] for f in found if f["path"].endswith("services.yml")] == ["yaml-syntax"]


def test_editing_the_catalog_rechecks_every_postmortem(kb: KB) -> None:
    """services.yml is a context file of the check cache: a stale 'clean' never stays."""
    _catalog(kb)
    kb.write(meta={"services": ["notifications"]})
    assert only(kb.findings(), "unknown-service") == []
    _catalog(kb, CATALOG.replace("id: notifications", "id: messaging"))
    assert len(only(kb.findings(), "unknown-service")) == 1


def test_service_pages_show_owner_tier_years_recurring_factors_and_open_actions(kb: KB) -> None:
    _catalog(kb)
    kb.write(
        meta={
            "id": "2024-03-01-a",
            "services": ["notifications"],
            "actions": [
                {
                    "summary": "Page on queue age",
                    "owner": "Team A",
                    "due": date(2024, 5, 1),
                    "status": "open",
                    "kind": "detect",
                    "priority": "P1",
                }
            ],
        }
    )
    kb.write(meta={"id": "2022-03-01-b", "services": ["notifications", "payments"], **_in_2022()})
    site, pages = _site(kb)
    page = pages["services/notifications.md"]
    assert "# Service: Notifications" in page
    assert "<dt>Owner team</dt><dd>messaging</dd>" in page and "<dt>Tier</dt><dd>2</dd>" in page
    # Incidents per year, the gap year included.
    assert (
        "<tr><td>2022</td><td>1</td></tr>" in page
        and "<tr><td>2023</td><td>0</td></tr>" in page
        and "<tr><td>2024</td><td>1</td></tr>" in page
    )
    assert 'data-pmkb="service-recurring"' in page and "in 2 incidents" in page  # the baseline's factors, in both
    assert "Page on queue age" in page and "<td>P1</td>" in page
    # `payments` is not catalogued: no page, and the card shows it as text, not a link.
    assert "services/payments.md" not in pages
    pm = site.by_id["2022-03-01-b"]
    card = site.blocks(pm)["card"]
    assert ">notifications</a>, payments</dd>" in card  # text, not a link to a page that does not exist
    index = pages["services/index.md"]
    assert "<td>messaging</td><td>2</td>" in index and "Payments gateway" in index  # catalogued, no incident yet


def test_catalog_names_and_owners_are_escaped(kb: KB) -> None:
    _catalog(
        kb,
        "services:\n"
        "  - id: notifications\n"
        '    name: "<script>alert(1)</script>"\n'
        '    owner: "<img src=x onerror=alert(2)>"\n'
        "    tier: 2\n",
    )
    kb.write(meta={"services": ["notifications"]})
    _, pages = _site(kb)
    page, index = pages["services/notifications.md"], pages["services/index.md"]
    for text in (page, index):
        assert "<script>alert" not in text and "<img src=x" not in text
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "# Service: &lt;script&gt;alert\\(1\\)&lt;/script&gt;" in page


def test_a_yaml_error_at_the_end_of_a_catalog_without_a_final_newline_is_on_its_last_line(kb: KB) -> None:
    """Found by the service-catalog fuzz class: YAML put it on a line past the end."""
    _catalog(kb, "services:\n9x: [")
    found = [f for f in kb.findings() if f["path"].endswith("services.yml")]
    assert [(f["line"], f["rule"]) for f in found] == [(2, "yaml-syntax")]
    assert 1 <= found[0]["column"] <= len("9x: [") + 1
