"""A rule's fixture folder, fixtures/<CODE>/: its test (tests/test_rule_fixtures.py) and
the examples on its site page. bad.md must give exactly expected.json, good.md nothing."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ..load.frontmatter import SAFE_LOADER

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_KB = FIXTURES / "_kb"  # mkdocs.yml, factors.yml and services.yml every fixture is checked with
FIXTURE_TODAY = date(2026, 12, 3)  # a fixture's `today` unless its fixture.yml says otherwise
SIDES = ("bad", "good")
CONTEXT = 2  # lines shown around each changed or flagged line on a rule's page
MAX_SHOWN = 30  # lines of one file a rule page shows (too-many-findings' file has 240)


@dataclass(frozen=True, slots=True)
class Excerpt:
    """Lines of one fixture file as a rule page shows them: numbered, `…` between runs."""

    name: str  # the file's path under postmortems/
    text: str
    fence: str  # a backtick fence longer than any run of backticks in `text`
    same_as: str = ""  # the other side's path of the same content (a file that moved)


@dataclass(frozen=True, slots=True)
class Fixture:
    """A rule's fixture folder. `bad.md` (or the files of `bad/`) is checked as
    postmortems/bad.md in the fixture knowledge base and must give exactly the findings of
    `expected.json`; `good.md` (or `good/`) must give none of this rule. fixture.yml, when
    present, holds `today`, plugin `settings`, a `note` for the page and, per side, files
    written in another `encoding` and symbolic `links` the test creates (none is committed)."""

    code: str
    folder: Path
    bad: dict[str, bytes]  # path under postmortems/ -> content
    good: dict[str, bytes]
    expected: list[dict[str, Any]]
    today: date
    settings: dict[str, Any]
    note: str
    setup: dict[str, dict[str, Any]]  # side -> {"encoding": {path: codec}, "links": {path: target}}

    def files(self, side: str) -> dict[str, bytes]:
        return self.bad if side == "bad" else self.good

    def own_findings(self) -> list[dict[str, Any]]:
        """The expected findings of this fixture's rule (the page lists these)."""
        return [f for f in self.expected if f.get("code") == self.code]

    def _flagged(self, name: str) -> set[int]:
        path = f"postmortems/{name}"
        return {f["line"] for f in self.expected if f.get("code") == self.code and f.get("path") == path}

    def excerpts(self, side: str) -> tuple[Excerpt, ...]:
        """The lines that make the difference: those that differ between bad and good,
        and (on the bad side) those a finding points at, with CONTEXT lines around.
        Worked out once per process (`mkdocs serve` renders the pages at every save)."""
        key = (self.folder, side)
        if key not in _EXCERPTS:
            _EXCERPTS[key] = tuple(self._excerpts(side))
        return _EXCERPTS[key]

    def _excerpts(self, side: str) -> list[Excerpt]:
        other_side = "good" if side == "bad" else "bad"
        mine, theirs = self.files(side), self.files(other_side)
        out = []
        for name in sorted(mine):
            lines = _lines(mine[name])
            flagged = self._flagged(name) if side == "bad" else set()
            other = _counterpart(name, theirs)
            moved = next((n for n, raw in theirs.items() if raw == mine[name]), "") if other is None else ""
            if moved:
                out.append(Excerpt(name, "", "", same_as=moved))
                continue
            if other is None:
                keep = set(range(1, len(lines) + 1))
            else:
                keep = _changed(lines, _lines(other), side == "bad") | flagged
                if not keep and side == "good":
                    # The two differ only in bytes (an encoding): the place the bad one is flagged.
                    keep = self._flagged(_counterpart_name(name, theirs))
            if keep:
                text = _numbered(lines, keep, flagged)
                out.append(Excerpt(name, text, _fence(text)))
        return out


_EXCERPTS: dict[tuple[Path, str], tuple[Excerpt, ...]] = {}


def _counterpart_name(name: str, files: dict[str, bytes]) -> str:
    """The same file's name on the other side: the same path, or bad.md <-> good.md."""
    if name in files:
        return name
    return {"bad.md": "good.md", "good.md": "bad.md"}.get(name, "")


def _counterpart(name: str, files: dict[str, bytes]) -> bytes | None:
    return files.get(_counterpart_name(name, files))


def _lines(raw: bytes) -> list[str]:
    lines = _text(raw).split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final line ending ends the last line
    return lines


def _changed(lines: list[str], other: list[str], first: bool) -> set[int]:
    """1-based numbers of `lines` that are not in `other` (difflib's opcodes)."""
    a, b = (lines, other) if first else (other, lines)
    keep: set[int] = set()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        lo, hi = (i1, i2) if first else (j1, j2)
        # A pure insertion on the other side still marks where it goes.
        keep |= set(range(lo + 1, hi + 1)) if hi > lo else {min(lo, len(lines) - 1) + 1}
    return keep


def _numbered(lines: list[str], keep: set[int], flagged: set[int]) -> str:
    """`lines` numbered, only those near `keep`; past MAX_SHOWN, the first ones and those
    near a flagged line (a file with hundreds of changed lines still shows its finding)."""
    near = _near(keep, len(lines))
    if len(near) > MAX_SHOWN:
        must = _near(flagged, len(lines))
        near = sorted({*near[: max(0, MAX_SHOWN - len(must))], *must})
    width = len(str(near[-1])) if near else 1
    out: list[str] = []
    for i, n in enumerate(near):
        if i and n != near[i - 1] + 1:
            out.append("…")
        out.append(f"{n:>{width}}  {lines[n - 1]}".rstrip())
    return "\n".join(out)


def _near(numbers: set[int], count: int) -> list[int]:
    return sorted({n for k in numbers for n in range(k - CONTEXT, k + CONTEXT + 1) if 1 <= n <= count})


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").replace("\r\n", "\n")


def _side(folder: Path, side: str) -> dict[str, bytes]:
    """`bad.md` as {"bad.md": ...}, or every file under `bad/` by its path there."""
    single = folder / f"{side}.md"
    if single.is_file():
        return {single.name: single.read_bytes()}
    tree = folder / side
    if not tree.is_dir():
        return {}
    return {p.relative_to(tree).as_posix(): p.read_bytes() for p in sorted(tree.rglob("*")) if p.is_file()}


@cache
def fixture_of(code: str) -> Fixture | None:
    """The fixture folder of rule `code`, or None when there is none."""
    folder = FIXTURES / code
    if not folder.is_dir():
        return None
    meta_file = folder / "fixture.yml"
    meta = yaml.load(meta_file.read_text(encoding="utf-8"), Loader=SAFE_LOADER) if meta_file.is_file() else {}
    meta = meta or {}
    expected_file = folder / "expected.json"
    expected = json.loads(expected_file.read_text(encoding="utf-8")) if expected_file.is_file() else []
    return Fixture(
        code=code,
        folder=folder,
        bad=_side(folder, "bad"),
        good=_side(folder, "good"),
        expected=expected,
        today=meta.get("today", FIXTURE_TODAY),
        settings=meta.get("settings") or {},
        note=str(meta.get("note") or "").strip(),
        setup={side: meta.get(side) or {} for side in SIDES},
    )


def fixture_codes() -> list[str]:
    """The names of the fixture folders (a rule code each; `_kb` is shared)."""
    if not FIXTURES.is_dir():
        return []
    return sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
