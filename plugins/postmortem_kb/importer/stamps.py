"""When it happened: the incident's day, and `started`, `detected`, `mitigated` and `resolved`
from stated times ("Start time: 16:20 CET"), durations ("Time to detection: 4 minutes") and
the timeline's milestones, each with where it came from or what is left TODO."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import PurePath

from ..load import times as when
from ..scaffold import yaml_str
from . import events
from .document import Document
from .facts import Fact
from .names import plain

TIMES = ("started", "detected", "mitigated", "resolved")
_DURATIONS = (("detected", "ttd"), ("mitigated", "ttm"), ("resolved", "ttr"), ("resolved", "duration"))


@dataclass(slots=True)
class Stamp:
    when: datetime
    zone_known: bool
    source: str = ""  # where the original says it
    todo: str = ""  # why it is a guess


def short(text: str, limit: int = 70) -> str:
    text = re.sub(r"\s+", " ", plain(text)).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def event_text(ev: events.Event) -> str:
    day = f"{ev.day.isoformat()} " if ev.day else ""
    return f"{day}{ev.at.strftime('%H:%M')} {ev.text}".strip()


def _meta_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and (hit := when.find_date(value)):
        return hit[0]
    return None


def incident_day(doc: Document, name: str, facts: dict[str, Fact], title_day: date | None) -> date | None:
    """The day the file name, a "Date:" line, the title or the original front matter gives."""
    day = when.file_date(PurePath(name).name)
    if day is None and (f := facts.get("date")) and (hit := when.find_date(f.value)):
        day = hit[0]
    return day or title_day or _meta_date(doc.meta.get("date"))


def _zone(facts: dict[str, Fact]) -> tzinfo | None:
    f = facts.get("zone")
    if f is None:
        return None
    words = f.value.split()
    return when.zone_of(f.value) or when.zone_of(words[0] if words else "")


def _stated(
    doc: Document, facts: dict[str, Fact], stamps: dict[str, Stamp], day: date | None, zone: tzinfo | None
) -> date | None:
    """ "Start time: 2021-02-09 16:20 CET" and the like, over the timeline's; the day they give."""
    for key in TIMES:
        f = facts.get(key)
        st = events.stamp(f.value, day, zone) if f else None
        if f and st is not None:
            stamps[key] = Stamp(st[0], st[1], f"from {yaml_str(short(doc.lines[f.line], 50))}")
            day = day or st[0].date()
    return day


def _from_durations(doc: Document, facts: dict[str, Fact], stamps: dict[str, Stamp]) -> None:
    """ "Time to detection: 4 minutes" after a known start."""
    started = stamps.get("started")
    if started is None:
        return
    for key, dkey in _DURATIONS:
        if key in stamps:
            continue
        f = facts.get(dkey) or facts.get(key)
        dur = when.parse_duration(f.value) if f else None
        if f and dur is not None:
            stamps[key] = Stamp(
                started.when + dur, started.zone_known, f"start + {yaml_str(short(doc.lines[f.line], 50))}"
            )


def _fill_gaps(stamps: dict[str, Stamp], evs: list[events.Event], day: date | None) -> None:
    """Started, detected and resolved, guessed (and marked TODO) where the original is silent."""
    if not stamps:
        if day is not None:
            midnight = datetime.combine(day, time(0), UTC)
            for key, what in (
                ("started", "when the impact began"),
                ("detected", "when we knew"),
                ("resolved", "when the incident was closed"),
            ):
                stamps[key] = Stamp(midnight, True, todo=f"{what}: the original gives only the date")
        return
    known = [s.when for s in stamps.values()]
    if "started" not in stamps:
        zone_known = any(s.zone_known for s in stamps.values())
        stamps["started"] = Stamp(
            min(known), zone_known, todo="when it started: not in the original (this is the earliest time it gives)"
        )
    if "detected" not in stamps:
        s0 = stamps["started"]
        stamps["detected"] = Stamp(
            s0.when, s0.zone_known, todo="when it was detected: not in the original (set to started)"
        )
    if "resolved" not in stamps:
        last = max([*known, *(e.when for e in evs if e.when)])
        ref = next((s for s in stamps.values() if s.when == last), stamps["started"])
        stamps["resolved"] = Stamp(
            last, ref.zone_known, todo="when it was resolved: not in the original (this is the last time it gives)"
        )


def read_times(
    doc: Document, facts: dict[str, Fact], day: date | None, unfenced: str
) -> tuple[date | None, dict[str, Stamp], dict[str, events.Event]]:
    """(the incident's day, the times found, the timeline's milestone entries)."""
    evs, hint = events.events(doc, [b for b in doc.blocks if b.target == "timeline"], day.year if day else None)
    zone = _zone(facts) or hint or when.stated_zone(unfenced)
    if day is None:
        day = next((e.day for e in evs if e.day), None)
    events.place(evs, day, zone)
    marks = events.milestones(evs)
    stamps = {
        k: Stamp(ev.when, ev.zone_known, f"timeline: {yaml_str(short(event_text(ev)))}")
        for k, ev in marks.items()
        if ev.when is not None
    }
    day = _stated(doc, facts, stamps, day, zone)
    _from_durations(doc, facts, stamps)
    if day is None and stamps:
        day = min(s.when for s in stamps.values()).date()
    _fill_gaps(stamps, evs, day)
    return day, stamps, marks
