"""The Markdown syntax both line scanners read (`sections.scan` for sections and prose,
`suppressions.body_suppressions` for `pmkb:` comments): heading and fence lines, and the
inline spans (code, link targets, URLs, tags) to blank out of prose.

Linear time on any input: a pattern that scans to a closing delimiter (`](…)`, `<!--…-->`,
a backtick string) would rescan the rest of the line from every opener when the closer
never comes, so those spans are found by one left-to-right pass, not by regex search.
"""

from __future__ import annotations

import re

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*)$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BACKTICKS = re.compile(r"`+")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:.*$")  # anchored: one attempt per line
_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+")
_HTML_MAX = 502  # `<`, up to 500 characters, `>`


def _blank(match: re.Match[str]) -> str:
    return " " * (match.end() - match.start())


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
