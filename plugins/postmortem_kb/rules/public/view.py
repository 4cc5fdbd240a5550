"""The view: the folded text of what the public site shows, with a map back to the source.

A leak is found in the folded text but reported where it was typed, so each folded
character must lead back to the source characters it came from, through two steps:
the reshaping pass (markup, escapes and invisible characters dropped, characters that
fold to several replaced) and the pieces (runs of folded text, one to one or not).
Looking a position up is a binary search over either list, never a walk.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(slots=True)
class View:
    """Folded text of several source texts (separated by "\\n"), with a map back:
    piece k starts at folded offset `fold_at[k]` and came from `src_len[k]` characters
    at source offset `src_at[k]` (one to one when `linear[k]`)."""

    parts: list[str] = field(default_factory=list)
    fold_at: list[int] = field(default_factory=list)
    src_at: list[int] = field(default_factory=list)
    src_len: list[int] = field(default_factory=list)
    linear: list[bool] = field(default_factory=list)
    size: int = 0
    text: str = ""
    # Before the pieces are made, a text is reshaped in one pass: markup, escapes'
    # backslashes and invisible characters dropped, characters that fold to several (ß,
    # ligatures) replaced by their folding. Piece positions count in the reshaped text;
    # region k starts at its position `re_at[k]`, is `re_out[k]` long there and came from
    # `re_in[k]` characters at source offset `re_src[k]`.
    re_at: list[int] = field(default_factory=list)
    re_src: list[int] = field(default_factory=list)
    re_out: list[int] = field(default_factory=list)
    re_in: list[int] = field(default_factory=list)
    offset: int = 0  # source offset minus reshaped position, after the last region

    def reshape(self, virtual: int, length: int, out: int) -> None:
        """`length` characters at source offset `virtual` (after every earlier region)
        are `out` characters in the reshaped text (0: dropped)."""
        self.re_at.append(virtual - self.offset)
        self.re_src.append(virtual)
        self.re_out.append(out)
        self.re_in.append(length)
        self.offset += length - out

    def _source(self, kept: int, end: bool = False) -> int:
        """Source offset of reshaped position `kept` (with `end`: just past its source)."""
        k = bisect.bisect_right(self.re_at, kept) - 1
        if k < 0:
            return kept + end
        inside = kept - self.re_at[k]
        if inside < self.re_out[k]:  # a character of a replacement: all its source
            return self.re_src[k] + (self.re_in[k] if end else 0)
        return self.re_src[k] + self.re_in[k] + inside - self.re_out[k] + end

    def _piece(self, text: str, src: int, length: int, linear: bool) -> None:
        if not text:
            return
        k = len(self.fold_at) - 1
        if (
            linear
            and k >= 0
            and self.linear[k]
            and self.fold_at[k] + self.src_len[k] == self.size
            and self.src_at[k] + self.src_len[k] == src
        ):
            self.src_len[k] += length  # one more character right after the last: same piece
        else:
            self.fold_at.append(self.size)
            self.src_at.append(src)
            self.src_len.append(length)
            self.linear.append(linear)
        self.parts.append(text)
        self.size += len(text)

    def plain(self, raw: str, a: int, b: int, base: int) -> None:
        """ASCII text without specials: lower case is one character for one."""
        if a < b:
            self._piece(raw[a:b].lower(), base + a, b - a, True)

    def replace(self, src: int, length: int, text: str, linear: bool = False) -> None:
        self._piece(text, src, length, linear or (length == 1 and len(text) == 1))

    def start(self, i: int) -> int:
        k = bisect.bisect_right(self.fold_at, i) - 1
        return self._source(self.src_at[k] + (i - self.fold_at[k] if self.linear[k] else 0))

    def end(self, j: int) -> int:
        k = bisect.bisect_right(self.fold_at, j - 1) - 1
        last = self.src_at[k] + (j - 1 - self.fold_at[k] if self.linear[k] else self.src_len[k] - 1)
        return self._source(last, end=True)
