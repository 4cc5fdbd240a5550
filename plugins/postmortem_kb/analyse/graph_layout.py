"""Positions of the contributing-factors graph, computed at build time (graph.py builds the
graph; its page draws it from these)."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import combinations
from typing import Any

import networkx as nx

# ---- layout: positions computed at build time -------------------------------------------
#
# The page draws the graph with cytoscape's `preset` layout from these positions: the same
# build always gives the same picture, and the browser does no layout work. Factors (tens
# to a few hundred) are placed one by one, each at the free spot nearest to the factors it
# shares incidents with, keeping its disc and its label clear of every other's; incidents
# go on a time axis under them and services in rows under that, both in one pass (no force
# layout over thousands of nodes).

GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


@dataclass(frozen=True)
class Metrics:
    """How the page draws a node, in layout units (a CSS pixel at zoom 1). The page's
    script reads these from the graph data, so the estimate and the drawing agree."""

    font: float = 12.0  # label font size
    char_w: float = 0.62  # mean character width in ems: generous (DejaVu Sans is wide)
    line_h: float = 1.2  # label line height, in ems
    wrap: float = 132.0  # labels wrap at spaces past this width
    max_d: float = 64.0  # disc diameter of the factor in the most incidents
    min_d: float = 10.0  # the smallest disc a factor in any incident gets
    label_gap: float = 4.0  # between a disc and the label under it
    pad: float = 8.0  # clear space kept around each factor's disc and label
    step: float = 11.0  # spacing of the spiral of candidate spots
    aspect: float = 2.4  # wider than tall, as a laptop's graph canvas is
    dot: float = 6.0  # an incident's disc (on the time axis)
    min_axis: float = 800.0  # the time axis is at least this wide, under however few factors


METRICS = Metrics()
# For a canvas taller than wide (a phone held upright): the same drawing, arranged tall.
TALL = replace(METRICS, aspect=0.6, min_axis=320.0)


@dataclass
class Layout:
    positions: dict[str, tuple[int, int]]
    axis: list[dict[str, Any]]  # year labels under the time axis: {"label", "x", "y"}
    counts: dict[str, int]  # incidents per factor


def diameter(count: int, most: int, m: Metrics = METRICS) -> float:
    """A factor's disc: area proportional to its incidents (four incidents, twice the
    width of one), never smaller than `min_d`."""
    if count <= 0 or most <= 0:
        return 0.0
    return max(m.min_d, m.max_d * math.sqrt(count / most))


def label_lines(text: str, m: Metrics = METRICS) -> list[str]:
    """`text` wrapped at spaces as cytoscape wraps it (`text-wrap: wrap`)."""
    lines: list[str] = []
    for word in text.split():
        if lines and _text_width(lines[-1] + " " + word, m) <= m.wrap:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _text_width(text: str, m: Metrics) -> float:
    # A wide (CJK) character takes a whole em.
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else m.char_w for c in text) * m.font


def label_size(text: str, m: Metrics = METRICS) -> tuple[float, float]:
    """An upper bound of the label's box. The estimate's characters are wider than the
    browser's, so it wraps into more lines than the browser does; but the browser's lines
    may then be as wide as the wrap width: take the widest either way."""
    lines = label_lines(text, m)
    width = max(_text_width(line, m) for line in lines)
    if len(lines) > 1:
        width = max(width, m.wrap)
    return width, len(lines) * m.line_h * m.font


class _Grid:
    """Placed boxes in a coarse grid: a candidate spot is tested against its neighbours only."""

    def __init__(self, cell: float) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}

    def _keys(self, box: tuple[float, float, float, float]) -> Iterator[tuple[int, int]]:
        c = self.cell
        for i in range(math.floor(box[0] / c), math.floor(box[2] / c) + 1):
            for j in range(math.floor(box[1] / c), math.floor(box[3] / c) + 1):
                yield i, j

    def hits(self, box: tuple[float, float, float, float]) -> bool:
        x0, y0, x1, y1 = box
        for key in self._keys(box):
            for a0, b0, a1, b1 in self.cells.get(key, ()):
                if x0 < a1 and a0 < x1 and y0 < b1 and b0 < y1:
                    return True
        return False

    def add(self, box: tuple[float, float, float, float]) -> None:
        for key in self._keys(box):
            self.cells.setdefault(key, []).append(box)


def _factor_box(label: str, d: float, m: Metrics) -> tuple[float, float, float, float]:
    """The disc and the label under it, around the disc's centre, padded."""
    lw, lh = label_size(label, m)
    half = max(d, lw) / 2 + m.pad
    return -half, -d / 2 - m.pad, half, d / 2 + m.label_gap + lh + m.pad


def _place(
    box: tuple[float, float, float, float], target: tuple[float, float], grid: _Grid, m: Metrics
) -> tuple[float, float]:
    """The first spot on a golden-angle spiral out from `target` where `box` is clear."""
    tx, ty = target
    k = 0
    while True:
        r = m.step * math.sqrt(k)
        x = tx + r * math.cos(k * GOLDEN_ANGLE) * m.aspect
        y = ty + r * math.sin(k * GOLDEN_ANGLE)
        placed = (x + box[0], y + box[1], x + box[2], y + box[3])
        if not grid.hits(placed):
            grid.add(placed)
            return x, y
        k += 1


def factor_stats(g: nx.Graph) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Incidents per factor node, and how many incidents each pair of factors shares."""
    nodes = dict(g.nodes(data=True))  # plain dicts: networkx's views cost a call per lookup
    counts = {n: 0 for n, d in nodes.items() if d.get("kind") == "factor"}
    shared: dict[str, dict[str, int]] = {n: {} for n in counts}
    adj = g.adj
    for n, d in nodes.items():
        if d.get("kind") != "incident":
            continue
        fs = sorted(x for x in adj[n] if x in counts)
        for f in fs:
            counts[f] += 1
        for a, b in combinations(fs, 2):
            shared[a][b] = shared[a].get(b, 0) + 1
            shared[b][a] = shared[b].get(a, 0) + 1
    return counts, shared


def _layout_factors(
    g: nx.Graph, counts: dict[str, int], shared: dict[str, dict[str, int]], m: Metrics
) -> dict[str, tuple[float, float]]:
    """The most recurring factor in the middle; each next one (by incidents, then id) at
    the free spot nearest to the weighted centre of the factors it shares incidents with."""
    most = max(counts.values(), default=0)
    order = sorted(counts, key=lambda f: (-counts[f], f))
    boxes = {f: _factor_box(str(g.nodes[f].get("label", f)), diameter(counts[f], most, m) or m.min_d, m) for f in order}
    grid = _Grid(cell=max((b[2] - b[0] for b in boxes.values()), default=100.0))
    pos: dict[str, tuple[float, float]] = {}
    for f in order:
        near = [(pos[o], w) for o, w in sorted(shared[f].items()) if o in pos]
        total = sum(w for _, w in near)
        target = (
            (sum(p[0] * w for p, w in near) / total, sum(p[1] * w for p, w in near) / total) if total else (0.0, 0.0)
        )
        pos[f] = _place(boxes[f], target, grid, m)
    return pos


def _incident_times(g: nx.Graph) -> list[tuple[float, str]]:
    """(start as a POSIX timestamp, node) of every incident, earliest first."""
    return sorted(
        (datetime.fromisoformat(d["started"]).timestamp(), n)
        for n, d in g.nodes(data=True)
        if d.get("kind") == "incident"
    )


def _time_axis(
    incidents: list[tuple[float, str]], left: float, right: float, top: float, m: Metrics
) -> tuple[dict[str, tuple[float, float]], list[dict[str, Any]], float]:
    """Incidents by date from `left` to `right` under `top`, stacked where they crowd;
    year labels; and the bottom of the axis."""
    if not incidents:
        return {}, [], top
    first = datetime.fromtimestamp(incidents[0][0], UTC).year
    last = datetime.fromtimestamp(incidents[-1][0], UTC).year
    t0 = datetime(first, 1, 1, tzinfo=UTC).timestamp()
    t1 = datetime(last + 1, 1, 1, tzinfo=UTC).timestamp()
    width = right - left
    spacing = m.dot * 1.5
    label_y = top + m.font
    row0 = label_y + m.font
    pos: dict[str, tuple[float, float]] = {}
    stack: dict[int, int] = {}
    for t, n in incidents:
        col = int((t - t0) / (t1 - t0) * width / spacing)
        k = stack.get(col, 0)
        stack[col] = k + 1
        pos[n] = (left + (col + 0.5) * spacing, row0 + k * spacing)
    axis = []
    for year in range(first, last + 1):
        mid = (datetime(year, 7, 2, tzinfo=UTC).timestamp() - t0) / (t1 - t0)
        axis.append({"label": str(year), "x": round(left + mid * width), "y": round(label_y)})
    return pos, axis, row0 + max(stack.values()) * spacing


def _service_rows(g: nx.Graph, left: float, right: float, top: float, m: Metrics) -> dict[str, tuple[float, float]]:
    """Services in rows, by label, each as wide as its label."""
    pos: dict[str, tuple[float, float]] = {}
    x, y, row_h = left, top, 0.0
    for n in sorted(
        (n for n, d in g.nodes(data=True) if d.get("kind") == "service"),
        key=lambda n: (str(g.nodes[n].get("label", n)), n),
    ):
        lw, lh = label_size(str(g.nodes[n].get("label", n)), m)
        w = max(lw, m.min_d) + 2 * m.pad
        if x + w > right and x > left:
            x, y, row_h = left, y + row_h, 0.0
        pos[n] = (x + w / 2, y + m.min_d / 2)
        x += w
        row_h = max(row_h, m.min_d + m.label_gap + lh + 2 * m.pad)
    return pos


def layout(g: nx.Graph, m: Metrics = METRICS) -> Layout:
    """Positions of every node (integers: the same in every build), factors above, the
    time axis of incidents under them, services at the bottom."""
    return layouts(g, (m,))[0]


def layouts(g: nx.Graph, metrics: tuple[Metrics, ...]) -> list[Layout]:
    """`layout` for each of `metrics` (a wide and a tall canvas), counting once."""
    counts, shared = factor_stats(g)
    times = _incident_times(g)
    return [_arrange(g, counts, shared, times, m) for m in metrics]


def _arrange(
    g: nx.Graph, counts: dict[str, int], shared: dict[str, dict[str, int]], times: list[tuple[float, str]], m: Metrics
) -> Layout:
    fpos = _layout_factors(g, counts, shared, m)
    most = max(counts.values(), default=0)
    boxes = [
        (x + b[0], y + b[1], x + b[2], y + b[3])
        for f, (x, y) in fpos.items()
        if counts[f]
        for b in [_factor_box(str(g.nodes[f].get("label", f)), diameter(counts[f], most, m), m)]
    ]
    left = min((b[0] for b in boxes), default=0.0)
    right = max((b[2] for b in boxes), default=0.0)
    bottom = max((b[3] for b in boxes), default=0.0)
    if right - left < m.min_axis:  # a time axis needs room, even under a handful of factors
        mid = (left + right) / 2
        left, right = mid - m.min_axis / 2, mid + m.min_axis / 2
    ipos, axis, axis_bottom = _time_axis(times, left, right, bottom + 3 * m.font, m)
    spos = _service_rows(g, left, right, axis_bottom + 3 * m.font, m)
    positions = {n: (round(x), round(y)) for n, (x, y) in {**fpos, **ipos, **spos}.items()}
    return Layout(positions=dict(sorted(positions.items())), axis=axis, counts=counts)
