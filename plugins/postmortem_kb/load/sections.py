"""Scan a Markdown body once: `## ` sections, prose with code/links/quotes masked, suppressions.

A line scanner rather than a full Markdown parse: checking 5,000 postmortems in well
under two seconds leaves no room for a pure-Python parser, and the rules only need to
know what is a heading, code, a comment, a quote, a link target or prose.

Linear time on any input: a pattern that scans to a closing delimiter (`](…)`, `<!--…-->`,
a backtick string) would rescan the rest of the line from every opener when the closer
never comes, so those spans are found by one left-to-right pass, not by regex search.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from dataclasses import dataclass, field

import yaml

from ..model import Section

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*)$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BACKTICKS = re.compile(r"`+")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:.*$")  # anchored: one attempt per line
_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+")
_HTML_MAX = 502  # `<`, up to 500 characters, `>`
# Quoted chat or log lines: "[14:02] alice: ...", "<alice> ...", "14:02:11 ERROR ...".
_CHAT = re.compile(
    r"^\s*(?:[-*]\s+)?(?:\[\d{1,2}:\d{2}(?::\d{2})?\]|<[\w.@-]+>|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}\S*\s+(?:[A-Z]+\b)?|\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\s+[A-Z]{3,})"
)
# A suppression is a comment whose text starts with `pmkb:` (see `directive`).
_SUPPRESS = re.compile(r"\s*pmkb:\s*(disable-next-line|disable-file|disable)(?![\w-])(?:\s*=\s*([\w\-, ]+))?")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
_MARKUP = re.compile(r"[\\`<\]]")  # where a code span, comment, tag or link target may start
# An HTML open or closing tag as CommonMark reads it (attribute values quoted or not).
_TAG = re.compile(
    r"""<(?:[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)*\s*/?|/[A-Za-z][A-Za-z0-9-]*\s*)>"""
)
_YAML_BREAKS = "\x85\u2028\u2029"  # PyYAML ends a comment at these too


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


# ---- nesting: Python-Markdown recurses once per level of list or quote ------------------------

MAX_NESTING = 20  # lists and quotes deeper than this are shown as plain text
# Each level takes at least one character of a line's prefix (`>`, a tab, a list marker,
# four spaces), so a line can pass the limit only if its first MAX_NESTING + 1
# characters are all of these: most files have no such line, and a regex finds that fast.
_PREFIX_CHARS = r"[ \t>*+\-0-9.)]"


@functools.lru_cache(maxsize=8)
def _deep_candidate(limit: int) -> re.Pattern[str]:
    return re.compile(rf"\n{_PREFIX_CHARS}{{{limit + 1}}}")  # starts with a literal: a fast search


def _may_be_deep(text: str, limit: int) -> bool:
    return (
        _deep_candidate(limit).search(text) is not None
        or re.match(rf"{_PREFIX_CHARS}{{{limit + 1}}}", text) is not None
    )


_BLANKS = re.compile(r"[ \t]*")
_MARKER = re.compile(r"(?:>|[-*+](?=[ \t]|$)|[0-9]{1,9}[.)](?=[ \t]|$))[ \t]?")


def nesting_depth(line: str, limit: int = MAX_NESTING) -> tuple[int, int]:
    """How many lists and quotes a line's prefix opens (every four columns of
    indentation count as one, as Python-Markdown nests lists), and the 0-based column
    where the count first passes `limit` (-1 if it does not). Stops counting there:
    work per line is bounded by `limit`, not by the line's length."""
    depth, i, n = 0, 0, len(line)
    while i < n:
        end = _BLANKS.match(line, i).end()  # type: ignore[union-attr]
        depth += (end - i + 3 * line.count("\t", i, end)) // 4
        if depth > limit:
            return depth, i
        marker = _MARKER.match(line, end)
        if marker is None:
            break
        depth += 1
        if depth > limit:
            return depth, end
        i = marker.end()
    return depth, -1


@dataclass(slots=True)
class DeepRegion:
    """Lines [start, end) (0-based, blank lines inside included) nested deeper than the
    limit; `column` (0-based) is where the first line passes it."""

    start: int
    end: int
    column: int


def deep_regions(lines: list[str], limit: int = MAX_NESTING, text: str | None = None) -> list[DeepRegion]:
    """The runs of lines nested deeper than `limit`; a run ends at a non-blank line that
    is not (blank lines between deep lines stay in the run)."""
    if not _may_be_deep(text if text is not None else "\n".join(lines), limit):
        return []
    out: list[DeepRegion] = []
    current: DeepRegion | None = None
    last_deep = -1
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        col = nesting_depth(line, limit)[1] if len(line) > limit else -1
        if col < 0:
            if current is not None:
                current.end = last_deep + 1
                current = None
            continue
        last_deep = i
        if current is None:
            current = DeepRegion(i, i + 1, col)
            out.append(current)
    if current is not None:
        current.end = last_deep + 1
    return out


def nesting_problems(lines: list[str], body_start: int, limit: int = MAX_NESTING) -> list[tuple[int, int, str]]:
    """(line, column, message), 1-based, for each run of body lines nested deeper than
    `limit`: at the line and column where the limit is passed."""
    body = lines[body_start - 1 :]
    text = "\n".join(body)  # joined once for both guards
    return [
        (
            body_start + r.start,
            r.column + 1,
            f"lists and quotes nested more than {limit} levels deep; the site shows "
            + (f"lines {body_start + r.start}–{body_start + r.end - 1}" if r.end - r.start > 1 else "this line")
            + " as plain text",
        )
        for r in deep_regions(body, limit, text)
    ] + _markdown_block_problems(text, body_start, limit)


# HTML blocks with a `markdown` attribute (md_in_html) are parsed by recursion, into
# every element inside them too: a thousand nested `<div markdown="1">` (26 KB)
# overflowed the stack. Siblings do not nest, but a postmortem has no use for more than
# `limit` of them; past that, every such attribute is dropped (dropping only the later
# ones still recursed through the HTML inside the earlier): the blocks stay HTML,
# cleaned like any other, with their Markdown shown as it is.
_MD_BLOCK = re.compile(r"<[A-Za-z][A-Za-z0-9-]*[^<>]*?\smarkdown(?=[\s=/>])[^<>]*>")  # bounded by the next < or >
_MD_ATTR = re.compile(r"""\smarkdown(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?(?=[\s/>])""")


def _markdown_blocks(text: str, limit: int) -> list[re.Match[str]]:
    """Every opening tag with a `markdown` attribute, if there are more than `limit`."""
    if "markdown" not in text:
        return []
    found = list(_MD_BLOCK.finditer(text))
    return found if len(found) > limit else []


def _markdown_block_problems(text: str, body_start: int, limit: int) -> list[tuple[int, int, str]]:
    found = _markdown_blocks(text, limit)
    if not found:
        return []
    at = found[limit].start()  # where the limit is passed
    line_start = text.rfind("\n", 0, at) + 1
    message = f"{len(found)} HTML blocks with a `markdown` attribute (at most {limit}); the site shows the Markdown in all of them as it is"
    return [(body_start + text.count("\n", 0, at), at - line_start + 1, message)]


def _limit_markdown_blocks(text: str, limit: int) -> str:
    found = _markdown_blocks(text, limit)
    if not found:
        return text
    parts: list[str] = []
    pos = 0
    for m in found:
        parts.append(text[pos : m.start()])
        parts.append(_MD_ATTR.sub("", m.group()))
        pos = m.end()
    parts.append(text[pos:])
    return "".join(parts)


def limit_nesting(markdown: str, limit: int = MAX_NESTING) -> str:
    """`markdown` with every run of lines nested deeper than `limit` replaced by the
    same lines as preformatted text (HTML-escaped, in a `<pre>` block of their own), so
    that Python-Markdown, which recurses once per level, never sees them as lists or
    quotes; and past the `limit`-th HTML block with a `markdown` attribute, that
    attribute left out. Text with neither is returned as it is."""
    return _limit_markdown_blocks(_limit_lines(markdown, limit), limit)


def _limit_lines(markdown: str, limit: int) -> str:
    if not _may_be_deep(markdown, limit):
        return markdown
    lines = markdown.split("\n")
    regions = deep_regions(lines, limit, markdown)
    if not regions:
        return markdown
    return as_text(lines, [(r.start, r.end) for r in regions], "pmkb-too-deep")


def as_text(lines: list[str], runs: list[tuple[int, int]], css_class: str) -> str:
    """`lines` joined, each run (start, end: line indexes, in order) of them replaced by
    its text, HTML-escaped, in a `<pre>` block of its own: what the site shows of
    Markdown it will not hand to Python-Markdown."""
    out: list[str] = []
    pos = 0
    for start, end in runs:
        out.extend(lines[pos:start])
        raw = "\n".join(line.replace("\r", "") for line in lines[start:end])
        out.extend(["", f'<pre class="{css_class}">{html.escape(raw, quote=False)}</pre>', ""])
        pos = end
    out.extend(lines[pos:])
    return "\n".join(out)
