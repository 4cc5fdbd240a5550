"""public-leak: internal detail in what a postmortem's public version shows.

The public site shows a postmortem's title, the sections its template makes public
(headings and sub-sections included) and its action summaries. The rule judges that
text as a reader sees it, not as it is typed: HTML comments and tags are gone (a tag's
attributes are judged on their own), HTML entities and Markdown backslash escapes are
decoded, emphasis and code markers are dropped, and every character is folded (NFKD
without combining marks, look-alike Cyrillic and Greek letters to Latin, casefold;
invisible format characters removed). So `grafana&#46;corp`, `grafana\\.corp`,
`gr<b></b>afana.corp` and `grafаna.corp` (a Cyrillic а) are all "grafana.corp". Each
leak is still reported at its place in the source: the folded text keeps a map back.

Every scan is linear in the length of the text, whatever the text: regular expressions
here have only bounded repetitions or a single character class repeated (nothing can
backtrack over the same text twice), and whatever looks for a closing delimiter keeps
the position of the next one instead of searching again from each opener. `fuzz/run.py`
(class `regex-timing`) times them on adversarial input.
"""

from __future__ import annotations

import bisect
import functools
import html
import ipaddress
import logging
import re
import string
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from ..load.sections import normalise
from ..model import Postmortem
from .language import looks_like_a_person
from .registry import registry

# ---- folding: what a reader sees, character by character ----------------------------

# Letters that look like Latin ones in common fonts (Unicode's confusables, the usual
# Cyrillic and Greek part). Upper case maps to upper case: casefold comes after.
_CONFUSABLES = str.maketrans(
    {
        **dict(zip("аеорсухіјѕԁһӏԛԝɡıȷοαρνικτυχεγωη", "aeopcyxijsdhlqwgijoapviktuxeywn", strict=True)),
        **dict(zip("АВЕКМНОРСТХУІЈЅԚԜӀΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEKMHOPCTXYIJSQWIABEZHIKMNOPTYX", strict=True)),
        "。": ".",
        "‐": "-",
        "‒": "-",
        "−": "-",
    }
)
_INVISIBLE = frozenset({"Mn", "Me", "Cf", "Cc"})  # combining marks, zero-width and bidi controls, C0/C1
_PUNCT = frozenset(string.punctuation)  # what a Markdown backslash escapes


@functools.lru_cache(maxsize=16384)
def fold_char(c: str) -> str:
    """One character as the rule compares it: "" for what cannot be seen."""
    if c.isascii():
        if c == "\n":
            return c  # headings are found by it
        return " " if c.isspace() else ("" if unicodedata.category(c) == "Cc" else c.lower())
    if c.isspace():
        return " "  # no-break and other spaces, the line and paragraph separators
    if c.isdecimal():
        return str(unicodedata.decimal(c))
    kept = "".join(d for d in unicodedata.normalize("NFKD", c) if unicodedata.category(d) not in _INVISIBLE)
    return kept.translate(_CONFUSABLES).casefold().translate(_CONFUSABLES)


def fold(text: str) -> str:
    """`text` folded as the rule reads it (names and words from the configuration)."""
    if _plain(text):
        return text.lower()
    return "".join(fold_char(c) for c in text)


def _plain(text: str) -> bool:
    """ASCII without a special character: its folded form is its lower case. (Deleting
    the specials from its bytes is one C pass, a fifth of a regex search.)"""
    if not text.isascii():
        return False
    data = text.encode("ascii")
    return len(data.translate(None, _SPECIAL_BYTES)) == len(data)


# ---- the view: folded text, and where each of its characters came from -------------

# What may change between the source and the folded text: markup, entities, escapes,
# control characters (and "\t", "\r"), and anything not ASCII. One character class each:
# the engine tests one class per character.
# Runs of markup or of other scripts are taken whole (one step each, not one per character).
# `<`, `&` and `\\` count only where a tag, an entity or an escape can start.
_OPENERS = r"<(?=[A-Za-z/!])|&(?=[#A-Za-z])|\\(?=[!-/:-@\[-`{-~])|[*~`]+"
_ASCII_SPECIAL = re.compile(_OPENERS + r"|[\x00-\x09\x0b-\x1f\x7f]")
# What is dropped before anything else: an escape's backslash (the pair is matched, so that
# `\\\\.` drops one backslash), control characters, and in Markdown emphasis and code marks.
_DROP = r"(?:\\[!-/:-@\[-`{-~])+|[\x00-\x08\x0e-\x1f\x7f]+"
_DROPPED = re.compile(_DROP)
_DROPPED_MD = re.compile(r"[*~`]+|" + _DROP)
_NO_EXPANSION: dict[str, str] = {}
_SPECIAL_BYTES = bytes([*range(0x0A), *range(0x0B, 0x20), 0x7F]) + b"<&\\*~`"
# A run of entities, taken whole: each one starts with the `&` no other part holds, so
# the repetition cannot backtrack. (A leak's position inside a run is the run's start.)
_ENTITIES = re.compile(r"(?:&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[A-Za-z][A-Za-z0-9]{0,31});?)+")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]{0,31}(?=[\s/>])")
_TAG_MAX = 500  # characters from `<` to `>`, as the section scanner reads HTML


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


def _fold_range(
    view: View, raw: str, lo: int, hi: int, base: int, markdown: bool, attrs: list[tuple[int, str]] | None
) -> None:
    """Fold `raw[lo:hi]` into `view`. With `markdown`, comments and tags are dropped
    (tag attributes go to `attrs`, to be judged on their own) and so are `*`, `~` and
    backticks. Linear: each special character is looked at once, and the next `-->` and
    `>` are remembered, never searched for again from each opener. (`attrs` is None for
    the text of a tag's attributes, whose `base` already counts without dropped
    characters: nothing is dropped from it, every special is an event.)"""
    chunk = raw if lo == 0 and hi == len(raw) else raw[lo:hi]
    if attrs is not None:
        base -= view.offset  # from here on, positions count in the reshaped text
    if _plain(chunk):
        view.plain(raw, lo, hi, base)
        return
    pattern, dropping, expanding = _ASCII_SPECIAL, _DROPPED_MD if markdown else _DROPPED, _NO_EXPANSION
    if not chunk.isascii():
        # Characters that fold to one character are folded at once (one C pass), and the
        # columns stay; only the others (ligatures, ß…) are looked at one by one.
        table, pattern, dropping, expanding = _regular(frozenset(c for c in set(chunk) if c > "\x7f"), markdown)
        raw, base, lo, hi = chunk.translate(table), base + lo, 0, len(chunk)
    if attrs is not None:
        # Markup, an escape's backslash and invisible characters are dropped in one pass,
        # one step for each run of them, and characters folding to several are replaced.
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
        if kept:
            kept.append(raw[pos:hi])
            raw, base, lo = "".join(kept), base + lo, 0
            hi = len(raw)
    pos = lo
    comment_end = -2  # where the next "-->" is (-1: none before hi)
    tag_end = -2  # where the next ">" is
    passed = -1
    for m in pattern.finditer(raw, lo, hi):
        a = m.start()
        if a < pos or a < passed:
            continue
        c = m.group()
        b, text = a + 1, None
        if c == "<":
            if not markdown:
                continue  # a plain field shows `<` as it is
            if raw.startswith("<!--", a):
                if comment_end != -1 and comment_end < a + 4:
                    comment_end = raw.find("-->", a + 4, hi)
                if comment_end < 0:
                    continue
                b, text = comment_end + 3, ""
            else:
                t = _TAG.match(raw, a, hi)
                if t is None:
                    continue
                if tag_end != -1 and tag_end < t.end():
                    tag_end = raw.find(">", t.end(), hi)
                if tag_end < 0 or tag_end - a > _TAG_MAX:
                    continue
                b, text = tag_end + 1, ""
                if attrs is not None and t.end() < tag_end:
                    attrs.append((base + t.end(), raw[t.end() : tag_end]))
        elif c == "&":
            e = _ENTITIES.match(raw, a, hi)
            if e is None:
                continue
            text = _decoded(e.group())
            if text is None:
                passed = e.end()  # nothing in the run decodes: not looked at again from its next `&`
                continue
            b = e.end()
        elif c == "\\":
            if a + 1 >= hi or raw[a + 1] not in _PUNCT:
                continue
            b, text = a + 2, raw[a + 1]
        elif c[0] in "*~`":
            if not markdown:
                continue
            b, text = a + len(c), ""
        else:  # control characters, or a run of characters that are not ASCII
            folded = [fold_char(ch) for ch in c]
            view.plain(raw, pos, a, base)
            pos = a + len(c)
            if all(len(f) == 1 for f in folded):
                view.replace(base + a, len(c), "".join(folded), linear=True)
            elif not any(folded):
                pass  # invisible: nothing to map
            else:
                for k, f in enumerate(folded):
                    view.replace(base + a + k, 1, f)
            continue
        view.plain(raw, pos, a, base)
        view.replace(base + a, b - a, text)
        pos = b
    view.plain(raw, pos, hi, base)


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
        re.compile(_ASCII_SPECIAL.pattern + (f"|[{re.escape(rest)}]+" if rest else "")),
        re.compile(dropping),
        expanding,
    )


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
    if _plain(joined):  # most postmortems: the folded text is the lower case, one to one
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
        _fold_range(view, s.raw, 0, len(s.raw), base, s.markdown, attrs)
        base += len(s.raw) + 1
    for at, text in attrs:  # `<a href="…">`: the link is published too
        view.replace(at, 1, "\n")
        _fold_range(view, text, 0, len(text), at, False, None)
    view.text = "".join(view.parts)
    view.parts = []
    return view, starts


@functools.lru_cache(maxsize=4096)
def _decoded(entities: str) -> str | None:
    """Entities as a reader sees them, folded; None when they are not entities."""
    decoded = html.unescape(entities)
    return None if decoded == entities else fold(decoded)


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


# ---- addresses -------------------------------------------------------------------

_CGNAT = ipaddress.ip_network("100.64.0.0/10")


def _private(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return _private(ip.ipv4_mapped)
        if ip.is_unspecified:
            return False
    return (
        ip.is_private or ip.is_loopback or ip.is_link_local or (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT)
    )


def whatwg_ipv4(host: str, decimal_only: bool = False) -> ipaddress.IPv4Address | None:
    """`host` read as a browser reads an IPv4 host: 1 to 4 parts, the last filling the
    remaining bytes (`127.1` is 127.0.0.1, `10.1` is 10.0.0.1), parts in decimal, octal
    (`0177`) or hex (`0x7f`); None when it is not one."""
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()  # a trailing dot
    if not 1 <= len(parts) <= 4:
        return None
    values = []
    for p in parts:
        if not p or len(p) > 12:
            return None
        try:
            if decimal_only:
                v = int(p, 10) if p.isdigit() and p.isascii() else -1
            elif p[:2] in ("0x", "0X"):
                v = int(p[2:], 16) if p[2:] else 0
            elif len(p) > 1 and p[0] == "0":
                v = int(p[1:], 8)
            else:
                v = int(p, 10) if p.isdigit() and p.isascii() else -1
        except ValueError:
            return None
        if v < 0:
            return None
        values.append(v)
    last = values.pop()
    if any(v > 255 for v in values) or last >= 256 ** (4 - len(values)):
        return None
    number = last
    for i, v in enumerate(values):
        number += v << (8 * (3 - i))
    return ipaddress.IPv4Address(number)


def private_host(host: str) -> bool:
    """A host that is a private, loopback or link-local address in any form a browser accepts."""
    host = host.strip("[]")
    if ":" in host:
        try:
            return _private(ipaddress.IPv6Address(host.split("%", 1)[0]))
        except ValueError:
            return False
    ip = whatwg_ipv4(host)
    return ip is not None and _private(ip)


# A URL whose host is plain letters, digits, dots and dashes, with a port or not and
# nothing before it: its host is what urlsplit().hostname gives, at a fraction of the cost.
_PLAIN_HOST = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([A-Za-z0-9.-]+)(?::[0-9]*)?(?=[/?#]|\Z)")


def host_of(url: str) -> str:
    """The lower-case host of `url`; "" when it has none or cannot be read (`http://[::1`)."""
    plain = _PLAIN_HOST.match(url)
    if plain is not None:
        return plain.group(1).lower()
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


# ---- what is looked for ------------------------------------------------------------

_SCHEME_BEFORE = re.compile(r"[a-z0-9+.-]{1,16}")  # matched on the reversed text before "://"
_URL_BODY = re.compile(r"[^\s<>()\[\]\"'`]*")  # one class repeated: linear
_HOST_BEFORE = re.compile(r"[a-z0-9_.-]{1,253}")  # reversed, before ".domain"
_HOST_CHAR = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
_IPV4 = re.compile(r"(?<![\w.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![\w]|\.[0-9])")
# Fewer than four parts count in prose only with a port or a prefix length ("127.1:8080",
# "10.0/16"): alone, "Postgres 10.1" is a version.
_SHORT_IPV4 = re.compile(r"(?<![\w.])[0-9]{1,3}(?:\.[0-9]{1,3}){1,2}(?=:[0-9]{1,5}(?![\w])|/[0-9]{1,2}(?![\w]))")
_IPV6_FULL = re.compile(r"(?<![\w:])[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){7}(?![\w:])")
_IPV6_CHARS = re.compile(r"[0-9a-f:.]{0,45}")
_IPV6_LEFT = re.compile(r"[0-9a-f:]{0,39}")
_BRACKET_IPV6 = re.compile(r"\[([0-9a-f:.]{2,45})(?:%[0-9a-z._-]{1,32})?\]")
_MENTION = re.compile(r"(?<![\w@./])@[a-z][\w.-]{1,38}\b")
_CHANNEL_NAME = re.compile(r"#[a-z][a-z0-9_-]*")
_CHANNEL_START = re.compile(r"#[a-z]")
_SUB_HEADING = re.compile(r"^ {0,3}#{3,6}[ \t]+([^\n]*)", re.MULTILINE)
_WEB_SCHEMES = ("http", "https", "ftp")
# A digit, a dot and a digit, which every IPv4 address in prose has; written dot first,
# so that the regex engine skips from dot to dot.
_DIGIT_DOT_DIGIT = re.compile(r"\.(?<=[0-9]\.)(?=[0-9])")


@dataclass(slots=True)
class Needles:
    """What one postmortem's public text is searched for, folded."""

    names: list[str]  # full names: any letter case
    name_words: list[str]  # single words of names: not when written all in lower case
    words: Phrases | None  # configured internal words
    markers: Phrases | None  # "internal only", …
    domains: tuple[str, ...]  # host name endings of internal hosts
    tools: tuple[str, ...]  # hosts of internal tools (chat, wiki, paging)
    trackers: Callable[[], set[str]]  # asked only when there is a link
    private_headings: frozenset[str]  # the template's non-public sections, normalised


def _hosts(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(h for h in (fold(v).strip().strip(".") for v in values) if h))


def _suffix_of(host: str, endings: tuple[str, ...]) -> bool:
    return bool(endings) and ("." + host).endswith(_dotted(endings))


@functools.lru_cache(maxsize=64)
def _dotted(endings: tuple[str, ...]) -> tuple[str, ...]:
    return tuple("." + d for d in endings)


def _urls(text: str, needles: Needles) -> Iterator[tuple[int, int, str]]:
    """URLs (any scheme) whose host is internal; one pass from "://" to "://"."""
    pos = 0
    c = text.find("://")
    while c >= 0:
        back = _SCHEME_BEFORE.match(text[max(pos, c - 16) : c][::-1])
        if back is None:
            c = text.find("://", c + 3)
            continue
        start = c - back.end()
        while start < c and not text[start].isalpha():
            start += 1  # a scheme starts with a letter
        end = _URL_BODY.match(text, c + 3).end()
        scheme = text[start:c]
        if start < c and (start == 0 or not (text[start - 1].isalnum() or text[start - 1] in "+.-")):
            url = text[start:end]
            why = _url_leak(url, scheme, needles)
            if why:
                yield start, end, why
        pos = end
        c = text.find("://", max(end, c + 3))


def _url_leak(url: str, scheme: str, needles: Needles) -> str | None:
    host = host_of(url)
    if "%" in host:  # a browser decodes the host: `grafana%2Ecorp` is grafana.corp
        host = fold(unquote(host))
    host = host.rstrip(".")
    if not host:
        return None
    if host in needles.trackers():
        return "a link to the internal tracker"
    if _suffix_of(host, needles.tools):
        return "a link to an internal tool"
    if (
        _suffix_of(host, needles.domains)
        or private_host(host)
        or (scheme in _WEB_SCHEMES and "." not in host and ":" not in host)
    ):
        return "a private link"
    return None


def _bare_hosts(text: str, needles: Needles, urls: list[tuple[int, int]]) -> Iterator[tuple[int, int, str]]:
    """Host names ending in an internal domain (or an internal tool's host): from each
    ".domain", back over at most 253 host characters."""
    pattern = _endings_pattern(needles.domains, needles.tools)
    if pattern is None:
        return
    for m in pattern.finditer(text):
        i, end = m.span()
        if text[end : end + 1] == "." and text[end + 1 : end + 2] in _HOST_CHAR and text[end + 1 : end + 2]:
            continue  # a label follows: "corp.example.com" is public
        back = _HOST_BEFORE.match(text[max(0, i - 253) : i][::-1])
        start = i - (back.end() if back else 0)
        while start < i and text[start] in ".-_":
            start += 1
        if start < i and not _inside(start, urls):
            yield (
                start,
                end,
                "an internal tool's address" if m.group()[1:] in needles.tools else "an internal host name",
            )


@functools.lru_cache(maxsize=64)
def _endings_pattern(domains: tuple[str, ...], tools: tuple[str, ...]) -> re.Pattern[str] | None:
    """ ".ending" for any of the endings, where a host name ends (longest first)."""
    endings = sorted({*domains, *tools}, key=len, reverse=True)
    if not endings:
        return None
    return re.compile(r"\.(?:" + "|".join(re.escape(e) for e in endings) + r")(?![a-z0-9_-])")


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    k = bisect.bisect_right(spans, (pos, float("inf"))) - 1
    return k >= 0 and spans[k][0] <= pos < spans[k][1]


def _addresses(text: str, urls: list[tuple[int, int]]) -> Iterator[tuple[int, int, str]]:
    if _DIGIT_DOT_DIGIT.search(text):
        for pattern in (_IPV4, _SHORT_IPV4):
            for m in pattern.finditer(text):
                ip = whatwg_ipv4(m.group(), decimal_only=True)
                if ip is not None and _private(ip) and not _inside(m.start(), urls):
                    yield m.start(), m.end(), "a private address"
    if ":" not in text:
        return
    seen: set[int] = set()
    for m in _BRACKET_IPV6.finditer(text) if "[" in text else ():
        if private_host(m.group(1)) and not _inside(m.start(), urls):
            seen.add(m.start() + 1)
            yield m.start(), m.end(), "a private address"
    candidates: list[tuple[int, int]] = []
    if "::" not in text and text.count(":") < 7:
        return
    c = text.find("::")
    while c >= 0:
        back = _IPV6_LEFT.match(text[max(0, c - 39) : c][::-1])  # no dot left of "::"
        start = c - (back.end() if back else 0)
        end = _IPV6_CHARS.match(text, c, min(len(text), c + 45)).end()
        candidates.append((start, end))
        c = text.find("::", max(end, c + 2))
    if text.count(":") >= 7:
        candidates += [(m.start(), m.end()) for m in _IPV6_FULL.finditer(text)]
    for start, end in candidates:
        while end > start and text[end - 1] == ".":
            end -= 1
        word_before = start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")
        word_after = end < len(text) and (text[end].isalnum() or text[end] == "_")
        if start in seen or word_before or word_after or not text[start:end].strip(":.") or _inside(start, urls):
            continue
        if private_host(text[start:end]):
            seen.add(start)
            yield start, end, "a private address"


def _channels(text: str) -> Iterator[tuple[int, int, str]]:
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
            if _word_at(text, m.end()):
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


def _word_at(text: str, i: int) -> bool:
    return 0 <= i < len(text) and (text[i].isalnum() or text[i] == "_")


def _phrases(text: str, phrases: list[str], why: str) -> Iterator[tuple[int, int, str]]:
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
            if ok and not _word_at(text, end):
                yield i, end, why
            i = text.find(first, i + 1)


def _sub_headings(text: str, needles: Needles) -> Iterator[tuple[int, int, str]]:
    """`###` sub-sections of a public section that are internal by their title: a
    section of the template that is not public ("### Timeline"), or a marker."""
    if "###" not in text:
        return
    for m in _SUB_HEADING.finditer(text):
        title = normalise(m.group(1).rstrip("# \t"))
        if title in needles.private_headings:
            yield m.start(1), m.end(1), "a sub-section that is not public"


def _find(text: str, needles: Needles, source: Callable[[int, int], str]) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    urls: list[tuple[int, int]] = []
    if "://" in text:
        for start, end, why in _urls(text, needles):
            found.append((start, end, why))
            urls.append((start, end))
    found += _bare_hosts(text, needles, urls)
    found += _addresses(text, urls)
    if "@" in text:
        found += ((m.start(), m.end(), "a chat handle") for m in _MENTION.finditer(text))
    if "#" in text:
        found += _channels(text)
        found += _sub_headings(text, needles)
    found += _phrases(text, needles.names, "a person's name")
    found += (
        (s, e, why) for s, e, why in _phrases(text, needles.name_words, "a person's name") if not source(s, e).islower()
    )
    for phrases, why in ((needles.words, "an internal name"), (needles.markers, "a part marked internal")):
        if phrases is not None and any(w in text for w in phrases.required):
            found += (
                (m.start(), m.end(), why) for m in phrases.pattern.finditer(text) if not _word_at(text, m.start() - 1)
            )
    found.sort(key=lambda f: (f[0], f[0] - f[1]))
    out: list[tuple[int, int, str]] = []
    last_end = -1
    for start, end, why in found:  # the longest of overlapping matches ("Priya Raman", not "Priya")
        if start >= last_end:
            out.append((start, end, why))
            last_end = end
    return out


# ---- one postmortem ------------------------------------------------------------------


@dataclass(slots=True)
class Leak:
    line: int
    column: int
    message: str


def public_sections(pm: Postmortem, template: Any) -> list[Any]:
    """The sections of `pm` its template makes public, in file order."""
    keys = {normalise(s) for s in (template.public_sections if template else [])}
    return [s for s in pm.sections if s.key in keys]


def section_text(pm: Postmortem, section: Any) -> str:
    """A public section's Markdown as the public page takes it: heading to last line."""
    return "\n".join(pm.lines[section.line - 1 : section.end_line])


def shown_actions(pm: Postmortem) -> list[tuple[int, str]]:
    """(index, summary) of the actions the public page lists ("What we are changing")."""
    return [(i, a.summary) for i, a in enumerate(pm.meta.actions) if a.status != "wont-do"]


def _line_placer(text: str, first_line: int) -> Callable[[int], tuple[int, int]]:
    starts: list[int] = []  # worked out at the first leak: most texts have none

    def place(offset: int) -> tuple[int, int]:
        if not starts:
            starts.extend(m.end() for m in _LINE_START.finditer(text))
        k = bisect.bisect_right(starts, offset) - 1
        return first_line + k, offset - starts[k] + 1

    return place


_LINE_START = re.compile(r"^", re.MULTILINE)


def _scalar_placer(pm: Postmortem, path: tuple[Any, ...]) -> Callable[[int], tuple[int, int]]:
    return lambda offset: pm.line_of.text_pos(path, offset)


def sources(pm: Postmortem, template: Any) -> list[Source]:
    """Everything of `pm` the public site shows, in the order the page shows it."""
    out = [Source(pm.meta.title, False, _scalar_placer(pm, ("title",)), "in the title (shown publicly)")]
    for section in public_sections(pm, template):
        text = section_text(pm, section)
        out.append(Source(text, True, _line_placer(text, section.line), "in a public section"))
    for i, summary in shown_actions(pm):
        out.append(
            Source(
                summary, False, _scalar_placer(pm, ("actions", i, "summary")), "in an action summary (shown publicly)"
            )
        )
    return out


MAX_LEAKS = 1000  # per postmortem: placed and worded, the first ones only (one is enough to refuse it)


def find_leaks(pm: Postmortem, settings: Any, template: Any) -> list[Leak]:
    """Each leak in what the public version of `pm` shows (its front matter must be valid),
    at its file position. `settings` is the configuration's `public` part."""
    srcs = sources(pm, template)
    view, starts = build_view(srcs)
    if not view.text:
        return []

    def source(s: int, e: int) -> str:
        a, b = view.start(s), view.end(e)
        k = bisect.bisect_right(starts, a) - 1
        return srcs[k].raw[a - starts[k] : b - starts[k]]

    leaks = []
    for s, e, why in _find(view.text, needles(pm, settings, template), source)[:MAX_LEAKS]:
        a = view.start(s)
        k = bisect.bisect_right(starts, a) - 1
        line, column = srcs[k].place(a - starts[k])
        leaks.append(Leak(line, column, f"{why} {srcs[k].where}: “{_short(source(s, e))}”"))
    return leaks


def scan_text(text: str, settings: Any, names: tuple[str, ...] = ()) -> list[tuple[int, int, str]]:
    """(start, end, why) of each leak in one Markdown text (offsets into `text`): the
    rule's whole scan of a public section, for timing it on adversarial input
    (fuzz/regex_timing.py). `settings` is the configuration's `public` part."""
    view, _ = build_view([Source(text, True, lambda i: (1, i + 1), "")])
    full = [fold(n) for n in names]
    found = Needles(
        names=full,
        name_words=[w for n in full for w in n.split() if len(w) >= 3],
        words=_phrase_pattern(tuple(settings.internal_words)),
        markers=_phrase_pattern(tuple(settings.internal_markers)),
        domains=_cached_hosts(tuple(settings.internal_domains)),
        tools=_cached_hosts(tuple(settings.internal_tools)),
        trackers=lambda: {"tracker.example.com"},
        private_headings=frozenset({"timeline"}),
    )
    return [
        (view.start(s), view.end(e), why)
        for s, e, why in _find(view.text, found, lambda s, e: text[view.start(s) : view.end(e)])
    ]


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def needles(pm: Postmortem, settings: Any, template: Any) -> Needles:
    names, words = people_names(pm)
    public = {normalise(s) for s in (template.public_sections if template else [])}
    return Needles(
        names=names,
        name_words=words,
        words=_phrase_pattern(tuple(settings.internal_words)),
        markers=_phrase_pattern(tuple(settings.internal_markers)),
        domains=_cached_hosts(tuple(settings.internal_domains)),
        tools=_cached_hosts(tuple(settings.internal_tools)),
        trackers=_once(lambda: tracker_hosts(pm)),
        private_headings=_private_headings(tuple(template.keys) if template else (), frozenset(public)),
    )


def _once(make: Callable[[], set[str]]) -> Callable[[], set[str]]:
    """`make()`, worked out at the first call only (functools.cache costs more to set up)."""
    kept: list[set[str]] = []

    def get() -> set[str]:
        if not kept:
            kept.append(make())
        return kept[0]

    return get


@functools.lru_cache(maxsize=64)
def _cached_hosts(values: tuple[str, ...]) -> tuple[str, ...]:
    return _hosts(list(values))


@dataclass(frozen=True, slots=True)
class Phrases:
    pattern: re.Pattern[str]
    required: tuple[str, ...]  # the longest word of each phrase: none in the text, no match


@functools.lru_cache(maxsize=64)
def _phrase_pattern(values: tuple[str, ...]) -> Phrases | None:
    """Whole-word occurrences of any of the phrases (folded; words apart by spaces or line
    breaks), as one pattern made once per configuration. Linear: each branch starts with
    a literal word, and a run of spaces is followed by a letter, never by more spaces."""
    phrases = sorted({" ".join(fold(v).split()) for v in values} - {""}, key=len, reverse=True)
    if not phrases:
        return None
    branches = "|".join("[ \n]+".join(re.escape(w) for w in p.split()) for p in phrases)
    # No look-behind in front: the pattern then starts with a literal, which the engine
    # finds fast; a match inside a word is dropped by the caller.
    required = tuple(sorted({max(p.split(), key=len) for p in phrases}))
    return Phrases(re.compile(f"(?:{branches})(?![\\w])"), required)


@functools.lru_cache(maxsize=64)
def _private_headings(keys: tuple[str, ...], public: frozenset[str]) -> frozenset[str]:
    return frozenset(fold(k) for k in keys if k not in public)


def tracker_hosts(pm: Postmortem) -> set[str]:
    hosts = set()
    for a in pm.meta.actions:
        if a.tracker:
            host = host_of(a.tracker)
            if host:
                hosts.add(fold(host).rstrip("."))
    return hosts


def people_names(pm: Postmortem) -> tuple[list[str], list[str]]:
    """Folded full names and single name words of the people a postmortem names (authors,
    incident commander, facilitator, participants) and of the action owners that look
    like people (not "edge team"; "priya raman" is a person, written small)."""
    full: set[str] = set()
    words: set[str] = set()
    m = pm.meta
    roles = [getattr(m, "incident_commander", None), getattr(m, "facilitator", None), *getattr(m, "participants", ())]
    for name in [*m.authors, *(r for r in roles if isinstance(r, str)), *(a.owner for a in m.actions if a.owner)]:
        f, w = _names_of(name)
        full.update(f)
        words.update(w)
    return sorted(full), sorted(words - full)


# The same few people own actions and write postmortems across a knowledge base.
@functools.lru_cache(maxsize=4096)
def _names_of(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    name = " ".join(name.split())
    if not name or name.upper() == "TODO":
        return (), ()
    if looks_like_a_person(name):
        # Single words as before: three letters or more, capitalised where written.
        return (fold(name),), tuple(fold(w) for w in name.split() if len(w) >= 3 and w[0].isupper())
    words = name.split()
    if len(words) >= 2 and all(w.isalpha() for w in words) and looks_like_a_person(name.title()):
        return (fold(name),), ()  # only the whole name: its words may be ordinary ones
    return (), ()


# ---- the public build ------------------------------------------------------------------

# Under "mkdocs.plugins" so that MkDocs prints it as it prints the plugin's warnings.
REFUSALS = logging.getLogger("mkdocs.plugins.postmortem_kb.public_site")
# The refused paths alone, for `pmkb build --public` (see RefusalLedger): never shown.
LEDGER = logging.getLogger("postmortem_kb.public_site.refused")
LEDGER.propagate = False
LEDGER.setLevel(logging.INFO)


def blocking_leaks(pm: Postmortem, settings: Any, template: Any) -> list[Leak]:
    """The leaks that keep `pm` off the public site: every one the check reports, that
    is all but those a `pmkb: disable=public-leak` comment silences in the file (a
    reviewed exception, as for the check). `settings` is the whole configuration."""
    leaks = find_leaks(pm, settings.public, template)
    if leaks and pm.suppressions is not None:
        code = registry()["public-leak"].code
        leaks = [k for k in leaks if not pm.suppressions.silenced(k.line, code, "public-leak")]
    return leaks


def refuse(pm: Postmortem, leaks: list[Leak]) -> None:
    first = leaks[0]
    REFUSALS.warning(
        "postmortem_kb: %s is left out of the public site: %d public-leak finding(s), the first at line %d, column %d: %s. Run `pmkb check %s` for all of them.",
        pm.path,
        len(leaks),
        first.line,
        first.column,
        first.message,
        pm.path,
    )
    LEDGER.info(pm.path)


class RefusalLedger:
    """The postmortems a public build left out, whichever process built the plan (a full
    build makes it in a forked child, see offload): each refusal is written to a
    temporary file both processes share, not kept in memory."""

    def __enter__(self) -> RefusalLedger:
        self._file = tempfile.TemporaryFile("w+", encoding="utf-8")
        self._handler = logging.StreamHandler(self._file)
        LEDGER.addHandler(self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        LEDGER.removeHandler(self._handler)
        self._file.close()

    def paths(self) -> list[str]:
        """The refused postmortems' paths, each once, in the order they were refused."""
        self._handler.flush()
        self._file.seek(0)
        return list(dict.fromkeys(line for line in self._file.read().splitlines() if line))
