"""Hostile pull requests against the public site (issue #13, items 8 and 9).

public-leak judges what the public site shows — title, public sections (with their
sub-sections), action summaries — as a reader sees it: after HTML comments, tags,
entities, backslash escapes and emphasis are resolved, and with every character folded
(look-alike letters, full-width forms, letter case). Each attack from the security
review is reproduced here with a variant, and each finding points at the source.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from site_helpers import ROOT, copy_kb, write_postmortem

from postmortem_kb.rules import public

CUSTOMER = {"customer_impact": True, "public_postmortem": date(2024, 3, 16)}


def leaks(kb, **kw):
    return [(f["line"], f["column"], f["message"]) for f in kb.findings("--select", "public-leak", **kw)]


def at(path: Path, needle: str) -> tuple[int, int]:
    """Line and column of the first `needle` in the file."""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in text:
            return number, text.index(needle) + 1
    raise AssertionError(needle)


# --- the title is published: <h1>, <title>, the index, the search index -----------------


def test_a_name_in_the_title_is_a_leak(kb):
    path = kb.write(meta={**CUSTOMER, "title": "Checkout broke after Priya Raman's deploy"})
    assert leaks(kb) == [(*at(path, "Priya Raman"), "a person's name in the title (shown publicly): “Priya Raman”")]


def test_an_internal_host_in_the_title_is_a_leak(kb):
    path = kb.write(meta={**CUSTOMER, "title": "Writes to db-7.prod.internal stalled"})
    assert leaks(kb) == [
        (*at(path, "db-7.prod.internal"), "an internal host name in the title (shown publicly): “db-7.prod.internal”")
    ]


# --- action summaries ----------------------------------------------------------------


def test_a_name_in_an_action_summary_in_another_letter_case_is_a_leak(kb):
    action = {
        "summary": "PRIYA RAMAN to add a canary",
        "owner": "Edge team",
        "due": date(2031, 1, 1),
        "status": "open",
        "tracker": "https://t.example.com/1",
        "kind": "prevent",
    }
    path = kb.write(meta={**CUSTOMER, "actions": [action]})
    assert leaks(kb) == [
        (*at(path, "PRIYA RAMAN"), "a person's name in an action summary (shown publicly): “PRIYA RAMAN”")
    ]


def test_an_owner_written_in_lower_case_is_still_a_person(kb):
    action = {
        "summary": "Ask tomás ortega for a canary",
        "owner": "tomás ortega",
        "due": date(2031, 1, 1),
        "status": "open",
        "tracker": "https://t.example.com/1",
        "kind": "prevent",
    }
    path = kb.write(meta={**CUSTOMER, "actions": [action]})
    assert leaks(kb) == [
        (*at(path, "tomás ortega for"), "a person's name in an action summary (shown publicly): “tomás ortega”")
    ]


def test_the_incident_commander_and_participants_are_people_too(kb):
    meta = {**CUSTOMER, "incident_commander": "Amara Okafor", "participants": ["Jonas Weber"]}
    path = kb.write(
        meta=meta, sections={"Summary": "Amara Okafor declared the incident; JONAS WEBER confirmed recovery."}
    )
    found = leaks(kb)
    assert [(line, col) for line, col, _ in found] == [at(path, "Amara Okafor declared"), at(path, "JONAS WEBER")]


# --- links and addresses ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "needle", "why"),
    [
        # Slack, and the same tool's host without a scheme
        (
            "See https://acme.slack.com/archives/C123 for the thread.",
            "https://acme.slack.com/archives/C123",
            "a link to an internal tool",
        ),
        ("The thread is at acme.slack.com/archives/C123.", "acme.slack.com", "an internal tool's address"),
        # a trailing dot is the same host; so it is in a URL
        ("The dashboard grafana.corp. showed it first.", "grafana.corp", "an internal host name"),
        ("The dashboard https://grafana.corp./d/1 showed it.", "https://grafana.corp./d/1", "a private link"),
        # short and IPv6 private addresses, and a browser's hex form
        ("Requests to http://10.1/health failed.", "http://10.1/health", "a private link"),
        ("The proxy on 127.1:8080 timed out.", "127.1", "a private address"),
        ("The replica [fd00::1] fell behind.", "[fd00::1]", "a private address"),
        ("The replica fe80::1 fell behind.", "fe80::1", "a private address"),
        ("Requests to http://0x7f.1/health failed.", "http://0x7f.1/health", "a private link"),
        ("The mapped ::ffff:10.0.0.1 was refused.", "::ffff:10.0.0.1", "a private address"),
        # a host a browser percent-decodes
        ("The dashboard http://grafana%2Ecorp/d/1 showed it.", "http://grafana%2Ecorp/d/1", "a private link"),
        # a link hidden in a tag's attribute is published too
        (
            'Our <a href="https://grafana.corp/d/1">dashboard</a> showed it.',
            "https://grafana.corp/d/1",
            "a private link",
        ),
    ],
)
def test_internal_links_and_addresses_in_any_form_are_leaks(kb, text, needle, why):
    path = kb.write(meta=CUSTOMER, sections={"Impact": text})
    assert leaks(kb) == [(*at(path, needle), f"{why} in a public section: “{needle}”")]


@pytest.mark.parametrize(
    "text",
    [
        "We upgraded to Postgres 10.1 last year.",
        "Version 2.3.4.1 of the app retried too quickly.",
        "The C++ std::vector grew without bound.",
        "Our public docs live at https://docs.example.com/guide.",
        "Customers of corp.example.com were affected.",
        "Checkout failed. {: .note #checkout-failure }",  # an attr_list id, not a chat channel
    ],
)
def test_look_alikes_of_addresses_are_not_leaks(kb, text):
    kb.write(meta=CUSTOMER, sections={"Impact": text})
    assert leaks(kb) == []


# --- text that renders the same: entities, escapes, markup, look-alike letters ------------


@pytest.mark.parametrize(
    "written",
    [
        "grafana&#46;corp",  # an entity
        "grafana\\.corp",  # a Markdown escape
        "grafana&period;corp",  # a named entity
        "gra<span></span>fana.corp",  # an empty tag
        "grafana<!-- x -->.corp",  # a comment
        "grafana*.*corp",  # emphasis
        "grafana\u200b.corp",  # a zero-width space
        "graf\u0430na.corp",  # a Cyrillic а
        "ｇｒａｆａｎａ．ｃｏｒｐ",  # full-width forms
        "grafana.c\u03bfrp",  # a Greek ο
        "GRAFANA.CORP",
    ],
)
def test_a_host_that_renders_as_an_internal_one_is_a_leak_at_its_source(kb, written):
    path = kb.write(meta=CUSTOMER, sections={"Summary": f"The {written} dashboard showed it."})
    assert leaks(kb) == [(*at(path, written), f"an internal host name in a public section: “{written}”")]


def test_a_comment_across_lines_hides_nothing_and_joins_nothing(kb):
    # The public page removes comments across lines: "grafana" and ".corp" meet.
    path = kb.write(
        meta=CUSTOMER,
        sections={
            "Summary": "The grafana<!--\nnote\n-->.corp dashboard showed it.\n\n<!-- Priya Raman\nreviewed this -->"
        },
    )
    assert leaks(kb) == [
        (*at(path, "grafana<!--"), "an internal host name in a public section: “grafana<!-- note -->.corp”")
    ]


@pytest.mark.parametrize(
    "written", ["PRIYA RAMAN", "priya raman", "Рriya Raman", "Priya\nRaman", "**Priya** Raman", "PRIYA"]
)
def test_a_name_in_another_case_or_look_alike_letters_is_a_leak(kb, written):
    path = kb.write(
        meta={**CUSTOMER, "authors": ["Priya Raman"]},
        sections={"Summary": f"Checkout failed until {written} rolled back."},
    )
    line, col = at(path, "until " + written.split("\n")[0])
    found = leaks(kb)
    # At the name's first letter (after the emphasis markers, if any).
    assert [(line, col) for line, col, _ in found] == [(line, col + 6 + len(written) - len(written.lstrip("*")))]
    assert found[0][2].startswith("a person's name in a public section: “")


def test_a_name_word_that_is_an_ordinary_word_in_lower_case_is_not_a_leak(kb):
    # A whole name matches in any case ("will grant" too: a suppression comment is the way
    # out); its single words only when capitalised somewhere, as names are written.
    kb.write(
        meta={**CUSTOMER, "authors": ["Will Grant"]}, sections={"Summary": "We will give affected customers a grant."}
    )
    assert leaks(kb) == []


# --- parts marked internal -----------------------------------------------------------------


def test_an_internal_only_paragraph_in_a_public_section_is_a_leak(kb):
    path = kb.write(
        meta=CUSTOMER,
        sections={"Impact": "About 2% of orders failed.\n\nINTERNAL ONLY: the vendor contract lapses in May."},
    )
    assert leaks(kb) == [(*at(path, "INTERNAL ONLY"), "a part marked internal in a public section: “INTERNAL ONLY”")]


def test_an_internal_sub_section_of_a_public_section_is_a_leak(kb):
    path = kb.write(
        meta=CUSTOMER,
        sections={
            "Impact": "About 2% of orders failed.\n"
            "\n"
            "### Timeline\n"
            "\n"
            "10:05 the deploy began.\n"
            "\n"
            "### Internal-only notes\n"
            "\n"
            "The vendor is late."
        },
    )
    line, col = at(path, "### Timeline")
    assert leaks(kb) == [
        (line, col + 4, "a sub-section that is not public in a public section: “Timeline”"),
        (*at(path, "Internal-only"), "a part marked internal in a public section: “Internal-only”"),
    ]


def test_a_leak_in_the_heading_line_of_a_public_section_is_found(kb):
    path = kb.write(
        meta={**CUSTOMER, "authors": ["Priya Raman"]},
        sections={"Summary": "Checkout failed.\n\n### What Priya saw\n\nErrors."},
    )
    assert leaks(kb) == [(*at(path, "Priya saw"), "a person's name in a public section: “Priya”")]


# --- the public build refuses a postmortem with a leak ------------------------------------


LEAKY_ID = "2026-03-03-leaky-public-report"


@pytest.fixture(scope="module")
def leaky_kb(tmp_path_factory):
    root = copy_kb(tmp_path_factory.mktemp("leaky"))
    (root / "mkdocs-public.yml").write_text((ROOT / "mkdocs-public.yml").read_text(encoding="utf-8"), encoding="utf-8")
    write_postmortem(
        root,
        meta={
            "id": LEAKY_ID,
            "title": "Checkout errors after a rollout",
            "customer_impact": True,
            "public_postmortem": date(2026, 3, 5),
            "authors": ["Priya Raman"],
        },
        sections={"Summary": "Checkout failed until grafana&#46;corp showed the cause."},
    )
    return root


def _public_build(root: Path, dest: Path, *extra: str) -> subprocess.CompletedProcess:
    cmd = [
        sys.executable,
        "-m",
        "postmortem_kb.cli",
        "--config",
        str(root / "mkdocs.yml"),
        "build",
        "--public",
        *extra,
        "--site-dir",
        str(dest),
    ]
    return subprocess.run(
        cmd, cwd=root, capture_output=True, text=True, timeout=300, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    )


def _site_text(dest: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in dest.rglob("*")
        if p.is_file() and p.suffix in (".html", ".json", ".xml", ".txt")
    )


@pytest.mark.parametrize("strict", [False, True])
def test_the_public_build_leaves_a_leaking_postmortem_out_and_fails(leaky_kb, tmp_path, strict):
    dest = tmp_path / "site-public"
    result = _public_build(leaky_kb, dest, *(["--strict"] if strict else []))
    assert result.returncode != 0, result.stdout + result.stderr
    site = _site_text(dest) if dest.exists() else ""
    assert "grafana" not in site and "Checkout errors after a rollout" not in site
    assert not (dest / "incidents" / LEAKY_ID).exists()
    if not strict:
        # The rest is published, and the message says which file and why.
        assert (dest / "incidents" / "2024-03-14-customer-comms-outage" / "index.html").is_file()
        assert f"{LEAKY_ID}.md is left out of the public site" in result.stderr
        assert "an internal host name in a public section" in result.stderr
        assert "1 postmortem(s) left out of the public site" in result.stderr


def test_a_public_build_without_leaks_succeeds(tmp_path):
    root = copy_kb(tmp_path)
    (root / "mkdocs-public.yml").write_text((ROOT / "mkdocs-public.yml").read_text(encoding="utf-8"), encoding="utf-8")
    result = _public_build(root, tmp_path / "site-public")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "left out" not in result.stderr


def test_a_reviewed_suppression_lets_the_postmortem_be_published(tmp_path):
    root = copy_kb(tmp_path)
    (root / "mkdocs-public.yml").write_text((ROOT / "mkdocs-public.yml").read_text(encoding="utf-8"), encoding="utf-8")
    write_postmortem(
        root,
        meta={
            "id": LEAKY_ID,
            "title": "Checkout errors after a rollout",
            "customer_impact": True,
            "public_postmortem": date(2026, 3, 5),
            "authors": ["Priya Raman"],
        },
        sections={"Summary": "Priya Raman, our CTO, apologised on the status page. <!-- pmkb: disable=public-leak -->"},
    )
    dest = tmp_path / "site-public"
    result = _public_build(root, dest)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (dest / "incidents" / LEAKY_ID / "index.html").is_file()


# --- linear time -----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["x.local " + "a." * 24_000, "#a" + "-" * 48_000, "&ab" * 16_000])
def test_the_review_s_redos_inputs_check_in_well_under_a_second(kb, text):
    # Before: 43 s and 44 s (quadratic backtracking in the host and channel patterns). The
    # variant: a run of would-be entities that decodes to nothing, read once, not once per `&`.
    kb.write(meta=CUSTOMER, sections={"Summary": text})
    started = _cpu()
    kb.findings("--select", "public-leak", "--no-cache", "--jobs", "1")
    assert _cpu() - started < 5


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


ADVERSARIAL = [
    "x.local ",
    "a.",
    "#a",
    "-",
    "::",
    "1.",
    "1:",
    "[",
    "&#",
    "&#46;",
    "\\.",
    "<a",
    "<!--",
    "-->",
    "<",
    ">",
    "http://",
    "://",
    "@a",
    "*",
    "`",
    "е",
    "ｃ",
    "\u200b",
    "priya ",
    "internal ",
    "### ",
    "\n",
]


def adversarial_section(size: int) -> str:
    """Each of the rule's delimiters repeated in a run of its own, then mixed: `size`
    bytes of UTF-8."""
    share = size // (2 * len(ADVERSARIAL))
    runs = [
        (unit * (share // len(unit.encode()) + 1)).encode()[:share].decode("utf-8", "ignore") for unit in ADVERSARIAL
    ]
    mixed = "".join(ADVERSARIAL)
    text = "".join(runs) + mixed * (size // len(mixed.encode()) + 1)
    return text.encode()[:size].decode("utf-8", "ignore")


def test_a_4_mib_adversarial_public_section_checks_in_seconds(kb):
    """The bar is 5 s of CPU; asserted at 20 s so that a loaded machine does not fail it.
    (Just under 4 MiB: a larger file is refused before any rule reads it.)"""
    kb.write(
        meta={**CUSTOMER, "authors": ["Priya Raman"]},
        sections={"Summary": adversarial_section(4 * 1024 * 1024 - 16 * 1024)},
    )
    started = _cpu()
    found = kb.findings("--select", "public-leak", "--no-cache", "--jobs", "1")
    took = _cpu() - started
    print(f"4 MiB adversarial public section: {took:.2f} s CPU, {len(found)} findings")
    assert any(f["rule"] == "public-leak" for f in found)  # (and a cap on how many are listed)
    assert took < 20


def test_characters_that_fold_to_several_map_back_to_themselves():
    text = "Stra\u00dfe \ufb01le\u200b.corp"
    view, _ = public.build_view([public.Source(text, True, lambda i: (1, i + 1), "")])
    assert view.text == "strasse file.corp"
    assert [text[view.start(i) : view.end(i + 1)] for i in range(len(view.text))] == [
        *"Stra",
        "\u00df",
        "\u00df",
        "e",
        " ",
        "\ufb01",
        "\ufb01",
        *"le",
        ".",
        *"corp",
    ]
    assert public.scan_text(text, public_settings()) == [(text.index("\ufb01"), len(text), "an internal host name")]


def public_settings():
    from postmortem_kb.config import PublicSettings

    return PublicSettings()


def test_folding_keeps_a_map_back_to_every_source_character():
    text = "a&#46;b\\.c<b>d</b>е*f*ｇ\u200bh"
    view, _ = public.build_view([public.Source(text, True, lambda i: (1, i + 1), "")])
    assert view.text == "a.b.cdefgh"
    # An entity maps to all of itself, and so does an escape; dropped marks to nothing.
    assert [text[view.start(i) : view.end(i + 1)] for i in range(len(view.text))] == [
        "a",
        "&#46;",
        "b",
        "\\.",
        "c",
        "d",
        "е",
        "f",
        "ｇ",
        "h",
    ]


PIECES = [
    "a",
    "B",
    ".",
    "-",
    "#",
    ":",
    "::",
    "1",
    " ",
    "\n",
    "<b>",
    "</b>",
    "<a href='x.corp'>",
    "<!--",
    "-->",
    "&#46;",
    "&amp;",
    "&",
    "\\.",
    "\\\\",
    "\\",
    "*",
    "`",
    "~",
    "е",
    "ｃ",
    "\u200b",
    "\u0301",
    "ß",
    "ﬁ",
    "İ",
    "\x00",
    "\t",
    "grafana.corp",
    "http://10.1/",
    "[fd00::1]",
    "Priya",
]


@pytest.mark.parametrize("markdown", [True, False])
def test_every_folded_character_maps_inside_its_source_in_order(markdown):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None, database=None)
    @given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
    def check(text: str) -> None:
        view, _ = public.build_view([public.Source(text, markdown, lambda i: (1, i + 1), "")])
        last = 0
        for i in range(len(view.text)):
            a, b = view.start(i), view.end(i + 1)
            assert 0 <= a < b <= len(text), (text, i, a, b)
            if "<" not in text:  # (a tag's attributes are appended after the body)
                assert a >= last, (text, i, a, last)
                last = a
        for s, e, _why in public.scan_text(text, public_settings(), names=("Priya Raman",)):
            assert 0 <= s < e <= len(text)

    check()
