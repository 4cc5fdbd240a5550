"""Guards for Python-Markdown's recursion, which goes one level deeper per list, quote or
`markdown`-attributed HTML block: deep enough input overflows the stack. What passes the
limit is reported (`nesting_problems`, for `pmkb check`) and shown as text on the site
(`limit_nesting`, before Python-Markdown sees the page).
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass

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
    message = (
        f"{len(found)} HTML blocks with a `markdown` attribute (at most {limit}); "
        "the site shows the Markdown in all of them as it is"
    )
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
