"""Rule-file entries made into runnable phrase rules: placeholders filled in, each rule's
patterns split by scope, each pattern's keywords and needs worked out, every regex
compiled once at load (so a bad pattern fails here, not mid-check)."""

from __future__ import annotations

import re
from collections.abc import Callable

from .compiled import combined
from .needs import needs_of
from .phrase_rule import PhraseRule
from .rule_file import Entry, as_list, keywords_in, parse_pattern

_CAPITALISED = r"(?-i:[A-Z][\w'’-]{1,40})"


def placeholder_filler(vocab: dict) -> tuple[str, Callable[[str], str]]:
    """The pattern for subject pronouns and a function that fills a pattern's
    placeholders: `{person}`, `{anyone}` and the vocabulary's own words."""
    subject = vocab.get("subject", r"(?:we|i|he|she|you)")
    replacements = {k: str(v) for k, v in vocab.items() if k != "subject"}
    counter = iter(range(1_000_000))

    def fill(p: str) -> str:
        # Each {person} gets its own group name, so that patterns can share one regex.
        while "{person}" in p:
            p = p.replace(
                "{person}",
                rf"(?P<person_{next(counter)}>\b(?:{subject})|\b{_CAPITALISED}(?:\s+{_CAPITALISED})?)",
                1,
            )
        p = p.replace("{anyone}", rf"(?:\b(?:{subject})|\b{_CAPITALISED})")
        for key, value in replacements.items():
            p = p.replace("{" + key + "}", value)
        return p

    return subject, fill


def build_rules(merged: dict[str, dict], fill: Callable[[str], str]) -> tuple[list[PhraseRule], dict[str, str]]:
    """The phrase rules of the merged rule entries, in order, and the keywords written
    with capitals (lower-case word -> as written) that no pattern also lists in lower case."""
    rules: list[PhraseRule] = []
    cased: dict[str, str] = {}
    plain: set[str] = set()
    for code, item in merged.items():
        entries = [parse_pattern(p, str(item.get("why") or "")) for p in as_list(item.get("patterns"))]
        for e in entries:
            cased.update((k.lower(), k) for k in e.cased)
            plain.update(k for k in e.keywords or () if k not in {c.lower() for c in e.cased})
        keywords = [str(k).lower() for k in as_list(item.get("keywords"))]
        plain.update(keywords)
        rules += _rules_of(code, item, entries, keywords, fill)
    return rules, {k: v for k, v in cased.items() if k not in plain}


def _rules_of(
    code: str, item: dict, entries: list[Entry], keywords: list[str], fill: Callable[[str], str]
) -> list[PhraseRule]:
    """One rule entry's phrase rules: one per scope its patterns have."""
    out: list[PhraseRule] = []
    unless = [fill(str(u)) for u in as_list(item.get("unless"))]
    scope = str(item.get("scope") or "all")
    # A rule with patterns for both scopes becomes two, the one for all prose first
    # (`scan` then reports a phrase both match once).
    by_scope: dict[str, list[Entry]] = {"all": [], "actions": [], scope: []}
    for e in entries:
        by_scope[e.scope or scope].append(e)
    for part_scope, group in by_scope.items():
        if not group and (part_scope != scope or any(by_scope.values())):
            continue
        vetoes = unless
        parts = [
            (
                frozenset(e.keywords) if e.keywords is not None else keywords_in(e.pattern, keywords),
                fill(e.pattern),
            )
            for e in group
        ]
        out.append(
            PhraseRule(
                code=code,
                name=str(item["name"]),
                message=str(item.get("message") or "“{match}”"),
                hint=str(item.get("hint") or ""),
                scope=part_scope,
                keywords=frozenset(keywords).union(*(e.keywords or () for e in group)),
                parts=parts,
                unless=re.compile("|".join(f"(?:{u})" for u in vetoes), re.IGNORECASE) if vetoes else None,
                raw_patterns=[e.pattern for e in group],
                needs=[needs_of(filled) for _, filled in parts],
                grammar=[e.grammar for e in group],
            )
        )
        # Each part compiled now, alone: a bad pattern fails here, not mid-check,
        # and the windows where one part can match use these.
        for i in range(len(parts)):
            combined(out[-1], (i,))
    return out
