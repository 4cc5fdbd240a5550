"""Insights: incidents over time, detect/restore distributions, recurring factors, remediation."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..load.schema import DETECTION_METHODS, OPEN_STATUSES, PRIORITIES
from ..model import Corpus
from .common import (
    NOT_RECORDED,
    analysed,
    minutes,
    recorded_severity,
    time_to_detect,
    time_to_restore,
    times_recorded,
)
from .remediation import Remediation


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not sorted_values:
        return float("nan")
    pos = (len(sorted_values) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


@dataclass(slots=True)
class Distribution:
    label: str
    n: int
    p10: float
    p25: float
    median: float
    p75: float
    p90: float
    max: float


def distribution(label: str, values: list[float]) -> Distribution | None:
    if not values:
        return None
    v = sorted(values)
    return Distribution(
        label,
        len(v),
        percentile(v, 0.10),
        percentile(v, 0.25),
        percentile(v, 0.5),
        percentile(v, 0.75),
        percentile(v, 0.9),
        v[-1],
    )


@dataclass(slots=True)
class RecurringFactor:
    id: str
    name: str
    category: str
    incidents: int
    first_year: int
    last_year: int


@dataclass(slots=True)
class Insights:
    years: list[int]
    severities: list[str]
    per_year: dict[int, dict[str, int]]  # year -> severity -> count
    detect: list[Distribution]  # per severity, minutes
    restore: list[Distribution]
    recurring: list[RecurringFactor]
    completion_by_year: list[tuple[int, int, int]]  # year, done, total
    open_age_buckets: list[tuple[str, int]]
    total_incidents: int
    customer_impacting: int
    extras: dict[str, float] = field(default_factory=dict)
    detection: list[tuple[str, int]] = field(
        default_factory=list
    )  # method, incidents (only methods seen; "not recorded" last)
    priorities: list[tuple[str, int, int, int]] = field(default_factory=list)  # priority, actions, done, open
    impact_by_year: list[ImpactYear] = field(default_factory=list)  # years where any incident records impact
    trend: QuarterTrend | None = None  # factor frequency by quarter
    statuses: dict[str, int] = field(default_factory=dict)  # incidents counted, by status (the catalog's words)
    severity_not_recorded: int = 0  # incidents whose severity is not a configured one (imported TODO)
    times_not_recorded: int = 0  # incidents left out of the time distributions (placeholder times)


@dataclass(frozen=True, slots=True)
class ImpactYear:
    """One year's structured impact: each figure summed over the incidents that record
    it, with how many did (never 0 for "not recorded")."""

    year: int
    incidents: int  # incidents that year
    customers_recorded: int
    customers: int
    requests_recorded: int
    requests: int


@dataclass(slots=True)
class _Review:
    """Tallies of the review fields, filled one postmortem at a time."""

    detection: Counter[str] = field(default_factory=Counter)
    priorities: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    impact: dict[int, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0, 0]))

    def add(self, m: Any) -> None:  # a FrontMatter
        self.detection[m.detection or "not recorded"] += 1
        for a in m.actions:
            row = self.priorities[a.priority or "none"]
            row[0] += 1
            row[1] += a.status == "done"
            row[2] += a.status in OPEN_STATUSES
        imp = m.impact
        row = self.impact[m.started.year]
        row[0] += 1
        if imp is not None and imp.customers_affected is not None:
            row[1] += 1
            row[2] += imp.customers_affected
        if imp is not None and imp.requests_failed is not None:
            row[3] += 1
            row[4] += imp.requests_failed

    def detection_rows(self) -> list[tuple[str, int]]:
        order = [*DETECTION_METHODS, "not recorded"]
        return [(k, self.detection[k]) for k in order if self.detection[k]]

    def priority_rows(self) -> list[tuple[str, int, int, int]]:
        """Every priority and "none" (no priority), so the rows add up to every action."""
        return [(p, *self.priorities.get(p, [0, 0, 0])) for p in (*PRIORITIES, "none")]

    def impact_rows(self) -> list[ImpactYear]:
        return [ImpactYear(y, *self.impact[y]) for y in sorted(self.impact) if self.impact[y][1] or self.impact[y][3]]


QUARTERS_SHOWN = 24  # six years: older quarters are summed into `before`


@dataclass(slots=True)
class QuarterTrend:
    """How many incidents named each factor, quarter by quarter (the corpus's last
    QUARTERS_SHOWN quarters, empty ones included)."""

    quarters: list[tuple[int, int]]  # (year, quarter 1-4), oldest first
    counts: dict[str, list[int]]  # factor -> incidents per quarter, aligned with `quarters`
    before: dict[str, int]  # factor -> incidents before the first quarter shown

    @staticmethod
    def label(q: tuple[int, int]) -> str:
        return f"{q[0]} Q{q[1]}"


def _quarter(d: date) -> tuple[int, int]:
    return (d.year, (d.month - 1) // 3 + 1)


def factor_quarters(seen: list[tuple[date, set[str]]], shown: int = QUARTERS_SHOWN) -> QuarterTrend:
    """The trend from (incident start date, its factor ids) pairs: one pass, no sort."""
    if not seen:
        return QuarterTrend([], {}, {})
    first = min(_quarter(d) for d, _ in seen)
    last = max(_quarter(d) for d, _ in seen)
    span = (last[0] - first[0]) * 4 + last[1] - first[1] + 1
    start = max(0, span - shown)
    quarters = [((first[0] * 4 + first[1] - 1 + k) // 4, (first[1] - 1 + k) % 4 + 1) for k in range(start, span)]
    counts: dict[str, list[int]] = {}
    before: dict[str, int] = {}
    for d, fids in seen:
        q = _quarter(d)
        k = (q[0] - first[0]) * 4 + q[1] - first[1] - start
        for fid in fids:
            if k < 0:
                before[fid] = before.get(fid, 0) + 1
            else:
                counts.setdefault(fid, [0] * len(quarters))[k] += 1
    return QuarterTrend(quarters, counts, before)


AGE_BUCKETS = [(30, "≤ 30 days"), (90, "31–90 days"), (180, "91–180 days"), (365, "181–365 days"), (10**9, "> 1 year")]


def insights(corpus: Corpus, severities: list[str], remediation: Remediation, today: date) -> Insights:
    pms = analysed(corpus)
    review = _Review()
    per_year: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(severities, 0))
    detect: dict[str, list[float]] = defaultdict(list)
    restore: dict[str, list[float]] = defaultdict(list)
    factor_years: dict[str, list[int]] = defaultdict(list)
    completion: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    detect_unsorted: list[float] = []  # times of incidents with no severity recorded: in "all" only
    restore_unsorted: list[float] = []
    seen: list[tuple[date, set[str]]] = []
    customer = no_times = 0
    statuses: Counter[str] = Counter()
    for pm in pms:
        m = pm.meta
        year = m.started.year
        statuses[m.status] += 1
        # A severity outside the configured ones (an import's TODO) is "not recorded":
        # no column of its own, no distribution.
        severity = recorded_severity(m.severity, severities)
        per_year[year][severity] = per_year[year].get(severity, 0) + 1
        if not times_recorded(pm):
            no_times += 1
        elif severity != NOT_RECORDED:
            detect[severity].append(minutes(time_to_detect(pm)))
            restore[severity].append(minutes(time_to_restore(pm)))
        else:
            detect_unsorted.append(minutes(time_to_detect(pm)))
            restore_unsorted.append(minutes(time_to_restore(pm)))
        customer += m.customer_impact
        review.add(m)
        fids = {cf.factor for cf in m.contributing_factors}
        seen.append((m.started.date(), fids))
        for fid in fids:
            factor_years[fid].append(year)
        for a in m.actions:
            completion[year][1] += 1
            completion[year][0] += a.status == "done"
    sev_order = [s for s in severities if s in detect]
    all_detect = [v for s in sev_order for v in detect[s]] + detect_unsorted
    all_restore = [v for s in sev_order for v in restore[s]] + restore_unsorted
    unrecorded = sum(per_year[y].get(NOT_RECORDED, 0) for y in per_year)
    recurring = []
    for fid, years in factor_years.items():
        f = corpus.taxonomy.factors.get(fid)
        recurring.append(
            RecurringFactor(
                fid, f.name if f else fid, f.category if f else "unknown", len(years), min(years), max(years)
            )
        )
    recurring.sort(key=lambda r: (-r.incidents, r.id))
    buckets: Counter[str] = Counter()
    for a in remediation.open:
        for limit, label in AGE_BUCKETS:
            if a.age_days <= limit:
                buckets[label] += 1
                break
    return Insights(
        years=sorted(per_year),
        severities=[*severities, NOT_RECORDED] if unrecorded else list(severities),
        per_year={y: dict(per_year[y]) for y in sorted(per_year)},
        detect=[d for d in (distribution(s, detect[s]) for s in sev_order) if d]
        + [d for d in [distribution("all", all_detect)] if d],
        restore=[d for d in (distribution(s, restore[s]) for s in sev_order) if d]
        + [d for d in [distribution("all", all_restore)] if d],
        recurring=recurring,
        completion_by_year=[(y, completion[y][0], completion[y][1]) for y in sorted(completion)],
        open_age_buckets=[(label, buckets[label]) for _, label in AGE_BUCKETS],
        total_incidents=len(pms),
        customer_impacting=customer,
        detection=review.detection_rows(),
        priorities=review.priority_rows(),
        impact_by_year=review.impact_rows(),
        trend=factor_quarters(seen),
        statuses={s: statuses[s] for s in ("published", "in-review", "archived") if statuses[s]},
        severity_not_recorded=unrecorded,
        times_not_recorded=no_times,
    )
