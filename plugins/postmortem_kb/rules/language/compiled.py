"""A rule's patterns as compiled regexes: one alternation per set of parts a window
allows, cached; which part a match came from; whether an `unless` pattern vetoes it."""

from __future__ import annotations

import re

from .phrase_rule import PhraseRule

# Both caches are keyed by the rule's id and hold the rule itself, so that an id is not
# reused (by a rule of a later LanguageRules) while its entries live.
_COMBINED: dict[tuple[int, tuple[int, ...]], tuple[PhraseRule, re.Pattern[str]]] = {}
_KEYED: dict[tuple[int, frozenset[str]], tuple[PhraseRule, tuple[int, ...]]] = {}


def keyed_parts(rule: PhraseRule, present: frozenset[str]) -> tuple[int, ...]:
    """The parts of `rule` that spell one of the `present` keywords: a text's few
    keywords come in few combinations, so each is worked out once."""
    key = (id(rule), present)
    found = _KEYED.get(key)
    if found is None:
        if len(_KEYED) >= 10_000:
            _KEYED.clear()
        found = _KEYED[key] = (rule, tuple(i for i, (kws, _) in enumerate(rule.parts) if kws & present))
    return found[1]


def combined(rule: PhraseRule, chosen: tuple[int, ...]) -> re.Pattern[str]:
    key = (id(rule), chosen)
    found = _COMBINED.get(key)
    if found is None:
        if len(_COMBINED) >= 10_000:
            _COMBINED.clear()
        # Each part in a group of its own name, so that a match tells which part it is.
        found = _COMBINED[key] = (
            rule,
            re.compile("|".join(f"(?P<pmkb_part{i}>{rule.parts[i][1]})" for i in chosen), re.IGNORECASE),
        )
    return found[1]


def part_of(m: re.Match[str], chosen: tuple[int, ...]) -> int:
    """Which of the `chosen` parts `m` matched."""
    if len(chosen) == 1:
        return chosen[0]
    return next(i for i in chosen if m.start(f"pmkb_part{i}") >= 0)


def vetoed(unless: re.Pattern[str], text: str, start: int, end: int) -> bool:
    """Whether one of the rule's `unless` patterns overlaps the match (looked for within
    60 characters either side, so that a long text costs linear time)."""
    lo = max(0, start - 60)
    return any(v.start() < end and v.end() > start for v in unless.finditer(text, lo, min(len(text), end + 60)))
