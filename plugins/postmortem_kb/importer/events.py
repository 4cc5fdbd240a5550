"""Timeline entries of a legacy postmortem (table rows, bullets, time-led lines), placed in
time, and the milestones they mark (detected, mitigated, resolved). Dates, clock times and
zones are read by load/times.py, the one clock parser."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from ..load import times as when
from .document import ITEM, Block, Document


@dataclass(slots=True)
class Event:
    line: int
    day: date | None  # explicit on the entry
    at: time
    zone: tzinfo | None
    text: str
    when: datetime | None = None
    zone_known: bool = False


_LEAD_JUNK = " \t*_`[]()~≈-–—,:@|>"


def _strip_item(s: str) -> str:
    s = s.strip()
    s = re.sub(r"^>\s*", "", s)
    m = ITEM.match(s)
    if m:
        s = m.group(3)
    return re.sub(r"^\[[ xX]\]\s*", "", s).strip()


def lead_time(text: str, year: int | None) -> tuple[date | None, time, tzinfo | None, str] | None:
    """A time (optionally after a date) that opens `text`: "14:02 UTC — alert", "Mar 14 2:05 PM: x"."""
    m = when.TIME.search(text)
    if not m or m.start() > 40:
        return None
    at = when.parse_time(m)
    if at is None:
        return None
    prefix = text[: m.start()]
    day = None
    stripped = re.sub(r"(?i)\b(?:at|around|about|approx\.?|approximately|ca\.?|c\.|on)\b", " ", prefix).strip(
        _LEAD_JUNK + " "
    )
    if stripped:
        day = when.date_only(stripped, year)
        if day is None:
            return None  # a time in the middle of a sentence is not a timeline entry
    rest = text[m.end() :]
    zone, used = when.zone_after_time(rest)
    rest = rest[used:].strip(_LEAD_JUNK + " ")
    return day, at, zone, rest


def _row_event(i: int, cells: list[str], year: int | None) -> Event | None:
    """A table row as an entry: "| 14:02 UTC | alert |" or "| 2023-09-30 | 23:48 | x |"."""
    if len(cells) >= 3 and (d := when.date_only(cells[0].strip("*_`"), year)) and (hit := lead_time(cells[1], year)):
        return Event(i, hit[0] or d, hit[1], hit[2], " ".join(c for c in [hit[3], *cells[2:]] if c))
    if cells and (hit := lead_time(cells[0], year)):
        return Event(i, hit[0], hit[1], hit[2], " ".join(c for c in [hit[3], *cells[1:]] if c))
    return None


def _header_zone(cells: list[str]) -> tzinfo | None:
    """ "| Time (PT) | Event |": the zone of the time column."""
    for c in cells:
        if "time" in c.lower() and (zone := when.zone_in_parens(c) or when.zone_of(c.split()[-1])):
            return zone
    return None


def events(doc: Document, blocks: list[Block], year: int | None) -> tuple[list[Event], tzinfo | None]:
    """Timeline entries from table rows, bullets and time-led lines; and a zone the timeline's
    heading or table header states ("Timeline (UTC)", "| Time (PT) | Event |")."""
    out: list[Event] = []
    zone_hint: tzinfo | None = None
    current_day: date | None = None
    for b in blocks:
        zone_hint = zone_hint or when.zone_in_parens(b.title)
        for i in b.lines:
            s = doc.lines[i].strip()
            if i in doc.fenced or not s:
                continue
            if (row := doc.rows.get(i)) is not None:
                if (ev := _row_event(i, row.cells, year)) is not None:
                    out.append(ev)
                elif row.header:
                    zone_hint = zone_hint or _header_zone(row.cells)
                continue
            item = _strip_item(s)
            hit = lead_time(item, year)
            if hit is None:
                plain = re.sub(r"[*_`#]", "", item).strip(" :")
                if len(plain) <= 60 and (d := when.date_only(plain, year)):
                    current_day = d
                    zone_hint = zone_hint or when.zone_in_parens(plain)
                continue
            day, at, zone, rest = hit
            out.append(Event(i, day or current_day, at, zone, rest, zone_known=False))
            current_day = day or current_day
    return out, zone_hint


def place(evs: list[Event], base: date | None, zone: tzinfo | None) -> None:
    """Give each event a datetime: its own date, or the incident's day (rolling past midnight)."""
    running = base
    previous: datetime | None = None
    for ev in evs:
        day = ev.day or running
        if day is None:
            continue
        naive = datetime.combine(day, ev.at)
        if ev.day is None and previous is not None and naive < previous - timedelta(hours=12):
            day = day + timedelta(days=1)  # 23:50 then 00:10: the next day
            naive = datetime.combine(day, ev.at)
        running = day
        previous = naive
        tz = ev.zone or zone
        ev.zone_known = tz is not None
        ev.when = naive.replace(tzinfo=tz or UTC)


_NEGATED = re.compile(r"(?i)\b(?:no|not|without|never|didn't|did not|before)\s+(?:\w+\s+)?$")
DETECT = re.compile(
    r"(?i)\b(?:detect\w*|alert\w*|paged|pages|paging|pager\w*|page|noticed|notices|notice|reported|reports|report"
    r"|on-?call (?:is |was )?(?:notified|engaged)|ticket (?:opened|filed)|incident (?:declared|opened))\b"
    r"|\b(?:support|customers?|users?|partners?)\b[^.;]{0,30}"
    r"\b(?:ask\w*|report\w*|notic\w*|complain\w*|escalat\w*|forward\w*)"
)
MITIGATE = re.compile(
    r"(?i)\b(?:mitigat\w*|restored|recover(?:ed|s|ing|y)|back to normal|returns? to normal|rolled back|"
    r"roll-?back (?:complete|finished|done)"
    r"|service (?:is )?back|errors? (?:stop|subside)\w*|back (?:up|online))\b"
)
RESOLVE = re.compile(
    r"(?i)\b(?:resolved|all[- ]clear|incident (?:closed|ended|over|resolved)|closed the incident|fully recovered|"
    r"stood down|declared over)\b"
)


def _says(pattern: re.Pattern[str], text: str) -> bool:
    return any(not _NEGATED.search(text[: m.start()]) for m in pattern.finditer(text))


def milestones(evs: list[Event]) -> dict[str, Event]:
    """started: the first entry; detected/mitigated/resolved: the first entry that says so."""
    placed = [e for e in evs if e.when is not None] or evs
    if not placed:
        return {}
    out = {"started": placed[0]}
    k = 0
    for key, pattern in (("detected", DETECT), ("mitigated", MITIGATE), ("resolved", RESOLVE)):
        for j in range(k, len(placed)):
            if _says(pattern, placed[j].text):
                out[key] = placed[j]
                k = j
                break
    return out


def stamp(value: str, base: date | None, zone: tzinfo | None) -> tuple[datetime, bool] | None:
    """ "2021-02-09 16:20 CET", "16:20" (on the incident's day): a datetime and whether its zone was given."""
    hit = when.find_date(value)
    day = hit[0] if hit else base
    rest = value[hit[1][1] :] if hit else value
    m = when.TIME.search(rest)
    if day is None or m is None:
        return None
    at = when.parse_time(m)
    if at is None:
        return None
    own, _ = when.zone_after_time(rest[m.end() :])
    tz = own or zone
    return datetime.combine(day, at).replace(tzinfo=tz or UTC), tz is not None
