"""timeline-order (PM203): reading a Timeline section, its entries and their times, and
whether they are in order."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from ..load.times import clock
from ..model import Postmortem
from .hit import Context, Hit, short
from .rule import rule

_TIME = re.compile(
    r"^[\s*_`|\-+]*(?:(\d{4}-\d{2}-\d{2})[ T,]+)?(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"(?:\s*([AaPp])\.?[Mm]\b\.?)?\s*(Z|UTC|GMT)?\b"
)
_DATE_CELL = re.compile(r"^[\s*_`]*\d{4}-\d{2}-\d{2}[\s*_`]*$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+")


@dataclass(slots=True)
class Entry:
    line: int
    column: int
    when: datetime | None
    dated: bool
    raw: str


def entries(lines: list[tuple[int, str]], tz: timezone) -> Iterator[Entry]:
    """Table rows and time-led bullets; table rows without a readable time yield when=None."""
    # The regexes are tried only on text that has what they need: a time has a ":", a
    # separator row a "--", a bullet starts with a marker or a digit.
    seen_header = False
    last_row = -1
    for lineno, text in lines:
        stripped = text.strip()
        if not stripped:
            continue
        lead = stripped[0]
        if lead == "|":
            if lineno != last_row + 1:
                seen_header = False  # a new table, with its own header row
            last_row = lineno
            if "--" in stripped and _TABLE_SEP.match(stripped):
                continue
            cells = stripped.strip("|").split("|", 2)  # only the first two cells are read
            first = cells[0].strip()
            if len(cells) > 1 and ":" in cells[1]:
                time_cell = cells[1].strip()
                if _TIME.match(time_cell) and (not first or _DATE_CELL.match(first)):
                    # "| Date | Time | Event |" tables; a blank date cell continues the day above
                    column = (text.index(first) if first else text.index(time_cell)) + 1
                    yield _entry(lineno, column, f"{first.strip('*_`')} {time_cell}".strip(), tz)
                    seen_header = True
                    continue
            m = _TIME.match(first) if ":" in first else None
            if not seen_header:
                seen_header = True
                if m is None:
                    continue  # the header row
            if not first:
                continue  # a continuation row
            yield _entry(lineno, text.index(first) + 1, first, tz, m)
        elif (lead in "-*+" or lead.isdecimal()) and (bullet := _BULLET.match(stripped)):
            item = stripped[bullet.end() :]
            if ":" in item and (m := _TIME.match(item)):
                yield _entry(lineno, text.index(item[:1]) + 1 if item else 1, item, tz, m)


def _entry(line: int, column: int, cell: str, tz: timezone, m: re.Match[str] | None = None) -> Entry:
    """The entry `cell` (whose `_TIME` match, when already made, is `m`) reads as."""
    if m is None:
        m = _TIME.match(cell)
    if not m:
        return Entry(line, column, None, False, cell)
    day, hh, mm, ss, half, zone = m.groups()
    t = clock(hh, mm, ss, half)  # the one reader of written clock times (pmkb import's too)
    try:
        d = date.fromisoformat(day) if day else None
    except ValueError:
        t = None
    if t is None:
        return Entry(line, column, None, False, cell)
    zone_info = UTC if zone else tz
    if d is None:
        return Entry(line, column, datetime.combine(date.min, t, zone_info), False, cell)
    return Entry(line, column, datetime.combine(d, t, zone_info), True, cell)


def _local_date(when: datetime, tz: timezone) -> date:
    """The date of `when` in `tz`, clamped at the ends of the calendar."""
    try:
        return when.astimezone(tz).date()
    except OverflowError:
        return date.max if when.year > 1 else date.min


def place(entries_: list[Entry], started: datetime, resolved: datetime) -> Iterator[tuple[str, Entry]]:
    """Give undated entries the incident's days; yield ("order"|"window"|"unreadable", entry) problems."""
    tz = started.tzinfo or UTC
    day = _local_date(started, tz)
    last_day = _local_date(resolved, tz)
    # Before the start on its first day, an undated entry is context (a change made that
    # morning); after the resolution it could be that evening or any later day, so it
    # needs its date.
    window_start = datetime.combine(day, time(0), tz)
    try:
        window_end = resolved + timedelta(minutes=1)
    except OverflowError:
        window_end = resolved
    previous: datetime | None = None
    for e in entries_:
        if e.when is None:
            yield "unreadable", e
            continue
        if e.dated:
            when = e.when
            day = _local_date(when, tz)
        else:
            when = datetime.combine(day, e.when.time(), e.when.tzinfo)
            # An undated time earlier than the previous entry rolls into the next day,
            # but only while the incident itself was still going on.
            if previous is not None and when < previous and day < last_day:
                day = day + timedelta(days=1)
                when = datetime.combine(day, e.when.time(), e.when.tzinfo)
            if when < window_start or when > window_end:
                yield "window", e
                previous = max(previous, when) if previous else when
                continue
        if previous is not None and when < previous:
            yield "order", e
        previous = when if previous is None else max(previous, when)


@rule(
    "PM203",
    "timeline-order",
    summary=(
        "Timeline entries are out of order, have unreadable times, or fall outside the incident window without a date."
    ),
    why=(
        "Readers rebuild the incident from the timeline; an entry out of order or on an unstated day changes the story."
    ),
    fix=(
        "Write entries earliest first as `HH:MM` in the zone of `started`, and begin entries after the resolution or "
        "from another day with the date (`2024-03-15 09:30`)."
    ),
)
def timeline_order(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    sec = pm.section("timeline")
    if sec is None:
        return
    # The prose only as far as the section's end: the lines after it are not looked at.
    prose_lines = pm.prose.split("\n", max(0, sec.end_line - pm.body_start + 1))
    rows = []
    for lineno in range(sec.line + 1, sec.end_line + 1):
        idx = lineno - pm.body_start
        if 0 <= idx < len(prose_lines) and (prose := prose_lines[idx]) and not prose.isspace():
            rows.append((lineno, pm.lines[lineno - 1]))
    tz = pm.meta.started.tzinfo or UTC
    for problem, e in place(list(entries(rows, tz)), pm.meta.started, pm.meta.resolved):
        yield Hit(timeline_order, e.line, e.column, _MESSAGES[problem].format(short(e.raw)), _HINTS[problem])


_MESSAGES = {
    "unreadable": "timeline entry has no readable time: “{}”",
    "window": "timeline entry “{}” comes after the incident was resolved and has no date",
    "order": "timeline entry “{}” is earlier than the entry before it",
}
_HINTS = {
    "unreadable": "start each row with `HH:MM` (or `YYYY-MM-DD HH:MM`)",
    "window": "begin it with its date, e.g. `2024-03-15 09:30`, so readers know which day it was",
    "order": "order entries earliest first; put a date on entries from another day",
}
