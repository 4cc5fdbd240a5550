"""The `regex-timing` fuzz class: public-leak's scans time linearly on any input.

Each example is a text built from the rule's own delimiters (the characters its
patterns and scanners stop at, open on or repeat over: `.`, `-`, `#`, `::`, `&#`, `\\`,
`<!--`, `<a`, `://`, `@`, markup, look-alike letters, zero-width characters…): a prefix,
a unit repeated, a suffix, the classic shape of catastrophic backtracking. The whole scan
of a public section (`public.scan_text`: comments, tags, entities, escapes and folding,
then every pattern) and the public page's comment removal run on that text at 256 KiB
and at 1 MiB. Linear time gives a ratio of about 4; the example fails when the ratio
reaches RATIO_MAX (and the larger run took long enough to measure).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

DELIMITERS = [
    ".",
    "a.",
    "x.local",
    ".corp",
    "-",
    "#",
    "#a",
    "#a-",
    "::",
    ":",
    "1.",
    "1",
    "0x",
    "[",
    "]",
    "%",
    "&",
    "&a",
    "&ab;",
    "&#",
    "&#46;",
    ";",
    "\\",
    "\\.",
    "<",
    "<a",
    "<a ",
    "<!--",
    "-->",
    ">",
    "/",
    "http://",
    "://",
    "@",
    "@a",
    "*",
    "`",
    "~",
    " ",
    "\n",
    "### ",
    "е",
    "ｃ",
    "\u200b",
    "\u0301",
    "priya",
    "internal ",
    "slack.com",
    '"',
    "(",
    "=",
]
# An opener of the rule's scanners followed by what may continue it: half the examples
# repeat one such pair (the shape of every quadratic scan found so far).
OPENERS = ["&", "&#", "<", "</", "<!--", "\\", "#", "@", "[", "::", "://", "http://", "*", "`", "x."]
FILLERS = ["a", "ab", "1", "-", ".", ":", ";", " ", "е", "\u200b", "x.corp"]
SMALL, LARGE = 256 * 1024, 1024 * 1024
RATIO_MAX = 6.0  # linear is ~4 (four times the text); quadratic is ~16
MEASURABLE = 0.25  # seconds: below this at 1 MiB, the ratio is noise


def _text(prefix: str, unit: str, suffix: str, size: int) -> str:
    body = unit * (max(0, size - len(prefix) - len(suffix)) // len(unit) + 1)
    return (prefix + body)[: size - len(suffix)] + suffix


def _best(scan: Callable[[str], Any], text: str) -> float:
    """The least CPU time of three runs: CPU, not wall time, so that other processes on
    the machine do not make a linear scan look super-linear."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        scan(text)
        best = min(best, time.process_time() - started)
    return best


def target() -> tuple[Any, Any]:
    """(strategy, function of one input) for fuzz/run.py: raises on super-linear time."""
    from postmortem_kb.config import PublicSettings
    from postmortem_kb.rules import public

    settings = PublicSettings(internal_words=["Project Falcon"])

    def scan(text: str) -> None:
        public.scan_text(text, settings, names=("Priya Raman",))
        public.remove_comments(text)

    part = st.lists(st.sampled_from(DELIMITERS), min_size=0, max_size=3).map("".join)
    unit = st.one_of(
        st.tuples(st.sampled_from(OPENERS), st.sampled_from(FILLERS)).map("".join),
        st.lists(st.sampled_from(DELIMITERS), min_size=1, max_size=4).map("".join),
    )

    def run(value: Any) -> list[str]:
        if not isinstance(value, tuple):  # fuzz/run.py's warm-up input: run once, not timed
            scan(value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))
            return []
        prefix, repeated, suffix = value
        small = _best(scan, _text(prefix, repeated, suffix, SMALL))
        large = _best(scan, _text(prefix, repeated, suffix, LARGE))
        if large >= MEASURABLE and large / max(small, 1e-4) >= RATIO_MAX:
            raise AssertionError(
                f"super-linear: {small:.3f} s at 256 KiB, {large:.3f} s at 1 MiB (x{large / max(small, 1e-4):.1f}) "
                f"for {prefix!r} + {repeated!r}… + {suffix!r}"
            )
        return []

    return st.tuples(part, unit, part), run
