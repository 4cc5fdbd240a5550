"""The site: one analysis per build, its addressing, and the generated pages and data files.

Engine-neutral: everything is keyed by source path (relative to the docs folder) and
returned as Markdown or bytes, so the MkDocs adapter only hands them over. Each family
of pages is rendered by its own module from the Site: report_pages (home, catalog,
remediation, insights), graph_page, service_pages, factor_pages, rule_pages,
public_site, and pm_blocks for the blocks of each postmortem page (block_tokens says
where they go).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from ..analyse.common import human_duration, published, slug, time_to_restore, times_recorded
from ..analyse.graph import Similarity, build_graph, co_occurrence, to_graphml
from ..analyse.insights import insights
from ..analyse.recurrence import recurrences
from ..analyse.remediation import remediation
from ..config import Settings
from ..load.corpus import relative_path
from ..model import Corpus, Postmortem
from ..rules.registry import registry
from . import factor_pages, feed, graph_page, pm_blocks, public_site, report_pages, rule_pages, service_pages
from .block_tokens import BlockTokens
from .env import Stash, http_url, make_env
from .reports import remediation_csv, remediation_json
from .static import ASSETS
from .urls import base_of, page_url

# Imported from here by the MkDocs adapter (ASSETS, BlockTokens, Site) and the tests.
__all__ = ["ASSETS", "BlockTokens", "Site", "http_url", "page_url"]


@dataclass
class Site:
    """Everything the pages are rendered from: one analysis per build."""

    corpus: Corpus
    settings: Settings
    today: date
    docs_dir: Path
    site_name: str = "Postmortem knowledge base"
    directory_urls: bool = True
    site_url: str = ""  # mkdocs.yml's: the feed's links are absolute when it is http(s)
    env: Environment = field(default_factory=make_env)
    src_of: dict[str, str] = field(default_factory=dict)  # postmortem id -> src_uri
    stashes: dict[str, Stash] = field(default_factory=dict)  # src_uri -> HTML held back from Markdown
    stash_html: bool = False  # hold HTML blocks back (the MkDocs adapter restores them)
    _rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Pages rendered by the last build, by what they were rendered from: `mkdocs serve`
    # passes the same dict to each rebuild, and a save re-renders only the service and
    # factor pages whose incidents changed (see _render_cached).
    render_cache: dict[str, tuple[str, list[str], set[int], tuple]] | None = None
    pms: list[Postmortem] = field(default_factory=list)
    _block_templates: dict[str, Any] = field(default_factory=dict)  # name -> template, see _block_template

    def __post_init__(self) -> None:
        self.pms = sorted(
            published(self.corpus.postmortems, self.corpus.taxonomy.factors),
            key=lambda p: (p.meta.started, p.meta.id),
            reverse=True,
        )
        for pm in self.pms:
            self.src_of.setdefault(pm.meta.id, self.src_uri(pm))
        self.graph = build_graph(self.corpus)
        self.remediation = remediation(self.corpus, self.today, self.settings.policy.stale_action_grace_days)
        self.insights = insights(self.corpus, self.settings.severities, self.remediation, self.today)
        self.cooccur = co_occurrence(self.corpus)
        self.similarity = Similarity(self.corpus)
        self.by_id = {pm.meta.id: pm for pm in reversed(self.pms)}
        self._factor_counts: Counter[str] = Counter(
            cf.factor for pm in self.pms for cf in {c.factor: c for c in pm.meta.contributing_factors}.values()
        )
        self.recur = recurrences(self.pms)  # did the fix hold? (analyse/recurrence.py)

    # ---- addressing -------------------------------------------------------------

    def src_uri(self, pm: Postmortem) -> str:
        # The path as MkDocs lists it (under the docs folder, links not followed), by
        # slicing when it is plainly below: os.path.relpath cost 30 ms per 5,000, three
        # times per `mkdocs serve` rebuild.
        return relative_path(pm.abs_path, self.docs_dir)

    def url(self, target_src: str, from_src: str) -> str:
        return base_of(from_src, self.directory_urls) + page_url(target_src, self.directory_urls)

    def pm_url(self, pm_id: str, from_src: str) -> str:
        return self.url(self.src_of[pm_id], from_src)

    def factor_src(self, fid: str) -> str:
        return f"factors/{slug(fid)}.md"

    def service_src(self, name: str) -> str:
        return f"services/{slug(name)}.md"

    def factor_view(self, fid: str, from_src: str) -> dict[str, Any]:
        f = self.corpus.taxonomy.factors.get(fid)
        return {
            "id": fid,
            "name": f.name if f else fid,
            "category": f.category if f else "unknown",
            "definition": f.definition if f else "",
            # An id the taxonomy does not know (an import's `todo`) has no page: no link.
            "url": self.url(self.factor_src(fid), from_src) if f is not None or fid in self._factor_counts else None,
        }

    def service_name(self, sid: str) -> str:
        """A service as the catalog names it (its id when there is no catalog entry)."""
        catalog = self.corpus.taxonomy.services
        entry = catalog.services.get(sid) if catalog is not None else None
        return entry.name if entry is not None else sid

    def row(self, pm: Postmortem, from_src: str) -> dict[str, Any]:
        """A postmortem as a table row on the page `from_src` (lists show it many times)."""
        base = self._rows.get(pm.meta.id)
        if base is None:
            m = pm.meta
            base = self._rows[m.id] = {
                "id": m.id,
                "title": m.title,
                "date": m.started.date().isoformat(),
                "year": m.started.year,
                "severity": m.severity,
                "services": list(m.services),
                "status": m.status,
                "ttr_text": human_duration(time_to_restore(pm)) if times_recorded(pm) else "not recorded",
            }
        return {**base, "url": self.pm_url(pm.meta.id, from_src)}

    # ---- pages ------------------------------------------------------------------

    def stash(self, src: str) -> Stash | None:
        if not self.stash_html:
            return None
        stash = self.stashes.get(src)
        if stash is None:
            stash = self.stashes[src] = Stash(hashlib.sha1(src.encode()).hexdigest()[:10])
        return stash

    # Data files for download and for the pages' scripts: not Markdown, so a full build
    # can produce them on the side and hand them over just before they are copied.
    DOWNLOADS = (
        "assets/pmkb/catalog.json",
        "assets/pmkb/graph.json",
        "assets/pmkb/graph.graphml",
        "remediation.csv",
        "remediation.json",
        feed.FEED,
    )

    FIXED_PAGES = ("index.md", "catalog.md", "graph.md", "remediation.md", "insights.md")
    ASSET_NAMES = ("pmkb.css", "catalog.js", "graph.js")

    @staticmethod
    def page_sources(corpus: Corpus) -> list[str]:
        """The Markdown pages `pages()` returns, named from the corpus alone, before any
        analysis: a full build registers them with MkDocs while they are still being
        rendered (tests/test_site_build.py holds the two to the same names)."""
        tax = corpus.taxonomy
        pms = published(corpus.postmortems, tax.factors)
        catalog = tax.services
        services = set(catalog.services) if catalog is not None else {s for pm in pms for s in pm.meta.services}
        factors = set(tax.factors) | {cf.factor for pm in pms for cf in pm.meta.contributing_factors}
        names = [*Site.FIXED_PAGES]  # in the order of pages(), which is MkDocs's order of pages
        names += [f"services/{slug(s)}.md" for s in sorted(services)] + ["services/index.md"]
        names += [f"factors/{slug(f)}.md" for f in sorted(factors)] + ["factors/index.md"]
        names += [f"rules/{spec.name}.md" for spec in registry().values()] + ["rules/index.md"]
        return list(dict.fromkeys(names))

    def pages(self) -> dict[str, str | bytes]:
        """Every generated page and asset, by source path (the downloads apart)."""
        self._fresh_cache: dict[str, tuple[str, list[str], set[int], tuple]] = {}
        out: dict[str, str | bytes] = {}
        out["index.md"] = report_pages.home_page(self)
        out["catalog.md"] = self._catalog_page()
        out["graph.md"] = graph_page.graph_page(self)
        out["remediation.md"] = report_pages.remediation_page(self)
        out["insights.md"] = report_pages.insights_page(self)
        out.update(service_pages.service_pages(self))
        out.update(factor_pages.factor_pages(self))
        out.update(self._rules())
        for name in self.ASSET_NAMES:
            out[f"assets/pmkb/{name}"] = (ASSETS / name).read_bytes()
        if self.render_cache is not None:  # keep what this build rendered, nothing older
            self.render_cache.clear()
            self.render_cache.update(self._fresh_cache)
        return out

    def downloads(self) -> dict[str, str | bytes]:
        """The files named in DOWNLOADS."""
        urls = {pm_id: page_url(src, self.directory_urls) for pm_id, src in self.src_of.items()}
        out: dict[str, str | bytes] = {
            "assets/pmkb/catalog.json": report_pages.catalog_data(self),
            "assets/pmkb/graph.json": graph_page.graph_data(self),
            "assets/pmkb/graph.graphml": to_graphml(self.graph),
            "remediation.csv": remediation_csv(self.remediation),
            "remediation.json": remediation_json(self.remediation),
            feed.FEED: feed.postmortem_feed(
                self.pms,
                urls,
                root=self.corpus.root,
                site_name=self.site_name,
                site_url=self.site_url,
                today=self.today,
            ),
        }
        assert tuple(out) == self.DOWNLOADS
        return out

    def _render_cached(self, src: str, tpl: Any, **context: Any) -> str:
        """`tpl` rendered for `src` (with its stash), or the text the last build rendered
        from the same template and context."""
        if self.render_cache is None:
            return tpl.render(stash=self.stash(src), **context)
        # repr, not JSON: a third of the time on a 5,000-postmortem rebuild (rows, dates and
        # dataclasses print whole; an object that prints only its address never hits).
        return self._cached(src, tpl, f"{src}\0{id(tpl)}\0{context!r}", lambda: context)

    def _render_shown(
        self, src: str, tpl: Any, shown: list[Postmortem], small: dict[str, Any], rows: Callable[[], dict[str, Any]]
    ) -> str:
        """`_render_cached` for a page made mostly of rows of the postmortems `shown` (a
        service's or a factor's incidents, from `rows()`): they are not made again when the
        last build rendered the page from the same postmortem objects and the same `small`
        rest. A file that did not change keeps its objects across `mkdocs serve`'s saves
        (IncrementalCorpus), and the cache holds them, so their ids are not reused."""
        if self.render_cache is None:
            return tpl.render(stash=self.stash(src), **small, **rows())
        refs = tuple((pm, pm.meta) for pm in shown)
        # The day and the grace too: they make an open action overdue.
        day = (self.today, self.settings.policy.stale_action_grace_days)
        key = f"{src}\0{id(tpl)}\0{day!r}\0{small!r}\0" + ",".join(f"{id(pm)}:{id(meta)}" for pm, meta in refs)
        return self._cached(src, tpl, key, lambda: {**small, **rows()}, refs)

    def _cached(self, src: str, tpl: Any, key: str, context: Callable[[], dict[str, Any]], refs: tuple = ()) -> str:
        hit = self.render_cache.get(key) if self.render_cache is not None else None
        if hit is None:
            text = tpl.render(stash=self.stash(src), **context())
            stash = self.stashes.get(src)
            hit = (text, list(stash.blocks) if stash else [], set(stash.late) if stash else set(), refs)
        elif self.stash_html:
            stash = self.stash(src)
            assert stash is not None and not stash.blocks
            stash.blocks, stash.late = list(hit[1]), set(hit[2])
        self._fresh_cache[key] = hit
        return hit[0]

    def _catalog_page(self) -> str:
        return report_pages.catalog_page(self)

    def _rules(self) -> dict[str, str | bytes]:
        return rule_pages.rule_pages(self)

    # ---- the public site ------------------------------------------------------------

    def public_reports(self) -> list[Postmortem]:
        """Published postmortems with customer impact that pass public-leak (public_site.py)."""
        return public_site.public_reports(self)

    def public_pages(self) -> dict[str, str | bytes]:
        """The public site: an index and one page per report, public sections only."""
        return public_site.public_pages(self)

    # ---- one postmortem ------------------------------------------------------------

    def blocks(self, pm: Postmortem) -> dict[str, str]:
        """The HTML blocks of one postmortem page (pm_blocks.py; BlockTokens says where they go)."""
        return pm_blocks.blocks(self, pm)

    def diagram(self, pm: Postmortem, factors: list[dict[str, Any]]) -> Markup:
        """The factors and what enabled what, as an SVG diagram."""
        return pm_blocks.diagram(self, pm, factors)

    def _block_template(self, name: str) -> Any:
        """A template of the page blocks, looked up once per build (a Site lives for one
        build, so `mkdocs serve` still sees an edited override): `get_template` checks the
        file's time on every call, five times a page."""
        tpl = self._block_templates.get(name)
        if tpl is None:
            tpl = self._block_templates[name] = self.env.get_template(name)
        return tpl
