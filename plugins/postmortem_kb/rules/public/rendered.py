"""What a reader of the public site sees: each shown text folded into one View.

HTML comments and tags are gone (a tag's attributes are judged on their own), HTML
entities and Markdown backslash escapes are decoded, emphasis and code markers are
dropped, and every character is folded (see folding.py). Each special character is an
event, looked at once; runs of markup or of other scripts are one event each, so the
pass is linear in the text, whatever the text.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable
from dataclasses import dataclass

from .folding import fold_char, is_plain
from .markup import ENTITIES, MarkupScanner, decoded
from .view import View

# What may change between the source and the folded text: markup, entities, escapes,
# control characters (and "\t", "\r"), and anything not ASCII. One character class each:
# the engine tests one class per character.
# Runs of markup or of other scripts are taken whole (one step each, not one per character).
# `<`, `&` and `\\` count only where a tag, an entity or an escape can start.
_OPENERS = r"<(?=[A-Za-z/!])|&(?=[#A-Za-z])|\\(?=[!-/:-@\[-`{-~])|[*~`]+"
ASCII_SPECIAL = re.compile(_OPENERS + r"|[\x00-\x09\x0b-\x1f\x7f]")
# What is dropped before anything else: an escape's backslash (the pair is matched, so that
# `\\\\.` drops one backslash), control characters, and in Markdown emphasis and code marks.
_DROP = r"(?:\\[!-/:-@\[-`{-~])+|[\x00-\x08\x0e-\x1f\x7f]+"
_DROPPED = re.compile(_DROP)
_DROPPED_MD = re.compile(r"[*~`]+|" + _DROP)
_NO_EXPANSION: dict[str, str] = {}
_PUNCT = frozenset(string.punctuation)  # what a Markdown backslash escapes


@dataclass(slots=True)
class Source:
    """One text the public site shows, and how to place an offset in it in the file."""

    raw: str
    markdown: bool  # a Markdown body (a section) rather than a plain field
    place: Callable[[int], tuple[int, int]]  # offset in `raw` -> (line, column), 1-based
    where: str  # "in a public section", …


def build_view(sources: list[Source]) -> tuple[View, list[int]]:
    """The folded text of all `sources` (one "\\n" between two) and where each source
    starts in the virtual concatenation the view maps back to."""
    view = View()
    starts: list[int] = []
    base = 0
    for s in sources:
        starts.append(base)
        base += len(s.raw) + 1
    joined = "\n".join(s.raw for s in sources)
    if is_plain(joined):  # most postmortems: the folded text is the lower case, one to one
        view.plain(joined, 0, len(joined), 0)
        view.text = "".join(view.parts)
        view.parts = []
        return view, starts
    starts, base = [], 0
    attrs: list[tuple[int, str]] = []
    for s in sources:
        if starts:
            view.replace(base - 1 - view.offset, 1, "\n")
        starts.append(base)
        fold_range(view, s.raw, 0, len(s.raw), base, s.markdown, attrs)
        base += len(s.raw) + 1
    for at, text in attrs:  # `<a href="…">`: the link is published too
        view.replace(at, 1, "\n")
        fold_range(view, text, 0, len(text), at, False, None)
    view.text = "".join(view.parts)
    view.parts = []
    return view, starts


def fold_range(
    view: View, raw: str, lo: int, hi: int, base: int, markdown: bool, attrs: list[tuple[int, str]] | None
) -> None:
    """Fold `raw[lo:hi]` into `view`. With `markdown`, comments and tags are dropped
    (tag attributes go to `attrs`, to be judged on their own) and so are `*`, `~` and
    backticks. (`attrs` is None for the text of a tag's attributes, whose `base` already
    counts without dropped characters: nothing is dropped from it, every special is an
    event.)"""
    chunk = raw if lo == 0 and hi == len(raw) else raw[lo:hi]
    if attrs is not None:
        base -= view.offset  # from here on, positions count in the reshaped text
    if is_plain(chunk):
        view.plain(raw, lo, hi, base)
        return
    pattern, dropping, expanding = ASCII_SPECIAL, _DROPPED_MD if markdown else _DROPPED, _NO_EXPANSION
    if not chunk.isascii():
        # Characters that fold to one character are folded at once (one C pass), and the
        # columns stay; only the others (ligatures, ß…) are looked at one by one.
        table, pattern, dropping, expanding = _regular(frozenset(c for c in set(chunk) if c > "\x7f"), markdown)
        raw, base, lo, hi = chunk.translate(table), base + lo, 0, len(chunk)
    if attrs is not None:
        raw, base, lo, hi = _reshape(view, raw, lo, hi, base, dropping, expanding)
    _fold_events(view, raw, lo, hi, base, pattern, markdown, attrs)


def _reshape(
    view: View, raw: str, lo: int, hi: int, base: int, dropping: re.Pattern[str], expanding: dict[str, str]
) -> tuple[str, int, int, int]:
    """`raw[lo:hi]` with markup, escapes' backslashes and invisible characters dropped
    and characters that fold to several replaced, each region recorded in `view`, as
    (text, base, lo, hi) to fold next. One pass, one step for each run of what is dropped."""
    kept: list[str] = []
    pos = lo
    before = view.offset
    for m in dropping.finditer(raw, lo, hi):
        a = m.start()
        kept.append(raw[pos:a])
        folded = expanding.get(raw[a])
        if folded is not None:
            kept.append(folded)
            view.reshape(base + before + a, 1, len(folded))
            pos = a + 1
            continue
        if raw[a] == "\\":  # escapes: each escaped character stays, without its backslash
            kept.append(m.group()[1::2])
            view.reshape(base + before + a, m.end() - a, (m.end() - a) // 2)
        else:
            view.reshape(base + before + a, m.end() - a, 0)
        pos = m.end()
    if not kept:
        return raw, base, lo, hi
    kept.append(raw[pos:hi])
    text = "".join(kept)
    return text, base + lo, 0, len(text)


def _fold_events(
    view: View,
    raw: str,
    lo: int,
    hi: int,
    base: int,
    pattern: re.Pattern[str],
    markdown: bool,
    attrs: list[tuple[int, str]] | None,
) -> None:
    """Fold `raw[lo:hi]` into `view`, event by event: each match of `pattern` (a special
    character, or a run of them) is replaced by what a reader sees, and the plain text
    between two events is taken as it is, lower-cased. Linear: the matches are visited
    once, in order, those inside an event already taken skipped; where a comment or tag
    ends comes from the MarkupScanner, never from a search started at each `<`."""
    pos = lo
    passed = -1  # the end of the last run of would-be entities that decoded to nothing
    markup = MarkupScanner(raw, hi) if markdown else None  # a plain field shows `<` as it is
    for m in pattern.finditer(raw, lo, hi):
        a = m.start()
        if a < pos or a < passed:
            continue
        c = m.group()
        if c == "<":
            if markup is None:
                continue
            b = markup.end(a, base, attrs)
            if b < 0:
                continue
            text = ""
        elif c == "&":
            e = ENTITIES.match(raw, a, hi)
            if e is None:
                continue
            entity = decoded(e.group())
            if entity is None:
                passed = e.end()  # nothing in the run decodes: not looked at again from its next `&`
                continue
            b, text = e.end(), entity
        elif c == "\\":
            if a + 1 >= hi or raw[a + 1] not in _PUNCT:
                continue
            b, text = a + 2, raw[a + 1]
        elif c[0] in "*~`":
            if not markdown:
                continue
            b, text = a + len(c), ""
        else:  # control characters, or a run of characters that are not ASCII
            view.plain(raw, pos, a, base)
            _fold_run(view, c, base + a)
            pos = a + len(c)
            continue
        view.plain(raw, pos, a, base)
        view.replace(base + a, b - a, text)
        pos = b
    view.plain(raw, pos, hi, base)


def _fold_run(view: View, run: str, at: int) -> None:
    """A run of characters that fold one by one, at source offset `at`: one piece when
    each folds to one character, else one piece per character (ß is "ss")."""
    folded = [fold_char(ch) for ch in run]
    if all(len(f) == 1 for f in folded):
        view.replace(at, len(run), "".join(folded), linear=True)
    elif any(folded):  # (all invisible: nothing to map)
        for k, f in enumerate(folded):
            view.replace(at + k, 1, f)


@functools.lru_cache(maxsize=1024)
def _regular(
    chars: frozenset[str], markdown: bool
) -> tuple[dict[int, str], re.Pattern[str], re.Pattern[str], dict[str, str]]:
    """For the characters of a text that are not ASCII: a table folding those that fold
    to one character (one that means nothing to Markdown or HTML), the pattern of special
    characters that leaves them out, the pattern of what the reshaping pass drops (with
    the invisible ones) or replaces, and the replacements (characters folding to several)."""
    table: dict[int, str] = {}
    for c in chars:
        f = fold_char(c)
        if len(f) == 1 and len(f.lower()) == 1 and not (f.isascii() and (f in "<&\\*~`" or not f.isprintable())):
            table[ord(c)] = f
    rest = "".join(sorted(c for c in chars if ord(c) not in table))
    invisible = "".join(c for c in rest if not fold_char(c))
    expanding = {
        c: f for c in rest if len(f := fold_char(c)) > 1 and f.isprintable() and not any(x in f for x in "<&\\*~`")
    }
    dropping = _DROPPED_MD.pattern if markdown else _DROPPED.pattern
    if invisible:
        dropping += f"|[{re.escape(invisible)}]+"
    if expanding:
        dropping += f"|[{re.escape(''.join(sorted(expanding)))}]"
    return (
        table,
        re.compile(ASCII_SPECIAL.pattern + (f"|[{re.escape(rest)}]+" if rest else "")),
        re.compile(dropping),
        expanding,
    )
