"""“Did you mean”: the known id closest to a mistyped or invented one, judged by its
id, its name and its definition, not by the id's spelling alone.

`conection-pool-exhaustion` is no edit away from any factor id, yet the factor it means
says “connections” and “pool” in its definition. Each word of the unknown id is matched
to the closest word of each candidate (typos forgiven), and the candidate whose words
answer best wins, if it answers well enough.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "so",
        "such",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "with",
    ]
)
THRESHOLD = 0.72
MAX_CHARS = 64
MAX_WORDS = 6


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.casefold()) if w not in _STOP and len(w) > 1]


def _similar(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if len(a) >= 4 and len(b) >= 4 and (a.startswith(b) or b.startswith(a)):
        return 0.9  # gap/gaps, connection/connections
    return SequenceMatcher(None, a, b).ratio()


def did_you_mean(unknown: str, candidates: Mapping[str, Sequence[str]]) -> str | None:
    """The id in `candidates` (id -> [name, definition, ...]) that `unknown` most likely
    means, or None when none is close enough."""
    # Bounded for a hostile id (200 characters, forty words took 0.2 s): an id a person
    # meant is a few words long.
    unknown = unknown[:MAX_CHARS]
    asked = _words(unknown)[:MAX_WORDS]
    if not asked:
        return None
    best, best_score = None, 0.0
    for ident, texts in candidates.items():
        whole = SequenceMatcher(None, unknown.casefold(), ident.casefold()).ratio()
        own = _words(ident) + [w for t in texts[:1] for w in _words(t)]
        told = [w for t in texts[1:] for w in _words(t)]
        per_word = []
        for word in asked:
            near = max((_similar(word, w) for w in own), default=0.0)
            far = 0.85 * max((_similar(word, w) for w in told), default=0.0)
            per_word.append(max(near, far))
        score = max(whole, sum(per_word) / len(per_word))
        if score > best_score:
            best, best_score = ident, score
    return best if best_score >= THRESHOLD else None


class CloseIds:
    """`difflib.get_close_matches(word, ids, n=1, cutoff)`, the same answer at a fraction
    of the cost over thousands of ids: each id's letters are counted once, and the exact
    ratio is computed only for the ids whose upper bound (difflib's own quick ratio) can
    still beat the best found (one unknown `related` id among 5,000 postmortems took 0.3 s)."""

    def __init__(self, ids: Sequence[str]) -> None:
        self._ids = [(x, len(x), Counter(x)) for x in ids]

    def closest(self, word: str, cutoff: float = 0.6) -> str | None:
        lw, wanted = len(word), Counter(word)
        bounded: list[tuple[float, str]] = []
        for x, lx, counts in self._ids:
            total = lx + lw
            if _ratio(min(lx, lw), total) < cutoff:  # difflib's real_quick_ratio
                continue
            bound = _ratio(sum(min(n, counts[c]) for c, n in wanted.items()), total)  # its quick_ratio
            if bound >= cutoff:
                bounded.append((bound, x))
        bounded.sort(reverse=True)
        matcher = SequenceMatcher()
        matcher.set_seq2(word)  # as get_close_matches: the word is `b`, each id `a`
        best: tuple[float, str] | None = None
        for bound, x in bounded:
            if best is not None and bound < best[0]:
                break  # no id left can reach the best ratio (a tie is broken by the id, as difflib does)
            matcher.set_seq1(x)
            score = matcher.ratio()
            if score >= cutoff and (best is None or (score, x) > best):
                best = (score, x)
        return best[1] if best else None


def _ratio(matches: int, length: int) -> float:
    return 2.0 * matches / length if length else 1.0
