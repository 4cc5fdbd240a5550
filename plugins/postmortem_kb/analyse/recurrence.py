"""Did the fix hold? Factors that came back after an action addressing them was done.

An action may name the factors it addresses (`addresses: [retry-storm]`). When a later
incident in one of the same services names one of those factors again after that
action was done, the factor recurred after remediation: the site shows it on the factor
page, in insights and on the later postmortem, and `pmkb check` tells the author of a
new postmortem. Scoped by service because taxonomy factors are broad: a clock-drift fix
in identity says nothing about a monitoring gap in payments, so an incident elsewhere
is "seen again", never "the fix did not hold". A done action whose services have not
named the factor since is a fix that held (`held`).

"After": the schema records no completion date, only `status: done` and `due`, so the
due date stands for the day the action was done. A later incident counts when it
started on a day after that due date (and after the day the earlier incident started,
should its action be due before it). An action with no due date is never dated, so it
never counts.

Pure: postmortems in, typed records out. Linear-ish: one index of factor → incidents
(sorted by start) and factor → done actions (sorted by date), split by service, then one
merge per (factor, service); no pairs of incidents are compared.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from ..model import Postmortem


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    title: str
    started: datetime
    services: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DoneAction:
    """A done action addressing a factor, dated by its due date (see the module's doc)."""

    postmortem: str  # id of the incident whose action it is
    title: str  # that incident's title
    number: int  # 1-based, as the postmortem's action table numbers it
    summary: str
    due: date
    effective: date  # the later of `due` and the day that incident started
    services: tuple[str, ...] = ()  # that incident's services: where the fix is judged


@dataclass(frozen=True, slots=True)
class Recurrence:
    """`factor` came back in `incident`, in `service`, after `after` (the latest done
    action addressing it, of an incident in that service, dated before this one;
    `done_before` such actions in that service in all)."""

    factor: str
    incident: Incident
    after: DoneAction
    done_before: int
    service: str = ""


@dataclass(slots=True)
class FactorHistory:
    """One factor's incidents (by start) and done actions addressing it (by date)."""

    incidents: list[Incident] = field(default_factory=list)
    done: list[DoneAction] = field(default_factory=list)
    _starts: list[float] = field(default_factory=list)  # POSIX times of `incidents`
    _dates: list[date] = field(default_factory=list)

    def seal(self, starts: list[float]) -> None:
        """`incidents` came in sorted (see `index`); the done actions are few."""
        self.done.sort(key=lambda d: (d.effective, d.postmortem, d.number))
        self._starts = starts
        self._dates = [d.effective for d in self.done]

    def before(self, started: datetime, exclude: str | None = None) -> list[Incident]:
        """Incidents that started before `started`, most recent first."""
        k = bisect.bisect_left(self._starts, started.timestamp())
        return [i for i in reversed(self.incidents[:k]) if i.id != exclude]

    def done_before_day(self, day: date, exclude: str | None = None) -> list[DoneAction]:
        """Done actions dated before `day`, latest first (not those of `exclude`)."""
        k = bisect.bisect_left(self._dates, day)
        return [d for d in reversed(self.done[:k]) if d.postmortem != exclude]


def index(pms: Iterable[Postmortem]) -> dict[str, FactorHistory]:
    """Factor id → its history, over postmortems with valid front matter."""
    out: dict[str, FactorHistory] = defaultdict(FactorHistory)
    starts: dict[str, list[float]] = defaultdict(list)
    # One sort of the incidents by start (POSIX time: comparing aware datetimes costs
    # ten times more), so that every factor's list is built in order.
    timed = sorted(
        ((pm.meta.started.timestamp(), pm.meta.id, pm.meta) for pm in pms if pm.meta is not None),
        key=lambda t: (t[0], t[1]),
    )
    for at, _, m in timed:
        own = dict.fromkeys(cf.factor for cf in m.contributing_factors)
        services = tuple(dict.fromkeys(m.services))
        incident = Incident(m.id, m.title, m.started, services)
        for fid in own:
            out[fid].incidents.append(incident)
            starts[fid].append(at)
        for n, a in enumerate(m.actions, start=1):
            if a.status != "done" or a.due is None:
                continue
            # Only factors of this postmortem: naming another is a finding (unknown-factor).
            for fid in dict.fromkeys(f for f in a.addresses if f in own):
                out[fid].done.append(
                    DoneAction(m.id, m.title, n, a.summary, a.due, max(a.due, m.started.date()), services)
                )
    for fid, history in out.items():
        history.seal(starts[fid])
    return dict(out)


@dataclass(frozen=True, slots=True)
class Held:
    """A done action addressing `factor` that no later incident in its services has
    named the factor after: the fix held (so far)."""

    factor: str
    action: DoneAction


@dataclass(slots=True)
class Recurrences:
    by_factor: dict[str, list[Recurrence]]  # factor → recurrences, by the incident's start
    by_postmortem: dict[str, list[Recurrence]]  # later incident's id → its recurrences
    held: dict[str, list[Held]] = field(default_factory=dict)  # factor → fixes that held, latest first

    def ranked(self) -> list[tuple[str, int]]:
        """(factor, recurrences) most first, then by id."""
        return sorted(((f, len(r)) for f, r in self.by_factor.items()), key=lambda kv: (-kv[1], kv[0]))


def recurrences(pms: Iterable[Postmortem] | dict[str, FactorHistory]) -> Recurrences:
    """Every (factor, later incident) where the factor recurred after remediation in a
    service the two incidents share, and every done action whose fix held."""
    histories = pms if isinstance(pms, dict) else index(pms)
    by_factor: dict[str, list[Recurrence]] = {}
    by_pm: dict[str, list[Recurrence]] = defaultdict(list)
    held: dict[str, list[Held]] = {}
    for fid in sorted(histories):
        found, kept = _factor(fid, histories[fid])
        if found:
            by_factor[fid] = found
            for r in found:
                by_pm[r.incident.id].append(r)
        if kept:
            held[fid] = kept
    return Recurrences(by_factor, dict(by_pm), held)


def _by_service(h: FactorHistory) -> dict[str, tuple[list[Incident], list[DoneAction]]]:
    """The factor's history split by service, each list still in order (one pass)."""
    out: dict[str, tuple[list[Incident], list[DoneAction]]] = defaultdict(lambda: ([], []))
    for inc in h.incidents:
        for s in inc.services:
            out[s][0].append(inc)
    for d in h.done:
        for s in d.services:
            out[s][1].append(d)
    return out


def _factor(fid: str, h: FactorHistory) -> tuple[list[Recurrence], list[Held]]:
    """One merge per service; an incident in several services keeps the recurrence whose
    action is latest (the first of its services on a tie)."""
    best: dict[str, Recurrence] = {}
    last_day: dict[str, date] = {}  # service → the day its latest incident naming fid started
    for service, (incidents, done) in _by_service(h).items():
        if incidents:
            last_day[service] = incidents[-1].started.date()
        for r in _merge(fid, service, incidents, done):
            old = best.get(r.incident.id)
            if old is None or _rank(r) > _rank(old):
                best[r.incident.id] = r
    found = sorted(best.values(), key=lambda r: (r.incident.started.timestamp(), r.incident.id))
    # Held: none of the action's services named the factor on a day after it was done.
    kept = [
        Held(fid, d)
        for d in reversed(h.done)
        if d.services and all(last_day.get(s, d.effective) <= d.effective for s in d.services)
    ]
    return found, kept


def _rank(r: Recurrence) -> tuple[date, int]:
    services = r.incident.services
    return (r.after.effective, -services.index(r.service) if r.service in services else 0)


def _merge(fid: str, service: str, incidents: list[Incident], done: list[DoneAction]) -> list[Recurrence]:
    """One pass over incidents and done actions, both sorted by date. An incident's own
    actions are dated no earlier than the day it started, so they never precede it."""
    out: list[Recurrence] = []
    k = 0  # done actions dated before the current incident's day
    for inc in incidents:
        day = inc.started.date()
        while k < len(done) and done[k].effective < day:
            k += 1
        if k:
            out.append(Recurrence(fid, inc, done[k - 1], k, service))
    return out


@dataclass(frozen=True, slots=True)
class SharedFactor:
    """For a postmortem being written: earlier incidents that named one of its factors
    (anywhere), and the latest done action addressing it before this incident, of an
    incident in one of its services (if any)."""

    factor: str
    earlier: list[Incident]  # most recent first
    after: DoneAction | None
    done_before: int


def shared_factors(pm: Postmortem, histories: dict[str, FactorHistory]) -> list[SharedFactor]:
    """This postmortem's factors that earlier incidents share, in its own order."""
    m = pm.meta
    if m is None:
        return []
    out = []
    for fid in dict.fromkeys(cf.factor for cf in m.contributing_factors):
        h = histories.get(fid)
        if h is None:
            continue
        earlier = h.before(m.started, exclude=m.id)
        mine = set(m.services)
        done = [d for d in h.done_before_day(m.started.date(), exclude=m.id) if mine.intersection(d.services)]
        if earlier or done:
            out.append(SharedFactor(fid, earlier, done[0] if done else None, len(done)))
    return out


@dataclass(frozen=True, slots=True)
class Note:
    """Information for the author of a postmortem (never a finding)."""

    path: str
    line: int
    column: int
    message: str


EARLIER_NAMED = 3  # earlier incidents a note names; the rest are counted


def pattern_notes(pm: Postmortem, histories: dict[str, FactorHistory], found: Recurrences) -> list[Note]:
    """One note per factor of `pm` that earlier incidents share: which ones, whether the
    factor comes back here after a done action addressing it, and whether it already
    came back after remediation before. At the factor's line in the front matter."""
    m = pm.meta
    if m is None:
        return []
    at = {cf.factor: i for i, cf in reversed(list(enumerate(m.contributing_factors)))}
    out = []
    for s in shared_factors(pm, histories):
        line, col = (
            pm.line_of.line_of(("contributing_factors", at[s.factor], "factor")) if pm.line_of is not None else (1, 1)
        )
        out.append(Note(pm.path, line, col, _note_text(s, m.started, m.services, found.by_factor.get(s.factor, []))))
    return out


def _shared(s: SharedFactor, services: list[str]) -> str:
    """The services this postmortem shares with the incident of `s.after`."""
    theirs = set(s.after.services) if s.after is not None else set()
    shared = [x for x in dict.fromkeys(services) if x in theirs]
    return ", ".join(shared[:-1]) + " and " + shared[-1] if len(shared) > 1 else "".join(shared)


def _note_text(s: SharedFactor, started: datetime, services: list[str], recurred: list[Recurrence]) -> str:
    named = ", ".join(f"{i.id} ({i.started.date().isoformat()})" for i in s.earlier[:EARLIER_NAMED])
    more = len(s.earlier) - EARLIER_NAMED
    n = len(s.earlier)
    text = f"`{s.factor}` was also a factor in {n} earlier incident{'s' if n != 1 else ''}: {named}" + (
        f" and {more} more" if more > 0 else ""
    )
    if s.after is not None:
        a = s.after
        text += (
            f"; it recurs here, in {_shared(s, services)}, after {a.postmortem}'s action {a.number} "
            f"“{_short(a.summary)}” was done (due {a.due.isoformat()}): the review can ask why that fix did not hold"
        )
    # Only in this incident's services: elsewhere says nothing about the fixes here.
    mine = set(services)
    before = [r for r in recurred if r.incident.started < started and r.service in mine]
    if before:
        text += (
            f"; in {'its services' if len(mine) > 1 else 'this service'} it had already recurred after remediation "
            f"{len(before)} time{'s' if len(before) != 1 else ''} (latest: {before[-1].incident.id} in "
            f"{before[-1].service})"
        )
    return text


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
