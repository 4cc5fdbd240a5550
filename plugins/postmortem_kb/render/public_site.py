"""The public site: an index and one page per public report (public sections only), its feed."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from markupsafe import Markup

from ..analyse.common import human_duration, time_to_restore
from . import feed
from .static import ASSETS
from .urls import page_url

if TYPE_CHECKING:
    from ..model import Postmortem
    from .site import Site


def public_reports(site: Site) -> list[Postmortem]:
    """Published postmortems with customer impact: the ones that get a public version.
    One with a public-leak finding is refused (left out, with a warning that
    `pmkb build --public` counts), whether or not the build is strict."""
    from ..rules import public

    out = []
    for pm in site.pms:
        if pm.meta.status == "published" and pm.meta.customer_impact:
            leaks = public.blocking_leaks(pm, site.settings, site.corpus.templates.get(pm.meta.template))
            if leaks:
                public.refuse(pm, leaks)
            else:
                out.append(pm)
    return out


def public_pages(site: Site) -> dict[str, str | bytes]:
    """The public site: an index and one page per report, public sections only."""
    out: dict[str, str | bytes] = {}
    rows = []
    feed_rows = []  # (postmortem, its page, the public Summary's text) for the public feed
    for pm in site.public_reports():
        m = pm.meta
        src = f"incidents/{m.id}.md"
        out[src], summary = _public_report(site, pm, src)
        rows.append(
            {
                "url": site.url(src, "index.md"),
                "title": m.title,
                "date": m.started.date().isoformat(),
                "duration": human_duration(time_to_restore(pm)),
            }
        )
        feed_rows.append((pm, page_url(src, site.directory_urls), summary))
    out["index.md"] = site.env.get_template("public_home.md.j2").render(
        stash=site.stash("index.md"), site_name=site.site_name, reports=rows
    )
    out["assets/pmkb/pmkb.css"] = (ASSETS / "pmkb.css").read_bytes()
    out[feed.FEED] = feed.public_feed(feed_rows, site_name=site.site_name, site_url=site.site_url, today=site.today)
    return out


def _public_report(site: Site, pm: Postmortem, src: str) -> tuple[str, str]:
    """One report's public page, and the text of its public Summary (for the feed)."""
    from ..rules import public

    m = pm.meta
    # The very text public-leak judged (comments removed in one linear pass).
    sections = public.public_sections(pm, site.corpus.templates.get(m.template))
    parts = [public.remove_comments(public.section_text(pm, s)).strip() for s in sections]
    published = m.public_postmortem.isoformat() if isinstance(m.public_postmortem, date) else None
    page = site.env.get_template("public_postmortem.md.j2").render(
        stash=site.stash(src),
        title=m.title,
        started=m.started,
        resolved=m.resolved,
        impact=human_duration(time_to_restore(pm)),
        published=published,
        body=Markup("\n\n".join(parts)),  # the author's Markdown, as on the internal site
        actions=[{"summary": a.summary, "done": a.status == "done"} for a in m.actions if a.status != "wont-do"],
    )
    summary = next((p.partition("\n")[2] for s, p in zip(sections, parts, strict=True) if s.key == "summary"), "")
    return page, summary
