"""Policy rules (PM401–PM406), with the policy values read from mkdocs.yml."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from conftest import BASE_META, line_col

UTC = UTC
ACTION = BASE_META["actions"][0]


def where(found):
    return [(f["code"], f["rule"], f["line"], f["column"]) for f in found]


def value_pos(path, key):
    """(line, column) of the value of `key: value`, the first such line."""
    line, col = line_col(path, f"{key}: ")
    return line, col + len(key) + 2


def item_pos(path, summary):
    """(line, column) of the action mapping whose summary is `summary` (after `- `)."""
    line, col = line_col(path, f"- summary: {summary}")
    return line, col + 2


# --- too-few-factors -----------------------------------------------------------------


def test_one_contributing_factor_is_too_few(kb):
    path = kb.write(meta={"contributing_factors": BASE_META["contributing_factors"][:1]})
    found = kb.findings()
    assert where(found) == [("PM401", "too-few-factors", *line_col(path, "contributing_factors:"))]
    assert "1 contributing factor(s)" in found[0]["message"] and "at least 2" in found[0]["message"]


def test_no_contributing_factors_is_too_few(kb):
    path = kb.write(meta={"contributing_factors": []})
    assert where(kb.findings()) == [("PM401", "too-few-factors", *line_col(path, "contributing_factors:"))]


def test_the_minimum_comes_from_the_policy(kb):
    kb.set_plugin_config(policy={"min_contributing_factors": 3})
    path = kb.write()
    found = kb.findings()
    assert where(found) == [("PM401", "too-few-factors", *line_col(path, "contributing_factors:"))]
    assert "at least 3" in found[0]["message"]


def test_a_policy_minimum_of_one_accepts_one_factor(kb):
    kb.set_plugin_config(policy={"min_contributing_factors": 1})
    kb.write(meta={"contributing_factors": BASE_META["contributing_factors"][:1]})
    assert kb.findings() == []


# --- owners and due dates ----------------------------------------------------------------


def test_an_action_without_an_owner(kb):
    action = {k: v for k, v in ACTION.items() if k != "owner"}
    path = kb.write(meta={"actions": [action]})
    found = kb.findings()
    assert where(found) == [("PM402", "action-missing-owner", *item_pos(path, ACTION["summary"]))]
    assert "action 1" in found[0]["message"] and ACTION["summary"][:20] in found[0]["message"]


def test_an_action_without_a_due_date(kb):
    action = {k: v for k, v in ACTION.items() if k != "due"}
    path = kb.write(meta={"actions": [action]})
    assert where(kb.findings()) == [("PM403", "action-missing-due", *item_pos(path, ACTION["summary"]))]


def test_each_action_is_reported_at_its_own_item(kb):
    actions = [
        ACTION,
        {"summary": "Alert when sent volume drops", "status": "open", "kind": "detect"},
    ]
    path = kb.write(meta={"actions": actions})
    pos = item_pos(path, "Alert when sent volume drops")
    found = kb.findings()
    assert where(found) == [("PM402", "action-missing-owner", *pos), ("PM403", "action-missing-due", *pos)]
    assert all("action 2" in f["message"] for f in found)


def test_a_team_can_own_an_action(kb):
    kb.write(meta={"actions": [dict(ACTION, owner="platform-team")]})
    assert kb.findings() == []


# --- stale actions ---------------------------------------------------------------------


@pytest.mark.parametrize("status", ["open", "in-progress"])
def test_an_open_action_past_its_due_date_is_stale(kb, status):
    path = kb.write(meta={"actions": [dict(ACTION, status=status)]})
    assert kb.findings(today="2024-04-30") == []
    found = kb.findings(today="2024-05-01")
    assert where(found) == [("PM404", "stale-action", *value_pos(path, "due"))]
    assert f"is {status}, 1 day(s) past its due date 2024-04-30" in found[0]["message"]


@pytest.mark.parametrize("status", ["done", "wont-do"])
def test_a_closed_action_is_never_stale(kb, status):
    kb.write(meta={"actions": [dict(ACTION, status=status)]})
    assert kb.findings(today="2030-01-01") == []


def test_an_action_with_no_status_is_open(kb):
    action = {k: v for k, v in ACTION.items() if k != "status"}
    kb.write(meta={"actions": [action]})
    assert [f["code"] for f in kb.findings(today="2024-05-01")] == ["PM404"]


def test_stale_allows_the_policy_grace(kb):
    kb.set_plugin_config(policy={"stale_action_grace_days": 7})
    kb.write(meta={"actions": [dict(ACTION, status="open")]})
    assert kb.findings(today="2024-05-07") == []
    found = kb.findings(today="2024-05-08")
    assert [f["code"] for f in found] == ["PM404"]
    assert "8 day(s) past its due date" in found[0]["message"]


# --- late postmortems -------------------------------------------------------------------
# The baseline resolved at 2024-03-14T16:05Z; the policy allows 24 h.


@pytest.mark.parametrize(
    ("filed", "late"),
    [
        (date(2024, 3, 14), False),
        (date(2024, 3, 15), False),  # a date counts as the whole day of the deadline
        (date(2024, 3, 16), True),
        (datetime(2024, 3, 15, 16, 5, tzinfo=UTC), False),  # exactly 24 h
        (datetime(2024, 3, 15, 16, 6, tzinfo=UTC), True),
        (datetime(2024, 3, 15, 17, 5, tzinfo=timezone(timedelta(hours=1))), False),  # 16:05Z
        (datetime(2024, 3, 15, 17, 6, tzinfo=timezone(timedelta(hours=1))), True),  # 16:06Z
    ],
    ids=str,
)
def test_late_postmortem_with_a_date_or_a_timestamp(kb, filed, late):
    path = kb.write(meta={"filed": filed})
    found = kb.findings()
    if late:
        assert where(found) == [("PM405", "late-postmortem", *value_pos(path, "filed"))]
        assert "after the 24 h deadline" in found[0]["message"]
        assert found[0]["hint"]
    else:
        assert found == []


def test_a_filed_date_is_read_in_the_time_zone_of_resolved(kb):
    pst = timezone(timedelta(hours=-8))
    meta = {
        "started": datetime(2024, 3, 14, 20, 0, tzinfo=pst),
        "detected": datetime(2024, 3, 14, 20, 10, tzinfo=pst),
        "mitigated": datetime(2024, 3, 14, 23, 0, tzinfo=pst),
        "resolved": datetime(2024, 3, 14, 23, 30, tzinfo=pst),  # 2024-03-15T07:30Z
        "filed": date(2024, 3, 16),  # the deadline is 2024-03-15 23:30 local
    }
    path = kb.write(
        meta=meta, sections={"Timeline": "| Time | Event |\n|---|---|\n| 20:00 | Errors begin |\n| 23:30 | Resolved |"}
    )
    assert where(kb.findings()) == [("PM405", "late-postmortem", *value_pos(path, "filed"))]


def test_the_deadline_comes_from_the_policy(kb):
    kb.set_plugin_config(policy={"postmortem_due_hours": 72})
    kb.write(meta={"filed": date(2024, 3, 17)})
    assert kb.findings() == []
    kb.set_plugin_config(policy={"postmortem_due_hours": 12})
    found = kb.findings()
    assert [f["code"] for f in found] == ["PM405"]
    assert "12 h" in found[0]["message"]


# --- public postmortems --------------------------------------------------------------------
# With customer impact, a public write-up is due 72 h after resolution: 2024-03-17T16:05Z.


def test_customer_impact_without_a_public_postmortem_after_the_deadline(kb):
    path = kb.write(meta={"customer_impact": True})
    assert kb.findings(today="2024-03-17") == []  # still within 72 h
    found = kb.findings(today="2024-03-18")
    assert where(found) == [("PM406", "missing-public-postmortem", *line_col(path, "customer_impact:"))]
    assert "2024-03-17T16:05:00+00:00" in found[0]["message"]


def test_no_customer_impact_needs_no_public_postmortem(kb):
    kb.write(meta={"customer_impact": False})
    assert kb.findings(today="2030-01-01") == []


@pytest.mark.parametrize(
    ("public", "late"),
    [
        ("https://status.example.com/incidents/42", False),
        (date(2024, 3, 17), False),
        (date(2024, 3, 18), True),
        (datetime(2024, 3, 17, 16, 5, tzinfo=UTC), False),
        (datetime(2024, 3, 17, 16, 6, tzinfo=UTC), True),
    ],
    ids=str,
)
def test_the_public_postmortem_within_72_hours(kb, public, late):
    path = kb.write(meta={"customer_impact": True, "public_postmortem": public})
    found = kb.findings(today="2030-01-01")
    if late:
        assert where(found) == [("PM406", "missing-public-postmortem", *value_pos(path, "public_postmortem"))]
        assert "72 h" in found[0]["message"]
    else:
        assert found == []


def test_the_public_deadline_comes_from_the_policy(kb):
    kb.set_plugin_config(policy={"public_postmortem_due_hours": 24})
    kb.write(meta={"customer_impact": True, "public_postmortem": date(2024, 3, 16)})
    found = kb.findings()
    assert [f["code"] for f in found] == ["PM406"]
    assert "24 h" in found[0]["message"]


def test_policy_rules_do_not_read_the_wall_clock(kb):
    """The same files give the same findings for the same --today, whatever the date is now."""
    kb.write(meta={"customer_impact": True, "actions": [dict(ACTION, status="open")]})
    assert kb.findings(today="2024-03-16") == []
    assert [f["code"] for f in kb.findings(today="2099-01-01")] == ["PM406", "PM404"]  # in file order
