"""A match judged by its pattern's grammar options: the finding's tier, or none."""

from __future__ import annotations

from .phrase_rule import Grammar
from .scope import MARKER, out_of_scope, paragraph_before, sentence_bounds
from .subject import agent_of, condition_kind, is_passive, kind_is_passive_thing, reported_claim, subject_of
from .words import Words


def judge(
    words: Words, g: Grammar, text: str, a: int, b: int, known: frozenset[str]
) -> tuple[str, str | None, int] | None:
    """The tier of the match text[a:b], a capitalised subject the knowledge base must
    know for it to stand, and where the finding starts (at the subject, for `span:
    subject`); None when the grammar around it says it is not a finding."""
    lo, hi = sentence_bounds(text, a, b)
    before = text[lo:a]
    if g.scoped and out_of_scope(words, text, before, a, b, hi, paragraph_before(text, a)):
        return None
    if g.initial and MARKER.fullmatch(before) is None:
        return None
    if g.reported and reported_claim(words, before):
        return None
    if g.condition and condition_kind(words, text[lo:hi], known) == "thing":
        return None
    tier, name, start = g.severity, None, a
    if g.subject:
        kind, name, at = subject_of(words, before, known)
        if g.span_subject and kind not in ("none", "thing"):
            start = lo + at
        if kind == "thing" and g.agent and is_passive(text[a:b]):
            kind = "passive"
        tier = g.tier(g.subject, kind)
    if g.agent and tier != "skip" and is_passive(text[a:b]):
        agent = agent_of(words, text[b:hi], known)
        if agent is not None:
            tier = g.tier(g.agent, agent[0])
            name = agent[1]
        elif kind_is_passive_thing(g, words, text[a:b], tier):
            tier = "error"
    if tier == "skip":
        return None
    return tier, name, start
