"""The graph page, its table of recurring factors, and its data file (assets/pmkb/graph.json)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from ..analyse.graph import METRICS, TALL, diameter, factor_stats, layouts, to_json
from .urls import CATEGORY_ORDER, base_of, page_url

if TYPE_CHECKING:
    import networkx as nx

    from .site import Site

SRC = "graph.md"
TOP_COOCCURRING = 3  # co-occurring factors a table row names
LATEST = 3  # latest incidents a table row links


def graph_data(site: Site) -> str:
    """The graph with build-time positions (`x`, `y` for a wide canvas, `tx`, `ty` for a
    tall one), page URLs, and what the page's script needs to draw it as the layout
    assumed (`metrics`) with its time axis."""
    data = to_json(site.graph)
    lay, tall = layouts(site.graph, (METRICS, TALL))
    for node in data["nodes"]:
        kind = node["kind"]
        if kind == "incident":
            node["url"] = page_url(site.src_of[node["ref"]], site.directory_urls)
        elif kind == "factor":
            node["url"] = page_url(site.factor_src(node["ref"]), site.directory_urls)
        else:
            node["url"] = page_url(site.service_src(node["label"]), site.directory_urls)
        node["x"], node["y"] = lay.positions[node["id"]]
        node["tx"], node["ty"] = tall.positions[node["id"]]
    data["layout"] = {
        "metrics": asdict(METRICS),
        "axis": lay.axis,
        "tall_axis": tall.axis,
        "most": max(lay.counts.values(), default=0),
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def graph_page(site: Site) -> str:
    g = site.graph
    years = sorted({pm.meta.started.year for pm in site.pms}) or [site.today.year]
    categories = [c for c in CATEGORY_ORDER if c in site.corpus.taxonomy.categories] + sorted(
        set(site.corpus.taxonomy.categories) - set(CATEGORY_ORDER)
    )
    counts, shared = factor_stats(g)
    services = sorted(
        ((d.get("label", n), n) for n, d in g.nodes(data=True) if d.get("kind") == "service"),
        key=lambda s: (str(s[0]).lower(), s[1]),
    )
    return site.env.get_template("graph.md.j2").render(
        stash=site.stash(SRC),
        base=base_of(SRC, site.directory_urls),
        categories=[{"id": c} for c in categories],
        severities=site.settings.severities,
        services=[{"id": n, "label": label} for label, n in services],
        years=years,
        sizes=size_legend(counts),
        rows=factor_rows(site, counts, shared),
    )


def size_legend(counts: dict[str, int]) -> list[dict[str, Any]]:
    """Discs for 1 incident, the most, and two steps between, as the graph draws them."""
    most = max(counts.values(), default=0)
    steps = sorted({n for n in (1, round(most / 4), round(most / 2), most) if n >= 1})
    return [{"n": n, "d": round(diameter(n, most))} for n in steps]


def factor_rows(site: Site, counts: dict[str, int], shared: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """The graph as a table: each factor seen in an incident, the most recurring first."""
    g = site.graph
    base = base_of(SRC, site.directory_urls)
    nodes = dict(g.nodes(data=True))  # plain dicts: networkx's views cost a call per lookup
    seen = [d["year"] for d in nodes.values() if d.get("kind") == "incident"]
    span = list(range(min(seen), max(seen) + 1)) if seen else []
    rows = []
    for f in sorted((f for f, n in counts.items() if n), key=lambda f: (-counts[f], _label(g, f), f)):
        incidents = sorted(
            ((nodes[i]["started"], i) for i in g.adj[f] if nodes[i].get("kind") == "incident"), reverse=True
        )
        years = Counter(nodes[i]["year"] for _, i in incidents)
        others = sorted(shared[f].items(), key=lambda kv: (-kv[1], _label(g, kv[0]), kv[0]))[:TOP_COOCCURRING]
        rows.append(
            {
                "name": _label(g, f),
                "url": base + page_url(site.factor_src(g.nodes[f]["ref"]), site.directory_urls),
                "category": g.nodes[f].get("category", "unknown"),
                "count": counts[f],
                "years": sorted(years.items()),
                "spark": spark(years, span),
                "others": [
                    {
                        "name": _label(g, o),
                        "url": base + page_url(site.factor_src(g.nodes[o]["ref"]), site.directory_urls),
                        "n": n,
                    }
                    for o, n in others
                ],
                "latest": [_incident(site, g, i, base) for _, i in incidents[:LATEST]],
            }
        )
    return rows


SPARK_BAR, SPARK_HEIGHT = 9, 20


def spark(years: Counter[int], span: list[int]) -> dict[str, Any]:
    """A factor's incidents per year over every year of the knowledge base, as bars
    (its own busiest year full height): when it recurred, at a glance."""
    most = max(years.values(), default=0) or 1
    bars = []
    for i, year in enumerate(span):
        n = years.get(year, 0)
        h = max(1, round((SPARK_HEIGHT - 2) * n / most)) if n else 0
        bars.append({"year": year, "n": n, "x": i * SPARK_BAR, "y": SPARK_HEIGHT - h, "h": h})
    return {"width": len(span) * SPARK_BAR, "height": SPARK_HEIGHT, "bars": bars}


def _label(g: nx.Graph, node: str) -> str:
    return str(g.nodes[node].get("label", node))


def _incident(site: Site, g: nx.Graph, node: str, base: str) -> dict[str, str]:
    d = g.nodes[node]
    return {
        "title": str(d.get("label", "")),
        "date": str(d.get("started", ""))[:10],
        "url": base + page_url(site.src_of[d["ref"]], site.directory_urls),
    }
