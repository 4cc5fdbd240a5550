"""Who a clause is about: the kind of its subject (a person, a team, a system, an action,
nothing), who does a passive verb, what a condition is about, whether a claim is someone
else's, and whether a capitalised name no postmortem gives is a system."""

from __future__ import annotations

import re

from .phrase_rule import Grammar
from .scope import MARKER, REACH, TOKEN, sentence_bounds, tokens
from .words import Words

# Endings of a sentence-initial capitalised word that is more likely a common noun
# ("Retries", "Deploys", "Monitoring") than a name ("Marcus", "Luis" keep theirs).
_COMMON_NOUN = re.compile(r"(?:[^aiosu\W]s|ing|ion|ment|ness|ity)$")


def looks_like_a_system(
    words: Words, name: str, text: str, a: int, b: int, headline: bool = False, determined: frozenset[str] = frozenset()
) -> bool:
    """Whether a capitalised subject no postmortem names is a system rather than a person:
    a listed system, not shaped like a name ("AWS", "GitHub", "S3"), written in the text
    after a determiner ("the Envoy sidecar": `determined`), or a sentence-initial common noun. With
    `headline`, also any word opening a table cell or list item: such text drops its
    articles ("| Alert should have fired |" is "the alert")."""
    if name.lower() in words.systems or not (name.isalpha() and name[0].isupper() and name[1:].islower()):
        return True
    if name in determined:
        return True
    common = _COMMON_NOUN.search(name.lower()) is not None
    if not (common or headline):
        return False  # the rest looks only for a common noun opening its sentence
    at = text.rfind(name, max(0, a - REACH), b)
    lo = sentence_bounds(text, at, at)[0] if at >= 0 else a
    if at < 0 or MARKER.fullmatch(text[lo:at]) is None:
        return False
    return common or (headline and _HEADLINE.search(text[max(0, lo - 4) : at]) is not None)


AFTER_DETERMINER = re.compile(r"\b(?i:the|a|an|our|their|its|this|each|every)\s+([A-Z][a-z]+)\b")
_HEADLINE = re.compile(r"(?:[|\x00]|(?:^|\n)[ \t]*(?:[-*+]|\d+[.)]))[^\n|\x00]*$")


def kind_is_passive_thing(g: Grammar, words: Words, match: str, tier: str) -> bool:
    """A passive with no agent whose verb only people do ("shouldn't have been rushed")
    is as clear as one with a person as its subject."""
    last = match.split()[-1].lower() if match.split() else ""
    return tier == "warning" and last in words.human_verbs


def _clause_subject(words: Words, before: str) -> tuple[list[str], int]:
    """The words of the clause's subject, usually those between the last clause boundary
    and the match, and where they start in `before` (its length when there are none)."""
    base = max(0, len(before) - 240)
    out: list[re.Match[str]] = []
    for m in reversed(list(TOKEN.finditer(before, base))[-12:]):
        t = m.group().lower()
        if not t[0].isalnum() or t in words.clause_words:
            break
        out.append(m)
    out.reverse()
    while out and (out[-1].group().lower() in words.adverbs or out[-1].group().lower().endswith("ly")):
        out.pop()
    if out and out[-1].group().lower() in words.people | words.unsure:
        out = out[-1:]  # a pronoun is a whole subject: "later we failed to…"
    elif len(out) > 1 and out[0].group().lower() in words.prepositions:
        # A fronted phrase without a comma: "before the cut-over we failed to…"
        np: list[re.Match[str]] = []
        for m in reversed(out):
            t = m.group().lower()
            if t in words.prepositions:
                break
            np.append(m)
            if t in words.determiners or t in words.people or t in words.unsure:
                break
        out = np[::-1]
    return [m.group() for m in out], (out[0].start() if out else len(before))


def subject_of(words: Words, before: str, known: frozenset[str]) -> tuple[str, str | None, int]:
    """The kind of the clause's subject (see KINDS), for an unknown capitalised name the
    name, and where the subject starts in `before`."""
    toks, start = _clause_subject(words, before)
    kind, name = classify(words, toks, known)
    return kind, name, start


def classify(words: Words, toks: list[str], known: frozenset[str]) -> tuple[str, str | None]:
    if not toks:
        return "none", None
    low = [t.lower().removesuffix("'s").removesuffix("’s") for t in toks]
    if "of" in low[1:] and low[low.index("of", 1) + 1 : low.index("of", 1) + 2] in (["us"], ["you"]):
        return "person", None  # "none of us", "any of us"
    first = low[0]
    if first in words.people:
        return "person", None
    if first in words.unsure:
        return "unsure", None
    if (
        len(low) >= 2
        and first.endswith("ing")
        and len(first) > 4
        and first not in words.not_gerunds
        and low[1] in words.gerund_followers
    ):
        return "action", None  # "rolling back earlier", "paging the vendor sooner"
    head_part = low
    for i, t in enumerate(low[1:], start=1):
        if t in words.prepositions:
            head_part = low[:i]
            break
    head = head_part[-1]
    if head in words.roles or head in words.people:
        return "person", None
    if head in words.judgement_nouns:
        return "person", None  # "the mistake should never have…" is about whoever made it
    if head in words.action_nouns:
        return "action", None
    named = toks[: len(head_part)]
    if len(named) <= 3 and all(t[:1].isupper() for t in named) and first not in words.determiners:
        name = " ".join(t.removesuffix("'s").removesuffix("’s") for t in named)
        if name in known or named[0] in known:
            return "person", None
        return "name", named[0]
    return "thing", None


def is_passive(match: str) -> bool:
    low = match.lower().split()[:-1]
    return any(w in ("been", "was", "were", "is", "are", "be") for w in low)


def agent_of(words: Words, after: str, known: frozenset[str]) -> tuple[str, str | None] | None:
    """Who does a passive verb: "by the sync job" (a thing), "automatically" (a thing),
    "by on-call" (a person); None when the sentence does not say."""
    toks = tokens(after)[:12]
    low = [t.lower() for t in toks]
    if any(t in words.automatic for t in low):
        return "thing", None
    if "by" in low:
        rest = toks[low.index("by") + 1 :]
        np: list[str] = []
        for tok in rest:
            if not tok[0].isalnum() or tok.lower() in words.prepositions or tok.lower() in words.clause_words:
                break
            np.append(tok)
        if np:
            if np[0].lower() in words.determiners:
                np = np[1:] or np
            kind, name = classify(words, np, known)
            return ("thing", None) if kind == "none" else (kind, name)
    return None


_CONDITION = re.compile(r"\b(?:had|if)\s+((?:[\w'’-]+\s+){0,4}?)(?:had\b|been\b|not\b|[\w'’-]{3,}ed\b)", re.IGNORECASE)


def condition_kind(words: Words, sentence: str, known: frozenset[str]) -> str | None:
    """The kind of the subject of the sentence's condition ("had the alert been routed…",
    "if it had used…"), or None when it has none."""
    m = _CONDITION.search(sentence)
    if m is None:
        return None
    toks = [t for t in tokens(m.group(1)) if t[0].isalnum()]
    if toks and toks[0].lower() in words.people | words.unsure:
        return "person"
    if toks and toks[0].lower() == "it":
        return "thing"
    return classify(words, toks, known)[0] if toks else None


def reported_claim(words: Words, before: str) -> bool:
    """Someone else's claim, reported: "the vendor's report names a root cause"."""
    toks = tokens(before)
    for i in range(len(toks) - 1, -1, -1):
        t = toks[i].lower()
        if t in words.reporting:
            subject = [x.lower().removesuffix("'s") for x in toks[:i] if x[0].isalnum()][-6:]
            return not any(x in words.first_person for x in subject)
    return False
