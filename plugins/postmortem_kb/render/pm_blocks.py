"""The HTML blocks of one postmortem page: header card, factors (table and diagram),
actions and related incidents (see BlockTokens for where they go)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ..analyse.common import duration, human_duration, time_to_detect, time_to_restore, times_recorded
from ..load.schema import OPEN_STATUSES
from .env import http_url
from .rows import recurrence_row

if TYPE_CHECKING:
    from ..model import Postmortem
    from .site import Site


def blocks(site: Site, pm: Postmortem) -> dict[str, str]:
    """The HTML blocks of one postmortem page, from autoescaping templates."""
    src = site.src_uri(pm)
    factors = [site.factor_view(cf.factor, src) for cf in pm.meta.contributing_factors]
    card = _card(site, pm, src, factors)
    factor_rows = [
        {**fv, "description": cf.description, "enabled_by": cf.enabled_by}
        for fv, cf in zip(factors, pm.meta.contributing_factors, strict=True)
    ]
    factors_block = site._block_template("pm_factors.html.j2").render(
        factors=factor_rows, diagram=site.diagram(pm, factors)
    )
    actions_block = site._block_template("pm_actions.html.j2").render(actions=_actions(site, pm))
    related = _related(site, pm, src)
    return {
        "card": card.strip(),
        "factors": factors_block.strip(),
        "actions": actions_block.strip(),
        "related": related.strip(),
    }


def _card(site: Site, pm: Postmortem, src: str, factors: list[dict[str, Any]]) -> str:
    """The header card: severity, times, services, factors and recurrences."""
    m = pm.meta
    public_url = http_url(m.public_postmortem)  # a date, or anything not http(s), is no link
    catalog = site.corpus.taxonomy.services
    timed = times_recorded(pm)
    return site._block_template("pm_card.html.j2").render(
        pm=m,
        # An id the catalog does not know has no page: it is shown as text.
        services=[
            {
                "name": s,
                "url": site.url(site.service_src(s), src) if catalog is None or s in catalog.services else None,
            }
            for s in m.services
        ],
        severity=m.severity if m.severity in site.settings.severities else None,  # an import's TODO: not recorded
        duration=human_duration(duration(pm)) if timed else "not recorded",
        ttd=human_duration(time_to_detect(pm)) if timed else "not recorded",
        ttr=human_duration(time_to_restore(pm)) if timed else "not recorded",
        public_url=public_url,
        factors=factors,
        recurred=[recurrence_row(site, r, src) for r in site.recur.by_postmortem.get(m.id, [])],
    )


def _actions(site: Site, pm: Postmortem) -> list[dict[str, Any]]:
    """The action items as the page's table lists them, numbered from 1."""
    actions = []
    for i, a in enumerate(pm.meta.actions, start=1):
        overdue = (site.today - a.due).days if a.due and a.status in OPEN_STATUSES and site.today > a.due else 0
        actions.append(
            {
                "n": i,
                "summary": a.summary,
                "kind": a.kind,
                "owner": a.owner,
                "due": a.due.isoformat() if a.due else None,
                "status": a.status,
                "tracker": http_url(a.tracker),
                "overdue": overdue,
                "priority": a.priority,
            }
        )
    return actions


def _related(site: Site, pm: Postmortem, src: str) -> str:
    """Related incidents: the ones the author named, then up to five similar ones."""
    m = pm.meta
    declared = [_related_row(site, r, src) for r in m.related if r in site.src_of]
    declared_ids = set(m.related)
    sim = [
        {**_related_row(site, oid, src), "shared": n}
        for oid, n in site.similarity.similar(m.id, limit=8)
        if oid not in declared_ids and oid in site.src_of and n >= 1
    ][:5]
    return site._block_template("pm_related.html.j2").render(declared=declared, similar=sim)


def _related_row(site: Site, pm_id: str, from_src: str) -> dict[str, Any]:
    other = site.by_id.get(pm_id)
    if other is None:
        return {"url": site.pm_url(pm_id, from_src), "title": pm_id, "date": "", "severity": ""}
    return site.row(other, from_src)


def diagram(site: Site, pm: Postmortem, factors: list[dict[str, Any]]) -> Markup:
    """The factors as boxes, with an arrow for each `enabled_by`, leading to the incident."""
    box_w, box_h, gap, left = 280, 38, 12, 60
    boxes = []
    index = {}
    for k, fv in enumerate(factors):
        y = 56 + k * (box_h + gap)
        boxes.append(
            {
                "x": left,
                "y": y,
                "w": box_w,
                "h": box_h,
                "label": fv["name"],
                "category": fv["category"],
                "url": fv["url"],
            }
        )
        index.setdefault(fv["id"], k)
    height = max(56 + len(boxes) * (box_h + gap) + 10, 140)
    ix, iw = left + box_w + 80, 200
    iy = 56 + (len(boxes) * (box_h + gap)) / 2 - gap / 2
    enabled = []
    starts: Counter[int] = Counter()
    ends: Counter[int] = Counter()
    for k, cf in enumerate(pm.meta.contributing_factors):
        for ref in dict.fromkeys(cf.enabled_by):
            if ref in index and index[ref] != k:
                # Each arrow in its own lane of the left margin, its ends apart on the
                # boxes' edges, so that two arrows into one factor stay two arrows.
                i, lane = index[ref], len(enabled)
                a, b = boxes[i], boxes[k]
                y1 = a["y"] + box_h / 2 + (starts[i] % 3 - 1) * 10
                y2 = b["y"] + box_h / 2 + (ends[k] % 3 - 1) * 10
                starts[i] += 1
                ends[k] += 1
                enabled.append({"x1": a["x"], "y1": y1, "x2": b["x"], "y2": y2, "cx": min(8 + 16 * lane, left - 8)})
    # Rendered by an autoescaping template, so safe to embed as markup.
    return Markup(
        site._block_template("diagram.svg.j2").render(
            boxes=boxes,
            enabled=enabled,
            width=ix + iw + 10,
            height=height,
            ix=ix,
            iy=iy,
            iw=iw,
            incident=pm.meta.severity + " incident",
            trigger=bool(pm.meta.trigger),
        )
    )
