"""The site's generated pages and data files, and the decoration of each postmortem page.

Engine-neutral: everything is keyed by source path (relative to the docs folder) and
returned as Markdown or bytes, so the MkDocs adapter only hands them over.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from ..analyse.common import (
    duration,
    human_duration,
    per_year,
    published,
    slug,
    time_to_detect,
    time_to_restore,
    times_recorded,
)
from ..analyse.graph import Similarity, build_graph, co_occurrence, to_graphml
from ..analyse.insights import QuarterTrend, insights
from ..analyse.recurrence import Held, Recurrence, recurrences
from ..analyse.remediation import remediation
from ..config import Settings
from ..load.corpus import relative_path
from ..load.frontmatter import SAFE_LOADER
from ..load.schema import OPEN_STATUSES, STATUSES
from ..model import Corpus, Postmortem
from ..rules.language import HERE as RULES_DIR
from ..rules.registry import registry
from . import charts, feed, graph_page
from .env import Stash, http_url, make_env, md
from .reports import remediation_csv, remediation_json
from .urls import CATEGORY_ORDER, base_of, page_url

ASSETS = Path(__file__).resolve().parent.parent / "assets"


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
    render_cache: dict[str, tuple[str, list[str], set[int]]] | None = None
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
        self._fresh_cache: dict[str, tuple[str, list[str], set[int]]] = {}
        out: dict[str, str | bytes] = {}
        render = self.env.get_template
        out["index.md"] = render("home.md.j2").render(
            stash=self.stash("index.md"),
            site_name=self.site_name,
            total=len(self.pms),
            open_actions=len(self.remediation.open),
            overdue=self.remediation.overdue,
            factors=sum(1 for n in self._factor_counts.values() if n > 1),
            recent=[self.row(pm, "index.md") for pm in self.pms[:10]],
        )
        out["catalog.md"] = self._catalog_page()
        out["graph.md"] = self._graph_page()
        out["remediation.md"] = self._render_cached(
            "remediation.md",
            render("remediation.md.j2"),
            r=self.remediation,  # keyed by its repr: every field of every open action
            grace=self.settings.policy.stale_action_grace_days,
            urls={
                a.postmortem: self.pm_url(a.postmortem, "remediation.md") for a in self.remediation.open if not a.draft
            },
        )
        out["insights.md"] = self._insights()
        out.update(self._services())
        out.update(self._factors())
        out.update(self._rules())
        for name in self.ASSET_NAMES:
            out[f"assets/pmkb/{name}"] = (ASSETS / name).read_bytes()
        if self.render_cache is not None:  # keep what this build rendered, nothing older
            self.render_cache.clear()
            self.render_cache.update(self._fresh_cache)
        return out

    def downloads(self) -> dict[str, str | bytes]:
        """The files named in DOWNLOADS."""
        out: dict[str, str | bytes] = {
            "assets/pmkb/catalog.json": self._catalog_data(),
            "assets/pmkb/graph.json": self._graph_data(),
            "assets/pmkb/graph.graphml": to_graphml(self.graph),
            "remediation.csv": remediation_csv(self.remediation),
            "remediation.json": remediation_json(self.remediation),
            feed.FEED: self._feed(),
        }
        assert tuple(out) == self.DOWNLOADS
        return out

    def _feed(self) -> bytes:
        urls = {pm_id: page_url(src, self.directory_urls) for pm_id, src in self.src_of.items()}
        return feed.postmortem_feed(
            self.pms, urls, root=self.corpus.root, site_name=self.site_name, site_url=self.site_url, today=self.today
        )

    def _render_cached(self, src: str, tpl: Any, **context: Any) -> str:
        """`tpl` rendered for `src` (with its stash), or the text the last build rendered
        from the same template and context."""
        if self.render_cache is None:
            return tpl.render(stash=self.stash(src), **context)
        # repr, not JSON: a third of the time on a 5,000-postmortem rebuild (rows, dates and
        # dataclasses print whole; an object that prints only its address never hits).
        key = f"{src}\0{id(tpl)}\0{context!r}"
        hit = self.render_cache.get(key)
        if hit is None:
            text = tpl.render(stash=self.stash(src), **context)
            stash = self.stashes.get(src)
            hit = (text, list(stash.blocks) if stash else [], set(stash.late) if stash else set())
        elif self.stash_html:
            stash = self.stash(src)
            assert stash is not None and not stash.blocks
            stash.blocks, stash.late = list(hit[1]), set(hit[2])
        self._fresh_cache[key] = hit
        return hit[0]

    def _catalog_data(self) -> str:
        tax = self.corpus.taxonomy.factors
        rows = []
        for pm in self.pms:
            m = pm.meta
            rows.append(
                {
                    "id": m.id,
                    "t": m.title,
                    "u": page_url(self.src_of[m.id], self.directory_urls),
                    "d": m.started.date().isoformat(),
                    "s": m.severity,
                    "sv": list(m.services),
                    "f": sorted({cf.factor for cf in m.contributing_factors}),
                    "st": m.status,
                    "ttr": int(
                        time_to_restore(pm).total_seconds() // 60
                    ),  # whole minutes, as human_duration counts them
                }
            )
        data = {"factors": {fid: f.name for fid, f in sorted(tax.items())}, "rows": rows}
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def _catalog_page(self) -> str:
        src = "catalog.md"
        tax = self.corpus.taxonomy.factors
        first = []
        for pm in self.pms[:50]:
            r = self.row(pm, src)
            r["factor_names"] = [
                tax[cf.factor].name if cf.factor in tax else cf.factor for cf in pm.meta.contributing_factors
            ]
            first.append(r)
        return self.env.get_template("catalog.md.j2").render(
            stash=self.stash(src),
            total=len(self.pms),
            base=base_of(src, self.directory_urls),
            years=sorted({pm.meta.started.year for pm in self.pms}, reverse=True),
            severities=self.settings.severities,
            services=sorted({s for pm in self.pms for s in pm.meta.services}),
            factors=sorted((self.factor_view(fid, src) for fid in self._factor_counts), key=lambda f: f["name"]),
            statuses=[s for s in STATUSES if s != "draft"],
            counts=Counter(pm.meta.status for pm in self.pms),  # what the page lists, said in its words
            first_rows=first,
        )

    def _graph_data(self) -> str:
        return graph_page.graph_data(self)

    def _graph_page(self) -> str:
        return graph_page.graph_page(self)

    def _insights(self) -> str:
        ins = self.insights
        top = ins.recurring[:15]
        peak = max((r.incidents for r in top), default=1)
        recurring = [
            {
                "id": r.id,
                "name": r.name,
                "category": r.category,
                "incidents": r.incidents,
                "first_year": r.first_year,
                "last_year": r.last_year,
                "url": self.url(self.factor_src(r.id), "insights.md"),
                "pct": round(r.incidents / peak * 100),
            }
            for r in top
        ]
        return self.env.get_template("insights.md.j2").render(
            stash=self.stash("insights.md"),
            i=ins,
            rem=self.remediation,
            bars=charts.stacked_bars(ins),
            detect_box=charts.box_plot(ins.detect),
            restore_box=charts.box_plot(ins.restore),
            recurring=recurring,
            held=self._held_rows("insights.md"),
            fixes_held=self._held_fixes("insights.md"),
            trends=self._trend_rows("insights.md"),
            trend_quarters=[QuarterTrend.label(q) for q in ins.trend.quarters] if ins.trend else [],
        )

    def _recurrence_row(self, r: Recurrence, src: str) -> dict[str, Any]:
        """One recurrence as a page links it: the later incident and the earlier action."""
        return {
            "factor": self.factor_view(r.factor, src),
            "date": r.incident.started.date().isoformat(),
            "title": r.incident.title,
            "url": self.pm_url(r.incident.id, src),
            "after_title": r.after.title,
            # The action's row in the earlier postmortem's table (pm_actions.html.j2).
            "after_url": self.pm_url(r.after.postmortem, src) + f"#pmkb-action-{r.after.number}",
            "number": r.after.number,
            "summary": r.after.summary,
            "due": r.after.due.isoformat(),
            "done_before": r.done_before,
            "service": self.service_name(r.service),
        }

    def service_name(self, sid: str) -> str:
        """A service as the catalog names it (its id when there is no catalog entry)."""
        catalog = self.corpus.taxonomy.services
        entry = catalog.services.get(sid) if catalog is not None else None
        return entry.name if entry is not None else sid

    def _held_row(self, h: Held, src: str) -> dict[str, Any]:
        """A done action whose fix held: its incident, the action and where it held."""
        a = h.action
        return {
            "factor": self.factor_view(h.factor, src),
            "title": a.title,
            "url": self.pm_url(a.postmortem, src) + f"#pmkb-action-{a.number}" if a.postmortem in self.src_of else None,
            "number": a.number,
            "summary": a.summary,
            "due": a.due.isoformat(),
            "services": [self.service_name(s) for s in a.services],
        }

    HELD_ROWS = 10  # fixes that held, listed in insights
    HELD_ON_FACTOR_PAGE = 50  # the latest ones a factor page lists (a page stays readable at any size)

    def _held_fixes(self, src: str) -> tuple[list[dict[str, Any]], int]:
        """The latest fixes that held, across factors, and how many held in all."""
        every = [h for fixes in self.recur.held.values() for h in fixes]
        every.sort(key=lambda h: (h.action.effective, h.action.postmortem, h.action.number, h.factor), reverse=True)
        return [self._held_row(h, src) for h in every[: self.HELD_ROWS]], len(every)

    def _held_rows(self, src: str) -> list[dict[str, Any]]:
        """Factors that recurred after remediation, most recurrences first."""
        return [
            {
                **self.factor_view(fid, src),
                "count": n,
                "recurrences": [self._recurrence_row(r, src) for r in reversed(self.recur.by_factor[fid])],
            }
            for fid, n in self.recur.ranked()
        ]

    TREND_ROWS = 10  # factors in the insights trend table

    def _trend_rows(self, src: str) -> list[dict[str, Any]]:
        """The most recurring factors' incidents per quarter, as sparklines."""
        trend = self.insights.trend
        if trend is None or not trend.quarters:
            return []
        rows = []
        for r in self.insights.recurring[: self.TREND_ROWS]:
            counts = trend.counts.get(r.id, [0] * len(trend.quarters))
            rows.append(
                {
                    **self.factor_view(r.id, src),
                    "total": r.incidents,
                    "shown": sum(counts),
                    "last4": sum(counts[-4:]),
                    "spark": charts.sparkline(counts),
                    "counts": counts,
                }
            )
        return rows

    def _factor_trend(self, fid: str) -> dict[str, Any] | None:
        """A factor page's chart of incidents per quarter (None when it has none)."""
        trend = self.insights.trend
        if trend is None or not trend.quarters or not self._factor_counts.get(fid):
            return None
        counts = trend.counts.get(fid, [0] * len(trend.quarters))
        return {
            "chart": charts.quarter_bars(trend.quarters, counts),
            "first": QuarterTrend.label(trend.quarters[0]),
            "last": QuarterTrend.label(trend.quarters[-1]),
            "before": trend.before.get(fid, 0),
            "rows": [(QuarterTrend.label(q), n) for q, n in zip(trend.quarters, counts, strict=True) if n],
        }

    def _services(self) -> dict[str, str | bytes]:
        """A page per service (with a catalog: per catalogued service, and an id the
        catalog does not know gets none, as `published` does for factors) and the index."""
        out: dict[str, str | bytes] = {}
        catalog = self.corpus.taxonomy.services
        known = catalog.services if catalog is not None else None
        by_service: dict[str, list[Postmortem]] = {sid: [] for sid in known or ()}
        for pm in self.pms:
            for s in dict.fromkeys(pm.meta.services):
                if known is None or s in known:
                    by_service.setdefault(s, []).append(pm)
        open_by_pm: dict[str, list[Any]] = defaultdict(list)
        for a in self.remediation.open:
            open_by_pm[a.postmortem].append(a)
        tpl = self.env.get_template("service.md.j2")
        index = []
        for sid in sorted(by_service):
            src = self.service_src(sid)
            items = by_service[sid]
            entry = known.get(sid) if known is not None else None
            factors = Counter(
                cf.factor for pm in items for cf in {c.factor: c for c in pm.meta.contributing_factors}.values()
            )
            ranked = [
                (self.factor_view(fid, src), n) for fid, n in sorted(factors.items(), key=lambda kv: (-kv[1], kv[0]))
            ]
            actions = [self._service_action(a, src) for pm in items for a in open_by_pm.get(pm.meta.id, ())]
            actions.sort(key=lambda a: (-a["overdue"], a["due"] or "9999", a["id"]))
            out[src] = self._render_cached(
                src,
                tpl,
                id=sid,
                name=entry.name if entry else sid,
                owner=entry.owner if entry else None,
                tier=entry.tier if entry else None,
                incidents=[self.row(pm, src) for pm in items],
                first_year=min((pm.meta.started.year for pm in items), default=None),
                per_year=per_year(items),
                recurring=[(f, n) for f, n in ranked if n > 1],
                once=[f for f, n in ranked if n == 1],
                actions=actions,
            )
            index.append(
                {
                    "name": entry.name if entry else sid,
                    "owner": entry.owner if entry else None,
                    "tier": entry.tier if entry else None,
                    "url": self.url(src, "services/index.md"),
                    "count": len(items),
                    "open": len(actions),
                    "last": items[0].meta.started.date().isoformat() if items else None,
                }
            )
        index.sort(key=lambda s: (-s["count"], s["name"]))
        out["services/index.md"] = self.env.get_template("services_index.md.j2").render(
            services=index, catalog=catalog is not None, stash=self.stash("services/index.md")
        )
        return out

    def _service_action(self, a: Any, src: str) -> dict[str, Any]:
        """An open action (remediation's record, read only) as a service page shows it."""
        pm = self.by_id.get(a.postmortem)
        n = int(a.id.rpartition("#")[2]) if a.id.rpartition("#")[2].isdigit() else 0
        declared = pm.meta.actions[n - 1] if pm is not None and 0 < n <= len(pm.meta.actions) else None
        return {
            "id": a.id,
            "summary": a.summary,
            "owner": a.owner,
            "due": a.due.isoformat() if a.due else None,
            "overdue": a.overdue_days,
            "status": a.status,
            "priority": declared.priority if declared is not None else None,
            "tracker": http_url(a.tracker),
            "incident": a.postmortem_title,
            "url": self.pm_url(a.postmortem, src) if a.postmortem in self.src_of else None,
        }

    def _factors(self) -> dict[str, str | bytes]:
        out: dict[str, str | bytes] = {}
        tax = self.corpus.taxonomy
        incidents: dict[str, list[tuple[Postmortem, str]]] = defaultdict(list)
        for pm in self.pms:
            seen = set()
            for cf in pm.meta.contributing_factors:
                if cf.factor not in seen:
                    seen.add(cf.factor)
                    incidents[cf.factor].append((pm, cf.description))
        partners: dict[str, Counter[str]] = defaultdict(Counter)
        for (a, b), n in self.cooccur.items():
            partners[a][b] += n
            partners[b][a] += n
        tpl = self.env.get_template("factor.md.j2")
        for fid in sorted(set(tax.factors) | set(incidents)):
            src = self.factor_src(fid)
            rows = []
            for pm, desc in incidents.get(fid, []):
                r = self.row(pm, src)
                r["description"] = desc
                rows.append(r)
            out[src] = self._render_cached(
                src,
                tpl,
                f=self.factor_view(fid, src),
                incidents=rows,
                cooccurs=[
                    (self.factor_view(o, src), n)
                    for o, n in sorted(partners[fid].items(), key=lambda kv: (-kv[1], kv[0]))[:12]
                ],
                recurred=[self._recurrence_row(r, src) for r in self.recur.by_factor.get(fid, [])],
                held=[self._held_row(h, src) for h in self.recur.held.get(fid, [])[: self.HELD_ON_FACTOR_PAGE]],
                held_total=len(self.recur.held.get(fid, ())),
                trend=self._factor_trend(fid),
            )
        groups = []
        cats = [c for c in CATEGORY_ORDER if c in tax.categories] + sorted(set(tax.categories) - set(CATEGORY_ORDER))
        for cat in cats:
            items = [
                (
                    self.factor_view(fid, "factors/index.md"),
                    self._factor_counts.get(fid, 0),
                    len(self.recur.by_factor.get(fid, ())),
                )
                for fid, f in sorted(tax.factors.items(), key=lambda kv: kv[1].name)
                if f.category == cat
            ]
            groups.append((cat, tax.categories.get(cat, ""), items))
        out["factors/index.md"] = self.env.get_template("factors_index.md.j2").render(
            groups=groups, stash=self.stash("factors/index.md")
        )
        return out

    def _rules(self) -> dict[str, str | bytes]:
        out: dict[str, str | bytes] = {}
        import yaml

        language = yaml.load((RULES_DIR / "language.yml").read_text(encoding="utf-8"), Loader=SAFE_LOADER)
        # A rule's page shows sentences it flags and sentences it leaves alone (held to
        # the rule by tests/test_language_rules.py), not its patterns.
        examples = {str(r["code"]): r.get("examples") or {} for r in language.get("rules", [])}
        sev_over = {k: v for k, v in self.settings.rules.severity.items()}
        rules = []
        for spec in registry().values():
            severity = sev_over.get(spec.name, sev_over.get(spec.code, spec.severity))
            rules.append((spec, severity))
            out[f"rules/{spec.name}.md"] = self.env.get_template("rule.md.j2").render(
                stash=self.stash(f"rules/{spec.name}.md"),
                spec=spec,
                severity=severity,
                report_only=spec.name in self.settings.report_only or spec.code in self.settings.report_only,
                examples=examples.get(spec.code, {}),
            )
        out["rules/index.md"] = self.env.get_template("rules_index.md.j2").render(
            rules=rules, policy=self.settings.policy, stash=self.stash("rules/index.md")
        )
        return out

    # ---- the public site ------------------------------------------------------------

    def public_reports(self) -> list[Postmortem]:
        """Published postmortems with customer impact: the ones that get a public version.
        One with a public-leak finding is refused (left out, with a warning that
        `pmkb build --public` counts), whether or not the build is strict."""
        from ..rules import public

        out = []
        for pm in self.pms:
            if pm.meta.status == "published" and pm.meta.customer_impact:
                leaks = public.blocking_leaks(pm, self.settings, self.corpus.templates.get(pm.meta.template))
                if leaks:
                    public.refuse(pm, leaks)
                else:
                    out.append(pm)
        return out

    def public_pages(self) -> dict[str, str | bytes]:
        """The public site: an index and one page per report, public sections only."""
        from ..rules import public

        out: dict[str, str | bytes] = {}
        rows = []
        feed_rows = []  # (postmortem, its page, the public Summary's text) for the public feed
        for pm in self.public_reports():
            m = pm.meta
            src = f"incidents/{m.id}.md"
            # The very text public-leak judged (comments removed in one linear pass).
            sections = public.public_sections(pm, self.corpus.templates.get(m.template))
            parts = [public.remove_comments(public.section_text(pm, s)).strip() for s in sections]
            published = m.public_postmortem.isoformat() if isinstance(m.public_postmortem, date) else None
            out[src] = self.env.get_template("public_postmortem.md.j2").render(
                stash=self.stash(src),
                title=m.title,
                started=m.started,
                resolved=m.resolved,
                impact=human_duration(time_to_restore(pm)),
                published=published,
                body=Markup("\n\n".join(parts)),  # the author's Markdown, as on the internal site
                actions=[
                    {"summary": a.summary, "done": a.status == "done"} for a in m.actions if a.status != "wont-do"
                ],
            )
            rows.append(
                {
                    "url": self.url(src, "index.md"),
                    "title": m.title,
                    "date": m.started.date().isoformat(),
                    "duration": human_duration(time_to_restore(pm)),
                }
            )
            summary = next(
                (p.partition("\n")[2] for s, p in zip(sections, parts, strict=True) if s.key == "summary"), ""
            )
            feed_rows.append((pm, page_url(src, self.directory_urls), summary))
        out["index.md"] = self.env.get_template("public_home.md.j2").render(
            stash=self.stash("index.md"), site_name=self.site_name, reports=rows
        )
        out["assets/pmkb/pmkb.css"] = (ASSETS / "pmkb.css").read_bytes()
        out[feed.FEED] = feed.public_feed(feed_rows, site_name=self.site_name, site_url=self.site_url, today=self.today)
        return out

    # ---- one postmortem ------------------------------------------------------------

    def blocks(self, pm: Postmortem) -> dict[str, str]:
        """The HTML blocks of one postmortem page, from autoescaping templates (see
        BlockTokens for where they go)."""
        src = self.src_uri(pm)
        m = pm.meta
        factors = [self.factor_view(cf.factor, src) for cf in m.contributing_factors]
        public_url = http_url(m.public_postmortem)  # a date, or anything not http(s), is no link
        catalog = self.corpus.taxonomy.services
        timed = times_recorded(pm)
        card = self._block_template("pm_card.html.j2").render(
            pm=m,
            # An id the catalog does not know has no page: it is shown as text.
            services=[
                {
                    "name": s,
                    "url": self.url(self.service_src(s), src) if catalog is None or s in catalog.services else None,
                }
                for s in m.services
            ],
            severity=m.severity if m.severity in self.settings.severities else None,  # an import's TODO: not recorded
            duration=human_duration(duration(pm)) if timed else "not recorded",
            ttd=human_duration(time_to_detect(pm)) if timed else "not recorded",
            ttr=human_duration(time_to_restore(pm)) if timed else "not recorded",
            public_url=public_url,
            factors=factors,
            recurred=[self._recurrence_row(r, src) for r in self.recur.by_postmortem.get(m.id, [])],
        )
        factor_rows = [
            {**fv, "description": cf.description, "enabled_by": cf.enabled_by}
            for fv, cf in zip(factors, m.contributing_factors, strict=True)
        ]
        factors_block = self._block_template("pm_factors.html.j2").render(
            factors=factor_rows, diagram=self.diagram(pm, factors)
        )
        actions = []
        for i, a in enumerate(m.actions, start=1):
            overdue = (self.today - a.due).days if a.due and a.status in OPEN_STATUSES and self.today > a.due else 0
            actions.append(
                {
                    "n": i,
                    "summary": a.summary,
                    "kind": a.kind,
                    "owner": a.owner,
                    "due": a.due.isoformat() if a.due else None,
                    "status": a.status,
                    "tracker": http_url(a.tracker),
                    "overdue": overdue,
                    "priority": a.priority,
                }
            )
        actions_block = self._block_template("pm_actions.html.j2").render(actions=actions)
        declared = [self._related_row(r, src) for r in m.related if r in self.src_of]
        declared_ids = set(m.related)
        sim = [
            {**self._related_row(oid, src), "shared": n}
            for oid, n in self.similarity.similar(m.id, limit=8)
            if oid not in declared_ids and oid in self.src_of and n >= 1
        ][:5]
        related = self._block_template("pm_related.html.j2").render(declared=declared, similar=sim)
        return {
            "card": card.strip(),
            "factors": factors_block.strip(),
            "actions": actions_block.strip(),
            "related": related.strip(),
        }

    def _block_template(self, name: str) -> Any:
        """A template of the page blocks, looked up once per build (a Site lives for one
        build, so `mkdocs serve` still sees an edited override): `get_template` checks the
        file's time on every call, five times a page."""
        tpl = self._block_templates.get(name)
        if tpl is None:
            tpl = self._block_templates[name] = self.env.get_template(name)
        return tpl

    def _related_row(self, pm_id: str, from_src: str) -> dict[str, Any]:
        other = self.by_id.get(pm_id)
        if other is None:
            return {"url": self.pm_url(pm_id, from_src), "title": pm_id, "date": "", "severity": ""}
        return self.row(other, from_src)

    def diagram(self, pm: Postmortem, factors: list[dict[str, Any]]) -> Markup:
        box_w, box_h, gap, left = 280, 38, 12, 60
        boxes = []
        index = {}
        for k, fv in enumerate(factors):
            y = 56 + k * (box_h + gap)
            boxes.append(
                {
                    "x": left,
                    "y": y,
                    "w": box_w,
                    "h": box_h,
                    "label": fv["name"],
                    "category": fv["category"],
                    "url": fv["url"],
                }
            )
            index.setdefault(fv["id"], k)
        height = max(56 + len(boxes) * (box_h + gap) + 10, 140)
        ix, iw = left + box_w + 80, 200
        iy = 56 + (len(boxes) * (box_h + gap)) / 2 - gap / 2
        enabled = []
        starts: Counter[int] = Counter()
        ends: Counter[int] = Counter()
        for k, cf in enumerate(pm.meta.contributing_factors):
            for ref in dict.fromkeys(cf.enabled_by):
                if ref in index and index[ref] != k:
                    # Each arrow in its own lane of the left margin, its ends apart on the
                    # boxes' edges, so that two arrows into one factor stay two arrows.
                    i, lane = index[ref], len(enabled)
                    a, b = boxes[i], boxes[k]
                    y1 = a["y"] + box_h / 2 + (starts[i] % 3 - 1) * 10
                    y2 = b["y"] + box_h / 2 + (ends[k] % 3 - 1) * 10
                    starts[i] += 1
                    ends[k] += 1
                    enabled.append({"x1": a["x"], "y1": y1, "x2": b["x"], "y2": y2, "cx": min(8 + 16 * lane, left - 8)})
        # Rendered by an autoescaping template, so safe to embed as markup.
        return Markup(
            self._block_template("diagram.svg.j2").render(
                boxes=boxes,
                enabled=enabled,
                width=ix + iw + 10,
                height=height,
                ix=ix,
                iy=iy,
                iw=iw,
                incident=pm.meta.severity + " incident",
                trigger=bool(pm.meta.trigger),
            )
        )


class BlockTokens:
    """A postmortem page is the author's Markdown with four HTML blocks put in by token:
    the header card, the factors (table and diagram), the actions and the related
    incidents (`Site.blocks`). The tokens cost nothing to place; the blocks are rendered
    apart (in a second process during a full build) and put in after the search index
    has read the page, so neither Markdown nor the index parses them."""

    NAMES = ("card", "factors", "actions", "related")

    def __init__(self, key: str) -> None:
        self.key = key  # unguessable: an author's own comment is never taken for a token

    def token(self, name: str) -> str:
        return f"<!--pmkb-block:{self.key}:{name}-->"

    def skeleton(self, title: str, body: str) -> str:
        """The page's Markdown: title, the author's body, tokens where the blocks go."""
        t = self.token
        body = _insert_after_heading(body, "contributing factors", f"\n{t('factors')}\n")
        body = _insert_after_heading(body, "action items", f"\n{t('actions')}\n").strip("\n")
        return f"# {md(title)}\n\n{t('card')}\n\n{body}\n\n## Related incidents\n\n{t('related')}\n"

    def fill(self, html: str, blocks: dict[str, str]) -> str:
        """Put the blocks in place of their tokens (Markdown may have wrapped one in <p>)."""
        for name, block in blocks.items():
            token = self.token(name)
            wrapped = f"<p>{token}</p>"
            html = html.replace(wrapped, block, 1) if wrapped in html else html.replace(token, block, 1)
        return html


def _insert_after_heading(markdown: str, key: str, block: str) -> str:
    """Put `block` right after the `## ` heading whose normalised title is `key` (or append)."""
    from ..load.sections import normalise

    lines = markdown.split("\n")
    fence = False  # a heading inside a code block is code
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            fence = not fence
        if not fence and stripped.startswith("## ") and normalise(stripped[3:].strip("# ")) == key:
            return "\n".join([*lines[: i + 1], block, *lines[i + 1 :]])
    return markdown.rstrip("\n") + "\n" + block
