"""Imported history (`status: archived`) is held to format and safety only: an old
postmortem with a stale action, few factors and old-fashioned wording passes the gate,
its open actions still appear in the remediation report, and a broken field or a public
leak still fails."""

from __future__ import annotations

import json
from datetime import date

OLD = {
    "id": "2019-03-14-cart-outage",
    "status": "archived",
    "contributing_factors": [{"factor": "software-defect", "description": "The cart API chain expired."}],
    "actions": [
        {
            "summary": "Renew the cart API certificate chain automatically",
            "owner": "Ana Souza",
            "due": date(2019, 4, 1),
            "status": "open",
            "tracker": "https://tracker.example.com/CART-12",
            "kind": "prevent",
        }
    ],
}
TODAY = "2026-12-03"  # 2,800 days after the action's due date


def test_an_archived_postmortem_is_not_failed_for_deadlines_sections_or_wording(kb):
    kb.write(meta=OLD, sections={"Lessons learned": "The root cause was human error.", "Where we got lucky": None})
    assert kb.findings(today=TODAY) == []
    # the same file, published, fails on each of these
    kb.write(
        meta={**OLD, "status": "published"},
        sections={"Lessons learned": "The root cause was human error.", "Where we got lucky": None},
    )
    rules = {f["rule"] for f in kb.findings(today=TODAY)}
    assert {"stale-action", "too-few-factors", "blame-language", "root-cause-language", "missing-section"} <= rules


def test_an_archived_postmortem_is_still_held_to_its_format(kb):
    kb.write(meta={**OLD, "severity": "SEV9", "resolved": "yesterday"})
    rules = {f["rule"] for f in kb.findings(today=TODAY)}
    assert "schema" in rules


def test_archived_open_actions_stay_in_the_remediation_report(kb):
    kb.write(meta=OLD)
    code, out = kb.run("report", "remediation", "--format", "json", "--today", TODAY)
    assert code == 0, kb.stderr
    summaries = json.dumps(json.loads(out))
    assert "Renew the cart API certificate chain automatically" in summaries
