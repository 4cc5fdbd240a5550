"""`pmkb graph`: the contributing-factors graph as GraphML and JSON that other tools read."""

from __future__ import annotations

import io
import json

import networkx as nx

PAYLOAD = 'Checkout <b>&</b> "quotes" \u2014 </data><node id="x">'


def test_graphml_reads_back_with_every_node_edge_and_hostile_text_intact(kb):
    kb.write(meta={"title": PAYLOAD, "services": ["checkout & <pay>"]})
    code, out = kb.run("graph", "--format", "graphml")
    assert code == 0
    g = nx.read_graphml(io.BytesIO(out.encode("utf-8")))
    _, data = kb.run("graph", "--format", "json")
    doc = json.loads(data)
    assert sorted(g.nodes) == sorted(n["id"] for n in doc["nodes"])
    assert g.number_of_edges() == len(doc["edges"])
    incident = next(n for n, d in g.nodes(data=True) if d.get("kind") == "incident")
    assert g.nodes[incident]["label"] == PAYLOAD
    assert g.nodes[incident]["year"] == 2024  # ints stay ints
    assert "service:checkout & <pay>" in g.nodes
    assert {d["kind"] for _, _, d in g.edges(data=True)} >= {"affected", "contributed"}
