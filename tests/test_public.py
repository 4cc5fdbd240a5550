"""Public postmortems: the public site and the public-leak rule that guards it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from site_helpers import ROOT, copy_kb, page_html, write_postmortem

CUSTOMER = {"customer_impact": True, "public_postmortem": date(2024, 3, 16)}


def leaks(kb, **kw):
    return [(f["line"], f["column"], f["message"]) for f in kb.findings("--select", "public-leak", **kw)]


def line_of(path: Path, needle: str) -> tuple[int, int]:
    """Line and column of `needle` in the body (after the front matter)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    body_start = lines.index("---", 1) + 1
    for i, line in enumerate(lines[body_start:], start=body_start + 1):
        if needle in line:
            return i, line.index(needle) + 1
    raise AssertionError(needle)


# --- the rule ------------------------------------------------------------------------


def test_a_responders_name_in_a_public_section_is_a_leak(kb):
    path = kb.write(
        meta={**CUSTOMER, "authors": ["Priya Raman"]},
        sections={"Summary": "Checkout failed for 20 minutes until Priya Raman rolled back the release."},
    )
    assert leaks(kb) == [(*line_of(path, "Priya Raman"), "a person's name in a public section: “Priya Raman”")]


def test_malformed_addresses_are_findings_not_crashes(kb):
    """`http://[::1` (an IPv6 host never closed) makes Python's URL parser raise."""
    kb.write(
        meta={
            **CUSTOMER,
            "actions": [
                {
                    "summary": "Page the database on-call on lag",
                    "owner": "Aiko Mori",
                    "due": date(2031, 1, 5),
                    "status": "open",
                    "kind": "detect",
                    "tracker": "http://[::1",
                }
            ],
        },
        sections={"Summary": "Requests to http://[::1/health timed out for 20 minutes."},
    )
    found = kb.findings()
    assert "Traceback" not in kb.stderr
    assert [(f["rule"], f["message"]) for f in found if f["rule"] == "schema"] == [
        ("schema", "`actions.0.tracker`: tracker must be an http(s) URL")
    ]


def test_names_in_internal_sections_are_fine(kb):
    kb.write(
        meta={**CUSTOMER, "authors": ["Priya Raman"]},
        sections={
            "What went well": "Priya Raman rolled back within four minutes.",
            "Timeline": "| Time | Event |\n|---|---|\n| 10:05 | Priya paged the database on-call |",
        },
    )
    assert leaks(kb) == []


def test_no_customer_impact_means_no_public_version_and_no_leak_check(kb):
    kb.write(
        meta={"customer_impact": False, "authors": ["Priya Raman"]},
        sections={"Summary": "Priya Raman rolled back the release."},
    )
    assert leaks(kb) == []


@pytest.mark.parametrize(
    ("text", "needle", "why"),
    [
        ("Writes to db-7.prod.internal stalled for ten minutes.", "db-7.prod.internal", "an internal host name"),
        (
            "The dashboard at https://grafana.corp/d/checkout showed it first.",
            "https://grafana.corp/d/checkout",
            "a private link",
        ),
        ("Replica 10.20.3.4 fell behind.", "10.20.3.4", "a private address"),
        (
            "See https://tracker.example.com/OPS-1 for the detail.",
            "https://tracker.example.com/OPS-1",
            "a link to the internal tracker",
        ),
        ("We coordinated in #incident-1234 until recovery.", "#incident-1234", "a chat channel"),
        ("@oncall-payments confirmed recovery.", "@oncall-payments", "a chat handle"),
    ],
)
def test_internal_detail_in_a_public_section_is_a_leak(kb, text, needle, why):
    meta = {
        **CUSTOMER,
        "actions": [
            {
                "summary": "Add a canary",
                "owner": "Team A",
                "due": date(2031, 1, 1),
                "status": "open",
                "tracker": "https://tracker.example.com/OPS-9",
                "kind": "prevent",
            }
        ],
    }
    path = kb.write(meta=meta, sections={"Impact": text})
    assert leaks(kb) == [(*line_of(path, needle), f"{why} in a public section: “{needle}”")]


@pytest.mark.parametrize(
    "text",
    [
        "Customers could not sign in for 40 minutes; see our status page at https://status.example.com for updates.",
        "Version 2.3.4 of the mobile app retried too quickly.",
        "We will publish the follow-up in the #1 place customers look: the status page.",
        "Email to support@example.com was answered as usual.",
    ],
)
def test_public_facts_are_not_leaks(kb, text):
    kb.write(meta=CUSTOMER, sections={"Summary": text})
    assert leaks(kb) == []


def test_leaks_on_several_lines_are_each_at_their_own_line_and_column(kb):
    # The public lines are searched together; each leak is still placed on its line.
    text = (
        "Writes to db-7.prod.internal stalled.\n"
        "\n"
        "Priya Raman rolled back; see #incident-42 and https://grafana.corp/d/x.\n"
        "\n"
        "Replica 10.20.3.4 fell behind."
    )
    path = kb.write(meta={**CUSTOMER, "authors": ["Priya Raman"]}, sections={"Summary": text})
    assert leaks(kb) == [
        (*line_of(path, "db-7.prod.internal"), "an internal host name in a public section: “db-7.prod.internal”"),
        (*line_of(path, "Priya Raman"), "a person's name in a public section: “Priya Raman”"),
        (*line_of(path, "#incident-42"), "a chat channel in a public section: “#incident-42”"),
        (
            *line_of(path, "https://grafana.corp/d/x."),
            "a private link in a public section: “https://grafana.corp/d/x.”",
        ),
        (*line_of(path, "10.20.3.4"), "a private address in a public section: “10.20.3.4”"),
    ]


def test_a_line_whose_lower_case_is_longer_does_not_shift_later_leaks(kb):
    # "İ".lower() is two characters: the lines are then searched one by one.
    kb.set_plugin_config(public={"internal_words": ["Falcon"]})
    text = "İstanbul customers saw errors for an hour.\n\nThe FALCON rollout paused."
    path = kb.write(meta=CUSTOMER, sections={"Summary": text})
    assert leaks(kb) == [(*line_of(path, "FALCON"), "an internal name in a public section: “FALCON”")]


def test_a_leak_after_a_letter_whose_lower_case_is_longer_is_found_at_its_column(kb):
    # "İ".lower() is two characters; offsets in the lower-cased line ran one ahead.
    kb.set_plugin_config(public={"internal_words": ["Falcon"]})
    path = kb.write(meta=CUSTOMER, sections={"Summary": "İstanbul customers saw the FALCON rollout pause."})
    assert leaks(kb) == [(*line_of(path, "FALCON"), "an internal name in a public section: “FALCON”")]


def test_configured_internal_words_are_leaks(kb):
    kb.set_plugin_config(public={"internal_words": ["Project Falcon"]})
    path = kb.write(
        meta=CUSTOMER, sections={"Lessons learned": "The project falcon migration changed the load profile."}
    )
    assert leaks(kb) == [(*line_of(path, "project falcon"), "an internal name in a public section: “project falcon”")]


def test_a_name_in_an_action_summary_is_a_leak_because_actions_are_published(kb):
    meta = {
        **CUSTOMER,
        "actions": [
            {
                "summary": "Ask Tomás Ortega to add a canary",
                "owner": "Tomás Ortega",
                "due": date(2031, 1, 1),
                "status": "open",
                "tracker": "https://t.example.com/1",
                "kind": "prevent",
            }
        ],
    }
    path = kb.write(meta=meta)
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if "summary: Ask Tomás Ortega" in text)
    col = lines[line - 1].index("Tomás") + 1
    assert leaks(kb) == [(line, col, "a person's name in an action summary (shown publicly): “Tomás Ortega”")]


def test_a_leak_can_be_suppressed_on_its_line(kb):
    kb.write(
        meta={**CUSTOMER, "authors": ["Priya Raman"]},
        sections={"Summary": "Priya Raman, our CTO, apologised on the status page. <!-- pmkb: disable=public-leak -->"},
    )
    assert leaks(kb) == []


# --- the public site -----------------------------------------------------------------


@pytest.fixture(scope="module")
def public_site(tmp_path_factory):
    root = copy_kb(tmp_path_factory.mktemp("public"))
    shutil.copy(ROOT / "mkdocs-public.yml", root / "mkdocs-public.yml")
    write_postmortem(
        root,
        meta={
            "id": "2026-02-02-internal-only",
            "title": "An internal-only hiccup",
            "customer_impact": False,
            "severity": "SEV4",
            "template": "standard",
        },
    )
    dest = root / "site-public"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "postmortem_kb.cli",
            "--config",
            str(root / "mkdocs.yml"),
            "build",
            "--public",
            "--strict",
            "--site-dir",
            str(dest),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return root, dest


def _published_with_impact(root: Path) -> list[tuple[str, dict]]:
    import yaml

    out = []
    for path in sorted((root / "postmortems").glob("20*/*.md")):
        text = path.read_text(encoding="utf-8")
        meta = yaml.safe_load(text.split("---\n")[1])
        out.append((path.stem, meta))
    return out


def test_only_published_postmortems_with_customer_impact_get_a_public_page(public_site):
    root, dest = public_site
    for pid, meta in _published_with_impact(root):
        page = dest / "incidents" / pid / "index.html"
        assert page.is_file() == (meta["status"] == "published" and meta["customer_impact"] is True), pid
    index = page_html(dest, "")
    assert "An internal-only hiccup" not in index
    assert "Customer notifications stopped for two hours" in index


def test_a_public_page_has_only_public_sections_and_no_internal_names(public_site):
    _, dest = public_site
    html = page_html(dest, "incidents/2024-03-14-customer-comms-outage/")
    for anchor in ("summary", "impact", "contributing-factors", "lessons-learned", "what-we-are-changing"):
        assert f'<h2 id="{anchor}">' in html, anchor
    for internal in (
        "Timeline",
        "Where we got lucky",
        "What went well",
        "Priya",
        "Tomás",
        "tracker.example.com",
        "Authors",
    ):
        assert internal not in html, internal
    assert "2024-03-16" in html  # the public page's date: the 72 h policy counts from it


def test_the_public_site_has_no_internal_pages(public_site):
    _, dest = public_site
    for internal in ("catalog", "remediation", "graph", "insights", "playbook", "rules", "factors", "services", "2024"):
        assert not (dest / internal).exists(), internal
    assert not list(dest.rglob("remediation.csv"))


def test_the_public_site_keeps_every_setting_of_the_internal_one():
    """mkdocs-public.yml INHERITs mkdocs.yml; a `plugins:` list there would replace the
    parent's whole, and the public build would run without the organisation's policy,
    severities and internal domains (it did: its plugin settings were `{public: {build:
    true}}`)."""
    import os

    from mkdocs.config import load_config

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    internal = load_config(config_file=str(ROOT / "mkdocs.yml"))
    expected = dict(internal.plugins["postmortem-kb"].config)
    assert internal.plugins["postmortem-kb"].settings.public.build is False
    public = load_config(config_file=str(ROOT / "mkdocs-public.yml"))
    plugin = public.plugins["postmortem-kb"]
    assert plugin.config == expected and expected["report_only"]
    plugin.on_startup(command="build", dirty=False)
    plugin.on_config(public)
    assert plugin.settings.public.build is True
