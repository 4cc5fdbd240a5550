"""`pmkb import` reads Markdown as Markdown (markdown-it-py's tokens), and people's habits on
top: what MkDocs would show as a heading is a section, code is never read as facts, the
original's own front matter is read by the checker's bounded loader, and every value the
text gives is YAML-escaped by the template `pmkb new` uses."""

from __future__ import annotations

import time as clock_
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import pytest
import yaml
from conftest import ROOT

from postmortem_kb.importer import Options, convert
from postmortem_kb.load.times import clock

FACTOR_IDS = frozenset(
    f["id"] for f in yaml.safe_load((ROOT / "postmortems" / "factors.yml").read_text(encoding="utf-8"))["factors"]
)


def conv(text: str, name: str = "2024-03-10-x.md") -> tuple[dict[str, Any], str, str]:
    r = convert(text, name, Options(factor_ids=FACTOR_IDS))
    return r.meta, "\n".join(r.front_matter), r.body


def section(body: str, title: str) -> str:
    """The template section `title` (the last such heading: the original's may be in a comment)."""
    return body.split(f"## {title}\n")[-1].split("\n## ")[0]


def test_a_setext_heading_is_its_last_line_so_the_facts_above_it_are_read():
    """No blank line between the facts and "What happened / ----": MkDocs shows the facts
    as a paragraph and only "What happened" as the heading; so does the import."""
    meta, _, body = conv(
        "Date: July 21, 2020\nSeverity: Sev 2\nAll times UTC.\nWhat happened\n-------------\nThe gateway slowed down.\n"
        "Timeline\n"
        "--------\n"
        "* 10:05 latency climbs\n"
        "* 10:58 config rolled back; latency recovering\n"
        "* 11:20 incident resolved\n",
        name="gateway.md",
    )
    assert meta["severity"] == "SEV2"
    assert meta["started"] == datetime(2020, 7, 21, 10, 5, tzinfo=UTC)
    assert meta["mitigated"] == datetime(2020, 7, 21, 10, 58, tzinfo=UTC)
    assert "The gateway slowed down." in section(body, "Summary")


def test_a_label_right_under_a_list_starts_its_section():
    """ "Causes:" with no blank line after the timeline's last bullet is, to Markdown, more
    text of that bullet; people mean a new section, and the bullet's text ends there."""
    meta, _, body = conv(
        "# Stale search\n\nTimeline:\n- 01:00 reindex starts\n- 08:30 fresh index live, all clear\nCauses:\n"
        "- nothing alerts on index freshness\nFollow-ups:\n- [ ] alert when the index is stale (owner: Omar)\n"
    )
    assert [f["factor"] for f in meta["contributing_factors"]] == ["alerting-gap"]
    assert meta["actions"] == [{"summary": "alert when the index is stale", "owner": "Omar", "status": "open"}]
    assert meta["resolved"] == datetime(2024, 3, 10, 8, 30, tzinfo=UTC)
    assert "- nothing alerts on index freshness" in section(body, "Contributing factors")


@pytest.mark.parametrize(
    "code",
    [
        "```\nSeverity: SEV1\nOwner: Someone Else\n```\n",
        "~~~yaml\nSeverity: SEV1\nOwner: Someone Else\n~~~\n",
        "Config:\n\n    Severity: SEV1\n    Owner: Someone Else\n",
    ],
    ids=["backticks", "tildes", "indented"],
)
def test_code_is_kept_but_never_read_as_facts(code):
    meta, _, body = conv(f"# Outage\n\n{code}\n## Summary\nIt broke.\n")
    assert meta["severity"] == "TODO"
    assert meta["authors"] == ["TODO"]
    assert "Severity: SEV1" in body


def test_a_heading_inside_an_html_comment_is_no_section():
    _, _, body = conv("# Outage\n\n<!--\n## Timeline\n- 10:00 draft notes\n-->\n\n## Summary\nIt broke.\n")
    assert "<!--\n## Timeline" in body.split("## Summary\n")[0]  # kept where it was, as the comment it is
    assert "10:00 draft notes" not in section(body, "Timeline")


def test_the_originals_front_matter_is_read_by_the_bounded_loader():
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    started = clock_.monotonic()
    r = convert(f"---\n{laughs}title: Boom\ntags: *i\n---\n\n# Outage\n\n## Summary\nIt broke.\n", "2024-03-10-x.md")
    assert clock_.monotonic() - started < 10  # 9^9 nodes, were they expanded, would never finish
    assert (r.meta["title"], r.meta["tags"]) == ("Boom", [])
    # over the checker's 256 KiB of front matter: not read as YAML, but every line kept
    r = convert(
        '---\ntags: [big]\nnotes: "' + "x" * 300_000 + '"\n---\n\n# Outage\n\n## Summary\nIt broke.\n',
        "2024-03-10-x.md",
    )
    assert r.meta["tags"] == []
    assert "tags: [big]" in r.body.split("\n")
    meta, _, _ = conv(
        "---\ntitle: From the front matter\nauthor: Tomasz Wilk\ntags: [cdn]\n---\n\n## Summary\nIt broke.\n"
    )
    assert (meta["title"], meta["authors"], meta["tags"]) == ("From the front matter", ["Tomasz Wilk"], ["cdn"])


def test_values_from_the_text_are_yaml_escaped_by_the_template():
    title = 'Checkout: "payments" #2 & {retries} \\ [x] \x7f\u2028\x85 — ok'
    r = convert(
        f"# {title}\n\nSeverity: SEV2 # maybe\nServices: a: b, 'c'\n\n## Summary\nIt broke.\n", "2024-03-10-x.md"
    )
    meta = r.meta
    assert meta["title"].startswith('Checkout: "payments" #2 & {retries} \\ [x]')
    assert meta["services"] == ["a: b", "'c'"]
    assert r.text().startswith("---\n# Imported by `pmkb import` from 2024-03-10-x.md.")
    assert r.text().count("\n---\n") >= 1


def test_the_schema_line_comes_first_when_asked_for():
    r = convert("# Outage\n\n## Summary\nIt broke.\n", "2024-03-10-x.md")
    text = r.text("../../templates/postmortem.schema.json")
    assert text.split("\n")[:3] == [
        "---",
        "# yaml-language-server: $schema=../../templates/postmortem.schema.json",
        r.front_matter[0],
    ]
    assert text.endswith(r.body) and r.body.endswith("\n") and not r.body.endswith("\n\n")


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("14", "02", None, None), time(14, 2)),
        (("12", "05", None, "a"), time(0, 5)),
        (("12", "05", None, "P"), time(12, 5)),
        (("1", "15", "30", "p"), time(13, 15, 30)),
        (("13", "00", None, "p"), None),
        (("0", "30", None, "a"), None),
        (("25", "00", None, None), None),
        (("10", "61", None, None), None),
    ],
)
def test_clock_reads_24_and_12_hour_times(parts, expected):
    assert clock(*parts) == expected


def test_one_day_of_timeline_in_another_zone_still_reads():
    meta, _, _ = conv("## Timeline\n| Time (UTC+2) | Event |\n|---|---|\n| 08:00 | start |\n| 09:00 | resolved |\n")
    assert meta["started"] == datetime(2024, 3, 10, 8, 0, tzinfo=timezone(timedelta(hours=2)))
    assert meta["filed"] == date(2024, 3, 10)


def test_a_source_whose_front_matter_would_be_past_the_checkers_bounds_is_skipped_not_written(kb, tmp_path):
    """5,000 action items make more than the 256 KiB of front matter `pmkb check` reads: the
    import says so for that source, writes nothing for it and imports the others."""
    huge = tmp_path / "2024-01-01-huge.md"
    huge.write_text(
        "# Huge\n\n## Action items\n"
        + "".join(f"- fix thing number {n} in the export job (owner: Dana)\n" for n in range(5000)),
        encoding="utf-8",
    )
    small = tmp_path / "2024-01-02-small.md"
    small.write_text("# Small\n\n## Summary\nIt broke.\n", encoding="utf-8")
    code, out = kb.run("import", str(huge), str(small))
    assert code == 1
    assert (
        f"skipped {huge}: could not convert (its front matter would not load as `pmkb check` reads it: the front "
        "matter is larger than 256 KiB)" in out.splitlines()
    )
    assert sorted(p.name for p in (kb / "postmortems").rglob("*.md")) == ["2024-01-02-small.md"]


def test_tables_are_read_as_markdown_reads_them():
    """Cells as the parser splits them: an escaped pipe stays in its cell, a table needs no
    outer pipes, and rows a blank line cut off from their table are no table."""
    meta, _, _ = conv(
        "## Timeline\n\nTime (UTC) | Event\n---|---\n14:00 | deploy starts\n15:30 | incident resolved\n\n"
        "## Action items\n\n| Action | Owner |\n|---|---|\n| Split the a\\|b config | Leo Brandt |\n"
    )
    assert (meta["started"], meta["resolved"]) == (
        datetime(2024, 3, 10, 14, 0, tzinfo=UTC),
        datetime(2024, 3, 10, 15, 30, tzinfo=UTC),
    )
    assert meta["actions"] == [{"summary": "Split the a|b config", "owner": "Leo Brandt", "status": "open"}]
    meta, _, _ = conv("# Outage\n\n| Field | Value |\n\n|---|---|\n\n| Owner | Dana Kim |\n")
    assert meta["authors"] == ["TODO"]
    meta, _, _ = conv("# Outage\n\n| Field | Value |\n|---|---|\n| Owner | Dana Kim |\n")
    assert meta["authors"] == ["Dana Kim"]


def test_configured_severities_and_template_names_stay_strings():
    """A knowledge base whose severities are "1" and "2": written quoted, read back as the
    string the schema compares with, not the number 1."""
    r = convert(
        "# Outage\n\nSeverity: 1\n\n## Summary\nIt broke.\n",
        "2024-03-10-x.md",
        Options(severities=("1", "2"), template="2024"),
    )
    assert (r.meta["severity"], r.meta["template"]) == ("1", "2024")
