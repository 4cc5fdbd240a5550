"""A page per contributing factor (incidents, co-occurring factors, recurrences, fixes that
held, incidents per quarter) and the index of factors by category."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from ..analyse.insights import QuarterTrend
from . import charts
from .rows import held_row, recurrence_row
from .urls import CATEGORY_ORDER

if TYPE_CHECKING:
    from ..model import Postmortem
    from .site import Site

HELD_ON_FACTOR_PAGE = 50  # the latest ones a factor page lists (a page stays readable at any size)
COOCCURRING = 12  # co-occurring factors a factor page lists


def factor_pages(site: Site) -> dict[str, str | bytes]:
    out: dict[str, str | bytes] = {}
    tax = site.corpus.taxonomy
    incidents = _incidents_by_factor(site)
    partners: dict[str, Counter[str]] = defaultdict(Counter)
    for (a, b), n in site.cooccur.items():
        partners[a][b] += n
        partners[b][a] += n
    tpl = site.env.get_template("factor.md.j2")
    for fid in sorted(set(tax.factors) | set(incidents)):
        out[site.factor_src(fid)] = _factor_page(site, tpl, fid, incidents.get(fid, []), partners[fid])
    out["factors/index.md"] = _factors_index(site)
    return out


def _incidents_by_factor(site: Site) -> dict[str, list[tuple[Postmortem, str]]]:
    """Each factor's published incidents, latest first, with the first description of it."""
    incidents: dict[str, list[tuple[Postmortem, str]]] = defaultdict(list)
    for pm in site.pms:
        seen = set()
        for cf in pm.meta.contributing_factors:
            if cf.factor not in seen:
                seen.add(cf.factor)
                incidents[cf.factor].append((pm, cf.description))
    return incidents


def _factor_page(
    site: Site, tpl: Any, fid: str, incidents: list[tuple[Postmortem, str]], partners: Counter[str]
) -> str:
    """One factor's page, from the render cache when its incidents did not change."""
    src = site.factor_src(fid)

    def rows() -> dict[str, Any]:
        out = []
        for pm, desc in incidents:
            r = site.row(pm, src)
            r["description"] = desc
            out.append(r)
        return {"incidents": out}

    small = {
        "f": site.factor_view(fid, src),
        "cooccurs": [
            (site.factor_view(o, src), n)
            for o, n in sorted(partners.items(), key=lambda kv: (-kv[1], kv[0]))[:COOCCURRING]
        ],
        "recurred": [recurrence_row(site, r, src) for r in site.recur.by_factor.get(fid, [])],
        "held": [held_row(site, h, src) for h in site.recur.held.get(fid, [])[:HELD_ON_FACTOR_PAGE]],
        "held_total": len(site.recur.held.get(fid, ())),
        "trend": _factor_trend(site, fid),
    }
    return site._render_shown(src, tpl, [pm for pm, _ in incidents], small, rows)


def _factor_trend(site: Site, fid: str) -> dict[str, Any] | None:
    """A factor page's chart of incidents per quarter (None when it has none)."""
    trend = site.insights.trend
    if trend is None or not trend.quarters or not site._factor_counts.get(fid):
        return None
    counts = trend.counts.get(fid, [0] * len(trend.quarters))
    return {
        "chart": charts.quarter_bars(trend.quarters, counts),
        "first": QuarterTrend.label(trend.quarters[0]),
        "last": QuarterTrend.label(trend.quarters[-1]),
        "before": trend.before.get(fid, 0),
        "rows": [(QuarterTrend.label(q), n) for q, n in zip(trend.quarters, counts, strict=True) if n],
    }


def _factors_index(site: Site) -> str:
    """The factors by category (the usual ones first), each with its incidents and recurrences."""
    tax = site.corpus.taxonomy
    groups = []
    cats = [c for c in CATEGORY_ORDER if c in tax.categories] + sorted(set(tax.categories) - set(CATEGORY_ORDER))
    for cat in cats:
        items = [
            (
                site.factor_view(fid, "factors/index.md"),
                site._factor_counts.get(fid, 0),
                len(site.recur.by_factor.get(fid, ())),
            )
            for fid, f in sorted(tax.factors.items(), key=lambda kv: kv[1].name)
            if f.category == cat
        ]
        groups.append((cat, tax.categories.get(cat, ""), items))
    return site.env.get_template("factors_index.md.j2").render(groups=groups, stash=site.stash("factors/index.md"))
