"""Small derived facts about postmortems that several analyses share."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime, timedelta

from ..model import Postmortem


def minutes(delta: timedelta | None) -> float | None:
    return None if delta is None else delta.total_seconds() / 60


def time_to_detect(pm: Postmortem) -> timedelta:
    return pm.meta.detected - pm.meta.started


def time_to_restore(pm: Postmortem) -> timedelta:
    end: datetime = pm.meta.mitigated or pm.meta.resolved
    return end - pm.meta.started


def duration(pm: Postmortem) -> timedelta:
    return pm.meta.resolved - pm.meta.started


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


def published(postmortems: list[Postmortem], factors: Mapping[str, object] | None = None) -> list[Postmortem]:
    """Postmortems that appear on the site: valid front matter, not drafts.

    With the taxonomy's `factors`, a factor id it does not know (the checker reports it)
    is left out of what the analyses see: a typo gets no factor page, graph node or chip.
    """
    out = [pm for pm in postmortems if pm.meta is not None and pm.meta.status != "draft"]
    if not factors:
        return out
    return [pm if all(cf.factor in factors for cf in pm.meta.contributing_factors) else _known_factors_only(pm, factors) for pm in out]


def _known_factors_only(pm: Postmortem, factors: Mapping[str, object]) -> Postmortem:
    kept = [
        cf.model_copy(update={"enabled_by": [f for f in cf.enabled_by if f in factors]})
        for cf in pm.meta.contributing_factors
        if cf.factor in factors
    ]
    return dataclasses.replace(pm, meta=pm.meta.model_copy(update={"contributing_factors": kept}))


def slug(text: str) -> str:
    import re

    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:80] or "x"
