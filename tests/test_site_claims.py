"""What the site says adds up and holds (a new user's review): recurrences scoped to a
shared service, fixes that held, totals in the catalog's words, drafts said to be in the
remediation totals, imported placeholders shown as "not recorded" and never linked."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime, timedelta
from typing import Any

from conftest import KB, ROOT

from postmortem_kb.config import load_project
from postmortem_kb.load.corpus import load_corpus
from postmortem_kb.render.site import Site

TODAY = date(2024, 12, 1)


def _site(kb: KB, **kw: Any) -> Site:
    project = load_project(kb.config)
    return Site(corpus=load_corpus(project), settings=project.settings, today=TODAY, docs_dir=project.docs_dir, **kw)


def _text(html: str) -> str:
    """Visible text: inline tags vanish, block tags separate words."""
    inline = re.sub(r"</?(?:a|span|small|strong|em|code|time)\b[^>]*>", "", html)
    return " ".join(re.sub(r"<[^>]+>", " ", inline).split())


def _meta(
    pm_id: str, factors: list[str], services: list[str], actions: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    day = date.fromisoformat(pm_id[:10])
    at = datetime(day.year, day.month, day.day, 13, 52, tzinfo=UTC)
    meta = {
        "id": pm_id,
        "title": f"Incident {pm_id[11:]}",
        "services": services,
        "started": at,
        "detected": at + timedelta(minutes=14),
        "mitigated": at + timedelta(minutes=108),
        "resolved": at + timedelta(minutes=133),
        "filed": day + timedelta(days=1),
        "contributing_factors": [{"factor": f, "description": f"{f} contributed"} for f in factors],
        **extra,
    }
    if actions is not None:
        meta["actions"] = [
            {"owner": "Ops", "tracker": "https://tracker.example.com/X-1", "kind": "prevent", **a} for a in actions
        ]
    return meta


def _with_catalog(kb: KB) -> KB:
    shutil.copy(ROOT / "postmortems" / "services.yml", kb / "postmortems" / "services.yml")
    return kb


def test_a_factor_in_another_service_is_seen_again_and_the_fix_held(kb: KB) -> None:
    _with_catalog(kb)
    fix = {
        "summary": "Alert on clock drift",
        "due": date(2024, 2, 1),
        "status": "done",
        "addresses": ["monitoring-gap"],
    }
    kb.write(meta=_meta("2024-01-10-identity-drift", ["monitoring-gap", "clock-time"], ["identity"], [fix]))
    kb.write(meta=_meta("2024-06-01-payments-gap", ["monitoring-gap", "retry-storm"], ["payments-gateway"]))
    site = _site(kb)
    pages = site.pages()
    factor = _text(pages["factors/monitoring-gap.md"])
    assert "Recurred" not in factor  # the payments incident is no verdict on identity's fix
    assert "Fixes that held: 1 done action addressing it" in factor
    assert (
        "Addressed by Incident identity-drift’s action 1 “Alert on clock drift” (done by 2024-02-01); not seen again "
        "in Identity and sign-in since" in factor
    )
    insights = _text(pages["insights.md"])
    assert "No factor has come back after an action addressing it was done." in insights
    assert "1 done action addressed a factor that no later incident in the same service has named since" in insights
    assert (
        "<strong>1</strong><span>factor seen in 2+ incidents</span>" in pages["index.md"]
    )  # monitoring-gap, seen twice: not "recurring"


def test_the_same_service_makes_it_a_recurrence_named_by_service(kb: KB) -> None:
    _with_catalog(kb)
    fix = {
        "summary": "Alert on clock drift",
        "due": date(2024, 2, 1),
        "status": "done",
        "addresses": ["monitoring-gap"],
    }
    kb.write(meta=_meta("2024-01-10-identity-drift", ["monitoring-gap", "clock-time"], ["identity"], [fix]))
    kb.write(meta=_meta("2024-06-01-identity-again", ["monitoring-gap", "retry-storm"], ["web-frontend", "identity"]))
    site = _site(kb)
    factor = _text(site.pages()["factors/monitoring-gap.md"])
    assert "Recurred 1 time after remediation" in factor
    assert (
        "Incident identity-again (2024-06-01): recurred in Identity and sign-in after Incident identity-drift’s "
        "action 1 “Alert on clock drift” was done (due 2024-02-01)" in factor
    )
    assert "Fixes that held" not in factor
    card = _text(site.blocks(site.by_id["2024-06-01-identity-again"])["card"])
    assert (
        "this factor recurred in Identity and sign-in after Incident identity-drift’s action “Alert on clock drift”"
        in card
    )


OPEN = {"summary": "Page on queue growth", "due": date(2025, 3, 1), "status": "open"}


def test_insights_count_in_the_catalogs_words_and_say_the_draft_actions_are_in_the_totals(kb: KB) -> None:
    kb.write(meta=_meta("2024-03-01-one", ["monitoring-gap", "retry-storm"], ["notifications"]))
    kb.write(meta=_meta("2024-04-01-two", ["monitoring-gap", "retry-storm"], ["notifications"], status="in-review"))
    kb.write(
        meta=_meta("2024-11-20-draft", ["monitoring-gap", "retry-storm"], ["notifications"], [OPEN], status="draft")
    )
    pages = _site(kb).pages()
    insights = _text(pages["insights.md"])
    catalog = _text(pages["catalog.md"])
    assert "2 incidents, 1 published, 1 in review;" in insights
    assert "2 in all, 1 published, 1 in review" in catalog  # the same counts, the same words
    assert "these totals include the 1 action of draft postmortems (0 done, 1 open" in insights
    assert "The tables below count the 2 actions of the incidents on this page only" in insights
    remediation = _text(pages["remediation.md"])
    assert "These totals include the 1 action of draft postmortems (1 open, marked *draft*)" in remediation


def test_the_remediation_page_explains_stale_for_no_grace_team_counts_and_age(kb: KB) -> None:
    kb.write(
        meta=_meta(
            "2024-03-01-one", ["monitoring-gap", "retry-storm"], ["notifications"], [OPEN], teams=["messaging", "sre"]
        )
    )
    kb.write(meta=_meta("2024-04-01-two", ["monitoring-gap", "retry-storm"], ["notifications"], [OPEN]))
    text = _text(_site(kb).pages()["remediation.md"])
    assert "stale the day after its due date while it is still open" in text and "0 days" not in text
    assert "the team table adds up to 3 for 2 open actions" in text  # one action under two teams
    assert "*Age* is days since the postmortem was filed" in text


def test_imported_placeholders_are_not_recorded_and_never_linked(kb: KB) -> None:
    meta = _meta(
        "2020-01-08-cdn-purge",
        ["todo", "capacity-saturation"],
        ["TODO"],
        status="archived",
        severity="TODO",
        trigger="TODO: the event that exposed the latent conditions",
    )
    at = meta["started"]
    meta.update(detected=at, mitigated=at, resolved=at)  # one instant: placeholder times
    kb.write(meta=meta)
    kb.write(meta=_meta("2024-03-01-one", ["monitoring-gap", "retry-storm"], ["notifications"], severity="SEV2"))
    site = _site(kb)
    pm = next(p for p in site.corpus.postmortems if p.meta is not None and p.meta.id == "2020-01-08-cdn-purge")
    blocks = site.blocks(pm)
    html = blocks["card"] + blocks["factors"]
    assert "factors/todo" not in html  # no link to a page that does not exist
    assert ">todo</span>" in blocks["card"]  # the chip is text
    card = _text(blocks["card"])
    assert (
        "Severity not recorded" in card and "Duration not recorded" in card and "Time to restore not recorded" in card
    )
    assert "0 min" not in card
    assert "Trigger" not in card  # the importer's "TODO: …" is no trigger
    ins = site.insights
    assert "TODO" not in ins.severities and ins.severity_not_recorded == 1 and ins.times_not_recorded == 1
    assert [(d.label, d.n) for d in ins.restore] == [("SEV2", 1), ("all", 1)]  # no 0-minute time
    insights = _text(site.pages()["insights.md"])
    assert "Not recorded for 1 imported incident (placeholder times), left out." in insights
    assert "<th>TODO</th>" not in site.pages()["insights.md"]
    row = next(r for r in site.pages()["catalog.md"].splitlines() if "2020-01-08-cdn-purge" in r)
    assert '<td class="pmkb-nowrap">not recorded</td>' in row and "0 min" not in row
