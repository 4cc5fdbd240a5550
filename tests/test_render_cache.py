"""`mkdocs serve` re-renders only the service and factor pages whose incidents changed."""

from __future__ import annotations

import copy
import os
from datetime import date, timedelta
from pathlib import Path

from postmortem_kb.config import load_project
from postmortem_kb.load.corpus import load_corpus
from postmortem_kb.model import Corpus
from postmortem_kb.render.env import make_env
from postmortem_kb.render.site import Site

ROOT = Path(__file__).resolve().parent.parent


def _site(cache: dict | None, corpus: Corpus | None = None, today: date = date(2026, 11, 21)) -> Site:
    project = load_project(ROOT / "mkdocs.yml")
    corpus = corpus or load_corpus(project)
    return Site(
        corpus=corpus,
        settings=project.settings,
        today=today,
        docs_dir=project.docs_dir,
        stash_html=True,
        render_cache=cache,
    )


def _restored(site: Site, pages: dict) -> dict[str, str]:
    """Each page with its held-back HTML put back: what the reader gets."""
    out = {}
    for src, text in pages.items():
        if isinstance(text, str):
            stash = site.stashes.get(src)
            out[src] = stash.restore(stash.restore(text), late=True) if stash else text
    return out


def test_a_rebuild_reuses_unchanged_pages_and_renders_changed_ones():
    cache: dict = {}
    uncached = _site(None)
    reference = _restored(uncached, uncached.pages())
    first = _site(cache)
    assert _restored(first, first.pages()) == reference
    assert any(k.startswith("services/") for k in cache) and any(k.startswith("factors/") for k in cache)

    second = _site(cache)
    pm = next(
        p
        for p in second.corpus.postmortems
        if p.meta and p.meta.status == "published" and "notifications" in p.meta.services
    )
    pm.meta = pm.meta.model_copy(update={"title": "A title changed while serving"})
    pages = _restored(second, second.pages())
    assert "A title changed while serving" in pages["services/notifications.md"]
    assert all(
        "A title changed while serving" not in pages[s]
        for s in pages
        if s.startswith("services/")
        and s not in ("services/notifications.md", "services/index.md")
        and all(svc not in s for svc in pm.meta.services)
    )
    # Pages the change does not touch are the same as an uncached render of the same corpus.
    fresh = _site(None)
    fpm = next(p for p in fresh.corpus.postmortems if p.meta and p.meta.id == pm.meta.id)
    fpm.meta = pm.meta
    assert pages == _restored(fresh, fresh.pages())


def test_an_organisations_block_template_is_used_and_an_edit_shows_on_the_next_build(tmp_path):
    # Site looks each block template up once per build (not five times a page): an
    # override in templates/pages/ must still win, and a save must show on the next
    # `mkdocs serve` rebuild, which makes a new Site.
    project = load_project(ROOT / "mkdocs.yml")
    corpus = load_corpus(project)
    override = tmp_path / "pm_related.html.j2"
    override.write_text("<p>Ours: {{ similar | length }} similar</p>\n", encoding="utf-8")
    env = make_env(tmp_path)

    def related() -> list[str]:
        site = Site(
            corpus=corpus, settings=project.settings, today=date(2026, 11, 21), docs_dir=project.docs_dir, env=env
        )
        return [site.blocks(pm)["related"] for pm in site.pms[:3]]

    assert [r.startswith("<p>Ours: ") for r in related()] == [True, True, True]
    override.write_text("<p>Edited</p>\n", encoding="utf-8")
    later = override.stat().st_mtime + 10  # a save the template cache cannot miss
    os.utime(override, (later, later))
    assert related() == ["<p>Edited</p>"] * 3


def test_a_saved_file_is_a_new_object_and_its_pages_render_again():
    # IncrementalCorpus gives a changed file a new Postmortem and keeps the others'
    # objects: the service and factor pages that show it are made again, the rest reused.
    cache: dict = {}
    first = _site(cache)
    first.pages()
    i, pm = next(
        (i, p)
        for i, p in enumerate(first.corpus.postmortems)
        if p.meta and p.meta.status == "published" and p.meta.contributing_factors
    )
    saved = copy.copy(pm)
    saved.meta = pm.meta.model_copy(update={"title": "Renamed on save"})
    first.corpus.postmortems[i] = saved
    served = _site(cache, first.corpus)
    pages = _restored(served, served.pages())
    factor = f"factors/{saved.meta.contributing_factors[0].factor}.md"
    assert "Renamed on save" in pages[factor]
    assert all("Renamed on save" in pages[f"services/{s}.md"] for s in saved.meta.services)
    reference = _site(None, first.corpus)
    assert pages == _restored(reference, reference.pages())


def test_a_new_day_makes_an_action_overdue_on_its_service_page():
    # `mkdocs serve` runs across midnight: the same files, a later day; an open action
    # that passes its due date shows as overdue on its service page.
    cache: dict = {}
    corpus = load_corpus(load_project(ROOT / "mkdocs.yml"))
    pm, action = next(
        (p, a)
        for p in corpus.postmortems
        if p.meta and p.meta.status == "published"
        for a in p.meta.actions
        if a.status in ("open", "in-progress") and a.due
    )
    src = f"services/{pm.meta.services[0]}.md"
    before = _site(cache, corpus, today=action.due - timedelta(days=1))
    overdue_before = _restored(before, before.pages())[src].count('class="pmkb-overdue"')
    after = _site(cache, corpus, today=action.due + timedelta(days=3))
    assert _restored(after, after.pages())[src].count('class="pmkb-overdue"') > overdue_before
