"""The report pages: home, catalog (and its data file), remediation and insights."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from ..analyse.common import time_to_restore
from ..analyse.insights import QuarterTrend
from ..load.schema import STATUSES
from . import charts
from .rows import held_row, recurrence_row
from .urls import base_of, page_url

if TYPE_CHECKING:
    from .site import Site

HELD_ROWS = 10  # fixes that held, listed in insights
TREND_ROWS = 10  # factors in the insights trend table


def home_page(site: Site) -> str:
    return site.env.get_template("home.md.j2").render(
        stash=site.stash("index.md"),
        site_name=site.site_name,
        total=len(site.pms),
        open_actions=len(site.remediation.open),
        overdue=site.remediation.overdue,
        factors=sum(1 for n in site._factor_counts.values() if n > 1),
        recent=[site.row(pm, "index.md") for pm in site.pms[:10]],
    )


def remediation_page(site: Site) -> str:
    return site._render_cached(
        "remediation.md",
        site.env.get_template("remediation.md.j2"),
        r=site.remediation,  # keyed by its repr: every field of every open action
        grace=site.settings.policy.stale_action_grace_days,
        urls={a.postmortem: site.pm_url(a.postmortem, "remediation.md") for a in site.remediation.open if not a.draft},
    )


def catalog_data(site: Site) -> str:
    tax = site.corpus.taxonomy.factors
    rows = []
    for pm in site.pms:
        m = pm.meta
        rows.append(
            {
                "id": m.id,
                "t": m.title,
                "u": page_url(site.src_of[m.id], site.directory_urls),
                "d": m.started.date().isoformat(),
                "s": m.severity,
                "sv": list(m.services),
                "f": sorted({cf.factor for cf in m.contributing_factors}),
                "st": m.status,
                "ttr": int(time_to_restore(pm).total_seconds() // 60),  # whole minutes, as human_duration counts them
            }
        )
    data = {"factors": {fid: f.name for fid, f in sorted(tax.items())}, "rows": rows}
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def catalog_page(site: Site) -> str:
    src = "catalog.md"
    tax = site.corpus.taxonomy.factors
    first = []
    for pm in site.pms[:50]:
        r = site.row(pm, src)
        r["factor_names"] = [
            tax[cf.factor].name if cf.factor in tax else cf.factor for cf in pm.meta.contributing_factors
        ]
        first.append(r)
    return site.env.get_template("catalog.md.j2").render(
        stash=site.stash(src),
        total=len(site.pms),
        base=base_of(src, site.directory_urls),
        years=sorted({pm.meta.started.year for pm in site.pms}, reverse=True),
        severities=site.settings.severities,
        services=sorted({s for pm in site.pms for s in pm.meta.services}),
        factors=sorted((site.factor_view(fid, src) for fid in site._factor_counts), key=lambda f: f["name"]),
        statuses=[s for s in STATUSES if s != "draft"],
        counts=Counter(pm.meta.status for pm in site.pms),  # what the page lists, said in its words
        first_rows=first,
    )


def insights_page(site: Site) -> str:
    ins = site.insights
    top = ins.recurring[:15]
    peak = max((r.incidents for r in top), default=1)
    recurring = [
        {
            "id": r.id,
            "name": r.name,
            "category": r.category,
            "incidents": r.incidents,
            "first_year": r.first_year,
            "last_year": r.last_year,
            "url": site.url(site.factor_src(r.id), "insights.md"),
            "pct": round(r.incidents / peak * 100),
        }
        for r in top
    ]
    return site.env.get_template("insights.md.j2").render(
        stash=site.stash("insights.md"),
        i=ins,
        rem=site.remediation,
        bars=charts.stacked_bars(ins),
        detect_box=charts.box_plot(ins.detect),
        restore_box=charts.box_plot(ins.restore),
        recurring=recurring,
        held=_held_rows(site, "insights.md"),
        fixes_held=_held_fixes(site, "insights.md"),
        trends=_trend_rows(site, "insights.md"),
        trend_quarters=[QuarterTrend.label(q) for q in ins.trend.quarters] if ins.trend else [],
    )


def _held_fixes(site: Site, src: str) -> tuple[list[dict[str, Any]], int]:
    """The latest fixes that held, across factors, and how many held in all."""
    every = [h for fixes in site.recur.held.values() for h in fixes]
    every.sort(key=lambda h: (h.action.effective, h.action.postmortem, h.action.number, h.factor), reverse=True)
    return [held_row(site, h, src) for h in every[:HELD_ROWS]], len(every)


def _held_rows(site: Site, src: str) -> list[dict[str, Any]]:
    """Factors that recurred after remediation, most recurrences first."""
    return [
        {
            **site.factor_view(fid, src),
            "count": n,
            "recurrences": [recurrence_row(site, r, src) for r in reversed(site.recur.by_factor[fid])],
        }
        for fid, n in site.recur.ranked()
    ]


def _trend_rows(site: Site, src: str) -> list[dict[str, Any]]:
    """The most recurring factors' incidents per quarter, as sparklines."""
    trend = site.insights.trend
    if trend is None or not trend.quarters:
        return []
    rows = []
    for r in site.insights.recurring[:TREND_ROWS]:
        counts = trend.counts.get(r.id, [0] * len(trend.quarters))
        rows.append(
            {
                **site.factor_view(r.id, src),
                "total": r.incidents,
                "shown": sum(counts),
                "last4": sum(counts[-4:]),
                "spark": charts.sparkline(counts),
                "counts": counts,
            }
        )
    return rows
