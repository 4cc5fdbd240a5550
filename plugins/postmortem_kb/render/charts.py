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
        columns.append({"label": str(year), "x": round(left + k * slot + slot * 0.15, 1), "w": round(slot * 0.7, 1), "segments": segments})
    ticks = [{"y": round(height - bottom - v * scale, 1), "label": v} for v in range(0, step * math.ceil(peak / step) + 1, step)]
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
    for minutes_, label in [(1, "1 min"), (5, "5 min"), (15, "15 min"), (60, "1 h"), (240, "4 h"), (1440, "1 d"), (10080, "1 w")]:
        if lo <= minutes_ <= hi:
            ticks.append({"x": x(minutes_), "label": label})
    return {"width": width, "height": height, "rows": rows, "ticks": ticks, "min_whisker_n": MIN_WHISKER_N}
