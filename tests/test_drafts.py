"""Drafts are visible where work is tracked: their open actions are in the remediation
report (marked, not linked: the draft has no page yet) and in the home page's counts; a
draft past the filing deadline is reported (late-postmortem)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from conftest import BASE_META

from postmortem_kb.config import load_project
from postmortem_kb.load.corpus import load_corpus
from postmortem_kb.render.site import Site

OPEN = {
    "summary": "Alert when the send queue grows for ten minutes",
    "owner": "Tomás Ortega",
    "due": date(2024, 6, 30),
    "status": "open",
    "tracker": "https://tracker.example.com/MSG-900",
    "kind": "detect",
}
DRAFT = {"id": "2024-03-14-draft", "status": "draft", "actions": [OPEN]}


def test_a_drafts_open_actions_are_in_the_report_marked_as_draft(kb):
    kb.write(meta=DRAFT)
    code, out = kb.run("report", "remediation", "--format", "json", "--today", "2024-03-20")
    assert code == 0, kb.stderr
    [action] = json.loads(out)["actions"]
    assert (action["id"], action["draft"]) == ("2024-03-14-draft#1", True)
    _, out = kb.run("report", "remediation", "--format", "csv", "--today", "2024-03-20")
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert row["draft"] == "true"  # as the JSON writes it
    _, out = kb.run("report", "remediation", "--format", "md", "--today", "2024-03-20")
    assert "open (draft postmortem)" in out


def test_the_site_lists_a_drafts_action_without_a_link_and_counts_it(kb):
    kb.write(meta=DRAFT)
    kb.write(meta={"actions": [{**OPEN, "summary": "Page on a stopped worker pool"}]})  # published
    project = load_project(kb.config)
    site = Site(
        corpus=load_corpus(project), settings=project.settings, today=date(2024, 3, 20), docs_dir=project.docs_dir
    )
    pages = site.pages()
    page = pages["remediation.md"]
    assert "Alert when the send queue grows" in page and "pmkb-badge-draft" in page
    assert page.count('href="2024/2024-03-14-draft') == 0
    assert "Page on a stopped worker pool" in page
    assert "**2** open action" in page
    assert BASE_META["id"] in page


def test_a_late_draft_is_a_finding_and_an_on_time_one_is_not(kb):
    kb.write(meta=DRAFT)
    assert [f["rule"] for f in kb.findings(today="2024-03-15")] == []
    late = [f for f in kb.findings(today="2024-07-14") if f["rule"] == "late-postmortem"]
    assert len(late) == 1 and late[0]["message"].startswith("still a draft 121 day(s)")
