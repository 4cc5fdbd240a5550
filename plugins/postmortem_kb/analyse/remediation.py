"""The open-remediation report: every open action, overdue first, with totals."""

from __future__ import annotations

import gc
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..load.schema import OPEN_STATUSES
from ..model import Corpus


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
    draft: bool = False  # its postmortem is still a draft: listed, so no one loses it, but not linked


# The site page stays readable (and small) at any size: past PAGE_ALL open actions it
# lists, for each of the first PAGE_OWNERS owners, their first PAGE_PER_OWNER actions
# (overdue first), and the owner and team totals up to PAGE_OWNERS rows each. The CSV
# and JSON downloads always hold every action.
PAGE_ALL = 1000
PAGE_OWNERS = 100
PAGE_PER_OWNER = 5


@dataclass(slots=True)
class OwnerGroup:
    owner: str
    open: int
    overdue: int
    rows: list[OpenAction]  # the first PAGE_PER_OWNER, overdue first


@dataclass(slots=True)
class PageView:
    """What the site's remediation page shows: every action, or a bounded digest."""

    complete: bool  # every open action is listed in `rows`
    rows: list[OpenAction]  # when complete: all, overdue first
    groups: list[OwnerGroup]  # when not complete: the first owners and their first actions
    by_owner: list[tuple[str, int, int]]
    by_team: list[tuple[str, int, int]]
    more_owners: int  # owners (teams) beyond the tables' rows
    more_teams: int
    listed: int  # actions on the page
    per_owner: int  # at most this many actions of each owner


@dataclass(slots=True, repr=False)
class Remediation:
    today: date
    open: list[OpenAction]
    total: int
    done: int
    wont_do: int
    by_owner: list[tuple[str, int, int]] = field(default_factory=list)  # owner, open, overdue
    by_team: list[tuple[str, int, int]] = field(default_factory=list)
    draft_total: int = 0  # of `total`, actions of draft postmortems (counted on purpose: still owed)
    draft_done: int = 0

    @property
    def draft_open(self) -> int:
        return sum(1 for a in self.open if a.draft)

    @property
    def team_rows(self) -> int:
        """Open actions counted in the team table: once per owning team (a postmortem
        owned by two teams counts its actions twice, one with none once)."""
        return sum(n for _, n, _ in self.by_team)

    @property
    def overdue(self) -> int:
        return sum(1 for a in self.open if a.overdue_days > 0)

    @property
    def completion(self) -> float:
        return self.done / self.total if self.total else 1.0

    def __repr__(self) -> str:
        """Short, and different whenever any field of any open action is: the site's
        render cache keys the page by it (a full repr was ~100 MB at 200,000 actions)."""
        digest = hashlib.sha256()
        for a in self.open:
            digest.update(repr(a).encode("utf-8", "surrogatepass"))
        head = (
            self.today,
            self.total,
            self.done,
            self.wont_do,
            self.draft_total,
            self.draft_done,
            self.by_owner[:PAGE_OWNERS],
            self.by_team[:PAGE_OWNERS],
            len(self.by_owner),
            len(self.by_team),
        )
        return f"Remediation({head!r}, {len(self.open)} open, sha256={digest.hexdigest()})"

    def page(self, all_up_to: int = PAGE_ALL, owners: int = PAGE_OWNERS, per_owner: int = PAGE_PER_OWNER) -> PageView:
        """The site page's share of the report, bounded by owners × per_owner rows."""
        if len(self.open) <= all_up_to:
            return PageView(True, self.open, [], self.by_owner, self.by_team, 0, 0, len(self.open), len(self.open))
        shown = {o for o, _, _ in self.by_owner[:owners]}
        firsts: dict[str, list[OpenAction]] = defaultdict(list)
        for a in self.open:  # overdue first already: each owner's first rows are theirs
            if a.owner in shown and len(firsts[a.owner]) < per_owner:
                firsts[a.owner].append(a)
        groups = [OwnerGroup(o, n, over, firsts[o]) for o, n, over in self.by_owner[:owners]]
        return PageView(
            False,
            [],
            groups,
            self.by_owner[:owners],
            self.by_team[:owners],
            max(0, len(self.by_owner) - owners),
            max(0, len(self.by_team) - owners),
            sum(len(g.rows) for g in groups),
            per_owner,
        )


def remediation(corpus: Corpus, today: date, grace_days: int = 0) -> Remediation:
    # Many small objects that form no cycles (200,000 actions: 1.2 s of collections).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _remediation(corpus, today, grace_days)
    finally:
        if was_enabled:
            gc.enable()


def _remediation(corpus: Corpus, today: date, grace_days: int) -> Remediation:
    rows: list[OpenAction] = []
    total = done = wont = draft_total = draft_done = 0
    grace = timedelta(days=grace_days)
    # Drafts too: an action agreed in a review whose write-up is unfinished is still owed.
    for pm in corpus.valid:
        m = pm.meta
        filed = m.filed if not hasattr(m.filed, "date") else m.filed.date()
        teams = list(m.teams)  # one list per postmortem, shared by its actions (read only)
        age = max(0, (today - filed).days)
        is_draft = m.status == "draft"
        for i, a in enumerate(m.actions, start=1):
            total += 1
            draft_total += is_draft
            if a.status == "done":
                done += 1
                draft_done += is_draft
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
                    teams=teams,
                    status=a.status,
                    kind=a.kind or "",
                    due=a.due,
                    tracker=a.tracker or "",
                    filed=filed,
                    age_days=age,
                    overdue_days=overdue,
                    stale=bool(a.due and today > a.due + grace),
                    draft=m.status == "draft",
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
        draft_total=draft_total,
        draft_done=draft_done,
    )
