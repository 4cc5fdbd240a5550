"""What MkDocs must know of the knowledge base, and when: the plan of the site before
any page is converted, the generated pages' text while the postmortems are converted
(`Body`), and the findings and each postmortem page's blocks before the pages are
written (`Late`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from jinja2 import Environment

from ..config import Project, Settings
from ..load.corpus import relative_path
from ..model import Corpus, Finding
from ..render.env import Stash
from ..render.site import Site


@dataclass(slots=True)
class PageInfo:
    """What the adapter keeps of a published postmortem: the corpus stays elsewhere."""

    title: str
    tags: list[str]


@dataclass
class Plan:
    """The site as MkDocs must know it before converting a page."""

    pages: dict[str, str | bytes]  # generated pages and assets, by source path
    stashes: dict[str, Stash]  # the HTML blocks of the generated pages
    published: dict[str, PageInfo] = field(default_factory=dict)  # postmortem pages, by source path
    unpublished: list[str] = field(default_factory=list)  # drafts and invalid files, by source path
    warnings: list[str] = field(default_factory=list)
    # A full build's plan comes in two parts: first what MkDocs needs before it reads a
    # page (which files are published, the generated pages' names), then, while it
    # converts the postmortems, the generated pages' text (`Body`).
    names: list[str] = field(default_factory=list)


@dataclass
class Body:
    """The generated pages' text and HTML blocks, for a plan that named them first."""

    pages: dict[str, str | bytes]
    stashes: dict[str, Stash]


@dataclass
class Late:
    """What a full build needs only once the pages are converted. A full build's check
    comes after it, as a list of findings taken when every page is written (on_post_build):
    MkDocs need not wait for the check to start writing pages."""

    findings: list[Finding]
    blocks: dict[str, bytes]  # each postmortem page's blocks, JSON, zlib-compressed
    done: bool = True  # False: more blocks follow, in the order MkDocs writes the pages


@dataclass
class SiteMaker:
    """What every `Site` of a build is made with, settled in `on_config`."""

    project: Project
    settings: Settings
    today: date
    env: Environment  # the pages' templates (render.env.make_env)
    render_cache: dict | None  # see Site.render_cache

    def site(self, corpus: Corpus, site_name: str, directory_urls: bool) -> Site:
        return Site(
            corpus=corpus,
            settings=self.settings,
            today=self.today,
            docs_dir=self.project.docs_dir,
            site_name=site_name,
            directory_urls=directory_urls,
            site_url=self.project.site_url,
            env=self.env,
            stash_html=True,
            render_cache=self.render_cache,
        )

    def plan(self, site: Site) -> Plan:
        """What MkDocs needs of the knowledge base before it converts a page."""
        pages = site.public_pages() if self.settings.public.build else site.pages()
        return self.head(site.corpus, Plan(pages=pages, stashes=site.stashes))

    def head(self, corpus: Corpus, plan: Plan) -> Plan:
        """`plan` with the postmortems it publishes and leaves out."""
        docs_dir = self.project.docs_dir
        for pm in corpus.postmortems:
            src = relative_path(pm.abs_path, docs_dir)
            if pm.meta is None or pm.meta.status == "draft":
                # Drafts are not published; nor is a postmortem whose front matter is not
                # valid (it may be a draft, and its `template:` would break the page build).
                # Its findings are reported too, so `--strict` still fails on it.
                plan.unpublished.append(src)
                if pm.meta is None:
                    plan.warnings.append(f"{pm.path} is not published: its front matter is not valid")
                continue
            plan.published[src] = PageInfo(title=pm.meta.title, tags=list(pm.meta.tags))
        return plan
