"""Read a free-form postmortem's shape: its title, the lines before the first section,
and its sections, whatever their heading style (`##`, setext underlines, bold lines,
"Timeline:" labels). Lines are kept by index, so nothing can be lost on the way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_ATX_TIGHT = re.compile(r"^ {0,3}(#{1,6})([^\s#].*?)[ \t]*$")  # "#Summary": only for known names
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BOLD_LINE = re.compile(r"^ {0,3}(?:\*\*([^*]+?)\*\*|__([^_]+?)__)[ \t]*:?[ \t]*$")
_COLON_LABEL = re.compile(r"^ {0,3}(?:\*\*|__)?([^\s:*_|>#`\-+\d][^:*|]{0,48}?)(?:\*\*|__)?[ \t]*:[ \t]*(?:\*\*|__)?[ \t]*$")
KV = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?([A-Za-z][A-Za-z0-9 /()'’&.\-]{0,40}?)(?:\*\*|__)?\s*:(?:\*\*|__)?(?:\s+(.*?)|\s*)$"
)
ITEM = re.compile(r"^( *)([-*+]|\d{1,3}[.)])[ \t]+(.*)$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}")

# Heading names people use, by the standard template section they belong to.
# kind: how contributing factors are read from it ("items": one factor per bullet;
# "prose": factor words in sentences; "trigger": also the front matter's `trigger`).
SECTION_NAMES: dict[str, tuple[str, str]] = {}


def _names(target: str, kind: str, *names: str) -> None:
    for name in names:
        SECTION_NAMES[name] = (target, kind)


_names("summary", "", "summary", "overview", "background", "executive summary", "tl dr", "tldr",
       "description", "incident summary", "what happened", "synopsis", "abstract",
       "incident description", "context")  # fmt: skip
_names("impact", "", "impact", "customer impact", "user impact", "business impact", "scope",
       "blast radius", "impact assessment", "who was affected", "effect", "effects")  # fmt: skip
_names("timeline", "", "timeline", "timeline of events", "sequence of events", "chronology",
       "event log", "incident timeline", "events", "detailed timeline")  # fmt: skip
_names("contributing factors", "items", "root cause", "root causes", "causes", "cause",
       "contributing factors", "contributing factor", "contributing causes", "what went wrong",
       "things that went wrong", "why it happened", "why did it happen", "underlying causes",
       "factors")  # fmt: skip
_names("contributing factors", "prose", "5 whys", "five whys", "whys", "root cause analysis",
       "rca", "analysis", "causal analysis", "investigation")  # fmt: skip
_names("contributing factors", "trigger", "trigger", "triggers", "what triggered it")
_names("what went well", "", "what went well", "went well", "what went right",
       "things that went well", "positives", "the good", "what worked")  # fmt: skip
_names("where we got lucky", "", "where we got lucky", "where we were lucky", "got lucky",
       "lucky", "luck", "what was lucky")  # fmt: skip
_names("action items", "", "action items", "action item", "actions", "follow ups", "follow up",
       "followups", "followup", "follow up actions", "follow up items", "remediation",
       "remediations", "remediation items", "remediation actions", "next steps", "todo",
       "to do", "todos", "corrective actions", "preventive actions",
       "corrective and preventive actions", "action plan", "fixes", "tasks")  # fmt: skip
_names("lessons learned", "", "lessons learned", "lessons learnt", "lessons", "learnings",
       "key learnings", "takeaways", "key takeaways", "what we learned", "what we learnt",
       "learned")  # fmt: skip


def name_key(title: str) -> str:
    """"## 📝 1. Root Causes (draft):" → "root causes"."""
    t = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)
    t = re.sub(r"[*_`~]", "", t)
    t = re.sub(r"\([^)]*\)", " ", t)
    t = t.lower().replace("&", " and ")
    t = re.sub(r"^[^\w]*(?:\d+|[ivx]+)[.)]\s+", "", t)
    t = re.sub(r"[^a-z0-9]+", " ", t).strip()
    return re.sub(r"^(?:the|our)\s+", "", t)


def section_of(title: str) -> tuple[str, str] | None:
    """(standard section key, kind) for a heading people write, or None."""
    return SECTION_NAMES.get(name_key(title))


def clean_title(title: str) -> str:
    """Heading text without Markdown emphasis or a trailing colon."""
    t = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)
    t = re.sub(r"(\*\*|__|`)", "", t)
    return t.strip().rstrip(":").strip()


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
class Document:
    lines: list[str]
    fenced: set[int]
    front_matter: list[int]  # indexes of the original's own front matter, if any
    meta: dict[str, Any]
    title: str | None
    title_lines: list[int]
    preamble: list[int]
    blocks: list[Block]

    def text(self, indexes: list[int]) -> str:
        return "\n".join(self.lines[i] for i in indexes)


@dataclass(slots=True)
class _Heading:
    start: int
    lines: list[int]
    kind: str  # "atx" | "setext" | "bold" | "label"
    level: int
    title: str


def split_lines(text: str) -> list[str]:
    """Lines on \\n, \\r\\n or \\r only (str.splitlines also splits on form feeds and more)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = re.split(r"\r\n|\r|\n", text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _front_matter(lines: list[str]) -> tuple[list[int], dict[str, Any]]:
    if not lines or lines[0].strip() != "---":
        return [], {}
    for i in range(1, min(len(lines), 300)):
        if lines[i].strip() in ("---", "..."):
            try:
                data = yaml.safe_load("\n".join(lines[1:i]))
            except (yaml.YAMLError, ValueError, RecursionError):
                return [], {}
            if isinstance(data, dict):
                return list(range(i + 1)), data
            return [], {}
    return [], {}


def _fences(lines: list[str], start: int) -> set[int]:
    fenced: set[int] = set()
    fence: str | None = None
    for i in range(start, len(lines)):
        m = _FENCE.match(lines[i])
        if fence is not None:
            fenced.add(i)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
        elif m:
            fence = m.group(1)
            fenced.add(i)
    return fenced


def _is_plain(line: str) -> bool:
    s = line.strip()
    return bool(s) and not ITEM.match(line) and not s.startswith(("|", ">", "<", "#")) and not _SETEXT.match(line)


def _headings(lines: list[str], start: int, fenced: set[int]) -> list[_Heading]:
    out: list[_Heading] = []
    skip: set[int] = set()
    for i in range(start, len(lines)):
        if i in fenced or i in skip:
            continue
        line = lines[i]
        if not line.strip():
            continue
        m = _ATX.match(line)
        if m:
            out.append(_Heading(i, [i], "atx", len(m.group(1)), m.group(2)))
            continue
        m = _ATX_TIGHT.match(line)
        if m and section_of(m.group(2)):
            out.append(_Heading(i, [i], "atx", len(m.group(1)), m.group(2)))
            continue
        if (
            i + 1 < len(lines)
            and i + 1 not in fenced
            and _SETEXT.match(lines[i + 1])
            and _is_plain(line)
            and (i == start or not lines[i - 1].strip())
        ):
            level = 1 if lines[i + 1].strip()[0] == "=" else 2
            out.append(_Heading(i, [i, i + 1], "setext", level, line.strip()))
            skip.add(i + 1)
            continue
        m = _BOLD_LINE.match(line)
        if m:
            out.append(_Heading(i, [i], "bold", 0, (m.group(1) or m.group(2)).strip()))
            continue
        m = _COLON_LABEL.match(line)
        if m and section_of(m.group(1)):
            out.append(_Heading(i, [i], "label", 0, m.group(1).strip()))
    return out


def is_kv(line: str) -> bool:
    m = KV.match(line)
    return bool(m and m.group(2))


def parse(text: str) -> Document:
    lines = split_lines(text)
    fm_lines, meta = _front_matter(lines)
    start = len(fm_lines)
    fenced = _fences(lines, start)
    heads = _headings(lines, start, fenced)
    ranked = [h for h in heads if h.kind in ("atx", "setext")]

    title: str | None = None
    title_lines: list[int] = []
    first_line = next((i for i in range(start, len(lines)) if lines[i].strip()), None)
    title_head: _Heading | None = None
    if ranked:
        first = ranked[0]
        others = [h.level for h in ranked[1:]]
        if not section_of(first.title) and (
            (others and first.level < min(others))
            or (first.level == 1 and (others.count(1) == 0 or first.start == first_line))
        ):
            title_head = first
    if title_head is None and heads and heads[0].kind == "bold" and heads[0].start == first_line and not section_of(heads[0].title):
        title_head = heads[0]
    if title_head is not None:
        title, title_lines = clean_title(title_head.title), list(title_head.lines)
        heads.remove(title_head)
        ranked = [h for h in heads if h.kind in ("atx", "setext")]
    elif not ranked and first_line is not None and first_line not in {h.start for h in heads}:
        candidate = lines[first_line]
        short = len(candidate.strip()) <= 150 and not re.search(r"[^.]\.$", candidate.strip())
        if _is_plain(candidate) and not is_kv(candidate) and short:
            title, title_lines = clean_title(candidate), [first_line]
    if meta.get("title") and isinstance(meta["title"], (str, int, float)):
        title = str(meta["title"]).strip() or title

    section_level = min((h.level for h in ranked), default=None)
    by_start = {h.start: h for h in heads}
    hidden = set(title_lines)
    blocks: list[Block] = []
    preamble: list[int] = []
    current: Block | None = None
    in_preamble = True
    i = start
    while i < len(lines):
        if i in hidden:
            i += 1
            continue
        h = by_start.get(i)
        if h is not None:
            known = section_of(h.title)
            if h.kind in ("atx", "setext"):
                structural = (section_level is not None and h.level <= section_level) or (
                    known is not None and (current is None or current.target != known[0])
                )
            elif h.kind == "bold":
                structural = known is not None or section_level is None
            else:
                structural = True
            if structural:
                target, kind = known if known else (None, "")
                current = Block(target, kind, clean_title(h.title) or "Notes from the original", list(h.lines))
                blocks.append(current)
                in_preamble = False
                i = h.lines[-1] + 1
                continue
        line = lines[i]
        if in_preamble and i not in fenced:
            if current is not None and current.label and (not line.strip() or is_kv(line)):
                current = None  # a label's paragraph ends at a blank line or the next "Key: value"
            m = KV.match(line)
            if m and m.group(2) and not ITEM.match(line):
                known = section_of(m.group(1))
                if known:
                    current = Block(known[0], known[1], clean_title(m.group(1)), [], [i], label=True)
                    blocks.append(current)
                    i += 1
                    continue
        if current is None:
            preamble.append(i)
        else:
            current.lines.append(i)
        i += 1

    if not any(b.target == "summary" for b in blocks):
        prose = [
            j for j in preamble
            if lines[j].strip() and not is_kv(lines[j]) and not lines[j].lstrip().startswith(("<!--", "|"))
        ]  # fmt: skip
        if prose:
            blocks.insert(0, Block("summary", "", "Summary", [], list(preamble), label=True))
            preamble = []
    return Document(lines, fenced, fm_lines, meta, title, title_lines, preamble, blocks)
