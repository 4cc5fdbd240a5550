"""What the original says, written as the front matter's fields (a `scaffold.Head` for the
shared template): filled where the text says it, TODO with a reason where it does not.
`notes` collects one entry per TODO left for the author."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..scaffold import ActionEntry, FactorEntry, Head, Notes, Time, yaml_str
from .actions import Action
from .events import Event
from .factors import DESCRIPTION_MAX, Factor
from .stamps import TIMES, Stamp, event_text, short

NO_FACTOR = Factor("todo", "TODO: how this condition contributed")


@dataclass(slots=True)
class Said:
    """What the original says, before it is written as front matter."""

    ident: str
    title: str
    day: date | None
    stamps: dict[str, Stamp]
    marks: dict[str, Event]  # the timeline's milestone entries
    severity: str | None
    severity_said: str | None  # what a "Severity:" line says, when it names no known severity
    services: list[str]
    teams: list[str]
    authors: list[str]
    filed: date | None
    impact: bool | None
    impact_from: str  # the section customer impact was read from ("" if stated outright)
    trigger: str | None
    factors: list[Factor]
    actions: list[Action]
    tags: list[str] = field(default_factory=list)


def _time(key: str, said: Said, notes: list[str]) -> tuple[Time, bool]:
    """The field `key`, and whether its zone is a guess."""
    st = said.stamps.get(key)
    if st is None:
        ev = said.marks.get(key)
        hint = f"; its timeline says {yaml_str(short(event_text(ev), 50))}" if ev is not None else ""
        notes.append(key)
        if key == "mitigated":
            return Time(
                key, None, f"when the impact ended, if before `resolved` (not in the original{hint})", commented=True
            ), False
        return Time(key, None, f"TODO: date, time and zone (the original gives no date{hint})"), False
    parts = []
    if st.todo:
        parts.append("TODO: " + st.todo)
        notes.append(key)
    if not st.zone_known:
        parts.append("TODO: confirm time zone (none in the original; UTC assumed)")
    if st.source:
        parts.append(st.source)
    return Time(key, st.when.isoformat(), " · ".join(parts)), not st.zone_known


def _times(said: Said, notes: list[str]) -> list[Time]:
    out = []
    guessed_zone = False
    for key in TIMES:
        t, guess = _time(key, said, notes)
        out.append(t)
        guessed_zone = guessed_zone or guess
    if guessed_zone:
        notes.append("time zone")
    return out


def _filed(said: Said, notes: list[str]) -> tuple[str | None, str]:
    if said.filed is not None:
        return said.filed.isoformat(), ""
    notes.append("filed")
    if said.day is None:
        return None, "TODO: when the postmortem was written (not in the original)"
    resolved = said.stamps.get("resolved")
    guess = resolved.when.date() if resolved else said.day
    return (
        guess.isoformat(),
        "TODO: when the postmortem was written (not in the original; set to the day it was resolved)",
    )


def _impact(said: Said, notes: list[str]) -> tuple[str, str]:
    """(customer_impact's note, public_postmortem's note)."""
    note = ""
    if said.impact is None:
        note = "TODO: true if customers were affected (the original does not say)"
        notes.append("customer_impact")
    elif said.impact_from:
        note = f"TODO: confirm (read from the {said.impact_from} section)"
        notes.append("customer_impact")
    if said.impact:
        notes.append("public_postmortem")
        return note, "the URL or date of the public write-up, if there is one"
    return note, ""


def _factors(said: Said, notes: list[str]) -> list[FactorEntry]:
    out = []
    for fc in said.factors or [NO_FACTOR]:
        note = ""
        if fc.factor == "todo":
            why = f" (candidates: {', '.join(fc.candidates)})" if fc.candidates else ""
            note = f"TODO: pick a factor id{why}"
            notes.append("contributing factor")
        out.append(FactorEntry(fc.factor, fc.description[:DESCRIPTION_MAX], note))
    return out


def _actions(said: Said, notes: list[str]) -> list[ActionEntry]:
    out = []
    for a in said.actions:
        missing = " and ".join(w for w, v in (("owner", a.owner), ("due date", a.due)) if not v)
        note = ""
        if missing and a.status in ("open", "in-progress"):
            note = f"TODO: {missing} (not in the original)"
            notes.append("action " + missing)
        due = a.due.isoformat() if a.due else None
        out.append(ActionEntry(a.summary, a.status, a.owner, due, a.tracker, a.kind, note))
    if not out:
        notes.append("actions")
    return out


def _who(said: Said, severities: tuple[str, ...], notes: list[str]) -> tuple[Notes, str, list[str], list[str]]:
    """(the notes on severity, services and authors; and their values)."""
    n = Notes()
    severity = said.severity or "TODO"
    if said.severity is None:
        quoted = (
            f" (the original says {yaml_str(short(said.severity_said, 30))})"
            if said.severity_said
            else " (not in the original)"
        )
        n.severity = f"TODO: one of {', '.join(severities)}{quoted}"
        notes.append("severity")
    services = said.services or ["TODO"]
    if not said.services:
        n.services = "TODO: the affected services (not in the original)"
        notes.append("services")
    authors = said.authors or ["TODO"]
    if not said.authors:
        n.authors = "TODO: who wrote it (not in the original)"
        notes.append("authors")
    return n, severity, services, authors


def head(said: Said, *, source: str, status: str, template: str, severities: tuple[str, ...]) -> tuple[Head, list[str]]:
    """The front matter of the imported postmortem, and its TODO notes."""
    notes: list[str] = []
    n, severity, services, authors = _who(said, severities, notes)
    times = _times(said, notes)
    filed, n.filed = _filed(said, notes)
    n.customer_impact, n.public_postmortem = _impact(said, notes)
    if not said.trigger:
        notes.append("trigger")
    factors = _factors(said, notes)
    actions = _actions(said, notes)
    n.status = "archived: history, checked for format and safety only; draft: to bring up to the template"
    n.contributing_factors = "ids from factors.yml; at least two"
    n.actions = "" if actions else "TODO: {summary, owner, due, status, tracker, kind}; none found in the original"
    fm = Head(
        id=said.ident,
        title=said.title[:300],
        template=template,
        severity=severity,
        services=services,
        teams=said.teams,
        authors=authors,
        times=times,
        filed=filed,
        trigger=said.trigger[:10_000] if said.trigger else "TODO: the event that exposed the latent conditions",
        factors=factors,
        status=status,
        customer_impact=bool(said.impact),
        actions=actions,
        tags=said.tags,
        intro=[f"Imported by `pmkb import` from {source}. Replace each TODO, then run `pmkb check`."],
        notes=n,
    )
    return fm, notes
