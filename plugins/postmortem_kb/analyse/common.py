"""Small derived facts about postmortems that several analyses share."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime, timedelta

from ..model import Corpus, Postmortem


def minutes(delta: timedelta | None) -> float | None:
    return None if delta is None else delta.total_seconds() / 60


def time_to_detect(pm: Postmortem) -> timedelta:
    return pm.meta.detected - pm.meta.started


def time_to_restore(pm: Postmortem) -> timedelta:
    end: datetime = pm.meta.mitigated or pm.meta.resolved
    return end - pm.meta.started


def duration(pm: Postmortem) -> timedelta:
    return pm.meta.resolved - pm.meta.started


NOT_RECORDED = "not recorded"


def recorded_severity(severity: str, severities: list[str]) -> str:
    """The severity, or NOT_RECORDED when it is none of the configured ones (an import's
    `severity: TODO`, which the checker lets through on archived history)."""
    return severity if severity in severities else NOT_RECORDED


def times_recorded(pm: Postmortem) -> bool:
    """Whether the incident's times are real: imported history whose times are all one
    instant (or run backwards) holds placeholders, and a 0-minute incident would skew
    every distribution it joined."""
    m = pm.meta
    if m.status != "archived":
        return True
    end = m.mitigated or m.resolved
    return m.resolved > m.started and end >= m.started and m.detected >= m.started


def human_duration(delta: timedelta | None) -> str:
    if delta is None:
        return "–"
    total = int(delta.total_seconds() // 60)
    if total < 0:
        return "–"
    days, rest = divmod(total, 60 * 24)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins:02d} min"
    return f"{mins} min"


def published(
    postmortems: list[Postmortem],
    factors: Mapping[str, object] | None = None,
    services: Mapping[str, object] | None = None,
) -> list[Postmortem]:
    """Postmortems that appear on the site: valid front matter, not drafts.

    With the taxonomy's `factors`, a factor id it does not know (the checker reports it)
    is left out of what the analyses see: a typo gets no factor page, graph node or chip.
    With the service catalog's `services`, an unknown service id is left out the same way.
    """
    out = [pm for pm in postmortems if pm.meta is not None and pm.meta.status != "draft"]
    if factors:
        out = [
            pm if all(cf.factor in factors for cf in pm.meta.contributing_factors) else _known_factors_only(pm, factors)
            for pm in out
        ]
    if services:
        out = [pm if all(s in services for s in pm.meta.services) else _known_services_only(pm, services) for pm in out]
    return out


def _known_factors_only(pm: Postmortem, factors: Mapping[str, object]) -> Postmortem:
    kept = [
        cf.model_copy(update={"enabled_by": [f for f in cf.enabled_by if f in factors]})
        for cf in pm.meta.contributing_factors
        if cf.factor in factors
    ]
    actions = [
        a.model_copy(update={"addresses": [f for f in a.addresses if f in factors]}) if a.addresses else a
        for a in pm.meta.actions
    ]
    return dataclasses.replace(pm, meta=pm.meta.model_copy(update={"contributing_factors": kept, "actions": actions}))


def _known_services_only(pm: Postmortem, services: Mapping[str, object]) -> Postmortem:
    kept = [s for s in pm.meta.services if s in services]
    return dataclasses.replace(pm, meta=pm.meta.model_copy(update={"services": kept}))


def per_year(pms: list[Postmortem]) -> list[tuple[int, int]]:
    """(year, incidents) for every year from the first incident to the last, gaps as 0."""
    years: dict[int, int] = {}
    for pm in pms:
        years[pm.meta.started.year] = years.get(pm.meta.started.year, 0) + 1
    return [(y, years.get(y, 0)) for y in range(min(years), max(years) + 1)] if years else []


def analysed(corpus: Corpus) -> list[Postmortem]:
    """What the graph and insights count: published postmortems with only the factors
    and services their catalogs know (an unknown id is a finding, not a node or a page)."""
    return published(corpus.postmortems, corpus.taxonomy.factors, catalog_services(corpus))


def catalog_services(corpus: Corpus) -> Mapping[str, object] | None:
    """The catalog's services by id, or None when the knowledge base has no catalog."""
    catalog = corpus.taxonomy.services
    return catalog.services if catalog is not None else None


def slug(text: str) -> str:
    import re

    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:80] or "x"
