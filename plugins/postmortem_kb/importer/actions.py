"""Action items of a legacy postmortem, from bullets, checkbox or emoji lines, or a table:
summary, owner, due date, status, tracker and kind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..load import times as when
from .document import ITEM, Document
from .factors import top_items
from .names import name_key, plain

_STATUS_MARK = "✅☑✔⬜⬛🔲☐❌🚧⏳🟢🟡🔴✓✗"
_EMOJI_ITEM = re.compile(rf"^\s*([{_STATUS_MARK}])\ufe0f?\s*(.*)$")
_DONE = re.compile(
    r"(?i)\((?:done|completed?|fixed|shipped|resolved|closed)\)|^\s*\[x\]|[✅☑✔✓]|\bDONE\b|"
    r"[-—–:,]\s*(?:done|completed?|fixed|shipped)\s*[.!]?\s*$|\bstatus:\s*(?:done|complete|closed|fixed)\b|^~~.*~~$"
)
_IN_PROGRESS = re.compile(
    r"(?i)\((?:in[- ]progress|wip|started|ongoing|underway)\)|[🚧⏳]|\bin[- ]progress\b|"
    r"\bstatus:\s*(?:in[- ]progress|started|wip)\b"
)
_WONT = re.compile(r"(?i)\(?\b(?:won'?t (?:do|fix)|wontfix|dropped|cancell?ed|not doing)\b\)?")
_URL = re.compile(r"https?://[^\s<>\"'()\]]+")
_STATUS_WORDS = {
    "done",
    "open",
    "closed",
    "complete",
    "completed",
    "fixed",
    "todo",
    "wip",
    "blocked",
    "shipped",
    "in",
    "due",
}
_NAME = r"[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|team|squad|group|on-?call))*"
_OWNER_PAREN = re.compile(r"(?i)\(\s*(?:owners?|owned by|assignee|assigned to|who)\s*[:=]?\s*([^,;)]+)")
_OWNER_KV = re.compile(r"(?i)\b(?:owners?|assignee|assigned to|owned by)\s*[:=]\s*([^,;()\[\]]+)")
_OWNER_DASH = re.compile(rf"\s(?:[—–]|--)\s*@?({_NAME})\s*(?=\(|,|;|$)")
_HANDLE = re.compile(r"(?<![\w.@/])@([A-Za-z0-9](?:[\w.-]*[A-Za-z0-9])?)")
_DUE_AFTER = re.compile(r"(?i)\b(?:due(?:\s+date)?|by|deadline|eta|target|before|until)\b\s*[:=]?\s*(?:on\s+)?")


@dataclass(slots=True)
class Action:
    summary: str
    status: str = "open"
    owner: str | None = None
    due: date | None = None
    tracker: str | None = None
    kind: str | None = None
    line: int = 0


def _due(text: str, incident: date | None) -> date | None:
    for m in _DUE_AFTER.finditer(text):
        after = text[m.end() : m.end() + 40]
        hit = when.find_date(after)
        if hit and hit[1][0] <= 2:
            return hit[0]
        if incident is not None:
            part = when.find_partial_date(after, incident.year)
            if part and part[1][0] <= 2:
                d = part[0]
                return d if d >= incident else d.replace(year=d.year + 1)
    for m in re.finditer(r"\(([^()]*)\)", text):
        hit = when.find_date(m.group(1))
        if hit:
            return hit[0]
    return None


def _owner(text: str) -> str | None:
    for rx in (_OWNER_PAREN, _OWNER_KV):
        m = rx.search(text)
        if m:
            name = m.group(1).strip().lstrip("@").strip(" .")
            if name and name.lower() not in ("tbd", "?", "n/a", "none", "unassigned"):
                return name[:200]
    m = _OWNER_DASH.search(text)
    if m and m.group(1).split()[0].lower() not in _STATUS_WORDS:
        return m.group(1).strip()[:200]
    m = _HANDLE.search(text)
    if m:
        return m.group(1)
    return None


def _status(text: str) -> str:
    if _DONE.search(text):
        return "done"
    if _IN_PROGRESS.search(text):
        return "in-progress"
    if _WONT.search(text):
        return "wont-do"
    return "open"


def _summary(text: str) -> str:
    s = re.sub(r"^\[[ xX]\]\s*", "", text.strip())
    s = re.sub(rf"[{_STATUS_MARK}]\ufe0f?", " ", s)
    s = re.sub(r"\[([^\]]*)\]\(([^)]*)\)", r"\1", s)
    s = re.sub(r"(?i)\(\s*(?:owners?|owned by|assignee|assigned to|who)\b[^)]*\)", " ", s)
    s = re.sub(r"(?i)\(\s*(?:due|by|eta|deadline)\b[^)]*\)", " ", s)
    s = re.sub(
        r"(?i)\(\s*(?:done|completed?|fixed|shipped|resolved|closed|in[- ]progress|wip|started|ongoing|underway|"
        r"won'?t (?:do|fix)|wontfix|dropped|cancell?ed)\s*\)",
        " ",
        s,
    )
    s = re.sub(r"(?i)\s(?:[—–]|--)\s*(?:done|completed?|fixed|shipped)\s*[.!]?\s*$", " ", s)
    m = _OWNER_DASH.search(s)
    if m and m.group(1).split()[0].lower() not in _STATUS_WORDS:
        s = s[: m.start()]
    s = re.sub(
        r"(?i)[,;]?\s*\b(?:due|deadline|eta)\b\s*[:=]?\s*(?:on\s+)?\S+(?:\s+\d{1,2},?)?(?:\s+\d{4})?\s*$", " ", s
    )
    s = _HANDLE.sub(" ", s)
    s = re.sub(r"\(\s*https?://[^)]*\)", " ", s)
    s = re.sub(r"\(\s*[,;]?\s*\)", " ", s)
    s = re.sub(r"(\*\*|__|~~|`)", "", s)
    s = re.sub(r"\s+", " ", s).strip(" -–—,;:")
    return s


def _kind(value: str) -> str | None:
    v = value.strip().lower()
    return {"detect": "detect", "detection": "detect", "mitigate": "mitigate", "mitigation": "mitigate",
            "prevent": "prevent", "prevention": "prevent", "process": "process"}.get(v)  # fmt: skip


_COLUMNS = {
    "summary": (
        "action item",
        "action items",
        "action",
        "actions",
        "item",
        "summary",
        "task",
        "description",
        "what",
        "remediation",
        "follow up",
    ),
    "owner": ("owner", "owners", "assignee", "who", "owned by", "responsible"),
    "due": ("due", "due date", "deadline", "eta", "target", "target date", "when", "by"),
    "status": ("status", "state", "done", "complete"),
    "kind": ("type", "kind", "category"),
    "tracker": ("bug", "bugs", "ticket", "tracker", "issue", "link", "jira", "url"),
}


def _table_actions(doc: Document, rows: list[int], incident: date | None) -> list[Action]:
    """One action per body row of the table whose rows (header first) are on lines `rows`."""
    cells_of = [doc.rows[i].cells for i in rows]
    header = [name_key(c) for c in cells_of[0]]
    col: dict[str, int] = {}
    for name, aliases in _COLUMNS.items():
        for j, h in enumerate(header):
            if h in aliases and j not in col.values():
                col[name] = j
                break
    col.setdefault("summary", 0)
    out = []
    for i, cells in zip(rows[1:], cells_of[1:], strict=True):

        def cell(name: str, cells: list[str] = cells) -> str:
            j = col.get(name)
            return cells[j] if j is not None and j < len(cells) else ""

        raw = cell("summary")
        summary = _summary(raw)
        if not summary:
            continue
        status_text = cell("status")
        status = _status(raw)
        if status_text:
            s = status_text.lower()
            if re.search(r"done|complete|fixed|closed|shipped|yes|✅|\[x\]", s):
                status = "done"
            elif re.search(r"progress|wip|started|ongoing", s):
                status = "in-progress"
            elif re.search(r"won'?t|wontfix|dropped|cancel", s):
                status = "wont-do"
        owner = plain(cell("owner")).lstrip("@") or _owner(raw)
        if owner and owner.lower() in ("-", "—", "tbd", "?", "n/a", "none", "unassigned"):
            owner = None
        due_text = cell("due")
        due = (when.find_date(due_text) or (None,))[0] if due_text else _due(raw, incident)
        urls = _URL.findall(cell("tracker")) or _URL.findall(raw)
        out.append(
            Action(
                summary[:10_000],
                status,
                owner or None,
                due,
                urls[0].rstrip(".,;:") if urls else None,
                _kind(plain(cell("kind"))),
                i,
            )
        )
    return out


def actions(doc: Document, incident: date | None) -> list[Action]:
    out: list[Action] = []
    for b in doc.blocks:
        if b.target != "action items":
            continue
        body = [i for i in b.lines if i not in doc.fenced]
        tables = [doc.rows[i].table for i in body if i in doc.rows]
        table = [i for i in body if i in doc.rows and doc.rows[i].table == tables[0]] if tables else []
        if len(table) >= 2:  # the section's first table: a header and a row at least
            out.extend(_table_actions(doc, table, incident))
        found: list[tuple[int, str]] = list(top_items(doc, body))
        found += [
            (i, m.group(1) + " " + m.group(2))
            for i in body
            if (m := _EMOJI_ITEM.match(doc.lines[i])) and not ITEM.match(doc.lines[i])
        ]
        for i, text in sorted(found):
            summary = _summary(text)
            if not summary:
                continue
            urls = _URL.findall(text)
            out.append(
                Action(
                    summary[:10_000],
                    _status(text),
                    _owner(text),
                    _due(text, incident),
                    urls[0].rstrip(".,;:") if urls else None,
                    None,
                    i,
                )
            )
    return out
