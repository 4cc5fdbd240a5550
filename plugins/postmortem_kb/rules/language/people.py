"""Who counts as a person: names that look like people's, and the words of the names a
postmortem gives (authors, owners) as they may appear as a sentence's subject."""

from __future__ import annotations

from collections.abc import Iterable

# Owners such as "Payments team" name a group, not a person: "Payments failed to settle"
# is about a system.
GROUP_WORDS = frozenset(
    {
        "team",
        "squad",
        "group",
        "guild",
        "platform",
        "on-call",
        "oncall",
        "rotation",
        "sre",
        "ops",
        "tribe",
        "chapter",
        "org",
    }
)


def looks_like_a_person(name: str) -> bool:
    words = name.split()
    return bool(words) and all(w[:1].isupper() for w in words) and not {w.lower() for w in words} & GROUP_WORDS


_NAME_TOKENS: dict[str, tuple[str, ...]] = {}  # a knowledge base has few distinct names, each on many files


def _tokens_of(name: str) -> tuple[str, ...]:
    found = _NAME_TOKENS.get(name)
    if found is None:
        norm = " ".join(name.split())
        if not norm or len(norm) > 80 or not looks_like_a_person(norm):
            found = ()
        else:
            found = (norm, *(w for w in norm.split() if len(w) >= 2 and w[0].isupper()))
        if len(_NAME_TOKENS) >= 100_000:
            _NAME_TOKENS.clear()
        _NAME_TOKENS[name] = found
    return found


def name_tokens(names: Iterable[str]) -> frozenset[str]:
    """Full names and their single words, as they may appear as a sentence's subject."""
    out: set[str] = set()
    for name in names:
        out.update(_tokens_of(str(name)))
    return frozenset(out)
