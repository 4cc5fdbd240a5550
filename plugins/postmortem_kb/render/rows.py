"""Rows that several pages list: a recurrence after remediation, and a fix that held."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..analyse.recurrence import Held, Recurrence
    from .site import Site


def recurrence_row(site: Site, r: Recurrence, src: str) -> dict[str, Any]:
    """One recurrence as a page links it: the later incident and the earlier action."""
    return {
        "factor": site.factor_view(r.factor, src),
        "date": r.incident.started.date().isoformat(),
        "title": r.incident.title,
        "url": site.pm_url(r.incident.id, src),
        "after_title": r.after.title,
        # The action's row in the earlier postmortem's table (pm_actions.html.j2).
        "after_url": site.pm_url(r.after.postmortem, src) + f"#pmkb-action-{r.after.number}",
        "number": r.after.number,
        "summary": r.after.summary,
        "due": r.after.due.isoformat(),
        "done_before": r.done_before,
        "service": site.service_name(r.service),
    }


def held_row(site: Site, h: Held, src: str) -> dict[str, Any]:
    """A done action whose fix held: its incident, the action and where it held."""
    a = h.action
    return {
        "factor": site.factor_view(h.factor, src),
        "title": a.title,
        "url": site.pm_url(a.postmortem, src) + f"#pmkb-action-{a.number}" if a.postmortem in site.src_of else None,
        "number": a.number,
        "summary": a.summary,
        "due": a.due.isoformat(),
        "services": [site.service_name(s) for s in a.services],
    }
