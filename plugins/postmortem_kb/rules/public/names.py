"""Names in the folded text: people's names, configured internal words and markers,
chat handles and channels, and sub-sections internal by their title.

Linear whatever the text: phrases are found with `str.find` from a literal word or by
one pattern whose branches start with a literal; a channel's name is one character
class repeated, its end worked out without backtracking.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...load.sections import normalise
from .needles import Needles, Phrases

_MENTION = re.compile(r"(?<![\w@./])@[a-z][\w.-]{1,38}\b")
_CHANNEL_NAME = re.compile(r"#[a-z][a-z0-9_-]*")
_CHANNEL_START = re.compile(r"#[a-z]")
_SUB_HEADING = re.compile(r"^ {0,3}#{3,6}[ \t]+([^\n]*)", re.MULTILINE)


def mentions(text: str) -> Iterator[tuple[int, int, str]]:
    """Chat handles (`@priya`), not e-mail addresses nor paths."""
    return ((m.start(), m.end(), "a chat handle") for m in _MENTION.finditer(text))


def channels(text: str) -> Iterator[tuple[int, int, str]]:
    """Chat channels (`#incident-42`): a `#`, a letter, and a name with a dash in it."""
    pos = 0
    for start in _CHANNEL_START.finditer(text):
        i = start.start()
        if i < pos:
            continue
        m = _CHANNEL_NAME.match(text, i)
        pos = m.end()
        if (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_&#/")) and not _in_attribute_list(text, i):
            # As `#[a-z][a-z0-9_-]*-[a-z0-9_-]+\b` would match, without its backtracking:
            # the name ends on a word character that no word character follows (so
            # before its trailing dashes, or before its last dash when a letter outside
            # [a-z] follows it), and has a dash after its first letter.
            run = m.group()
            if word_at(text, m.end()):
                run = run[: max(run.rfind("-"), 0)]
            end = i + len(run.rstrip("-"))
            if end > i + 2 and text.find("-", i + 2, end) >= 0:
                yield i, end, "a chat channel"


def _in_attribute_list(text: str, i: int) -> bool:
    """Whether `i` is inside `{: .class #id }` (attr_list: an id, not a channel), looking
    back at most 64 characters on the line."""
    before = text[max(0, i - 64) : i]
    k = before.rfind("{")
    return k >= 0 and "}" not in before[k:] and "\n" not in before[k:]


def word_at(text: str, i: int) -> bool:
    """A word character at `i` (none outside the text): a match next to one is part of a word."""
    return 0 <= i < len(text) and (text[i].isalnum() or text[i] == "_")


def phrases_in(text: str, phrases: list[str], why: str) -> Iterator[tuple[int, int, str]]:
    """Whole-word occurrences of each phrase, its words apart by any run of spaces or
    line breaks (a name across a soft line break is one name on the page)."""
    for phrase in phrases:
        words = phrase.split()
        if not words:
            continue
        first = words[0]
        i = text.find(first)
        while i >= 0:
            end = i + len(first)
            ok = i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")
            for w in words[1:]:
                if not ok:
                    break
                j = end
                while j < len(text) and text[j] in " \n":
                    j += 1
                ok = j > end and text.startswith(w, j)
                end = j + len(w)
            if ok and not word_at(text, end):
                yield i, end, why
            i = text.find(first, i + 1)


def sub_headings(text: str, needles: Needles) -> Iterator[tuple[int, int, str]]:
    """`###` sub-sections of a public section that are internal by their title: a
    section of the template that is not public ("### Timeline"), or a marker."""
    if "###" not in text:
        return
    for m in _SUB_HEADING.finditer(text):
        title = normalise(m.group(1).rstrip("# \t"))
        if title in needles.private_headings:
            yield m.start(1), m.end(1), "a sub-section that is not public"


def configured_phrases(text: str, phrases: Phrases | None, why: str) -> Iterator[tuple[int, int, str]]:
    """Whole-word occurrences of configured phrases (internal words, markers); none
    looked for when the text lacks the longest word of every phrase."""
    if phrases is not None and any(w in text for w in phrases.required):
        yield from (
            (m.start(), m.end(), why) for m in phrases.pattern.finditer(text) if not word_at(text, m.start() - 1)
        )
