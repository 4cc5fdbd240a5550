"""Geometry for the insights charts, drawn as inline SVG by the templates (no chart library)."""

from __future__ import annotations

import math
from typing import Any

from ..analyse.insights import Distribution, Insights
from .env import fmt_minutes


def stacked_bars(ins: Insights, width: int = 640, height: int = 220) -> dict[str, Any]:
    top, bottom, left = 10, 28, 44
    totals = [sum(ins.per_year[y].values()) for y in ins.years] or [0]
    peak = max(max(totals), 1)
    step = max(1, math.ceil(peak / 4))
    scale = (height - top - bottom) / (step * math.ceil(peak / step))
    n = max(len(ins.years), 1)
    slot = (width - left - 10) / n
    columns = []
    for k, year in enumerate(ins.years):
        y = height - bottom
        segments = []
        for idx, sev in enumerate(ins.severities):
            value = ins.per_year[year].get(sev, 0)
            if not value:
                continue
            h = value * scale
            y -= h
            segments.append({"index": idx, "label": sev, "value": value, "y": round(y, 1), "h": round(h, 1)})
        columns.append(
            {
                "label": str(year),
                "x": round(left + k * slot + slot * 0.15, 1),
                "w": round(slot * 0.7, 1),
                "segments": segments,
            }
        )
    ticks = [
        {"y": round(height - bottom - v * scale, 1), "label": v}
        for v in range(0, step * math.ceil(peak / step) + 1, step)
    ]
    return {"width": width, "height": height, "columns": columns, "ticks": ticks}


# Below this many incidents a 10th or 90th percentile is one incident or an
# interpolation between two: a whisker would draw a spread the data cannot show.
MIN_WHISKER_N = 5


def box_plot(dists: list[Distribution], width: int = 640, row_h: int = 34) -> dict[str, Any]:
    """Rows of a box plot on a log scale. A row of fewer than MIN_WHISKER_N incidents has
    no whiskers (they collapse onto the box) and says so (`whiskers`, `p90_text`)."""
    left, right = 80, 20
    height = 20 + row_h * max(len(dists), 1) + 24
    values = [v for d in dists for v in ((d.p10, d.p90) if d.n >= MIN_WHISKER_N else (d.p25, d.p75)) if v == v]
    lo = max(1.0, min(values) if values else 1.0)
    hi = max(lo * 10, max(values) if values else 10.0)
    llo, lhi = math.log10(lo), math.log10(hi)

    def x(v: float) -> float:
        v = max(v, lo)
        return round(left + (math.log10(v) - llo) / (lhi - llo) * (width - left - right), 1)

    rows = []
    for k, d in enumerate(dists):
        whiskers = d.n >= MIN_WHISKER_N
        rows.append(
            {
                "label": d.label,
                "y": 20 + row_h * k + row_h / 2,
                "p10": x(d.p10 if whiskers else d.p25),
                "p25": x(d.p25),
                "median": x(d.median),
                "p75": x(d.p75),
                "p90": x(d.p90 if whiskers else d.p75),
                "n": d.n,
                "whiskers": whiskers,
                "median_text": fmt_minutes(d.median),
                "p25_text": fmt_minutes(d.p25),
                "p75_text": fmt_minutes(d.p75),
                "p90_text": fmt_minutes(d.p90) if whiskers else f"not drawn below n={MIN_WHISKER_N}",
            }
        )
    ticks = []
    for minutes_, label in [
        (1, "1 min"),
        (5, "5 min"),
        (15, "15 min"),
        (60, "1 h"),
        (240, "4 h"),
        (1440, "1 d"),
        (10080, "1 w"),
    ]:
        if lo <= minutes_ <= hi:
            ticks.append({"x": x(minutes_), "label": label})
    return {"width": width, "height": height, "rows": rows, "ticks": ticks, "min_whisker_n": MIN_WHISKER_N}


def quarter_bars(
    quarters: list[tuple[int, int]], counts: list[int], width: int = 380, height: int = 130
) -> dict[str, Any]:
    """Bars of incidents per quarter for one factor, years labelled under their first
    quarter. Small enough to read at 390 px without scaling the text down much."""
    top, bottom, left, right = 10, 22, 26, 6
    n = max(len(quarters), 1)
    peak = max([*counts, 1])
    scale = (height - top - bottom) / peak
    slot = (width - left - right) / n
    bars, years = [], []
    for k, (q, value) in enumerate(zip(quarters, counts, strict=True)):
        x = left + k * slot
        h = value * scale
        bars.append(
            {
                "x": round(x + slot * 0.12, 1),
                "w": round(max(slot * 0.76, 1), 1),
                "y": round(height - bottom - h, 1),
                "h": round(h, 1),
                "label": f"{q[0]} Q{q[1]}",
                "value": value,
            }
        )
        if q[1] == 1 or k == 0:
            years.append({"x": round(x, 1), "label": str(q[0])})
    # Room for a year's label: drop the later of two that would touch (11px text, 4 digits).
    kept: list[dict[str, Any]] = []
    for y in years:
        if not kept or y["x"] - kept[-1]["x"] >= 30:
            kept.append(y)
    ticks = [{"y": round(height - bottom - v * scale, 1), "label": v} for v in sorted({0, peak})]
    return {
        "width": width,
        "height": height,
        "left": left,
        "bars": bars,
        "years": kept,
        "ticks": ticks,
        "baseline": height - bottom,
    }


def sparkline(counts: list[int], width: int = 168, height: int = 26) -> dict[str, Any]:
    """Tiny bars of a factor's incidents per quarter, for a table row (no labels: the
    table's heading names the quarters)."""
    n = max(len(counts), 1)
    peak = max([*counts, 1])
    slot = width / n
    bars = [
        {
            "x": round(k * slot + slot * 0.1, 1),
            "w": round(max(slot * 0.8, 1), 1),
            "y": round(height - v / peak * (height - 2), 1),
            "h": round(v / peak * (height - 2), 1),
            "value": v,
        }
        for k, v in enumerate(counts)
    ]
    return {"width": width, "height": height, "bars": bars}
