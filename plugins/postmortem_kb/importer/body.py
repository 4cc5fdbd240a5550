"""The imported postmortem's body: the template's sections in order, each holding the
original sections that belong to it, then the original's other sections under their own
headings. Every original line is kept; renamed headings and the title in comments."""

from __future__ import annotations

from .document import Block, Document
from .names import name_key, section_of


def _hidden(doc: Document, indexes: list[int], intro: str) -> list[str]:
    """Original lines kept inside an HTML comment (a renamed heading, the title).
    A line that would end the comment early is kept visible instead, after it."""
    inside = [doc.lines[i] for i in indexes if "-->" not in doc.lines[i]]
    after = [doc.lines[i] for i in indexes if "-->" in doc.lines[i]]
    out = [f"<!-- {intro}", *inside, "-->"] if inside else []
    return out + after


def _trim(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _para(out: list[str], lines: list[str]) -> None:
    """Append `lines` as a paragraph group, one blank line before it."""
    lines = _trim(lines)
    if not lines:
        return
    if out and out[-1].strip():
        out.append("")
    out.extend(lines)


def _key(title: str) -> str:
    """The key a template section's original sections are filed under."""
    known = section_of(title)
    return known[0] if known else name_key(title)


def _place(doc: Document, sections: tuple[tuple[str, str], ...]) -> tuple[dict[str, list[Block]], list[Block]]:
    """(the original sections under each template section's key, the others)."""
    keys = {_key(title) for title, _ in sections}
    placed: dict[str, list[Block]] = {}
    extras: list[Block] = []
    for b in doc.blocks:
        if b.target is not None and b.target in keys:
            placed.setdefault(b.target, []).append(b)
        else:
            extras.append(b)
    return placed, extras


def _section(out: list[str], doc: Document, title: str, guidance: str, blocks: list[Block]) -> bool:
    """Write the template section `title` with its original `blocks`; True if it has content."""
    heading = f"## {title}"
    _para(out, [heading])
    content = False
    for b in blocks:
        sub = f"### {b.title}" if len(blocks) > 1 and name_key(b.title) != name_key(title) and not b.label else None
        if b.heading and [doc.lines[i] for i in b.heading] not in ([heading], [sub]):
            _para(out, _hidden(doc, b.heading, "heading in the original:"))
        if sub:
            _para(out, [sub])
        lines = [doc.lines[i] for i in b.lines]
        content = content or any(line.strip() for line in lines)
        _para(out, lines)
    if not content:
        why = "empty in the original" if blocks else "not in the original"
        text = f"<!-- TODO (pmkb import): this section is {why}. {guidance}".rstrip()
        _para(out, [*text.splitlines(), "-->"] if "\n" in text else [text + " -->"])
    return content


def _extra(out: list[str], doc: Document, b: Block) -> None:
    """An original section the template has no place for, under its own heading."""
    heading = f"## {b.title}"
    _para(out, [heading])
    if b.heading and [doc.lines[i] for i in b.heading] != [heading]:
        _para(out, _hidden(doc, b.heading, "heading in the original:"))
    _para(out, [doc.lines[i] for i in b.lines])


def body(doc: Document, sections: tuple[tuple[str, str], ...], source: str, notes: list[str]) -> str:
    """The body text; a note for each template section left empty."""
    out: list[str] = []
    source = source.replace("--", "- -")
    hidden = doc.front_matter + doc.title_lines
    intro = (
        f"Imported by `pmkb import` from {source}. Every line of the original is kept; its title, front matter and "
        "renamed headings are in comments like this one."
    )
    _para(out, _hidden(doc, hidden, intro) if hidden else [f"<!-- {intro} -->"])
    _para(out, [doc.lines[i] for i in doc.preamble])
    placed, extras = _place(doc, sections)
    for title, guidance in sections:
        if not _section(out, doc, title, guidance, placed.get(_key(title), [])):
            notes.append(f"section {title}")
    for b in extras:
        _extra(out, doc, b)
    return "\n".join(out).rstrip("\n") + "\n"
