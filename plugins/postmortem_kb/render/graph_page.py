"""The graph page and its data file (assets/pmkb/graph.json)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..analyse.graph import to_json
from .urls import CATEGORY_ORDER, base_of, page_url

if TYPE_CHECKING:
    from .site import Site


def graph_data(site: Site) -> str:
    data = to_json(site.graph)
    for node in data["nodes"]:
        kind = node["kind"]
        if kind == "incident":
            node["url"] = page_url(site.src_of[node["ref"]], site.directory_urls)
        elif kind == "factor":
            node["url"] = page_url(site.factor_src(node["ref"]), site.directory_urls)
        else:
            node["url"] = page_url(site.service_src(node["label"]), site.directory_urls)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

def graph_page(site: Site) -> str:
    src = "graph.md"
    years = sorted({pm.meta.started.year for pm in site.pms}) or [site.today.year]
    # Big knowledge bases open on the last three years: tens of thousands of nodes
    # help nobody at first sight; the filter widens the window.
    from_year = years[0] if len(site.pms) <= 1500 else max(years[0], years[-1] - 2)
    cats = [c for c in CATEGORY_ORDER if c in site.corpus.taxonomy.categories] + sorted(set(site.corpus.taxonomy.categories) - set(CATEGORY_ORDER))
    return site.env.get_template("graph.md.j2").render(
        stash=site.stash(src),
        base=base_of(src, site.directory_urls),
        categories=[{"id": c} for c in cats],
        years=years,
        from_year=from_year,
    )
