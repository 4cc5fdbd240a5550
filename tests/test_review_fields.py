"""The review fields: incident commander, facilitator, participants, review date,
detection, structured impact, and action priority and `addresses`. Valid values pass,
bad ones are findings at their lines, the page shows them escaped, insights count them."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from baseline import BASE_META
from conftest import KB, ROOT, line_col, only

from postmortem_kb.config import load_project
from postmortem_kb.load import block_yaml, frontmatter
from postmortem_kb.load.corpus import load_corpus
from postmortem_kb.render.site import Site

REVIEW: dict[str, Any] = {
    "incident_commander": "Amara Okafor",
    "facilitator": "Jonas Weber",
    "participants": ["Amara Okafor", "Jonas Weber", "Priya Raman"],
    "review_date": date(2024, 3, 18),
    "detection": "customer-report",
    "impact": {
        "customers_affected": 1900,
        "requests_failed": 212000,
        "slo_budget_spent_percent": 12.5,
        "summary": "Emails waited up to two hours.",
    },
}
ACTIONS = [
    {
        "summary": "Reconnect to the broker with backoff",
        "owner": "Team A",
        "due": date(2024, 4, 30),
        "status": "done",
        "kind": "prevent",
        "priority": "P0",
        "addresses": ["software-defect"],
    },
    {
        "summary": "Page on a drop in sent volume",
        "owner": "Team A",
        "due": date(2024, 5, 30),
        "status": "open",
        "kind": "detect",
        "priority": "P2",
        "addresses": ["alerting-gap"],
    },
]


def _site(kb: KB) -> Site:
    project = load_project(kb.config)
    return Site(
        corpus=load_corpus(project), settings=project.settings, today=date(2024, 3, 20), docs_dir=project.docs_dir
    )


def test_a_postmortem_with_every_review_field_is_valid(kb: KB) -> None:
    kb.write(meta={**REVIEW, "actions": ACTIONS})
    assert kb.findings() == []


@pytest.mark.parametrize(
    "meta, needle, message",
    [
        ({"detection": "pager"}, "detection: pager", "`detection` must be one of `alert`, `customer-report`"),
        ({"review_date": "next week"}, "review_date: next week", "`review_date` must be a date"),
        ({"participants": "Amara"}, "participants: Amara", "`participants` must be a list"),
        (
            {"impact": {"customers_affected": -3}},
            "customers_affected: -3",
            "`impact.customers_affected` must be at least 0",
        ),
        (
            {"impact": {"slo_budget_spent_percent": 120}},
            "slo_budget_spent_percent: 120",
            "`impact.slo_budget_spent_percent` must be at most 100",
        ),
        (
            {"impact": {"requests_failed": "lots"}},
            "requests_failed: lots",
            "`impact.requests_failed` must be a whole number",
        ),
        ({"impact": {"customers": 3}}, "customers: 3", "unknown field `impact.customers`"),
        ({"impact": 5}, "impact: 5", "`impact` must be a mapping"),
        (
            {"actions": [{**ACTIONS[0], "priority": "P3"}]},
            "priority: P3",
            "`actions.0.priority` must be one of `P0`, `P1`, `P2`",
        ),
    ],
)
def test_a_bad_review_field_is_a_schema_finding_at_its_line(
    kb: KB, meta: dict[str, Any], needle: str, message: str
) -> None:
    path = kb.write(meta=meta)
    found = only(kb.findings(), "schema")
    assert len(found) == 1, found
    assert found[0]["line"] == line_col(path, needle)[0]
    assert message in found[0]["message"]


def test_an_action_addressing_a_factor_not_in_this_postmortem_is_unknown_factor_at_its_item(kb: KB) -> None:
    actions = [{**ACTIONS[0], "addresses": ["software-defect", "retry-storm"]}]
    path = kb.write(meta={"actions": actions})
    found = only(kb.findings(), "unknown-factor")
    assert [(f["line"], f["code"]) for f in found] == [(line_col(path, "- retry-storm")[0], "PM103")]
    assert "addresses `retry-storm`, which is not a factor of this postmortem" in found[0]["message"]


def test_the_card_shows_the_review_fields_escaped(kb: KB) -> None:
    evil = "<script>alert(1)</script>"
    review = {
        **REVIEW,
        "incident_commander": f"IC {evil}",
        "facilitator": f"F {evil}",
        "participants": [f"P {evil}"],
        "impact": {**REVIEW["impact"], "summary": f"S {evil}"},
    }
    kb.write(meta={**review, "actions": ACTIONS})
    site = _site(kb)
    card = site.blocks(site.pms[0])["card"]
    assert "<script>" not in card
    for label in ("IC", "F", "P", "S"):
        assert f"{label} &lt;script&gt;alert(1)&lt;/script&gt;" in card
    assert "<dt>Detected by</dt><dd>customer report</dd>" in card
    assert '<time datetime="2024-03-18">2024-03-18</time>' in card
    assert "<dd>1,900</dd>" in card and "<dd>212,000</dd>" in card and "<dd>12.5 %</dd>" in card


def test_a_card_without_review_fields_shows_none_of_them(kb: KB) -> None:
    kb.write()
    site = _site(kb)
    card = site.blocks(site.pms[0])["card"]
    assert "Incident commander" not in card and "Detected by" not in card and "Customers affected" not in card


def test_insights_count_detection_methods_and_actions_by_priority(kb: KB) -> None:
    kb.write(meta={**REVIEW, "actions": ACTIONS})
    kb.write(meta={"id": "2024-03-15-other", "detection": "alert"})
    kb.write(meta={"id": "2024-03-16-third"})
    site = _site(kb)
    ins = site.insights
    assert ins.detection == [("alert", 1), ("customer-report", 1), ("not recorded", 1)]
    # Every priority and "none": the rows add up to every action of the incidents counted.
    assert [(p, total) for p, total, _, _ in ins.priorities] == [
        ("P0", 1),
        ("P1", 0),
        ("P2", 1),
        ("none", 2 * len(BASE_META["actions"])),
    ]
    assert sum(total for _, total, _, _ in ins.priorities) == sum(t for _, _, t in ins.completion_by_year)
    # Each figure with how many of the year's 3 incidents recorded it.
    (year,) = ins.impact_by_year
    assert (
        year.year,
        year.incidents,
        year.customers_recorded,
        year.customers,
        year.requests_recorded,
        year.requests,
    ) == (2024, 3, 1, 1900, 1, 212000)
    page = site.pages()["insights.md"]
    assert 'data-pmkb="detection"' in page and "<td>customer report</td><td>1</td>" in page
    assert 'data-pmkb="priorities"' in page and "<td>P0</td><td>1</td><td>1</td><td>0</td>" in page
    assert "<td>no priority</td><td>2</td>" in page
    assert "1,900 <small>(recorded for 1 of 3 incidents)</small>" in page


def test_the_scaffolds_commented_review_fields_are_valid_once_uncommented(kb: KB) -> None:
    code, _ = kb.run(
        "new",
        "Queue stalled",
        "--service",
        "notifications",
        "--severity",
        "SEV2",
        "--author",
        "A",
        "--date",
        "2024-03-14",
        "--today",
        "2024-03-15",
    )
    assert code == 0
    path = kb / "postmortems" / "2024" / "2024-03-14-queue-stalled.md"
    text = path.read_text(encoding="utf-8")
    assert "# detection: alert" in text and "priority: P0|P1|P2" in text
    path.write_text(
        re.sub(
            r"^# ((?:incident_commander|facilitator|participants|review_date|detection|impact):.*|  \w+: .*)$",
            r"\1",
            text,
            flags=re.M,
        ),
        encoding="utf-8",
    )
    front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    assert set(REVIEW) <= set(front)
    assert only(kb.findings(today="2024-03-15"), "schema") == []


# ---- the block reader: the numbers of `impact` -------------------------------------------


def _same_as_pyyaml(text: str) -> bool:
    """True when the fast reader read `text`, giving what PyYAML gives; False when it left it to PyYAML."""
    block = block_yaml.read(text, 1, frontmatter.MAX_NODES)
    parsed, problems = frontmatter.load_yaml(text, 1)
    if block is None:
        return False
    assert problems == [] and parsed is not None
    assert repr(block.data) == repr(parsed.data)
    assert block.line_of(("impact", "n")) == parsed.line_of(("impact", "n"))
    return True


@pytest.mark.parametrize("value", ["0", "7", "1200", "123456789012345678", "12.5", "0.5", "100.0", "41.25"])
def test_plain_decimals_are_read_as_pyyaml_reads_them(value: str) -> None:
    assert _same_as_pyyaml(f"id: x\nimpact:\n  n: {value}\n")


@pytest.mark.parametrize(
    "value", ["012", "1_000", "0x1F", "1:30", "1.", "1234567890123456789", "00.5", "1.5e+3", "+5", "-5", ".5", ".inf"]
)
def test_other_number_forms_go_to_pyyaml(value: str) -> None:
    assert not _same_as_pyyaml(f"id: x\nimpact:\n  n: {value}\n")


@pytest.mark.parametrize("value", ["1e3", "1.5e3", "12,5", "12.5%"])
def test_what_yaml_1_1_reads_as_text_is_text_on_the_fast_path_too(value: str) -> None:
    assert _same_as_pyyaml(f"id: x\nimpact:\n  n: {value}\n")


def test_the_samples_review_fields_stay_on_the_fast_path() -> None:
    texts = []
    for path in sorted(Path(ROOT, "postmortems").rglob("*.md")):
        sp = frontmatter.split(path.read_text(encoding="utf-8"))
        text = "\n".join(sp.lines[sp.fm_start : sp.fm_end - 1])
        if "impact:\n" in text:
            texts.append(text)
    assert len(texts) >= 8
    assert all(block_yaml.read(t, 1, frontmatter.MAX_NODES) is not None for t in texts)


def test_the_published_json_schema_is_what_pmkb_schema_prints(kb: KB) -> None:
    code, out = kb.run("schema")
    assert code == 0
    published = json.loads((ROOT / "templates" / "postmortem.schema.json").read_text(encoding="utf-8"))
    assert json.loads(out) == published
    props = published["properties"]
    assert props["detection"]["anyOf"][0]["enum"] == [
        "alert",
        "customer-report",
        "engineer",
        "automated-test",
        "third-party",
        "other",
    ]
    assert published["$defs"]["Action"]["properties"]["priority"]["anyOf"][0]["enum"] == ["P0", "P1", "P2"]
