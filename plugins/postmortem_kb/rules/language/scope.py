"""The sentence around a match and whether the match is meant: quoted, negated, talked
about ("we avoid calling this…") or part of a technical term is not a finding.

Every look is bounded (a sentence is at most REACH characters either side of a match),
so a text with many matches costs linear time."""

from __future__ import annotations

import re

from .words import Words

REACH = 300
_SENTENCE_BREAK = re.compile(r"[.!?](?=[\s\"'”’)]|$)|[;|\x00]|\n[ \t]*(?:\n|[-*+][ \t]|\d+[.)][ \t])")
TOKEN = re.compile(r"[^\W\d_][\w'’-]*|[,:;()\[\]—–\"“”]")
MARKER = re.compile(r"[\s\-*+>#\"“'‘(\[\]]*(?:\d+[.)]\s*)?(?:\[[ xX]\]\s*)?[\s\"“'‘(]*")


def sentence_bounds(text: str, a: int, b: int) -> tuple[int, int]:
    """The bounds of the sentence (or clause ended by ';', table cell, list item) around text[a:b]."""
    lo = max(0, a - REACH)
    for m in _SENTENCE_BREAK.finditer(text, lo, a):
        lo = m.end()
    end = min(len(text), b + REACH)
    m = _SENTENCE_BREAK.search(text, b, end)
    return lo, (m.start() if m else end)


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def paragraph_before(text: str, a: int) -> str:
    """The text before `a` in its paragraph or table cell (at most REACH characters):
    a quotation may run over a sentence's end ("went up; try harder")."""
    lo = max(0, a - REACH)
    cut = max(text.rfind("\n\n", lo, a), text.rfind("|", lo, a), text.rfind("\x00", lo, a))
    return text[(cut + 1 if cut >= 0 else lo) : a]


def out_of_scope(words: Words, text: str, before: str, a: int, b: int, hi: int, paragraph: str) -> bool:
    """Quoted, negated, talked about, or part of a technical term."""
    if _technical(text, a, b) or _quoted(paragraph, text[b:hi]) or _quoted(before, text[b:hi]):
        return True
    if words.meta is not None and words.meta.search(before.lower()):
        return True
    if _request_named(words, tokens(before[-120:])[-8:] + tokens(text[a:b])[:1]):
        return True
    # Negation reaches back over a few words of the same clause: "nobody was careless",
    # "there is no single root cause", "we avoid the label human error".
    for tok in reversed(tokens(before[-120:])[-8:]):
        t = tok.lower()
        if t in words.scope_words or not t[0].isalnum():
            break
        if t in words.negation or t.endswith(("n't", "n’t")):
            return True
    after = tokens(text[b:hi][:40])
    return bool(after) and after[0].lower() in words.objects_negated  # "forgot nothing"


def _request_named(words: Words, toks: list[str]) -> bool:
    """ "Asking people to be careful has not worked", "… over reminding engineers to …":
    a request named as a topic, not made."""
    for i in range(len(toks) - 1, -1, -1):
        t = toks[i].lower()
        if t in words.requests or t in words.request_verbs:
            prev = next((p.lower() for p in reversed(toks[:i]) if p[0].isalnum()), None)
            if t in words.request_verbs:
                return prev in words.relatives
            return prev is None or prev in words.request_leads or not toks[i - 1][0].isalnum()
    return False


def _technical(text: str, a: int, b: int) -> bool:
    """A word glued to a flag or identifier: `careless-mode`, `careless_writes`, `--lazy`."""
    after = text[b : b + 2]
    if len(after) == 2 and after[0] in "-_=" and after[1].isalnum():
        return True
    before = text[max(0, a - 2) : a]
    return len(before) == 2 and before[1] in "-_" and (before[0].isalnum() or before[0] in "-_")


def _quoted(before: str, after: str) -> bool:
    """Whether the match sits between quotation marks of its sentence."""
    if before.count('"') % 2 == 1 and '"' in after:
        return True
    if before.rfind("“") > before.rfind("”") and "”" in after:
        return True
    # A single quote opens after a non-word character; an apostrophe ("Sam's") does not.
    if "'" not in before and "‘" not in before:
        return False
    opening = [m.end() for m in _OPEN_SINGLE.finditer(before)]
    if not opening or _CLOSE_SINGLE.search(before, opening[-1]):
        return False
    return _CLOSE_SINGLE.search(after) is not None


_OPEN_SINGLE = re.compile(r"(?<!\w)['‘](?=\w)")
_CLOSE_SINGLE = re.compile(r"(?<=[\w.,!?])['’](?!\w)")
