"""The contributing-factors graph: factors, incidents and services, linked across time.

Its layout (positions computed at build time, the metrics of a drawn node) is in
graph_layout.py; its public names are importable from here too.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from ..model import Corpus
from .common import analysed, slug
from .graph_layout import (
    GOLDEN_ANGLE,
    METRICS,
    TALL,
    Layout,
    Metrics,
    diameter,
    factor_stats,
    label_lines,
    label_size,
    layout,
    layouts,
)

__all__ = [
    "GOLDEN_ANGLE",
    "METRICS",
    "TALL",
    "Layout",
    "Metrics",
    "Similarity",
    "build_graph",
    "co_occurrence",
    "diameter",
    "directed_edges",
    "factor_stats",
    "label_lines",
    "label_size",
    "layout",
    "layouts",
    "to_graphml",
    "to_json",
]


def build_graph(corpus: Corpus) -> nx.Graph:
    """Nodes `factor:<id>`, `incident:<id>`, `service:<name>`; edges carry a `kind`."""
    g = nx.Graph()
    for fid, f in corpus.taxonomy.factors.items():
        g.add_node(f"factor:{fid}", kind="factor", label=f.name, category=f.category, ref=fid)
    for pm in sorted(analysed(corpus), key=lambda p: (p.meta.started, p.meta.id)):
        m = pm.meta
        node = f"incident:{m.id}"
        g.add_node(
            node,
            kind="incident",
            label=m.title,
            severity=m.severity,
            year=m.started.year,
            started=m.started.isoformat(),
            ref=m.id,
            path=pm.path,
        )
        for service in m.services:
            sn = f"service:{service}"
            if sn not in g:
                g.add_node(sn, kind="service", label=service, ref=slug(service))
            g.add_edge(node, sn, kind="affected")
        for cf in m.contributing_factors:
            fn = f"factor:{cf.factor}"  # known: `analysed` leaves unknown ids out
            g.add_edge(node, fn, kind="contributed")
            for other in cf.enabled_by:
                if other != cf.factor:
                    _enabled(g, f"factor:{other}", fn)
    return g


def _enabled(g: nx.Graph, source: str, target: str) -> None:
    """An `enabled` edge that remembers who enabled whom: the graph is undirected, and a
    factor may enable another in one incident and be enabled by it in the next."""
    g.add_edge(source, target, kind="enabled")
    g.edges[source, target].setdefault("directions", set()).add((source, target))


def directed_edges(g: nx.Graph) -> list[tuple[str, str, str]]:
    """Every edge as (source, target, kind), in the direction it means, sorted: a factor
    contributed to an incident, an incident affected a service, a factor enabled another
    (both ways when the incidents say both)."""
    out = []
    for a, b, d in g.edges(data=True):
        kind = d.get("kind", "")
        if kind == "enabled":
            out.extend((s, t, kind) for s, t in d.get("directions", {(min(a, b), max(a, b))}))
        elif kind == "contributed":
            out.append((a, b, kind) if a.startswith("factor:") else (b, a, kind))
        elif kind == "affected":
            out.append((a, b, kind) if a.startswith("incident:") else (b, a, kind))
        else:
            out.append((min(a, b), max(a, b), kind))
    return sorted(out)


def co_occurrence(corpus: Corpus) -> Counter[tuple[str, str]]:
    """How often two factors appear in the same incident."""
    counts: Counter[tuple[str, str]] = Counter()
    for pm in analysed(corpus):
        ids = sorted({cf.factor for cf in pm.meta.contributing_factors})
        counts.update(combinations(ids, 2))
    return counts


class Similarity:
    """Incidents that share contributing factors, indexed once for every page of a build."""

    def __init__(self, corpus: Corpus) -> None:
        self.by_factor: dict[str, list[str]] = {}
        self.factors_of: dict[str, set[str]] = {}
        self._tops: dict[tuple[frozenset[str], int], list[tuple[str, int]]] = {}
        for pm in analysed(corpus):
            own = {cf.factor for cf in pm.meta.contributing_factors}
            self.factors_of[pm.meta.id] = own
            for fid in own:
                self.by_factor.setdefault(fid, []).append(pm.meta.id)

    def similar(self, pm_id: str, limit: int = 5) -> list[tuple[str, int]]:
        """Other incidents sharing the most factors with `pm_id` (id, shared count)."""
        top = self._top(frozenset(self.factors_of.get(pm_id, ())), limit + 1)
        # The incident itself is among its set's candidates: the top `limit + 1` less it
        # is the top `limit` of the others (a stable order less one item stays stable).
        return sorted([kv for kv in top if kv[0] != pm_id][:limit], key=lambda kv: (-kv[1], kv[0]))

    def _top(self, factors: frozenset[str], n: int) -> list[tuple[str, int]]:
        """The `n` incidents sharing most of `factors`, ties in corpus order. Kept per
        factor set: pages with the same factors (5,000 generated postmortems have 1,906
        sets) share one count, which over every page grew with the square of the corpus."""
        if (factors, n) in self._tops:
            return self._tops[factors, n]
        shared: Counter[str] = Counter()
        # In a fixed order: a set of strings iterates in an order that changes from one
        # process to the next, and ties at the cut would pick other incidents each build.
        for fid in sorted(factors):
            shared.update(self.by_factor[fid])
        # A common factor brings thousands of candidates: take the top few by count (C
        # speed; ties keep the corpus order, so the result is stable).
        top = self._tops[factors, n] = shared.most_common(n)
        return top


def to_json(g: nx.Graph) -> dict[str, Any]:
    """A stable JSON shape: nodes and edges sorted, attributes as written."""
    nodes = [{"id": n, **{k: v for k, v in sorted(attrs.items())}} for n, attrs in sorted(g.nodes(data=True))]
    edges = [{"source": a, "target": b, "kind": kind} for a, b, kind in directed_edges(g)]
    return {"nodes": nodes, "edges": edges}


def to_graphml(g: nx.Graph) -> str:
    """GraphML. Written directly: networkx's writer (and a template) take seconds on a
    graph of 5,000 incidents, and `mkdocs serve` writes it on every save. Every value is
    XML-escaped."""
    keys: dict[str, str] = {}
    for _, attrs in g.nodes(data=True):
        for k, v in attrs.items():
            keys.setdefault(k, "int" if isinstance(v, int) and not isinstance(v, bool) else "string")
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
    ]
    out += [
        f'<key id={quoteattr("n_" + k)} for="node" attr.name={quoteattr(k)} attr.type="{t}"/>'
        for k, t in sorted(keys.items())
    ]
    out.append('<key id="e_kind" for="edge" attr.name="kind" attr.type="string"/>')
    # Directed: `enabled` edges say which factor enabled which (see directed_edges).
    out.append('<graph edgedefault="directed">')
    for n, attrs in sorted(g.nodes(data=True)):
        data = "".join(f"<data key={quoteattr('n_' + k)}>{escape(str(v))}</data>" for k, v in sorted(attrs.items()))
        out.append(f"<node id={quoteattr(n)}>{data}</node>")
    for a, b, kind in directed_edges(g):
        out.append(f'<edge source={quoteattr(a)} target={quoteattr(b)}><data key="e_kind">{escape(kind)}</data></edge>')
    out += ["</graph>", "</graphml>", ""]
    return "\n".join(out)
