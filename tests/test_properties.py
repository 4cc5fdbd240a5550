"""Property-based tests of the front-matter parser, the section scanner and the checker.

Any input gives findings or a clean pass, never an exception, and every finding points
inside its file (tests/hostile.py builds the inputs and states the invariants). The
same strategies run at scale in `make fuzz` (fuzz/run.py); here they run a few hundred
examples each, so the suite stays fast.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hostile import (
    BASELINE,
    OneFile,
    file_bytes,
    file_lines,
    front_matter_text,
    markdown_lines,
    meta_file,
    outside,
    split_lines,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from postmortem_kb.load import frontmatter
from postmortem_kb.load.sections import scan

FAST = settings(
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def one_file():
    with tempfile.TemporaryDirectory() as folder:
        yield OneFile(Path(folder))


# ---- the front-matter parser ----------------------------------------------------------


@FAST
@given(front_matter_text())
@example("---\nid: " + "[" * 5000 + "\n---\n")  # deeper than the C composer's stack
@example("---\nstarted: !!timestamp soon\n---\n")  # PyYAML's constructor raised AttributeError
@example('---\ntitle: "a\u2028b"\nid: [\n---\n')  # YAML breaks lines at U+2028, Markdown does not
@example("---\na: \x00\n---\n")  # a reader error has a byte offset, not a mark
def test_the_front_matter_parser_never_raises_and_points_inside_the_file(text):
    sp = frontmatter.split(text)
    parsed, problems = frontmatter.parse(sp)
    lines = split_lines(text)
    assert sp.lines == lines
    for p in [*sp.problems, *problems]:
        assert p.rule in ("front-matter", "yaml-syntax", "schema"), p
        assert outside(lines, p.line, p.column) is None, p
    if parsed is not None:
        assert isinstance(parsed.data, dict)
        for key in parsed.data:
            assert outside(lines, *parsed.line_of((key,))) is None
            assert outside(lines, *parsed.key_line(str(key))) is None


@FAST
@given(st.text(max_size=300))
def test_splitting_any_text_keeps_every_line(text):
    sp = frontmatter.split(text)
    assert sp.lines == split_lines(text)
    assert 1 <= sp.body_start <= len(sp.lines) + 1
    if sp.fm_end:
        assert sp.lines[0].rstrip() == "---" and sp.fm_start == 1 < sp.fm_end <= len(sp.lines)


# ---- the section scanner --------------------------------------------------------------


@FAST
@given(markdown_lines(), st.integers(1, 5))
@example(["## Timeline", "x ](" * 200], 1)
@example(["## " + "#" * 300 + "x"], 1)
def test_the_section_scanner_never_raises_and_masks_without_moving_columns(body, body_start):
    lines = ["---"] * (body_start - 1) + body
    sections, prose, supp = scan(lines, body_start)
    prose_lines = prose.split("\n") if body else [""]
    assert len(prose_lines) == max(1, len(body))
    for raw, masked in zip(body, prose_lines, strict=False):
        # Masking blanks characters out (or drops a trailing comment): what is left of a
        # line is in its place, so a phrase found in the prose has the file's column.
        assert len(masked) <= len(raw)
        assert all(m == " " or m == r for m, r in zip(masked, raw, strict=False)), (raw, masked)
    for s in sections:
        assert body_start <= s.line <= s.end_line <= len(lines), s
    assert [s.line for s in sections] == sorted(s.line for s in sections)
    assert all(body_start <= line <= len(lines) + 1 for line in supp.by_line)


# ---- the checker ----------------------------------------------------------------------


@FAST
@given(file_bytes())
@example(BASELINE[: BASELINE.index("\n---\n", 4) + 5].encode())  # no body: sections went "missing" after the last line
@example(b"")
@example(b"\xef\xbb\xbf---\r\nid: \xff\r\n---\r\n")
def test_the_checker_never_raises_and_its_findings_point_inside_the_file(one_file, data):
    assert one_file.violations(data) == []


@settings(FAST, max_examples=150)
@given(meta_file())
@example(b"---\nstarted: 0001-01-01T00:00:00+23:59\n---\n")
def test_extreme_dates_and_values_give_findings_not_exceptions(one_file, data):
    assert one_file.violations(data) == []


@settings(FAST, max_examples=100)
@given(file_bytes())
def test_a_finding_names_its_rule_and_severity_and_says_what_to_do(one_file, data):
    from postmortem_kb.rules.registry import registry

    reg = registry()
    for f in one_file.findings(data):
        assert reg[f.rule].code == f.code
        assert f.severity in ("error", "warning")
        assert f.message.strip() and f.hint.strip()
    assert file_lines(data) is not None


# ---- timestamps: the fast path reads what PyYAML reads ---------------------------------


def _yaml_timestamp():
    digits = lambda n: st.text("0123456789", min_size=n, max_size=n)  # noqa: E731
    zone = st.sampled_from(["", "Z", "+00:00", "-00:00", "+05:30", "-11:00", "+23:59", "+24:00", " Z", "+5", "-0530"])
    time = st.tuples(
        st.sampled_from(["T", "t", " ", "  "]),
        digits(2),
        digits(2),
        digits(2),
        st.sampled_from(["", ".5", ".123456789"]),
        zone,
    )
    return st.tuples(
        digits(4), st.sampled_from(["01", "02", "12", "13", "1", "00"]), digits(2), st.one_of(st.just(None), time)
    ).map(
        lambda t: (
            f"{t[0]}-{t[1]}-{t[2]}"
            + ("" if t[3] is None else "".join(t[3][:1]) + ":".join(t[3][1:4]) + "".join(t[3][4:]))
        )
    )


@FAST
@given(_yaml_timestamp(), st.booleans())
@example("2024-03-14T13:52:00Z", False)
@example("2024-02-29 23:59:59+05:30", False)
@example("2023-02-29", False)  # no such day
@example("2024-03-14T25:00:00+00:00", True)
def test_timestamps_load_as_pyyaml_loads_them(value, tagged):
    import yaml

    text = f"t: {'!!timestamp ' if tagged else ''}{value}"
    try:
        expected = yaml.load(text, Loader=yaml.CSafeLoader)["t"]
    except (yaml.YAMLError, ValueError, TypeError, AttributeError):
        expected = None
    parsed, problems = frontmatter.load_yaml(text)
    if expected is None:
        assert parsed is None and problems and problems[0].rule == "yaml-syntax"
        return
    assert parsed is not None, problems
    got = parsed.data["t"]
    assert (type(got), got) == (type(expected), expected)
    if hasattr(expected, "tzinfo"):
        assert (got.tzinfo is None) == (expected.tzinfo is None)
        assert got.utcoffset() == expected.utcoffset()


@FAST
@given(
    st.one_of(
        _yaml_timestamp(),
        st.text(max_size=12),
        st.from_regex(r"[-+.0-9:_eE]{1,12}|(?i:y|n|yes|no|on|off|true|false|null|~)", fullmatch=True),
    ),
    st.booleans(),
)
@example("2024-03-14T13:52:00Z", True)
@example("1_000", True)
@example("190:20:30", True)  # YAML 1.1 sexagesimal int
@example("", True)
def test_scalars_resolve_to_the_tags_pyyaml_gives_them(value, plain):
    import yaml

    ours = frontmatter._Loader("").resolve(yaml.ScalarNode, value, (plain, not plain))
    assert ours == yaml.SafeLoader("").resolve(yaml.ScalarNode, value, (plain, not plain))


@FAST
@given(
    st.one_of(
        st.text(max_size=40),
        st.builds(
            lambda scheme, host, port, rest: f"{scheme}://{host}{port}{rest}",
            st.sampled_from(["https", "http", "HTTP", "git+ssh", "ftp", "1x", " https"]),
            st.text("abcXYZ019.-_@:[]% \t\u00e9", max_size=20),
            st.sampled_from(["", ":", ":8080", ":x", ":80:90"]),
            st.sampled_from(["", "/", "/a b", "?q", "#f", "\t/", "x"]),
        ),
    )
)
@example("https://Tracker.Example.COM:8443/browse/OPS-1")
@example("http://[::1")
@example("https://user@host/")
def test_the_host_of_a_url_is_what_urlsplit_reads(url):
    from urllib.parse import urlsplit

    from postmortem_kb.rules.public import host_of

    try:
        expected = (urlsplit(url).hostname or "").lower()
    except ValueError:
        expected = ""
    assert host_of(url) == expected
