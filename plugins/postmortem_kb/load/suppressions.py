"""Suppression comments: which rules a `pmkb: disable…` comment silences on which lines.

They are read from two places, each by the rules of its own syntax so that the same text
inside a value, a code span or a link target never silences anything: YAML comments of
the front matter (`# pmkb: …`, as PyYAML's scanner sees them) and HTML comments of the
Markdown body (`<!-- pmkb: … -->`, as Markdown renders them).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import yaml

from .markdown_syntax import _HEADING, _HTML_MAX, code_spans

# A suppression is a comment whose text starts with `pmkb:` (see `directive`).
_SUPPRESS = re.compile(r"\s*pmkb:\s*(disable-next-line|disable-file|disable)(?![\w-])(?:\s*=\s*([\w\-, ]+))?")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
_MARKUP = re.compile(r"[\\`<\]]")  # where a code span, comment, tag or link target may start
# An HTML open or closing tag as CommonMark reads it (attribute values quoted or not).
_TAG = re.compile(
    r"""<(?:[A-Za-z][A-Za-z0-9-]*"""  # an open tag's name,
    r"""(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)*\s*/?"""  # its attributes
    r"""|/[A-Za-z][A-Za-z0-9-]*\s*)>"""  # or a closing tag
)
_YAML_BREAKS = "\x85\u2028\u2029"  # PyYAML ends a comment at these too


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


def directive(comment: str, lineno: int, supp: Suppressions) -> None:
    """Apply one comment's text (without `<!--`/`#`) if it starts with a suppression:
    `pmkb: disable=…` silences its own line and the next, `disable-next-line` the next,
    `disable-file` the whole file; without `=…`, every rule."""
    m = _SUPPRESS.match(comment)
    if m is None:
        return
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


def parse_suppressions(lines: list[str], first_line: int, supp: Suppressions) -> None:
    """Suppressions in YAML comments (`# pmkb: disable=…`) of the front matter `lines`
    (with its `---` lines; the first is file line `first_line`).

    Only real comments count: a `#` that PyYAML's scanner does not read as part of a
    value (a quoted or block scalar, a URL, a title) and that follows a space or starts
    the line. Nothing counts past the point where the YAML stops scanning."""
    if lines and lines[0].rstrip() == "---":
        lines, first_line = lines[1:], first_line + 1
    if lines and lines[-1].rstrip() in ("---", "..."):
        lines = lines[:-1]
    last = max((i for i, t in enumerate(lines) if "pmkb:" in t), default=-1)
    if last < 0:
        return
    text = "\n".join(lines[: last + 1])  # nothing after the last directive matters
    values, upto = _yaml_values(text)
    starts = [a for a, _ in values]
    offset = 0
    for i, line in enumerate(lines[: last + 1]):
        if "pmkb:" in line:
            for col in _yaml_comment_columns(line):
                at = offset + col
                k = bisect.bisect_right(starts, at) - 1
                if at < upto and not (k >= 0 and values[k][0] <= at < values[k][1]):
                    comment = re.split(f"[{_YAML_BREAKS}]", line[col + 1 :], maxsplit=1)[0]
                    directive(comment, first_line + i, supp)
                    break  # the rest of the line is this comment
        offset += len(line) + 1


def _yaml_comment_columns(line: str) -> list[int]:
    """Columns of `#`s that may start a YAML comment: at the start or after a blank."""
    return [i for i, c in enumerate(line) if c == "#" and (i == 0 or line[i - 1] in " \t")]


def _yaml_values(text: str) -> tuple[list[tuple[int, int]], int]:
    """(start, end) offsets of every scalar PyYAML's scanner reads in `text`, and how far
    it scanned: the start of the token it failed on, or the end of the text."""
    values: list[tuple[int, int]] = []
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):  # pure Python: marks are character offsets
            if isinstance(token, yaml.ScalarToken):
                values.append((token.start_mark.index, token.end_mark.index))
    except yaml.YAMLError as err:
        marks = [
            m.index for m in (getattr(err, "context_mark", None), getattr(err, "problem_mark", None)) if m is not None
        ]
        return values, min(marks, default=values[-1][1] if values else 0)
    return values, len(text) + 1


def body_suppressions(body: list[str], body_start: int, supp: Suppressions) -> None:
    """Suppressions in the HTML comments of the Markdown body (`<!-- pmkb: … -->`).

    Only a comment as Markdown renders it counts, never the same text in a fenced or
    indented code block, a code span (one that spans lines too), a link target or
    title, an HTML tag's attribute, a heading, or after a backslash."""
    fence: str | None = None
    in_comment = False
    open_ticks = False  # a backtick run of this paragraph not closed yet: a code span may be open
    in_list = False
    code_block = False
    prev_blank = True
    for i, raw in enumerate(body):
        stripped = raw.strip()
        lead = raw[: len(raw) - len(raw.lstrip())].expandtabs(4)
        if fence is not None:  # fences at any indentation: in a list item too
            if stripped.startswith(fence):
                fence = None
            continue
        if in_comment:
            end = raw.find("-->")
            if end < 0:
                continue
            in_comment = False
            text = " " * (end + 3) + raw[end + 3 :]
        else:
            text = raw
        if not stripped:
            prev_blank, open_ticks = True, False
            continue
        if stripped[:3] in ("```", "~~~"):
            fence = stripped[:3]
            prev_blank = False
            continue
        if _LIST_ITEM.match(raw):
            in_list = True
        elif len(lead) < 2 and prev_blank:
            in_list = False
        code_block = len(lead) >= 4 and (prev_blank or code_block) and not in_list
        prev_blank = False
        if code_block or _HEADING.match(text) or ("<!--" not in text and "`" not in text):
            continue
        comments, in_comment, open_ticks = _html_comments(text, open_ticks)
        for comment in comments:
            directive(comment, body_start + i, supp)


def _html_comments(text: str, open_ticks: bool) -> tuple[list[str], bool, bool]:
    """The texts of the HTML comments that start on this line, left to right as
    Markdown reads it; whether the last one runs on to the next line; whether a
    backtick run is left open (a code span may go on)."""
    if open_ticks:  # what looks like a comment may be inside that code span
        return [], False, True
    found: list[str] = []
    ticks = {a: b for a, b in code_spans(text)}
    close: dict[str, int] = {}  # closer -> its next position (-1: none left)

    def after(closer: str, start: int) -> int:
        at = close.get(closer, -2)
        if at == -1 or (at >= start):
            return at
        at = close[closer] = text.find(closer, start)
        return at

    n = len(text)
    m = _MARKUP.search(text)
    while m is not None:
        i, c = m.start(), m.group()
        if c == "\\":
            i += 2
        elif c == "`":
            if i in ticks:
                i = ticks[i]
            else:
                return found, False, True  # unmatched here: may close on a later line
        elif text.startswith("<!--", i):
            end = after("-->", i + 4)
            if end < 0:
                found.append(text[i + 4 :])
                return found, True, False
            found.append(text[i + 4 : end])
            i = end + 3
        elif c == "<" and (tag := _TAG.match(text, i, i + _HTML_MAX)):
            i = tag.end()  # a tag: its quoted attribute values are no comments
        elif c == "]" and i + 1 < n and text[i + 1] in "([":
            end = after(")" if text[i + 1] == "(" else "]", i + 2)
            i = end + 1 if end >= 0 else i + 2  # a link's target and title
        else:
            i += 1
        m = _MARKUP.search(text, i)
    return found, False, False
