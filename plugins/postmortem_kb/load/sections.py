"""Scan a Markdown body once: `## ` sections, prose with code/links/quotes masked, suppressions.

A line scanner rather than a full Markdown parse: checking 5,000 postmortems in well
under two seconds leaves no room for a pure-Python parser, and the rules only need to
know what is a heading, code, a comment, a quote, a link target or prose.

Linear time on any input: a pattern that scans to a closing delimiter (`](…)`, `<!--…-->`,
a backtick string) would rescan the rest of the line from every opener when the closer
never comes, so those spans are found by one left-to-right pass, not by regex search.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from ..model import Section

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*)$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BACKTICKS = re.compile(r"`+")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:.*$")  # anchored: one attempt per line
_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+")
_HTML_MAX = 502  # `<`, up to 500 characters, `>`
# Quoted chat or log lines: "[14:02] alice: ...", "<alice> ...", "14:02:11 ERROR ...".
_CHAT = re.compile(r"^\s*(?:[-*]\s+)?(?:\[\d{1,2}:\d{2}(?::\d{2})?\]|<[\w.@-]+>|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}\S*\s+(?:[A-Z]+\b)?|\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\s+[A-Z]{3,})")
_SUPPRESS = re.compile(r"pmkb:\s*(disable-next-line|disable-file|disable)(?:\s*=\s*([\w\-, ]+))?")


@functools.lru_cache(maxsize=4096)  # the same few titles, on every file
def normalise(title: str) -> str:
    title = re.sub(r"[*_`]", "", title)
    return re.sub(r"\s+", " ", title).strip().rstrip(":").lower()


@dataclass(slots=True)
class Suppressions:
    """Which rule codes/names are silenced on which file lines ("*" = all)."""

    by_line: dict[int, set[str]] = field(default_factory=dict)
    file: set[str] = field(default_factory=set)

    def add(self, line: int, codes: set[str]) -> None:
        self.by_line.setdefault(line, set()).update(codes)

    def silenced(self, line: int, code: str, rule: str) -> bool:
        code, rule = code.lower(), rule.lower()
        for bucket in (self.file, self.by_line.get(line, ())):
            if "*" in bucket or code in bucket or rule in bucket:
                return True
        return False


def parse_suppressions(lines: list[str], first_line: int, supp: Suppressions) -> None:
    """`pmkb: disable=…` silences its own line and the next; `disable-next-line` the next."""
    for i, text in enumerate(lines):
        if "pmkb:" not in text:
            continue
        lineno = first_line + i
        for m in _SUPPRESS.finditer(text):
            kind, raw = m.group(1), m.group(2)
            # Codes end at the comment's closing `-->`: "PM301 -->" is PM301.
            codes = {c.strip("-").lower() for c in re.split(r"[,\s]+", raw) if c.strip("-")} if raw else set()
            codes = codes or {"*"}
            if kind == "disable-file":
                supp.file.update(codes)
            elif kind == "disable-next-line":
                supp.add(lineno + 1, codes)
            else:
                supp.add(lineno, codes)
                supp.add(lineno + 1, codes)


def _may_be_chat(stripped: str) -> bool:
    """Whether `_CHAT` can match a line (stripped of its whitespace, not empty): what
    follows the bullet, if any, must be `[`, `<` or a digit. Most lines start with a
    letter, a `|` or a bullet and a letter, and skip the regex."""
    first = stripped[0]
    if first in "-*":
        rest = stripped[1:]
        if not rest or not rest[0].isspace():
            return False
        first = rest.lstrip()[:1]
        if not first:
            return False
    return first in "[<" or first.isdecimal()


def _blank(match: re.Match[str]) -> str:
    return " " * (match.end() - match.start())


def heading_title(rest: str) -> str:
    """A heading's text without its optional closing `#`s (CommonMark: they follow a space)."""
    title = rest.rstrip(" \t")
    bare = title.rstrip("#")
    if len(bare) < len(title) and (not bare or bare[-1] in " \t"):
        title = bare.rstrip(" \t")
    return title


def spans(text: str, opener: str, closer: str, limit: int | None = None) -> list[tuple[int, int]]:
    """Leftmost non-overlapping `opener … closer` spans (the first closer after the opener,
    the whole span at most `limit` long), as `re.sub` with a lazy pattern would find them,
    in one pass: the next closer is looked up only when the last one is behind."""
    out: list[tuple[int, int]] = []
    close = -1
    i = text.find(opener)
    while i >= 0:
        body = i + len(opener)
        if close < body:
            close = text.find(closer, body)
            if close < 0:
                break
        end = close + len(closer)
        if limit is None or end - i <= limit:
            out.append((i, end))
            i = text.find(opener, end)
        else:
            i = text.find(opener, i + 1)
    return out


def code_spans(text: str) -> list[tuple[int, int]]:
    """Inline code: a backtick string up to the next backtick string of the same length."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    following: list[int] = [-1] * len(runs)
    last: dict[int, int] = {}
    for k in range(len(runs) - 1, -1, -1):
        size = runs[k][1] - runs[k][0]
        following[k] = last.get(size, -1)
        last[size] = k
    out: list[tuple[int, int]] = []
    k = 0
    while k < len(runs):
        j = following[k]
        if j < 0:
            k += 1
            continue
        out.append((runs[k][0], runs[j][1]))
        k = j + 1
    return out


def _blank_spans(text: str, found: list[tuple[int, int]]) -> str:
    if not found:
        return text
    parts: list[str] = []
    pos = 0
    for a, b in found:
        parts.append(text[pos:a])
        parts.append(" " * (b - a))
        pos = b
    parts.append(text[pos:])
    return "".join(parts)


def mask_line(text: str) -> str:
    """Blank out what the language rules must not read, keeping columns."""
    if "`" in text:
        text = _blank_spans(text, code_spans(text))
    if "](" in text:
        text = _blank_spans(text, spans(text, "](", ")"))
    if "][" in text:
        text = _blank_spans(text, spans(text, "][", "]"))
    if "]:" in text:
        text = _LINK_DEFINITION.sub(_blank, text)
    if "://" in text or "www." in text:
        text = _URL.sub(_blank, text)
    if "<" in text:
        text = _blank_spans(text, spans(text, "<", ">", _HTML_MAX))
    return text


def scan(lines: list[str], body_start: int, suppressions: bool = True) -> tuple[list[Section], str, Suppressions]:
    """Sections (level-2 headings), the masked prose of the body, and suppression comments
    (unless the caller knows there are none: no `pmkb:` in the file)."""
    sections: list[Section] = []
    prose: list[str] = []
    supp = Suppressions()
    fence: str | None = None
    in_comment = False
    current: Section | None = None
    body = lines[body_start - 1 :]
    if suppressions:
        parse_suppressions(body, body_start, supp)
    for i, raw in enumerate(body):
        if not raw:  # empty prose, whether in a fence, in a comment or neither
            prose.append("")
            continue
        text = raw
        if fence is not None:
            prose.append("")
            if text.lstrip().startswith(fence):
                fence = None
            elif current is not None and text.strip():
                current.has_content = True
            continue
        if in_comment:
            end = text.find("-->")
            if end < 0:
                prose.append("")
                continue
            in_comment = False
            text = " " * (end + 3) + text[end + 3 :]
        if "<!--" in text:
            text = _blank_spans(text, spans(text, "<!--", "-->"))
            start = text.find("<!--")
            if start >= 0:
                in_comment = True
                text = text[:start]
        fm = _FENCE.match(text) if "`" in text or "~" in text else None
        if fm:
            fence = fm.group(1)[0] * 3
            prose.append("")
            if current is not None:
                current.has_content = True
            continue
        stripped = text.strip()
        if not stripped:
            prose.append("")
            continue
        first = stripped[0]
        if first == "#":
            hm = _HEADING.match(text)
            if hm:
                lineno = body_start + i
                if len(hm.group(1)) == 2:
                    if current is not None:
                        current.end_line = lineno - 1
                    title = heading_title(hm.group(2))
                    current = Section(title, normalise(title), lineno, lineno, False)
                    sections.append(current)
                elif current is not None:
                    current.has_content = True
                prose.append(mask_line(text))
                continue
        if current is not None:
            current.has_content = True
        if first == ">" or ((first in "-*[<" or first.isdecimal()) and _may_be_chat(stripped) and _CHAT.match(text)):
            prose.append("")  # quoted chat/log lines are evidence, not our words
            continue
        # mask_line changes nothing in a line without "`", "]", "<", "://" or "www." (most lines)
        prose.append(mask_line(text) if "`" in text or "]" in text or "<" in text or "://" in text or "www." in text else text)
    if current is not None:
        current.end_line = body_start + len(body) - 1
    return sections, "\n".join(prose), supp
