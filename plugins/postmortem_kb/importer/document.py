"""Read a free-form postmortem's shape with markdown-it-py: its title, the lines before the
first section, its sections (`##` and setext headings from the parser's tokens; bold lines
and "Timeline:" labels, which Markdown calls paragraphs, by their text), its code and its
list items. Lines are kept by index (token `.map`s), so nothing can be lost on the way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..load import frontmatter
from .names import clean_title, section_of

# Block structure only: the inline rules (emphasis, links) are not needed to find
# sections, and skipping them keeps a 4 MiB file's parse to the block pass.
_MD = MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"])
FRONT_MATTER_MAX_LINES = 300  # a `---` further down is a rule in the text, not front matter

_ATX_TIGHT = re.compile(r"^ {0,3}(#{1,6})([^\s#].*?)[ \t]*$")  # "#Summary": only for known names
_BOLD_LINE = re.compile(r"^ {0,3}(?:\*\*([^*]+?)\*\*|__([^_]+?)__)[ \t]*:?[ \t]*$")
_COLON_LABEL = re.compile(
    r"^ {0,3}(?:\*\*|__)?([^\s:*_|>#`\-+\d][^:*|]{0,48}?)(?:\*\*|__)?[ \t]*:[ \t]*(?:\*\*|__)?[ \t]*$"
)
KV = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?([A-Za-z][A-Za-z0-9 /()'’&.\-]{0,40}?)(?:\*\*|__)?\s*:(?:\*\*|__)?(?:\s+(.*?)|\s*)$"
)
ITEM = re.compile(r"^( *)([-*+]|\d{1,3}[.)])[ \t]+(.*)$")


def is_kv(line: str) -> bool:
    m = KV.match(line)
    return bool(m and m.group(2))


@dataclass(slots=True)
class Block:
    """One section of the original: where it goes, its heading lines, its content lines."""

    target: str | None  # standard section key ("timeline"), or None: kept under its own heading
    kind: str
    title: str
    heading: list[int]  # indexes of the original heading line(s); empty for a label or the preamble
    lines: list[int] = field(default_factory=list)
    label: bool = False  # started by "Impact: text" in the preamble (the line is content)


@dataclass(slots=True)
class Item:
    """A list item: its first line, how deep it is nested (1: a list's own item), and its
    first paragraph as one line of text (up to a line people meant as a heading)."""

    line: int
    depth: int
    text: str
    parts: list[str] = field(default_factory=list)  # the paragraph's lines, from `line` on

    def cut(self, headings: set[int]) -> None:
        """End the text before the first of `headings` inside the paragraph ("- fix it\nCauses:")."""
        for k in range(1, len(self.parts)):
            if self.line + k in headings:
                self.text = " ".join(self.parts[:k])
                return


@dataclass(slots=True)
class Row:
    """A table row as the parser reads it (escaped pipes, no outer pipes, cells padded to the
    header's count); the separator row is none."""

    cells: list[str]
    header: bool
    table: int  # the line the table starts on


@dataclass(slots=True)
class Document:
    lines: list[str]
    fenced: set[int]  # lines of code (fenced or indented): never read as facts or events
    front_matter: list[int]  # indexes of the original's own front matter, if any
    meta: dict[str, Any]
    title: str | None
    title_lines: list[int]
    preamble: list[int]
    blocks: list[Block]
    items: list[Item] = field(default_factory=list)
    rows: dict[int, Row] = field(default_factory=dict)  # by line

    def text(self, indexes: list[int]) -> str:
        return "\n".join(self.lines[i] for i in indexes)


@dataclass(slots=True)
class Heading:
    start: int
    lines: list[int]
    kind: str  # "atx" | "setext" | "bold" | "label"
    level: int
    title: str


@dataclass(slots=True)
class _Tokens:
    """What the parser says about the lines after the front matter."""

    headings: list[Heading] = field(default_factory=list)
    fenced: set[int] = field(default_factory=set)
    paragraphs: list[tuple[int, int]] = field(default_factory=list)  # [start, end) line ranges, at any depth
    top: set[int] = field(default_factory=set)  # first lines of paragraphs in no container
    items: list[Item] = field(default_factory=list)
    rows: dict[int, Row] = field(default_factory=dict)


def split_lines(text: str) -> list[str]:
    """Lines on \\n, \\r\\n or \\r only, as the checker counts them (no byte-order mark)."""
    return frontmatter.split_lines(text.removeprefix("\ufeff")) if text.strip("\ufeff") else []


def _front_matter(text: str, lines: list[str]) -> tuple[list[int], dict[str, Any]]:
    """The original's own YAML front matter, read by the checker's bounded loader."""
    if not lines or lines[0].strip() != "---":
        return [], {}
    sp = frontmatter.split(text.removeprefix("\ufeff"))
    if not sp.fm_end or sp.fm_end > FRONT_MATTER_MAX_LINES:
        return [], {}
    parsed, _ = frontmatter.parse(sp)
    if parsed is None or not isinstance(parsed.data, dict):
        return [], {}
    return list(range(sp.fm_end)), parsed.data


def _tokens(lines: list[str], start: int) -> _Tokens:
    """One pass over the parser's tokens for the lines from `start` on."""
    out = _Tokens()
    toks = _MD.parse("\n".join(lines[start:]))
    depth = 0
    table = start
    for k, tok in enumerate(toks):
        if tok.type == "list_item_open":
            depth += 1
            parts = _first_paragraph(toks, k)
            out.items.append(Item(tok.map[0] + start if tok.map else start, depth, " ".join(parts), parts))
        elif tok.type == "list_item_close":
            depth -= 1
        if tok.map is None:
            continue
        a, b = tok.map[0] + start, tok.map[1] + start
        if tok.type == "table_open":
            table = a
        elif tok.type == "tr_open":
            out.rows[a] = Row(_cells(toks, k), toks[k - 1].type == "thead_open", table)
        elif tok.type in ("fence", "code_block"):
            out.fenced.update(range(a, b))
        elif tok.type == "heading_open":
            out.headings.append(_heading(tok, toks[k + 1].content, a, b, out))
        elif tok.type == "paragraph_open":
            out.paragraphs.append((a, b))
            if tok.level == 0:
                out.top.add(a)
    return out


def _heading(tok: Token, content: str, a: int, b: int, out: _Tokens) -> Heading:
    """An ATX or setext heading. Of a setext heading's lines only the last is the heading,
    as MkDocs (Python-Markdown) renders it; the lines above it are a paragraph."""
    if tok.markup[:1] not in ("=", "-"):
        return Heading(a, list(range(a, b)), "atx", _level(tok), content.strip())
    text = content.split("\n")
    if len(text) > 1:
        out.paragraphs.append((a, b - 2))
        if tok.level == 0:
            out.top.add(a)
    return Heading(b - 2, [b - 2, b - 1], "setext", _level(tok), text[-1].strip())


def _cells(toks: list[Token], k: int) -> list[str]:
    """The cells' text of the table row opened at `toks[k]`."""
    out = []
    j = k + 1
    while j < len(toks) and toks[j].type != "tr_close":
        if toks[j].type == "inline":
            out.append(toks[j].content.strip())
        j += 1
    return out


def _level(tok: Token) -> int:
    return int(tok.tag[1]) if tok.tag[:1] == "h" and tok.tag[1:].isdigit() else 1


def _first_paragraph(toks: list[Token], k: int) -> list[str]:
    """The lines of the paragraph that opens the list item at `toks[k]` (none if it opens
    with something else)."""
    if k + 2 < len(toks) and toks[k + 1].type == "paragraph_open" and toks[k + 2].type == "inline":
        return [part.strip() for part in toks[k + 2].content.split("\n")]
    return []


def _line_heading(i: int, line: str) -> Heading | None:
    """A line that Markdown calls paragraph text and people meant as a heading: "#Summary"
    (a known name), "**Root cause**", "Timeline:" (a known name)."""
    m = _ATX_TIGHT.match(line)
    if m and section_of(m.group(2)):
        return Heading(i, [i], "atx", len(m.group(1)), m.group(2))
    m = _BOLD_LINE.match(line)
    if m:
        return Heading(i, [i], "bold", 0, (m.group(1) or m.group(2)).strip())
    m = _COLON_LABEL.match(line)
    if m and section_of(m.group(1)):
        return Heading(i, [i], "label", 0, m.group(1).strip())
    return None


def _headings(lines: list[str], toks: _Tokens) -> list[Heading]:
    """The parser's headings and the paragraph lines that are headings, in line order."""
    out = list(toks.headings)
    for a, b in toks.paragraphs:
        out.extend(h for i in range(a, b) if (h := _line_heading(i, lines[i])) is not None)
    return sorted(out, key=lambda h: h.start)


def _title_heading(heads: list[Heading], first_line: int | None) -> Heading | None:
    """The heading that names the document: a lone or outranking `#`, or a bold first line."""
    ranked = [h for h in heads if h.kind in ("atx", "setext")]
    if ranked:
        first = ranked[0]
        others = [h.level for h in ranked[1:]]
        outranks = bool(others) and first.level < min(others)
        lone_top = first.level == 1 and (others.count(1) == 0 or first.start == first_line)
        if not section_of(first.title) and (outranks or lone_top):
            return first
    if heads and heads[0].kind == "bold" and heads[0].start == first_line and not section_of(heads[0].title):
        return heads[0]
    return None


def _title(
    lines: list[str], heads: list[Heading], paragraphs: set[int], first_line: int | None
) -> tuple[str | None, list[int], list[Heading]]:
    """(title, its lines, the other headings): a title heading, or a short first line of
    text when the document has no headings at all."""
    chosen = _title_heading(heads, first_line)
    if chosen is not None:
        return clean_title(chosen.title), list(chosen.lines), [h for h in heads if h is not chosen]
    ranked = any(h.kind in ("atx", "setext") for h in heads)
    if ranked or first_line is None or first_line in {h.start for h in heads}:
        return None, [], heads
    candidate = lines[first_line].strip()
    short = len(candidate) <= 150 and not re.search(r"[^.]\.$", candidate)
    if first_line in paragraphs and not candidate.startswith(("|", "<")) and not is_kv(candidate) and short:
        return clean_title(candidate), [first_line], heads
    return None, [], heads


def _structural(h: Heading, section_level: int | None, current: Block | None) -> bool:
    """Whether heading `h` starts a section (rather than being a sub-heading inside one)."""
    known = section_of(h.title)
    if h.kind in ("atx", "setext"):
        top = section_level is not None and h.level <= section_level
        return top or (known is not None and (current is None or current.target != known[0]))
    if h.kind == "bold":
        return known is not None or section_level is None
    return True


def _label(i: int, line: str) -> Block | None:
    """ "Impact: 40 minutes of errors" before the first section: the start of that section."""
    m = KV.match(line)
    if m and m.group(2) and not ITEM.match(line) and (known := section_of(m.group(1))):
        return Block(known[0], known[1], clean_title(m.group(1)), [], [i], label=True)
    return None


def _sections(
    lines: list[str], start: int, heads: list[Heading], fenced: set[int], hidden: set[int]
) -> tuple[list[int], list[Block]]:
    """(the preamble's lines, the sections): every line after the front matter, but for the
    title's, lands in exactly one of them."""
    section_level = min((h.level for h in heads if h.kind in ("atx", "setext")), default=None)
    by_start = {h.start: h for h in heads}
    blocks: list[Block] = []
    preamble: list[int] = []
    current: Block | None = None
    in_preamble = True
    i = start
    while i < len(lines):
        h = by_start.get(i)
        if i in hidden:
            i += 1
            continue
        if h is not None and _structural(h, section_level, current):
            target, kind = section_of(h.title) or (None, "")
            current = Block(target, kind, clean_title(h.title) or "Notes from the original", list(h.lines))
            blocks.append(current)
            in_preamble = False
            i = h.lines[-1] + 1
            continue
        line = lines[i]
        if in_preamble and i not in fenced:
            if current is not None and current.label and (not line.strip() or is_kv(line)):
                current = None  # a label's paragraph ends at a blank line or the next "Key: value"
            if (label := _label(i, line)) is not None:
                current = label
                blocks.append(label)
                i += 1
                continue
        (preamble if current is None else current.lines).append(i)
        i += 1
    return preamble, blocks


def _summary_from_preamble(lines: list[str], preamble: list[int], blocks: list[Block]) -> tuple[list[int], list[Block]]:
    """No Summary section, but prose before the first heading: that prose is the summary."""
    if any(b.target == "summary" for b in blocks):
        return preamble, blocks
    prose = [
        j
        for j in preamble
        if lines[j].strip() and not is_kv(lines[j]) and not lines[j].lstrip().startswith(("<!--", "|"))
    ]
    if not prose:
        return preamble, blocks
    return [], [Block("summary", "", "Summary", [], list(preamble), label=True), *blocks]


def h2_sections(text: str) -> dict[str, str]:
    """The text under each `## ` heading (up to the next one), by the heading's text."""
    lines = split_lines(text)
    toks = _MD.parse("\n".join(lines))
    starts = [
        (t.map[0], t.map[1], toks[k + 1].content.strip())
        for k, t in enumerate(toks)
        if t.type == "heading_open" and t.tag == "h2" and t.map
    ]
    ends = [a for a, _, _ in starts[1:]] + [len(lines)]
    return {title: "\n".join(lines[b:end]) for (_, b, title), end in zip(starts, ends, strict=True)}


def parse(text: str) -> Document:
    """The document `text` is, by line index."""
    lines = split_lines(text)
    fm_lines, meta = _front_matter(text, lines)
    start = len(fm_lines)
    toks = _tokens(lines, start)
    heads = _headings(lines, toks)
    first_line = next((i for i in range(start, len(lines)) if lines[i].strip()), None)
    title, title_lines, heads = _title(lines, heads, toks.top, first_line)
    starts = {h.start for h in heads}
    for item in toks.items:
        item.cut(starts)
    if meta.get("title") and isinstance(meta["title"], (str, int, float)):
        title = str(meta["title"]).strip() or title
    preamble, blocks = _sections(lines, start, heads, toks.fenced, set(title_lines))
    preamble, blocks = _summary_from_preamble(lines, preamble, blocks)
    return Document(lines, toks.fenced, fm_lines, meta, title, title_lines, preamble, blocks, toks.items, toks.rows)
