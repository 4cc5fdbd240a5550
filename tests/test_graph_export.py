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


def _factors(*pairs: tuple[str, list[str]]) -> list[dict]:
    return [{"factor": f, "description": f"{f} played a part.", "enabled_by": by} for f, by in pairs]


def test_graphml_is_directed_and_keeps_who_enabled_whom(kb):
    # alerting-gap enabled software-defect here; the other way round in a second incident.
    kb.write(meta={"contributing_factors": _factors(("alerting-gap", []), ("software-defect", ["alerting-gap"]))})
    kb.write(
        meta={
            "id": "2024-03-15-reverse",
            "contributing_factors": _factors(("software-defect", []), ("alerting-gap", ["software-defect"])),
            "services": ["checkout"],
        }
    )
    code, out = kb.run("graph", "--format", "graphml")
    assert code == 0 and 'edgedefault="directed"' in out
    g = nx.read_graphml(io.BytesIO(out.encode("utf-8")))
    assert g.is_directed()
    enabled = sorted((a, b) for a, b, d in g.edges(data=True) if d["kind"] == "enabled")
    assert enabled == [
        ("factor:alerting-gap", "factor:software-defect"),
        ("factor:software-defect", "factor:alerting-gap"),
    ]
    # The other edges read the way they mean: a factor contributed to an incident, an
    # incident affected a service.
    assert all(
        a.startswith("factor:") and b.startswith("incident:")
        for a, b, d in g.edges(data=True)
        if d["kind"] == "contributed"
    )
    assert ("incident:2024-03-15-reverse", "service:checkout") in g.edges
    # The JSON export says the same, edge for edge.
    _, data = kb.run("graph", "--format", "json")
    assert sorted((e["source"], e["target"], e["kind"]) for e in json.loads(data)["edges"]) == sorted(
        (a, b, d["kind"]) for a, b, d in g.edges(data=True)
    )


def test_one_direction_only_when_the_incidents_name_one(kb):
    kb.write(meta={"contributing_factors": _factors(("alerting-gap", []), ("software-defect", ["alerting-gap"]))})
    _, out = kb.run("graph", "--format", "graphml")
    g = nx.read_graphml(io.BytesIO(out.encode("utf-8")))
    assert [(a, b) for a, b, d in g.edges(data=True) if d["kind"] == "enabled"] == [
        ("factor:alerting-gap", "factor:software-defect")
    ]


_SIMILAR = """
import json, sys
from postmortem_kb.analyse.graph import Similarity
from postmortem_kb.config import load_project
from postmortem_kb.load.corpus import load_corpus
corpus = load_corpus(load_project(sys.argv[1]))
sim = Similarity(corpus)
print(json.dumps({pm.meta.id: sim.similar(pm.meta.id, limit=2) for pm in corpus.postmortems if pm.meta}))
"""


def test_similar_incidents_do_not_change_from_one_build_to_the_next(tmp_path):
    """Ties at the cut (many incidents share two factors) are broken the same way in
    every process, whatever order Python's string hashing gives sets that run."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    outs = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", _SIMILAR, str(repo / "mkdocs.yml")],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outs.add(run.stdout)
    assert len(outs) == 1
    similar = json.loads(outs.pop())
    assert sum(1 for v in similar.values() if v) >= 10  # the samples do share factors


def test_similar_incidents_never_list_themselves_and_rank_by_shared_factors(kb):
    """Pages with the same factors share one count (kept per factor set): each still
    leaves itself out, and the others come by shared factors, then id."""
    from postmortem_kb.analyse.graph import Similarity
    from postmortem_kb.config import load_project
    from postmortem_kb.load.corpus import load_corpus

    pair = _factors(("alerting-gap", []), ("software-defect", []))
    twins = [f"2024-03-{d:02d}-twin" for d in range(10, 18)]
    for pm_id in twins:
        kb.write(meta={"id": pm_id, "contributing_factors": pair})
    kb.write(
        meta={"id": "2024-04-01-single", "contributing_factors": _factors(("alerting-gap", []), ("retry-storm", []))}
    )
    sim = Similarity(load_corpus(load_project(kb.config)))
    for pm_id in twins:
        others = [t for t in twins if t != pm_id]
        assert sim.similar(pm_id, limit=5) == [(t, 2) for t in others[:5]]
        assert sim.similar(pm_id, limit=8) == [(t, 2) for t in others] + [("2024-04-01-single", 1)]
    assert sim.similar("2024-04-01-single", limit=3) == [(t, 1) for t in twins[:3]]
    assert sim.similar("no-such-incident") == []
