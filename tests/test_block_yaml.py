"""The plain-shape front-matter reader (load/block_yaml.py) against PyYAML.

`pmkb check` reads most front matter without PyYAML, for speed. What it reads must be
exactly what PyYAML reads: the same values of the same types, the same positions for
findings. Anything else it must hand back (None), and PyYAML decides. These tests
generate front matter near the edges of that shape and hold the two to one answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import ROOT
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from postmortem_kb.load import block_yaml, frontmatter

FAST = settings(
    max_examples=400,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

KEYS = ["id", "title", "status", "a", "b_c", "x-y", "Title", "teams", "y", "n", "t", "_", "a1"]
ODD_KEYS = ["yes", "No", "null", "on", "<<", "a b", "é"]
USUAL = [
    "x",
    "SEV2",
    "published",
    "Priya Raman",
    "The ad platform answered slowly.",
    "https://tracker.example.com/CAT-1",
    "2024-03-14",
    "2024-03-14T13:52:00+00:00",
    "2024-03-14T13:52:00Z",
    "2024-03-14T13:52:00",
    "2024-03-14 13:52:00",
    "true",
    "false",
    "yes",
    "No",
    "OFF",
    "~",
    "null",
    "Null",
    "C#",
    "a#b",
    "a:b",
    "100%",
    "a - b",
    "a, b",
    "a [b] {c}",
    "'q'",
    "''",
    '"q"',
    '"a: b"',
    '""',
    "[a, b]",
    "[a,b]",
    "[ a , b ]",
    "[]",
    "[ ]",
    "[yes, 2024-03-14]",
    "x  ",
    "a  b",
    "a\u00a0b",
    "Café",
    "😀 up",
    "...",
    "1.0.2",
    "2024",
    "",
]
VALUES = [
    *USUAL,
    # what PyYAML reads otherwise
    "2024-13-45",
    "2024-03-14 13:52:00 +01:00",
    "2024-3-4",
    "12",
    "-5",
    "+5",
    "1:20",
    "0x1F",
    "0o17",
    ".5",
    "1e3",
    ".inf",
    "<<",
    "=",
    "a: b",
    "a #b",
    "ends:",
    "-x",
    "- x",
    "?x",
    "? x",
    ":x",
    ",x",
    "|",
    ">-",
    "%x",
    "@x",
    "`x`",
    "&a x",
    "*a",
    "!t x",
    "!!str 5",
    "'q'",
    "'it''s'",
    "'a' b",
    "''",
    "'",
    '"q"',
    '"a: b"',
    '"a\\nb"',
    '"a" b',
    '""',
    '"',
    "[a, b]",
    "[a,b]",
    "[ a , b ]",
    "[]",
    "[ ]",
    "[a,,b]",
    "[a, b, ]",
    "[a, [b]]",
    "[a: b]",
    '["a"]',
    "[a #b]",
    "[yes, 2024-03-14]",
    "[1, 2]",
    "[-a]",
    "[a, b",
    "{a: 1}",
    "{}",
    "x  ",
    "a  b",
    "a\u00a0b",
    "\u00a0",
    "Café",
    "😀 up",
    "a\u2028b",
    "a\tb",
    "a\x85b",
    "\ufeffx",
    "a\x7fb",
    "...",
    "--- x",
    "#x",
    "",
]
PADS = ["", " ", "  "]


def _value(draw: st.DrawFn) -> str:
    # Mostly the usual, so that whole documents are too (Hypothesis leans to 0, the usual).
    if draw(st.integers(0, 11)) < 11:
        return draw(st.sampled_from(USUAL))
    return draw(st.one_of(st.sampled_from(VALUES), st.text(alphabet="ab :#-[],'\"!&*|>%@`~?{}\\1é\u00a0", max_size=8)))


@st.composite
def _block(draw: st.DrawFn, indent: int, depth: int) -> list[str]:
    """Lines of a mapping at `indent`: each key a one-line value, a list or a mapping."""
    lines = []
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4, unique=draw(st.integers(0, 9)) < 9))
    if draw(st.integers(0, 9)) == 9:
        keys.append(draw(st.sampled_from(ODD_KEYS)))
    for key in keys:
        kind = draw(st.sampled_from(["value", "value", "list", "map"] if depth < 3 else ["value"]))
        pad = " " * indent
        if kind == "value":
            gap = "" if draw(st.integers(0, 19)) == 19 else " " * draw(st.integers(1, 2))  # `key:value` is no key
            lines.append(f"{pad}{key}:{gap}{_value(draw)}{draw(st.sampled_from(PADS))}")
        elif kind == "map":
            lines.append(f"{pad}{key}:")
            lines += draw(_block(indent + draw(st.integers(1, 3)), depth + 1))
        else:
            lines.append(f"{pad}{key}:")
            at = indent + draw(st.integers(0, 3))  # 0: a list at its key's indentation
            for _ in range(draw(st.integers(1, 3))):
                gap = " " * draw(st.integers(1, 3))
                if draw(st.booleans()):
                    lines.append(f"{' ' * at}-{gap}{_value(draw)}")
                else:
                    inner = draw(_block(at + 1 + len(gap), depth + 1))
                    lines.append(f"{' ' * at}-{gap}{inner[0].lstrip(' ')}")
                    lines += inner[1:]
    return lines


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    lines = draw(_block(0, 0))
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):  # comments, blank lines and stray lines anywhere
        extra = draw(
            st.sampled_from(
                ["", "   ", "# note", "  # note", "   more", "  - y", "\tx: 1", "x: 1", "-", "- ", "? x", "id: again"]
            )
        )
        lines.insert(draw(st.integers(0, len(lines))), extra)
    return "\n".join(lines)


def _paths(data: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into `data`, and one step past each (a missing key, an index too far)."""
    out = [at, (*at, "missing"), (*at, 0)]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*at, key))
    elif isinstance(data, list):
        out.append((*at, len(data)))
        for i, value in enumerate(data):
            out += _paths(value, (*at, i))
    return out


def assert_as_pyyaml(text: str, offset: int = 1, max_nodes: int = frontmatter.MAX_NODES) -> bool:
    """The block reader gives what PyYAML gives, or nothing; True when it gave something."""
    block = block_yaml.read(text, offset, max_nodes)
    if block is None:
        return False
    parsed, problems = frontmatter.load_yaml(text, offset, max_nodes=max_nodes)
    assert parsed is not None and problems == [], (text, problems)
    assert repr(block.data) == repr(parsed.data)  # the same values, of the same types
    for path in _paths(parsed.data):
        assert block.line_of(path) == parsed.line_of(path), path
        for index in (0, 1, 4, 500):
            assert block.text_pos(path, index) == parsed.text_pos(path, index), (path, index)
    for key in [*parsed.data, "missing"]:
        assert block.key_line(key) == parsed.key_line(key), key
    return True


@FAST
@given(front_matter(), st.integers(0, 3))
@example("a:\n- x\n- k: v\n  j:\n  - q\nb: [c, d]", 1)
@example("a: x\n  b: y", 1)
@example("a: x\n   more", 1)
@example("title: 'a #b'\nb: \"c: d\"", 1)
def test_the_block_reader_reads_what_pyyaml_reads_or_nothing(text, offset):
    assert_as_pyyaml(text, offset)


def test_what_pmkb_new_and_the_samples_write_is_read_without_pyyaml():
    files = [*Path(ROOT, "postmortems").rglob("*.md"), *Path(ROOT, "templates").glob("*.md")]
    fronts = []
    for f in files:
        sp = frontmatter.split(f.read_text(encoding="utf-8"))
        if sp.fm_end:
            fronts.append("\n".join(sp.lines[sp.fm_start : sp.fm_end - 1]))
    assert len(fronts) >= 5
    for text in fronts:
        assert assert_as_pyyaml(text), text[:200]


def test_the_shapes_authors_write_are_read_without_pyyaml():
    shapes = [
        'id: x\ntitle: "Checkout: slow"\nservices: [a, b]\nstarted: 2024-03-14T13:52:00+00:00\ncustomer_impact: no',
        "id: x\n# a comment\n\nactions:\n- summary: s\n  owner: o\n  due: 2024-04-01\n  kind: prevent\nrelated: []",
        "id: x\n"
        "contributing_factors:\n"
        "  - factor: f\n"
        "    description: d\n"
        "    enabled_by:\n"
        "      - g\n"
        "mitigated:\n"
        "tags:  [ a ,b ]",
        "id: x\ntitle: 'Café: le menu 😀'\nauthors:\n    -   Ana\n    -   Bo",
    ]
    for text in shapes:
        assert assert_as_pyyaml(text), text


def test_front_matter_outside_the_shape_goes_to_pyyaml():
    for text in [
        "id: x\nid: y",  # a duplicate key: PyYAML's finding
        "id: x\ntitle: a: b",  # an error
        "id: x\ntitle: a\n  continued",  # a value over two lines
        "id: &a x\nb: *a",  # anchors
        "id: !!str 5",  # a tag
        "id: 012",  # a number in a form of YAML 1.1's own (octal); plain decimals are read
        "id: 1_000",
        "id: x\nyes: y",  # a key that is not a string
        "id: x\t# tab",
        "id: x # comment",
        'id: "a\\nb"',
        "- a\n- b",  # not a mapping
        "  id: x",  # indented
        "",
    ]:
        assert block_yaml.read(text, 1, frontmatter.MAX_NODES) is None, text


def test_the_node_limit_is_pyyamls():
    text = "id: x\nrelated: [" + ", ".join(f"r{i}" for i in range(9)) + "]"  # 1 + 2 + 9 nodes
    for limit in (11, 12, 13):
        parsed, _ = frontmatter.load_yaml(text, 1, max_nodes=limit)
        assert (block_yaml.read(text, 1, limit) is not None) == (parsed is not None), limit
