"""A page per service, with its incidents, recurring factors and open actions, and the index."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from ..analyse.common import per_year
from .env import http_url

if TYPE_CHECKING:
    from ..model import Postmortem, Service
    from .site import Site


def service_pages(site: Site) -> dict[str, str | bytes]:
    """A page per service (with a catalog: per catalogued service, and an id the
    catalog does not know gets none, as `published` does for factors) and the index."""
    out: dict[str, str | bytes] = {}
    catalog = site.corpus.taxonomy.services
    known = catalog.services if catalog is not None else None
    by_service = _incidents_by_service(site, known)
    open_by_pm: dict[str, list[Any]] = defaultdict(list)
    for a in site.remediation.open:
        open_by_pm[a.postmortem].append(a)
    # A page's open actions come from every file with one of its incidents' ids (one, but
    # for a duplicate id): the render cache keys the page by those files.
    files_of: dict[str, list[Postmortem]] = defaultdict(list)
    for pm in site.corpus.valid:
        files_of[pm.meta.id].append(pm)
    tpl = site.env.get_template("service.md.j2")
    index = []
    for sid in sorted(by_service):
        src = site.service_src(sid)
        items = by_service[sid]
        entry = known.get(sid) if known is not None else None
        open_actions = [a for pm in items for a in open_by_pm.get(pm.meta.id, ())]
        shown = [f for pm in items for f in files_of.get(pm.meta.id, [pm])]
        out[src] = _service_page(site, tpl, sid, entry, items, open_actions, shown)
        index.append(
            {
                "name": entry.name if entry else sid,
                "owner": entry.owner if entry else None,
                "tier": entry.tier if entry else None,
                "url": site.url(src, "services/index.md"),
                "count": len(items),
                "open": len(open_actions),
                "last": items[0].meta.started.date().isoformat() if items else None,
            }
        )
    index.sort(key=lambda s: (-s["count"], s["name"]))
    out["services/index.md"] = site.env.get_template("services_index.md.j2").render(
        services=index, catalog=catalog is not None, stash=site.stash("services/index.md")
    )
    return out


def _incidents_by_service(site: Site, known: dict[str, Service] | None) -> dict[str, list[Postmortem]]:
    """Each service's published incidents, latest first (every catalogued one, even with none)."""
    by_service: dict[str, list[Postmortem]] = {sid: [] for sid in known or ()}
    for pm in site.pms:
        for s in dict.fromkeys(pm.meta.services):
            if known is None or s in known:
                by_service.setdefault(s, []).append(pm)
    return by_service


def _service_page(
    site: Site,
    tpl: Any,
    sid: str,
    entry: Service | None,
    items: list[Postmortem],
    open_actions: list[Any],
    shown: list[Postmortem],
) -> str:
    """One service's page, from the render cache when its incidents did not change."""
    src = site.service_src(sid)
    factors = Counter(cf.factor for pm in items for cf in {c.factor: c for c in pm.meta.contributing_factors}.values())
    ranked = [(site.factor_view(fid, src), n) for fid, n in sorted(factors.items(), key=lambda kv: (-kv[1], kv[0]))]
    small = {
        "id": sid,
        "name": entry.name if entry else sid,
        "owner": entry.owner if entry else None,
        "tier": entry.tier if entry else None,
        "recurring": [(f, n) for f, n in ranked if n > 1],
        "once": [f for f, n in ranked if n == 1],
    }

    def rows() -> dict[str, Any]:
        actions = [_service_action(site, a, src) for a in open_actions]
        actions.sort(key=lambda a: (-a["overdue"], a["due"] or "9999", a["id"]))
        return {
            "incidents": [site.row(pm, src) for pm in items],
            "first_year": min((pm.meta.started.year for pm in items), default=None),
            "per_year": per_year(items),
            "actions": actions,  # from the files `shown`, and the day (see Site._render_shown)
        }

    return site._render_shown(src, tpl, shown, small, rows)


def _service_action(site: Site, a: Any, src: str) -> dict[str, Any]:
    """An open action (remediation's record, read only) as a service page shows it."""
    pm = site.by_id.get(a.postmortem)
    n = int(a.id.rpartition("#")[2]) if a.id.rpartition("#")[2].isdigit() else 0
    declared = pm.meta.actions[n - 1] if pm is not None and 0 < n <= len(pm.meta.actions) else None
    return {
        "id": a.id,
        "summary": a.summary,
        "owner": a.owner,
        "due": a.due.isoformat() if a.due else None,
        "overdue": a.overdue_days,
        "status": a.status,
        "priority": declared.priority if declared is not None else None,
        "tracker": http_url(a.tracker),
        "incident": a.postmortem_title,
        "url": site.pm_url(a.postmortem, src) if a.postmortem in site.src_of else None,
    }
