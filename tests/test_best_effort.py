"""Front matter that fails the schema is still checked on what is valid (#14: every
finding in one run), and a stood-in field never causes a finding."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from baseline import BASE_META, BASE_SECTIONS
from conftest import ROOT

# The new-user review's file: thirteen findings, front matter and body.
REVIEW_META = {
    "severity": "SEV9",
    "services": ["notifications", "notifcations"],
    "contributing_factors": [
        {"factor": "sofware-defect", "description": "Send workers exited on a closed connection."}
    ],
    "actions": [
        {
            "summary": "Remind engineers to check the broker region",
            "owner": "Tomás Ortega",
            "due": date(2024, 4, 30),
            "status": "open",
        },
        {"summary": "Make send workers reconnect with backoff", "status": "open"},
        {
            "summary": "Alert on a stalled send queue",
            "owner": "Tomás Ortega",
            "due": date(2024, 3, 1),
            "status": "open",
        },
    ],
}
REVIEW_SECTIONS = {
    "Timeline": "| Time  | Event |\n"
    "|-------|-------|\n"
    "| 14:06 | Support reports missing confirmations |\n"
    "| 13:52 | Send workers exit |",
    "Contributing factors": "The root cause was the rotation. "
    "Priya failed to renew the certificate, through human error.",
    "Where we got lucky": None,
}


def rules_of(found):
    return sorted((f["rule"], f["line"]) for f in found)


@pytest.fixture
def catalog(kb):
    shutil.copy(ROOT / "postmortems" / "services.yml", kb / "postmortems" / "services.yml")
    return kb


def test_the_reviewers_file_keeps_its_findings_when_a_field_fails_the_schema(catalog):
    kb = catalog
    kb.write(meta=REVIEW_META, sections=REVIEW_SECTIONS)
    before = kb.findings()
    assert len(before) == 13, rules_of(before)
    assert {
        "unknown-service",
        "unknown-factor",
        "too-few-factors",
        "action-missing-owner",
        "action-missing-due",
        "vigilance-action",
        "stale-action",
        "timeline-order",
        "unknown-severity",
    } <= {f["rule"] for f in before}

    kb.write(meta=REVIEW_META, drop=["authors"], sections=REVIEW_SECTIONS)
    after = kb.findings()
    schema = [f for f in after if f["rule"] == "schema"]
    assert [f["message"] for f in schema] == ["required field `authors` is missing"]
    # Every finding but one is still there, at its own line: "Priya failed to …" was blame
    # because Priya was an author; with no authors she is a name no one knows.
    # (Lines move up by one: the `authors:` line is gone.)
    said = {(f["rule"], f["message"]) for f in before}
    kept = {(f["rule"], f["message"]) for f in after if f["rule"] != "schema"}
    assert [rule for rule, message in sorted(said - kept)] == ["counterfactual"]
    assert len(after) == 12 + 1 and kept <= said


def test_a_missing_resolved_time_gives_no_late_or_timeline_findings(kb):
    # Filed a month late, a timeline entry a day outside the incident: both judged by `resolved`.
    late = {"filed": date(2024, 4, 20), "contributing_factors": BASE_META["contributing_factors"][:1]}
    sections = {"Timeline": BASE_SECTIONS["Timeline"] + "\n| 2024-03-19 09:00 | Follow-up review |"}
    kb.write(meta=late, sections=sections)
    assert {"late-postmortem", "too-few-factors"} <= {f["rule"] for f in kb.findings()}

    kb.write(meta=late, drop=["resolved"], sections=sections)
    found = kb.findings()
    assert sorted(f["rule"] for f in found) == ["schema", "too-few-factors"]


def test_bad_and_missing_times_give_no_time_findings(kb):
    # Three stood-in times are equal: that must not read as the scaffold's untouched
    # times (placeholder), nor a stood-in `resolved` make the postmortem late; the
    # timeline's order is judged against `started`, so not at all.
    sections = {"Timeline": "| Time  | Event |\n|-------|-------|\n| 13:52 | Workers exit |\n| 13:40 | Earlier note |"}
    kb.write(
        meta={"started": "yesterday afternoon", "severity": "SEV7"},
        drop=["detected", "mitigated", "resolved"],
        sections=sections,
    )
    found = kb.findings()
    assert sorted(f["rule"] for f in found) == ["schema"] * 3 + ["unknown-severity"]
    assert any("started" in f["message"] for f in found if f["rule"] == "schema")


def test_bad_actions_leave_the_other_front_matter_rules_running(kb):
    kb.write(meta={"actions": "see the tracker", "contributing_factors": BASE_META["contributing_factors"][:1]})
    found = kb.findings()
    assert sorted(f["rule"] for f in found) == ["schema", "too-few-factors"]


def test_bad_factors_give_no_factor_findings(kb):
    kb.write(meta={"contributing_factors": [{"factor": "sofware-defect"}], "severity": "SEV7"})
    found = kb.findings()
    assert sorted(f["rule"] for f in found) == ["schema", "unknown-severity"]


def test_a_bad_status_gives_no_status_findings(kb):
    # A draft long past the deadline is late, and TODOs past draft are placeholders: both
    # need a status the schema accepts.
    kb.write(meta={"status": "publishd", "trigger": "TODO: write the trigger", "severity": "SEV7"})
    found = kb.findings()
    assert sorted(f["rule"] for f in found) == ["schema", "unknown-severity"]


def test_a_wrong_severity_type_is_a_schema_finding_only(kb):
    kb.write(meta={"severity": 2, "contributing_factors": BASE_META["contributing_factors"][:1]})
    found = kb.findings()
    assert sorted(f["rule"] for f in found) == ["schema", "too-few-factors"]


def test_an_unknown_field_alone_leaves_every_rule_running(kb):
    kb.write(meta={"sevrity": "SEV2", "severity": "SEV7", "actions": [{"summary": "Tidy up", "status": "open"}]})
    found = kb.findings()
    assert sorted(f["rule"] for f in found) == [
        "action-missing-due",
        "action-missing-owner",
        "schema",
        "unknown-severity",
    ]


def test_related_ids_are_still_checked_when_another_field_fails(kb):
    kb.write(meta={"related": ["2023-01-01-no-such-incident"]}, drop=["authors"])
    assert sorted(f["rule"] for f in kb.findings()) == ["schema", "unknown-related"]


def test_bad_related_ids_give_no_related_findings(kb):
    kb.write(meta={"related": "2023-01-01-no-such-incident"})
    assert sorted(f["rule"] for f in kb.findings()) == ["schema"]


def test_front_matter_that_is_not_yaml_is_still_one_finding(kb):
    kb.write("2024/broken.md", text="---\nid: [unclosed\n---\n\n## Summary\n\nText.\n")
    assert [f["rule"] for f in kb.findings()] == ["yaml-syntax"]
