"""What a pattern's matches must contain: literals read from the parsed regex, so that a
window holding none of them is ruled out with a few `str.find` calls instead of a regex
search (most windows are around everyday words and need no regex at all)."""

from __future__ import annotations

import re
from collections.abc import Sequence

try:  # the regex parser, to read which literals a pattern's matches must contain
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # Python 3.10
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_ASCII = "".join(map(chr, range(128)))
_REPEATS = tuple(
    op for op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)) if op is not None
)
_ATOMIC = getattr(_sre, "ATOMIC_GROUP", None)
_Need = frozenset[str]
_MAX_GROUP = 8


def _matches_ascii(ch: str) -> bool:
    """Whether a non-ASCII pattern character can match an ASCII one ("K", the Kelvin sign, matches "k")."""
    return re.compile(re.escape(ch), re.IGNORECASE).search(_ASCII) is not None


def needs_of(pattern: str) -> tuple[tuple[str, ...], ...] | None:
    """What every match of `pattern` (case-insensitive) contains, in ASCII text: None
    if no match can be ASCII, else groups of lower-case literals, each group one of which
    a match spans. Only a necessary condition: a window without it holds no match, and
    a pattern too clever to read needs nothing."""
    try:
        found = _seq_needs(_sre_parse.parse(pattern, re.IGNORECASE))
    except Exception:  # a pattern we cannot read is simply always tried
        return ()
    if found is None:
        return None
    # A short literal is in every window and a long list costs a find per literal: keep
    # the few groups that can rule a window out cheaply, the smallest first.
    useful = sorted(
        (g for g in set(found) if min(map(len, g)) >= 2 and len(g) <= _MAX_GROUP), key=_selectivity, reverse=True
    )[:3]
    return tuple(tuple(sorted(g)) for g in sorted(useful, key=lambda g: (len(g), sorted(g))))


def _selectivity(group: _Need) -> tuple[int, int]:
    return min(map(len, group)), -len(group)


def _seq_needs(items: Sequence[tuple[object, object]]) -> list[_Need] | None:
    """Needs of a parsed sequence: each run of literals, and what its groups, repeats
    (at least once) and alternations (one need per branch, united) need."""
    needs: list[_Need] = []
    run: list[str] = []
    for op, av in items:
        if op is _sre.LITERAL:
            ch = chr(av)  # type: ignore[arg-type]
            if ch.isascii():
                run.append(ch.lower())
                continue
            if not _matches_ascii(ch):
                return None  # no ASCII text holds this character
        if run:
            needs.append(frozenset({"".join(run)}))
            run = []
        sub: list[_Need] | None
        if op is _sre.SUBPATTERN:
            sub = _seq_needs(av[3])  # type: ignore[index]
        elif op is _ATOMIC:
            sub = _seq_needs(av)  # type: ignore[arg-type]
        elif op in _REPEATS:
            if av[0] < 1:  # type: ignore[index]
                continue
            sub = _seq_needs(av[2])  # type: ignore[index]
        elif op is _sre.BRANCH:
            sub = _branch_needs(av[1])  # type: ignore[index]
        else:
            continue  # assertions, classes, categories, back-references: no literal
        if sub is None:
            return None
        needs += sub
    if run:
        needs.append(frozenset({"".join(run)}))
    return needs


def _branch_needs(alternatives: Sequence[Sequence[tuple[object, object]]]) -> list[_Need] | None:
    best: list[_Need] = []
    for alt in alternatives:
        sub = _seq_needs(alt)
        if sub is None:
            continue  # this branch never matches ASCII text
        usable = [g for g in sub if min(map(len, g)) >= 1]
        if not usable:
            return []  # this branch needs nothing, so neither does the alternation
        best.append(max(usable, key=_selectivity))
    if not best:
        return None
    return [frozenset().union(*best)]


def possible_parts(
    chosen: tuple[int, ...], needs: list[tuple[tuple[str, ...], ...] | None], lowered: str, lo: int, hi: int
) -> tuple[int, ...]:
    """The parts of `chosen` whose needs are all in lowered[lo:hi]."""
    out: list[int] = []
    for i in chosen:
        need = needs[i]
        if need is None:
            continue
        for group in need:
            for literal in group:
                if lowered.find(literal, lo, hi) >= 0:
                    break
            else:
                break  # none of this group's literals: no match here
        else:
            out.append(i)
    return tuple(out)
