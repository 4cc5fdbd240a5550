"""Hostile input for the property tests and the fuzz run (fuzz/run.py), and the invariants
every input must keep.

Strategies build text from the pieces that break parsers: YAML indicators, anchors and
aliases, tags, quotes, every line break Python, YAML and Markdown disagree about, control
characters, Markdown delimiters that never close, and the phrases the language rules
look for. Most examples start from a valid postmortem and damage it, so that the deep
paths of the checker run, not only "this is not YAML".

Invariants (what a user relies on):
- nothing raises: any input gives findings or a clean pass;
- every finding is inside its file: 1 ≤ line ≤ number of lines (1 for an empty file),
  1 ≤ column ≤ length of that line + 1, lines counted as Markdown and editors count them
  (LF, CR LF or CR end a line; nothing else does).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path
from typing import Any

from conftest import BASE_META, BASE_SECTIONS, ROOT, merged_meta, render
from hypothesis import strategies as st

from postmortem_kb.check import Checker
from postmortem_kb.config import load_project
from postmortem_kb.load.corpus import load_postmortem, load_shell

TODAY = date(2024, 3, 20)

# ---- pieces -----------------------------------------------------------------------------

LINE_BREAKS = ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\x1c"]

YAML_PIECES = [
    # structure
    ":",
    ": ",
    "- ",
    "-",
    "? ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "  ",
    "    ",
    "\t",
    "#",
    "|",
    ">",
    "|-",
    ">+",
    "---",
    "...",
    "%YAML 1.1",
    "%TAG ! tag:x,2000:",
    # anchors, aliases, merges
    "&a ",
    "*a",
    "&b [*a, *a, *a]",
    "*b",
    "<<: *a",
    "<<: [*a, *b]",
    "&c {x: *c}",
    # tags
    "!!python/object:os.system ",
    "!!python/object/apply:os.system [echo]",
    "!foo ",
    "!<tag:x> ",
    "!!timestamp ",
    "!!int ",
    "!!float ",
    "!!bool ",
    "!!binary ",
    "!!set ",
    "!!omap ",
    "!!pairs ",
    "!!str ",
    "!!map ",
    "!!seq ",
    "!!null ",
    # quotes and escapes
    "'",
    "''",
    '"',
    '\\"',
    "\\",
    "\\u2028",
    "\\x00",
    "\\ud800",
    "\\U0010ffff",
    "\\N",
    # scalars that resolve to something
    "2024-03-14",
    "2024-03-14T13:52:00",
    "2024-03-14 13:52:00+00:00",
    "2024-03-14T13:52:00Z",
    "0000-01-01",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
    "2024-02-30",
    "1e999",
    "-.inf",
    ".nan",
    "0x_",
    "0o8",
    "0b2",
    "1:2:3",
    "~",
    "null",
    "true",
    "yes",
    "off",
    "1" * 60,
    "é",
    "😀",
    "\u202e",
    "\ufeff",
    "\x00",
    "\x1b",
    "\x7f",
    "\ud7ff",
    "\ue000",
    # field names and values a postmortem has
    "id",
    "title",
    "status",
    "template",
    "severity",
    "services",
    "authors",
    "started",
    "detected",
    "mitigated",
    "resolved",
    "filed",
    "customer_impact",
    "public_postmortem",
    "contributing_factors",
    "actions",
    "related",
    "factor",
    "description",
    "enabled_by",
    "summary",
    "owner",
    "due",
    "tracker",
    "kind",
    "published",
    "SEV2",
    "../../etc/passwd",
    "/etc/passwd",
    "https://x.example/%",
    "human error",
    "Priya Raman",
    "=cmd|' /C calc'!A0",
]

MARKDOWN_PIECES = [
    "## ",
    "# ",
    "### ",
    "##",
    "## Summary",
    "## Timeline",
    "## Action items",
    "## Impact",
    "#" * 7,
    " ##",
    "```",
    "~~~",
    "````",
    "`",
    "``",
    "<!--",
    "-->",
    "<!-- pmkb: disable=PM301 -->",
    "<!-- pmkb: disable-next-line -->",
    "<!-- pmkb: disable-file -->",
    "pmkb: disable=",
    "](",
    "][",
    "[a]: ",
    "[x](http://a",
    ")",
    "]",
    "http://",
    "www.",
    "<b>",
    "<",
    ">",
    "> ",
    "[12:00] ",
    "<alice> ",
    "14:02:11 ERROR ",
    "| 12:00 | x |",
    "| Time | Event |",
    "|---|---|",
    "| 2024-03-15 | 09:30 | x |",
    "|  | 10:00 | y |",
    "- 09:30 ",
    "* 23:59 ",
    "1. 00:00 ",
    "12:05 PM ",
    "13:75 ",
    "25:00 ",
    "2024-03-15 09:30 ",
    "9999-12-31 23:59 ",
    "0001-01-01 00:00 ",
    "human error",
    "careless",
    "negligence",
    "Priya's mistake",
    "should have",
    "could have",
    "failed to",
    "if only",
    "the root cause",
    "the cause was",
    "be more careful",
    "remind engineers to",
    "double-check",
    "Priya Raman failed to",
    "Tomás Ortega should have",
    "We ",
    "the health check failed to fire",
    "\t",
    "    ",
    "*",
    "_",
    "\\",
    "é",
    "😀",
    "\u200d",
    "\x00",
    "\x1b[2J",
]

_text = st.text(max_size=12)
LINE_BREAK = st.sampled_from(LINE_BREAKS)
YAML_PIECE = st.one_of(st.sampled_from(YAML_PIECES), LINE_BREAK, _text)
MARKDOWN_PIECE = st.one_of(st.sampled_from(MARKDOWN_PIECES), LINE_BREAK, _text)
ANY_PIECE = st.one_of(YAML_PIECE, MARKDOWN_PIECE)


def pieces(piece: st.SearchStrategy[str], max_size: int = 60) -> st.SearchStrategy[str]:
    return st.lists(piece, max_size=max_size).map("".join)


BASELINE = render(merged_meta(), dict(BASE_SECTIONS))
_FM_END = BASELINE.index("\n---\n", 4) + 5  # the body starts here
_BASELINE_LINES = BASELINE.splitlines(keepends=True)


@st.composite
def damaged(
    draw: st.DrawFn, base: str = BASELINE, piece: st.SearchStrategy[str] = ANY_PIECE, max_edits: int = 6
) -> str:
    """`base` with a few spans replaced by hostile pieces (insertions, deletions, both)."""
    text = base
    for _ in range(draw(st.integers(0, max_edits))):
        i = draw(st.integers(0, len(text)))
        j = min(len(text), i + draw(st.integers(0, 40)))
        text = text[:i] + draw(pieces(piece, 8)) + text[j:]
    return text


@st.composite
def front_matter_text(draw: st.DrawFn) -> str:
    """A file whose front matter is hostile YAML (fresh, or the baseline's damaged)."""
    if draw(st.booleans()):
        yaml_text = draw(pieces(YAML_PIECE))
        return "---\n" + yaml_text + "\n---\n\n## Summary\n\nText.\n"
    fm = BASELINE[:_FM_END]
    return draw(damaged(fm, YAML_PIECE)) + BASELINE[_FM_END:]


@st.composite
def markdown_lines(draw: st.DrawFn) -> list[str]:
    """Body lines, as the loader hands them to the section scanner (no line breaks inside)."""
    body = draw(st.one_of(pieces(MARKDOWN_PIECE, 80), damaged(BASELINE[_FM_END:], MARKDOWN_PIECE)))
    return split_lines(body)


@st.composite
def file_bytes(draw: st.DrawFn) -> bytes:
    """A whole file as bytes: a damaged postmortem, perhaps with a BOM, CR LF line endings,
    bytes that are not UTF-8, or nothing at all."""
    truncated = st.one_of(
        st.integers(0, len(BASELINE)).map(lambda i: BASELINE[:i]),
        st.integers(0, len(_BASELINE_LINES)).map(lambda k: "".join(_BASELINE_LINES[:k])),  # whole lines
    )
    text = draw(st.one_of(damaged(), front_matter_text(), pieces(ANY_PIECE), truncated, st.just("")))
    if draw(st.booleans()):
        text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\n"])))
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at]
            + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80"]))
            + data[at:]
        )
    return data


# Front-matter values the schema and the policy rules compute with: extreme dates, zones
# and types, in an otherwise valid postmortem.
META_VALUES = st.one_of(
    st.sampled_from(
        [
            "2024-03-14T13:52:00+00:00",
            "2024-03-14T13:52:00",
            "2024-03-14",
            "0001-01-01T00:00:00+23:59",
            "9999-12-31T23:59:59-23:59",
            "9999-12-31",
            "0001-01-01",
            "1e999",
            "-1",
            "[]",
            "{}",
            "~",
            "''",
            "true",
            "[a, b]",
            "{factor: x}",
            "!!binary aGk=",
            "2024-03-14T13:52:00.123456789+05:45",
            "'=HYPERLINK(\"x\")'",
        ]
    ),
    st.text(max_size=20).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
)


@st.composite
def meta_file(draw: st.DrawFn) -> bytes:
    """The baseline with some fields set to extreme values (dates at the ends of time...)."""
    fm_lines = BASELINE[:_FM_END].split("\n")
    fields = [
        "started",
        "detected",
        "mitigated",
        "resolved",
        "filed",
        "due",
        "customer_impact",
        "public_postmortem",
        "status",
        "severity",
    ]
    extra = {}
    for name in draw(st.lists(st.sampled_from(fields), max_size=4, unique=True)):
        extra[name] = draw(META_VALUES)
    out = []
    for line in fm_lines:
        key = line.strip().lstrip("- ").split(":", 1)[0]
        if key in extra and ":" in line:
            line = line.split(":", 1)[0] + ": " + extra.pop(key)
        out.append(line)
    if "public_postmortem" in extra:
        out.insert(2, "public_postmortem: " + extra.pop("public_postmortem"))
    return ("\n".join(out) + BASELINE[_FM_END:]).encode("utf-8", "surrogatepass")


# ---- the invariants ---------------------------------------------------------------------

_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Lines as Markdown and editors count them (written apart from the code under test)."""
    lines = _BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def file_lines(data: bytes) -> list[str]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return split_lines(data.decode("utf-8", "replace"))


def outside(lines: list[str], line: int, column: int) -> str | None:
    """Why (line, column) is not a place in a file of `lines`, or None if it is one."""
    count = max(1, len(lines))
    if not 1 <= line <= count:
        return f"line {line} of a file of {len(lines)} line(s)"
    length = len(lines[line - 1]) if lines else 0
    if not 1 <= column <= length + 1:
        return f"column {column} on line {line}, which is {length} character(s) long"
    return None


# ---- running the checker on one file, in-process ------------------------------------------


class OneFile:
    """A knowledge base (the repository's config, templates and taxonomy) to check files
    in one at a time, the way `pmkb check` does, but without the process around it."""

    def __init__(self, folder: Path) -> None:
        import shutil

        self.root = folder
        shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
        shutil.copytree(
            ROOT / "templates", folder / "templates", ignore=shutil.ignore_patterns("site"), dirs_exist_ok=True
        )
        (folder / "postmortems" / "2024").mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "postmortems" / "factors.yml", folder / "postmortems" / "factors.yml")
        self.project = load_project(folder / "mkdocs.yml")
        self.checker = Checker(self.project, TODAY)
        self.shell = load_shell(self.project)
        self.ctx = self.checker.context(self.shell)
        self.path = folder / "postmortems" / "2024" / "fuzz.md"
        self.rel = "postmortems/2024/fuzz.md"

    def findings(self, data: bytes) -> list[Any]:
        """Every finding `pmkb check` would report for a file holding `data`."""
        self.path.write_bytes(data)
        pm = load_postmortem(str(self.path), self.rel, str(self.root))
        result = self.checker.check_file(pm, self.ctx)
        # An earlier file with the same id puts the corpus-wide rules' findings on this one.
        other = dataclasses.replace(result, path="postmortems/0000/other.md", findings=[], pending=[])
        return [f for f in self.checker.combine(self.shell, [other, result]) if f.path == self.rel]

    def violations(self, data: bytes) -> list[str]:
        lines = file_lines(data)
        out = []
        for f in self.findings(data):
            why = outside(lines, f.line, f.column)
            if why:
                out.append(f"{f.code} {f.rule} at {why}: {f.message}")
        return out


def baseline_meta() -> dict[str, Any]:
    return dict(BASE_META)
