"""The knowledge base shipped in this repository: it passes its own checker on any date, and it
is rich enough to show every feature (years, severities, templates, recurring factors)."""

from __future__ import annotations

import contextlib
import io
import json
from collections import Counter
from datetime import timedelta

import pytest
from conftest import ROOT

from postmortem_kb.check import Checker
from postmortem_kb.cli import main
from postmortem_kb.config import load_project
from postmortem_kb.load.corpus import load_corpus


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(load_project(ROOT / "mkdocs.yml"))


@pytest.fixture(scope="module")
def published(corpus):
    return [pm for pm in corpus.valid if pm.published]


def check(*args: str) -> tuple[int, list[dict]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--config", str(ROOT / "mkdocs.yml"), "check", "--format", "json", *args])
    assert not err.getvalue(), err.getvalue()
    return code, json.loads(out.getvalue())


DRAFT = "postmortems/2026/2026-08-04-web-frontend-cdn-cutover.md"  # resolved 2026-08-04


@pytest.mark.parametrize("today", ["2026-08-05", "2022-01-01"])
def test_the_shipped_knowledge_base_passes_on(today):
    assert check("--today", today) == (0, [])


@pytest.mark.parametrize("today", ["2026-11-21", "2030-12-31", "2028-02-29"])
def test_the_shipped_knowledge_base_passes_but_for_its_late_draft_on(today):
    """The sample draft is the one a scheduled run should chase: still a draft months
    after its 24-hour deadline. Everything else passes on any date."""
    code, found = check("--today", today)
    assert code == 1
    assert [(f["path"], f["rule"], f["line"]) for f in found] == [(DRAFT, "late-postmortem", 4)]
    assert found[0]["message"].startswith("still a draft ")


def test_the_shipped_knowledge_base_passes_the_day_each_postmortem_was_due(corpus):
    """Every deadline a sample sets (filing, public write-up, actions) has been met on its day."""
    days = set()
    for pm in corpus.valid:
        days.add((pm.meta.resolved + timedelta(hours=72)).date() + timedelta(days=1))
        days.update(a.due + timedelta(days=1) for a in pm.meta.actions if a.due and a.status == "done")
    project = load_project(ROOT / "mkdocs.yml")
    for day in sorted(days):
        # the phrase rules do not depend on the date (and the other tests run them)
        found = Checker(project, day, ignore_rules=["PM3"]).run(corpus)
        assert [f for f in found if not (f.path == DRAFT and f.rule == "late-postmortem")] == [], day


def test_every_sample_file_is_a_valid_postmortem(corpus):
    assert corpus.postmortems, "no postmortems found"
    assert not corpus.problems
    for pm in corpus.postmortems:
        assert pm.meta is not None and not pm.problems, pm.path
        assert pm.path == f"postmortems/{pm.meta.started.year}/{pm.meta.id}.md"


def test_at_least_ten_published_postmortems_from_2022_to_2026(published):
    assert len(published) >= 10
    assert {pm.meta.started.year for pm in published} >= {2022, 2023, 2024, 2025, 2026}


def test_every_configured_severity_appears(published):
    severities = load_project(ROOT / "mkdocs.yml").settings.severities
    assert {pm.meta.severity for pm in published} == set(severities)


def test_a_lightweight_postmortem_is_among_them(published):
    light = [pm for pm in published if pm.meta.template == "lightweight"]
    assert light
    assert all(pm.section("impact") is None for pm in light)  # the short template, not a standard one relabelled
    assert any(pm.meta.template == "standard" for pm in published)


def test_factors_recur_across_incidents(published, corpus):
    counts = Counter(f for pm in published for f in {cf.factor for cf in pm.meta.contributing_factors})
    recurring = [f for f, n in counts.items() if n >= 3]
    assert len(recurring) >= 2, counts.most_common(5)
    assert set(counts) <= set(corpus.taxonomy.factors)


def test_samples_link_incidents_and_show_customer_impact(published):
    assert any(pm.meta.related for pm in published)
    assert any(pm.meta.customer_impact for pm in published)
    assert any(not pm.meta.customer_impact for pm in published)
    assert any(a.status in ("open", "in-progress") for pm in published for a in pm.meta.actions)
