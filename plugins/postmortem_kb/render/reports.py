"""The open-remediation report as Markdown (CLI), CSV and JSON (CLI and site downloads)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata

from ..analyse.remediation import Remediation

COLUMNS = [
    "id",
    "summary",
    "owner",
    "teams",
    "status",
    "kind",
    "due",
    "overdue_days",
    "age_days",
    "tracker",
    "postmortem",
    "postmortem_title",
    "path",
    "draft",
]
# What a spreadsheet may read as the start of a formula, ASCII and full-width/small forms.
_FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b\u2212")


def _formula_like(text: str) -> bool:
    """Whether a spreadsheet could take `text` for a formula: it starts with a tab or a
    carriage return, or its first character after whitespace and control characters
    (which spreadsheets skip or treat as a row break) is one of `_FORMULA_START`."""
    first = text[:1]
    if first.isalnum():  # most cells: a letter or digit cannot start a formula
        return False
    if first in ("\t", "\r"):
        return True
    for ch in text:
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Zs"):
            continue
        return ch in _FORMULA_START
    return False


def _cell(value: object) -> object:
    if type(value) is str:  # most cells: checked without the calls below
        return value if value[:1].isalnum() or not _formula_like(value) else "'" + value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value  # our own numbers (a negative age) stay numbers, written unquoted
    text = "" if value is None else str(value)
    # Spreadsheets run cells that start like a formula; a leading quote keeps them text.
    return "'" + text if _formula_like(text) else text


def _md(value: object) -> str:
    """A Markdown table cell: on one line, `|` escaped."""
    return " ".join(str(value).split()).replace("|", "\\|")


def _values(a) -> tuple[object, ...]:
    """An open action's cells, in COLUMNS order."""
    due = a.due.isoformat() if a.due else ""
    return (
        a.id,
        a.summary,
        a.owner,
        ";".join(a.teams),
        a.status,
        a.kind,
        due,
        a.overdue_days,
        a.age_days,
        a.tracker,
        a.postmortem,
        a.postmortem_title,
        a.path,
        a.draft,
    )


def _row(a) -> dict[str, object]:
    return dict(zip(COLUMNS, _values(a), strict=True))


def _csv_value(value: object) -> object:
    """A boolean as JSON writes it (`true`/`false`), not Python's `True`/`False`."""
    return ("true" if value else "false") if isinstance(value, bool) else value


def remediation_csv(report: Remediation) -> str:
    buf = io.StringIO()
    # Every text cell quoted: a line break (`\r` included) inside a cell stays in the cell
    # instead of starting a row whose first cell a spreadsheet would read on its own.
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(COLUMNS)
    writer.writerows([_cell(_csv_value(v)) for v in _values(a)] for a in report.open)
    return buf.getvalue()


def remediation_json(report: Remediation) -> str:
    """The whole report, one action per line: `indent=2` over every action took Python's
    pure-Python encoder (18 s for 145,000 actions); each line is the C encoder's."""
    head = {
        "today": report.today.isoformat(),
        "totals": {
            "open": len(report.open),
            "overdue": report.overdue,
            "done": report.done,
            "wont_do": report.wont_do,
            "total": report.total,
        },
        "by_owner": [{"owner": o, "open": n, "overdue": over} for o, n, over in report.by_owner],
        "by_team": [{"team": t, "open": n, "overdue": over} for t, n, over in report.by_team],
    }
    text = json.dumps(head, indent=2, ensure_ascii=False)
    assert text.endswith("\n}")
    rows = ",\n    ".join(json.dumps(_row(a), ensure_ascii=False) for a in report.open)
    actions = f"[\n    {rows}\n  ]" if rows else "[]"
    return f'{text[:-2]},\n  "actions": {actions}\n}}\n'


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
        status = f"{a.status} (draft postmortem)" if a.draft else a.status
        lines.append(
            f"| {a.id} | {_md(a.summary)} | {_md(a.owner)} | {a.due or '–'} | {a.overdue_days or '–'} | {status} |"
        )
    return "\n".join(lines) + "\n"
