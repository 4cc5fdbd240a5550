"""The open-remediation report: every open action, overdue first, with totals."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..load.schema import OPEN_STATUSES
from ..model import Corpus
from .common import published


@dataclass(slots=True)
class OpenAction:
    id: str  # stable: <postmortem id>#<position in its actions list, from 1>
    postmortem: str
    postmortem_title: str
    path: str
    summary: str
    owner: str
    teams: list[str]
    status: str
    kind: str
    due: date | None
    tracker: str
    filed: date
    age_days: int
    overdue_days: int  # 0 when not overdue
    stale: bool


@dataclass(slots=True)
class Remediation:
    today: date
    open: list[OpenAction]
    total: int
    done: int
    wont_do: int
    by_owner: list[tuple[str, int, int]] = field(default_factory=list)  # owner, open, overdue
    by_team: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for a in self.open if a.overdue_days > 0)

    @property
    def completion(self) -> float:
        return self.done / self.total if self.total else 1.0


def remediation(corpus: Corpus, today: date, grace_days: int = 0) -> Remediation:
    rows: list[OpenAction] = []
    total = done = wont = 0
    for pm in published(corpus.postmortems):
        m = pm.meta
        filed = m.filed if not hasattr(m.filed, "date") else m.filed.date()
        for i, a in enumerate(m.actions, start=1):
            total += 1
            if a.status == "done":
                done += 1
            elif a.status == "wont-do":
                wont += 1
            if a.status not in OPEN_STATUSES:
                continue
            overdue = (today - a.due).days if a.due and today > a.due else 0
            rows.append(
                OpenAction(
                    id=f"{m.id}#{i}",
                    postmortem=m.id,
                    postmortem_title=m.title,
                    path=pm.path,
                    summary=a.summary,
                    owner=a.owner or "(no owner)",
                    teams=list(m.teams),
                    status=a.status,
                    kind=a.kind or "",
                    due=a.due,
                    tracker=a.tracker or "",
                    filed=filed,
                    age_days=max(0, (today - filed).days),
                    overdue_days=overdue,
                    stale=bool(a.due and today > a.due + timedelta(days=grace_days)),
                )
            )
    rows.sort(key=lambda r: (-r.overdue_days, r.due or date.max, r.id))
    owners: Counter[str] = Counter()
    owners_over: Counter[str] = Counter()
    teams: Counter[str] = Counter()
    teams_over: Counter[str] = Counter()
    for r in rows:
        owners[r.owner] += 1
        owners_over[r.owner] += r.overdue_days > 0
        for t in r.teams or ["(no team)"]:
            teams[t] += 1
            teams_over[t] += r.overdue_days > 0
    return Remediation(
        today=today,
        open=rows,
        total=total,
        done=done,
        wont_do=wont,
        by_owner=sorted(((o, n, owners_over[o]) for o, n in owners.items()), key=lambda x: (-x[2], -x[1], x[0])),
        by_team=sorted(((t, n, teams_over[t]) for t, n in teams.items()), key=lambda x: (-x[2], -x[1], x[0])),
    )
