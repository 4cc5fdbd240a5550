"""HTML in a postmortem's Markdown as a reader sees it: comments and tags hidden,
entities decoded. Each scan is linear whatever the text: whatever looks for a closing
delimiter keeps the position of the next one instead of searching again from each
opener (`<!--<!--<!--…` with no `-->` would otherwise be quadratic).
"""

from __future__ import annotations

import functools
import html
import re

from .folding import fold

# A run of entities, taken whole: each one starts with the `&` no other part holds, so
# the repetition cannot backtrack. (A leak's position inside a run is the run's start.)
ENTITIES = re.compile(r"(?:&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[A-Za-z][A-Za-z0-9]{0,31});?)+")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]{0,31}(?=[\s/>])")
_TAG_MAX = 500  # characters from `<` to `>`, as the section scanner reads HTML


@functools.lru_cache(maxsize=4096)
def decoded(entities: str) -> str | None:
    """Entities as a reader sees them, folded; None when they are not entities."""
    text = html.unescape(entities)
    return None if text == entities else fold(text)


class MarkupScanner:
    """Where each comment or tag of `raw[:hi]` ends, asked opener by opener in text
    order: the next `-->` and the next `>` are remembered and searched for again only
    once an opener lies past them."""

    __slots__ = ("comment_end", "hi", "raw", "tag_end")

    def __init__(self, raw: str, hi: int) -> None:
        self.raw = raw
        self.hi = hi
        self.comment_end = -2  # where the next "-->" is (-1: none before hi)
        self.tag_end = -2  # where the next ">" is

    def end(self, a: int, base: int, attrs: list[tuple[int, str]] | None) -> int:
        """Just past the comment or tag opened by the `<` at `a`; -1 when none is (a
        lone `<`, a comment that never closes, a tag too long). A tag's attributes go
        to `attrs` at their position plus `base`: a link in them is published too."""
        raw = self.raw
        if raw.startswith("<!--", a):
            if self.comment_end != -1 and self.comment_end < a + 4:
                self.comment_end = raw.find("-->", a + 4, self.hi)
            return -1 if self.comment_end < 0 else self.comment_end + 3
        t = _TAG.match(raw, a, self.hi)
        if t is None:
            return -1
        if self.tag_end != -1 and self.tag_end < t.end():
            self.tag_end = raw.find(">", t.end(), self.hi)
        if self.tag_end < 0 or self.tag_end - a > _TAG_MAX:
            return -1
        if attrs is not None and t.end() < self.tag_end:
            attrs.append((base + t.end(), raw[t.end() : self.tag_end]))
        return self.tag_end + 1


def remove_comments(text: str) -> str:
    """`text` without its HTML comments (`<!--` to the first `-->` after it), as
    `re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)` but linear when no comment
    closes."""
    if "<!--" not in text:
        return text
    out: list[str] = []
    pos = 0
    close = -2
    i = text.find("<!--")
    while i >= 0:
        if close != -1 and close < i + 4:
            close = text.find("-->", i + 4)
        if close < 0:
            break
        out.append(text[pos:i])
        pos = close + 3
        i = text.find("<!--", pos)
    out.append(text[pos:])
    return "".join(out)
