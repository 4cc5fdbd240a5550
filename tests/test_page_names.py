"""A full build names the generated pages to MkDocs before they are rendered
(`Site.page_sources`); the names must be exactly the pages `Site.pages()` renders, in the
same order, or a page would be missing or empty on the site."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from postmortem_kb.config import load_project
from postmortem_kb.load.corpus import load_corpus
from postmortem_kb.model import Corpus
from postmortem_kb.render.site import Site

ROOT = Path(__file__).resolve().parent.parent


def _corpus() -> tuple[Corpus, object]:
    project = load_project(ROOT / "mkdocs.yml")
    return load_corpus(project), project


def _rendered_names(corpus: Corpus, project) -> list[str]:
    site = Site(corpus=corpus, settings=project.settings, today=date(2026, 11, 21), docs_dir=project.docs_dir)
    return [src for src in site.pages() if src.endswith(".md")]


def test_names_match_the_rendered_pages_of_the_samples():
    corpus, project = _corpus()
    names = Site.page_sources(corpus)
    assert names == _rendered_names(corpus, project)
    assert "services/payments-gateway.md" in names and "factors/retry-storm.md" in names


@pytest.mark.parametrize("change", ["no service catalog", "no factor taxonomy", "a draft and an odd service"])
def test_names_match_without_catalogs_and_with_odd_input(change):
    corpus, project = _corpus()
    if change == "no service catalog":
        corpus.taxonomy.services = None  # service ids are free text: pages come from the postmortems
    elif change == "no factor taxonomy":
        corpus.taxonomy.factors = {}  # every factor named in a published postmortem gets a page
    else:
        corpus.taxonomy.services = None
        first, second = [pm for pm in corpus.postmortems if pm.meta is not None][:2]
        first.meta.status = "draft"  # a draft's services get no page of their own
        first.meta.services = ["only-in-a-draft"]
        second.meta.services = ["Secret Payroll", "secret/payroll"]  # one slug, one page
    names = Site.page_sources(corpus)
    assert names == _rendered_names(corpus, project)
    assert len(names) == len(set(names))
    if change == "a draft and an odd service":
        assert "services/only-in-a-draft.md" not in names
        assert names.count("services/secret-payroll.md") == 1
