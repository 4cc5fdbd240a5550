"""Catalog ids are checked: a factor id that is not a lower-case id, and two ids that
would share one page (`Secret Payroll` and `secret/payroll`), are findings; nothing is
merged and no incident disappears from a page."""

from __future__ import annotations

import yaml


def _add_factors(kb, *entries):
    path = kb / "postmortems" / "factors.yml"
    doc = yaml.safe_load(path.read_text())
    doc["factors"] += [{"id": i, "name": i, "category": "technical", "definition": "d"} for i in entries]
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    return path


def test_a_factor_id_that_is_not_an_id_is_a_finding(kb):
    path = _add_factors(kb, "Retry Storm", "../up")
    kb.write()
    found = [f for f in kb.findings() if f["path"] == "postmortems/factors.yml"]
    assert sorted(f["message"].split("`")[1] for f in found) == ["../up", "Retry Storm"]
    assert all(f["rule"] == "schema" for f in found) and path


def test_two_factor_ids_that_would_share_a_page_are_a_finding(kb):
    _add_factors(kb, "cache.miss", "cache-miss")
    kb.write()
    found = [f for f in kb.findings() if f["path"] == "postmortems/factors.yml"]
    assert [(f["rule"], f["message"]) for f in found] == [
        ("duplicate-id", "factor ids `cache.miss` and `cache-miss` would share one page (`factors/cache-miss`)")
    ]


def test_two_service_ids_that_would_share_a_page_are_a_finding(kb):
    (kb / "postmortems" / "services.yml").write_text(
        "services:\n"
        "  - {id: Secret Payroll, name: Payroll, owner: finance, tier: 2}\n"
        "  - {id: secret/payroll, name: Payroll API, owner: finance, tier: 2}\n"
    )
    kb.write(meta={"services": ["Secret Payroll"]})
    found = [f for f in kb.findings() if f["path"] == "postmortems/services.yml"]
    assert [(f["rule"], f["line"]) for f in found] == [("duplicate-id", 3)]
    assert "would share one page (`services/secret-payroll`)" in found[0]["message"]
