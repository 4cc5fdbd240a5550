"""Scan a Markdown body once: `## ` sections, and the prose with code, links and quotes masked.

A line scanner rather than a full Markdown parse: checking 5,000 postmortems in well
under two seconds leaves no room for a pure-Python parser, and the rules only need to
know what is a heading, code, a comment, a quote, a link target or prose.

The pieces live beside it, one job each: `markdown_syntax` (the line and span syntax
both scanners read), `suppressions` (`pmkb: disable` comments) and `nesting` (the guards
for Python-Markdown's recursion). Their names are re-exported here, where the loaders,
rules, site and tests have always imported them.
"""

from __future__ import annotations

import functools
import re

from ..model import Section
from .markdown_syntax import _FENCE, _HEADING, _blank_spans, code_spans, mask_line, spans
from .nesting import MAX_NESTING, DeepRegion, as_text, deep_regions, limit_nesting, nesting_depth, nesting_problems
from .suppressions import (
    Suppressions,
    _yaml_comment_columns,
    _yaml_values,
    body_suppressions,
    directive,
    parse_suppressions,
)

__all__ = [  # the names other modules and the tests import from here
    "MAX_NESTING",
    "_FENCE",
    "DeepRegion",
    "Suppressions",
    "_yaml_comment_columns",
    "_yaml_values",
    "as_text",
    "body_suppressions",
    "code_spans",
    "deep_regions",
    "directive",
    "heading_title",
    "limit_nesting",
    "mask_line",
    "nesting_depth",
    "nesting_problems",
    "normalise",
    "parse_suppressions",
    "scan",
    "spans",
]

# Quoted chat or log lines: "[14:02] alice: ...", "<alice> ...", "14:02:11 ERROR ...".
_CHAT = re.compile(
    r"^\s*(?:[-*]\s+)?"  # an optional bullet, then one of:
    r"(?:\[\d{1,2}:\d{2}(?::\d{2})?\]"  # [14:02]
    r"|<[\w.@-]+>"  # <alice>
    r"|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}\S*\s+(?:[A-Z]+\b)?"  # 2024-03-14T14:02:11Z ERROR
    r"|\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\s+[A-Z]{3,})"  # 14:02:11 ERROR
)


@functools.lru_cache(maxsize=4096)  # the same few titles, on every file
def normalise(title: str) -> str:
    title = re.sub(r"[*_`]", "", title)
    return re.sub(r"\s+", " ", title).strip().rstrip(":").lower()


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


def heading_title(rest: str) -> str:
    """A heading's text without its optional closing `#`s (CommonMark: they follow a space)."""
    title = rest.rstrip(" \t")
    bare = title.rstrip("#")
    if len(bare) < len(title) and (not bare or bare[-1] in " \t"):
        title = bare.rstrip(" \t")
    return title


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
        body_suppressions(body, body_start, supp)
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
        prose.append(
            mask_line(text) if "`" in text or "]" in text or "<" in text or "://" in text or "www." in text else text
        )
    if current is not None:
        current.end_line = body_start + len(body) - 1
    return sections, "\n".join(prose), supp
