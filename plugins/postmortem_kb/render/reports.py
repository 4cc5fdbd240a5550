"""The open-remediation report as Markdown (CLI), CSV and JSON (CLI and site downloads)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata

from ..analyse.remediation import Remediation

COLUMNS = ["id", "summary", "owner", "teams", "status", "kind", "due", "overdue_days", "age_days", "tracker", "postmortem", "postmortem_title", "path"]
# What a spreadsheet may read as the start of a formula, ASCII and full-width/small forms.
_FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b\u2212")


def _formula_like(text: str) -> bool:
    """Whether a spreadsheet could take `text` for a formula: it starts with a tab or a
    carriage return, or its first character after whitespace and control characters
    (which spreadsheets skip or treat as a row break) is one of `_FORMULA_START`."""
    if text[:1] in ("\t", "\r"):
        return True
    for ch in text:
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Zs"):
            continue
        return ch in _FORMULA_START
    return False


def _cell(value: object) -> object:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value  # our own numbers (a negative age) stay numbers, written unquoted
    text = "" if value is None else str(value)
    # Spreadsheets run cells that start like a formula; a leading quote keeps them text.
    return "'" + text if _formula_like(text) else text


def _md(value: object) -> str:
    """A Markdown table cell: on one line, `|` escaped."""
    return " ".join(str(value).split()).replace("|", "\\|")


def _row(a) -> dict[str, object]:
    return {
        "id": a.id,
        "summary": a.summary,
        "owner": a.owner,
        "teams": ";".join(a.teams),
        "status": a.status,
        "kind": a.kind,
        "due": a.due.isoformat() if a.due else "",
        "overdue_days": a.overdue_days,
        "age_days": a.age_days,
        "tracker": a.tracker,
        "postmortem": a.postmortem,
        "postmortem_title": a.postmortem_title,
        "path": a.path,
    }


def remediation_csv(report: Remediation) -> str:
    buf = io.StringIO()
    # Every text cell quoted: a line break (`\r` included) inside a cell stays in the cell
    # instead of starting a row whose first cell a spreadsheet would read on its own.
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(COLUMNS)
    for a in report.open:
        row = _row(a)
        writer.writerow([_cell(row[c]) for c in COLUMNS])
    return buf.getvalue()


def remediation_json(report: Remediation) -> str:
    doc = {
        "today": report.today.isoformat(),
        "totals": {"open": len(report.open), "overdue": report.overdue, "done": report.done, "wont_do": report.wont_do, "total": report.total},
        "by_owner": [{"owner": o, "open": n, "overdue": over} for o, n, over in report.by_owner],
        "by_team": [{"team": t, "open": n, "overdue": over} for t, n, over in report.by_team],
        "actions": [_row(a) for a in report.open],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def remediation_md(report: Remediation) -> str:
    lines = [
        f"# Open remediation ({report.today.isoformat()})",
        "",
        f"{len(report.open)} open, {report.overdue} overdue; {report.done} of {report.total} done.",
        "",
        "| Id | Action | Owner | Due | Overdue | Status |",
        "|---|---|---|---|---|---|",
    ]
    for a in report.open:
        lines.append(f"| {a.id} | {_md(a.summary)} | {_md(a.owner)} | {a.due or '–'} | {a.overdue_days or '–'} | {a.status} |")
    return "\n".join(lines) + "\n"
