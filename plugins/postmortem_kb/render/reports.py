"""The open-remediation report as Markdown (CLI), CSV and JSON (CLI and site downloads)."""

from __future__ import annotations

import csv
import io
import json

from ..analyse.remediation import Remediation

COLUMNS = ["id", "summary", "owner", "teams", "status", "kind", "due", "overdue_days", "age_days", "tracker", "postmortem", "postmortem_title", "path"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # our own numbers (a negative age) stay numbers
    text = "" if value is None else str(value)
    # Spreadsheets run cells that start like a formula; a leading quote keeps them text.
    return "'" + text if text.startswith(_FORMULA_START) else text


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
    writer = csv.writer(buf, lineterminator="\n")
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
