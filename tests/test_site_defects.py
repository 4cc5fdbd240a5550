"""Smaller defects of #15, on the generated pages as the core renders them: the factor
diagram draws the dashed `enabled_by` arrows its caption promises, the rules index shows
code as code, and insights draw no percentile whiskers for a handful of incidents."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from postmortem_kb.analyse.insights import Distribution
from postmortem_kb.config import load_project
from postmortem_kb.load.corpus import load_corpus
from postmortem_kb.render.charts import MIN_WHISKER_N, box_plot
from postmortem_kb.render.site import Site

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site() -> Site:
    project = load_project(ROOT / "mkdocs.yml")
    return Site(
        corpus=load_corpus(project), settings=project.settings, today=date(2026, 11, 21), docs_dir=project.docs_dir
    )


def _diagram(site: Site, pm_id: str) -> str:
    pm = site.by_id[pm_id]
    return str(
        site.diagram(pm, [site.factor_view(cf.factor, site.src_of[pm_id]) for cf in pm.meta.contributing_factors])
    )


def test_the_diagram_draws_a_dashed_arrow_per_enabled_by_and_says_so(site: Site) -> None:
    with_enabled = [pm for pm in site.pms if any(cf.enabled_by for cf in pm.meta.contributing_factors)]
    assert len(with_enabled) >= 5
    for pm in with_enabled:
        svg = _diagram(site, pm.meta.id)
        expected = sum(len({r for r in cf.enabled_by if r != cf.factor}) for cf in pm.meta.contributing_factors)
        dashed = re.findall(
            r'<path class="pmkb-edge pmkb-edge-enabled" d="M ([\d.]+) ([\d.]+) C ([\d.]+) [^"]*, ([\d.]+) '
            r'([\d.]+)"[^>]*stroke-dasharray="4 3"[^>]*marker-end',
            svg,
        )
        assert len(dashed) == expected, pm.meta.id
        # Each arrow has its own lane and its own ends: two arrows never draw as one.
        assert len({d[2] for d in dashed}) == len(dashed)
        assert len({(d[1], d[4]) for d in dashed}) == len(dashed)
        assert "dashed arrow" in svg


def test_a_diagram_without_enabled_by_promises_no_dashed_arrow(site: Site) -> None:
    pm = next(pm for pm in site.pms if not any(cf.enabled_by for cf in pm.meta.contributing_factors))
    svg = _diagram(site, pm.meta.id)
    assert "pmkb-edge-enabled" not in svg and "dashed" not in svg


def test_the_rules_index_shows_code_as_code(site: Site) -> None:
    page = site._rules()["rules/index.md"]
    assert "<code>enabled_by</code>" in page
    assert "<code>&lt;script&gt;</code>" in page  # code that looks like HTML stays text
    table = page[page.index("<table") :]
    assert "`" not in table


def test_the_catalog_says_what_it_lists(site: Site) -> None:
    page = site._catalog_page()
    assert "Every published postmortem" not in page
    assert f"Every postmortem but drafts: {len(site.pms)} in all" in page


def _dist(n: int) -> Distribution:
    return Distribution(f"SEV{n}", n, 5.0, 10.0, 20.0, 40.0, 80.0, 90.0)


def test_no_percentile_whiskers_below_a_handful_of_incidents() -> None:
    few, enough = box_plot([_dist(MIN_WHISKER_N - 1), _dist(MIN_WHISKER_N)])["rows"]
    assert MIN_WHISKER_N >= 5
    # Few: the whisker collapses onto the box, and the row says why.
    assert (few["p10"], few["p90"]) == (few["p25"], few["p75"]) and not few["whiskers"]
    assert f"n={MIN_WHISKER_N}" in few["p90_text"]
    # Enough: whiskers reach the 10th and 90th percentiles, beyond the box.
    assert enough["p10"] < enough["p25"] and enough["p90"] > enough["p75"] and enough["whiskers"]
