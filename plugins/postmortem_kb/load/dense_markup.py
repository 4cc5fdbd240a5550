"""Inline markup too dense for Python-Markdown to render in bounded time.

Python-Markdown's inline patterns scan ahead from every `[` for its closing bracket and
recurse into nested emphasis: 2,000 nested `*` (4 KB) overflow the stack, 5,000 `[`
take close to a minute, and a page of short paragraphs of sixteen `[` each renders at
25 KB a second. A postmortem needs a few dozen links and emphases per paragraph and a
few hundred per page; past the limits below, the site shows the paragraph (or the
page) as plain preformatted text, and `pmkb check` reports where (PM623).
"""

from __future__ import annotations

from dataclasses import dataclass

from .sections import _FENCE, as_text

MAX_BRACKETS_PER_BLOCK = 64
MAX_EMPHASIS_PER_BLOCK = 128  # `*` and `_`: snake_case words spend a few
MAX_MARKS_PER_PAGE = 4_000


@dataclass(frozen=True, slots=True)
class Dense:
    start: int  # 0-based line index of the block's first line
    end: int  # one past its last line
    what: str


def _blocks(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each run of non-blank lines outside fenced code."""
    out: list[tuple[int, int]] = []
    fence: str | None = None
    start: int | None = None
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            continue
        if (m := _FENCE.match(line)) is not None:
            if start is not None:
                out.append((start, i))
                start = None
            fence = m.group(1)[0] * 3
            continue
        if not stripped:
            if start is not None:
                out.append((start, i))
                start = None
        elif start is None:
            start = i
    if start is not None:
        out.append((start, len(lines)))
    return out


def dense_blocks(lines: list[str]) -> tuple[list[Dense], bool]:
    """The blocks over a per-block limit, and whether the page as a whole is over its
    limit (then every block is shown as text)."""
    text = "\n".join(lines)
    if text.count("[") + text.count("*") + text.count("_") <= MAX_BRACKETS_PER_BLOCK:
        return [], False  # the usual page: nothing to measure (three C counts, not a list of matches)
    found: list[Dense] = []
    total = 0
    for start, end in _blocks(lines):
        block = "\n".join(lines[start:end])
        brackets = block.count("[")
        emphasis = block.count("*") + block.count("_")
        total += brackets + emphasis
        if brackets > MAX_BRACKETS_PER_BLOCK:
            found.append(Dense(start, end, f"{brackets} `[` in one paragraph (more than {MAX_BRACKETS_PER_BLOCK})"))
        elif emphasis > MAX_EMPHASIS_PER_BLOCK:
            found.append(
                Dense(start, end, f"{emphasis} `*` and `_` in one paragraph (more than {MAX_EMPHASIS_PER_BLOCK})")
            )
    return found, total > MAX_MARKS_PER_PAGE


def density_problems(lines: list[str], body_start: int) -> list[tuple[int, int, str]]:
    """(line, column, message), 1-based, for pmkb check."""
    body = lines[body_start - 1 :]
    found, page = dense_blocks(body)
    if page:
        return [
            (
                body_start,
                1,
                f"more than {MAX_MARKS_PER_PAGE} `[`, `*` and `_` in the body; the site shows it as plain text",
            )
        ]
    return [(body_start + d.start, 1, f"{d.what}; the site shows it as plain text") for d in found]


def limit_density(markdown: str) -> str:
    """`markdown` with each over-dense paragraph (or, past the page's limit, the whole
    text) replaced by the same text, HTML-escaped, in a `<pre>` block of its own."""
    lines = markdown.split("\n")
    found, page = dense_blocks(lines)
    if not found and not page:
        return markdown
    if page:
        return as_text(lines, [(0, len(lines))], "pmkb-too-dense").strip("\n")
    return as_text(lines, [(d.start, d.end) for d in found], "pmkb-too-dense")
