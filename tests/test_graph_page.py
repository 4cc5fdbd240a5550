"""The graph page's data and table, built without a browser: positions computed at build
time and identical from one build to the next, discs whose area shows how often a factor
recurs, incidents on a time axis, and the same data as an escaped table."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from postmortem_kb.analyse.graph import METRICS, build_graph, diameter, label_size, layout
from postmortem_kb.config import load_project
from postmortem_kb.load.corpus import load_corpus
from postmortem_kb.render import graph_page
from postmortem_kb.render.site import Site

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402  (bench/ is not a package)

HOSTILE = '<img src=x onerror=alert(1)> & "quotes"'

_DATA = """
import hashlib, sys
from datetime import date
from postmortem_kb.config import load_project
from postmortem_kb.load.corpus import load_corpus
from postmortem_kb.render import graph_page
from postmortem_kb.render.site import Site
project = load_project(sys.argv[1])
site = Site(corpus=load_corpus(project), settings=project.settings, today=date(2026, 11, 21), docs_dir=project.docs_dir)
data = graph_page.graph_data(site).encode("utf-8")
sys.stdout.write(hashlib.sha256(data).hexdigest() + " " + str(len(data)))
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 generated incidents (bench/generate.py), as the benchmark's corpus is made."""
    return generate(tmp_path_factory.mktemp("kb200"), 200, 1)


def _site(config: Path) -> Site:
    project = load_project(config)
    return Site(
        corpus=load_corpus(project), settings=project.settings, today=date(2026, 11, 21), docs_dir=project.docs_dir
    )


def test_graph_data_is_byte_identical_from_one_build_to_the_next(generated: Path) -> None:
    # Separate processes with different string hashing: any set or dict order that leaked
    # into the positions or the file would show here.
    digests = set()
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", _DATA, str(generated / "mkdocs.yml")],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(run.stdout)
    assert len(digests) == 1, digests
    data = json.loads(graph_page.graph_data(_site(generated / "mkdocs.yml")))
    assert (
        hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        == digests.pop().split()[0]
    )
    # Every node has its position, and the page's script gets the metrics the layout assumed.
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in data["nodes"])
    assert data["layout"]["metrics"]["font"] == METRICS.font
    assert sum(n["kind"] == "incident" for n in data["nodes"]) == 200


def test_a_factor_in_four_incidents_is_twice_as_wide_as_one_in_one() -> None:
    # Area proportional to incidents: recurrence is visible at a glance (it was 18 px vs 13 px).
    most = 16
    assert diameter(4, most) == pytest.approx(2 * diameter(1, most))
    assert diameter(16, most) == METRICS.max_d
    assert diameter(0, most) == 0
    assert diameter(1, 10_000) == METRICS.min_d  # never a speck


def _boxes(
    g: Any, positions: dict[str, tuple[int, int]], counts: dict[str, int]
) -> list[tuple[str, float, float, float, float]]:
    most = max(counts.values())
    out = []
    for f, n in counts.items():
        if n:
            x, y = positions[f]
            d = diameter(n, most)
            lw, lh = label_size(g.nodes[f]["label"])
            half = max(d, lw) / 2
            out.append((f, x - half, y - d / 2, x + half, y + d / 2 + METRICS.label_gap + lh))
    return out


def test_factors_keep_their_discs_and_labels_apart_and_the_most_recurring_sits_in_the_middle(generated: Path) -> None:
    g = build_graph(load_corpus(load_project(generated / "mkdocs.yml")))
    lay = layout(g)
    boxes = _boxes(g, lay.positions, lay.counts)
    assert len(boxes) >= 20
    clashes = [
        (a[0], b[0])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
    ]
    assert clashes == []
    top = max(lay.counts, key=lambda f: (lay.counts[f], f))
    xs = [b[1] for b in boxes] + [b[3] for b in boxes]
    ys = [b[2] for b in boxes] + [b[4] for b in boxes]
    x, y = lay.positions[top]
    assert min(xs) < x < max(xs) and min(ys) < y < max(ys)
    # Laid out for a landscape canvas: wider than tall.
    assert (max(xs) - min(xs)) > 1.3 * (max(ys) - min(ys))


def test_incidents_lie_on_a_time_axis_under_the_factors_and_services_under_them(generated: Path) -> None:
    g = build_graph(load_corpus(load_project(generated / "mkdocs.yml")))
    pos = layout(g).positions
    by_kind: dict[str, list[str]] = {}
    for n, d in g.nodes(data=True):
        by_kind.setdefault(d["kind"], []).append(n)
    incidents = sorted(by_kind["incident"], key=lambda n: g.nodes[n]["started"])
    xs = [pos[n][0] for n in incidents]
    assert xs == sorted(xs), "a later incident never sits left of an earlier one"
    assert max(pos[n][1] for n in by_kind["factor"]) < min(pos[n][1] for n in incidents)
    assert max(pos[n][1] for n in incidents) < min(pos[n][1] for n in by_kind["service"])
    assert len({pos[n] for n in incidents}) == len(incidents), "no two incidents on one spot"


def _hostile_kb(kb: Any) -> Site:
    path = kb / "postmortems" / "factors.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    for f in doc["factors"]:
        if f["id"] == "alerting-gap":
            f["name"] = f"Alerting {HOSTILE}"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    kb.write(meta={"title": f"Title {HOSTILE}"})
    kb.write(
        meta={
            "id": "2024-03-15-second",
            "title": "Second incident",
            "contributing_factors": [
                {"factor": "alerting-gap", "description": "Gap."},
                {"factor": "retry-storm", "description": "Storm."},
            ],
        }
    )
    return _site(kb.config)


def test_the_table_lists_every_recurring_factor_first_with_its_years_neighbours_and_incidents(kb: Any) -> None:
    site = _hostile_kb(kb)
    counts = {}
    for pm in site.pms:
        for fid in {cf.factor for cf in pm.meta.contributing_factors}:
            counts[fid] = counts.get(fid, 0) + 1
    rows = graph_page.factor_rows(site, *graph_page.factor_stats(site.graph))
    assert [r["count"] for r in rows] == sorted(counts.values(), reverse=True)
    first = rows[0]
    assert first["name"] == f"Alerting {HOSTILE}" and first["count"] == 2  # in both incidents
    assert first["years"] == [(2024, 2)]
    # The row's bars: one per year of the knowledge base, its incidents in its year's bar.
    assert [(b["year"], b["n"]) for b in first["spark"]["bars"]] == [(2024, 2)]
    assert [i["title"] for i in first["latest"]] == ["Second incident", f"Title {HOSTILE}"]  # latest first
    assert first["url"] == "../factors/alerting-gap/"
    assert first["others"][0]["n"] >= 1


def test_the_page_escapes_names_and_titles_and_offers_every_filter(kb: Any) -> None:
    site = _hostile_kb(kb)
    page = graph_page.graph_page(site)
    assert "<img src=x" not in page
    assert "Alerting &lt;img src=x onerror=alert(1)&gt; &amp; &#34;quotes&#34;" in page
    assert "Title &lt;img src=x onerror=alert(1)&gt;" in page
    for name in ("category", "severity", "from", "to", "service", "incidents", "services"):
        assert f'name="{name}"' in page
    assert '<div class="pmkb-scroll"' in page  # the table scrolls in its own box
    assert "Disc area = incidents" in page


def test_an_empty_knowledge_base_gets_a_graph_page_and_data(kb: Any) -> None:
    site = _site(kb.config)
    data = json.loads(graph_page.graph_data(site))
    assert data["layout"]["most"] == 0 and data["layout"]["axis"] == []
    assert {n["kind"] for n in data["nodes"]} == {"factor"}  # the taxonomy, placed all the same
    page = graph_page.graph_page(site)
    assert "No published incident names a contributing factor yet." in page and "<table" not in page
