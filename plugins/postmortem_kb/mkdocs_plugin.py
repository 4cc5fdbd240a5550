"""The MkDocs face: a thin adapter over the same core that `pmkb check` runs.

load → analyse → render happen in `on_files`, once per build; the events only hand
MkDocs the generated files and decorate each postmortem page. In a full build the
check, and the rendering of each postmortem page's blocks, run on the second core while
MkDocs converts the pages (see `offload`); their findings are reported before the build
ends, so `--strict` still fails on them. `mkdocs serve` checks again only what changed,
before the pages, and renders the blocks of the pages it rebuilds.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import os
import secrets
import shutil
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    PrefixLoader,
)
from markupsafe import escape
from mkdocs.config.base import ValidationError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from . import incremental, serve_index
from .check import Checker, check_project
from .clean_aside import CleanAside
from .config import ConfigError, Project, Settings, parse_settings
from .incremental import IncrementalCorpus
from .load.corpus import relative_path
from .load.dense_markup import limit_density
from .load.files import check_folder, read_inside, write_inside
from .load.frontmatter import decode, split
from .load.publishable import Survey, playbook_files, site_files
from .load.sections import limit_nesting
from .model import Corpus, Finding
from .offload import Offload
from .render.env import Stash, make_env
from .render.placeholders import fill_placeholders, policy_values
from .render.sanitize import escape_meta, sanitize
from .render.site import ASSETS, BlockTokens, Site
from .rules.raw_html import located as raw_html_in

log = get_plugin_logger(__name__)

CYTOSCAPE = ("node_modules", "cytoscape", "dist", "cytoscape.min.js")
THEME_OVERRIDES = Path(__file__).resolve().parent / "render" / "theme"


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
    """What a full build needs only once the pages are converted."""

    findings: list[Finding]
    blocks: dict[str, bytes]  # each postmortem page's blocks, JSON, zlib-compressed


DOWNLOADS_PREFIX = "pmkb-downloads-"  # then the building process's id, "-", a random part
CACHE_PAGES = ".cache/plugin/postmortem-kb/pages"  # serving's generated files, in the repository
MAX_GENERATED_BYTES = 512 * 1024 * 1024  # a generated file read back to compare; bounded all the same


def reap_downloads(tmp: Path) -> list[Path]:
    """Remove the download folders of builds whose process is gone (killed before
    on_post_build could clean up); a running build's folder, or one that is not ours to
    remove, is left alone. Returns what was removed."""
    removed = []
    for folder in tmp.glob(DOWNLOADS_PREFIX + "*-*"):
        pid = folder.name[len(DOWNLOADS_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or not folder.is_dir() or folder.is_symlink():
            continue
        if hasattr(os, "getuid") and folder.lstat().st_uid != os.getuid():
            continue  # another user's: not ours to remove
        try:
            os.kill(int(pid), 0)
            continue  # still running (or another user's: not ours to judge)
        except ProcessLookupError:
            pass
        except (PermissionError, OverflowError, ValueError):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            removed.append(folder)
    return removed


class PostmortemKBPlugin(BasePlugin):
    supports_multiple_instances = False

    def load_config(self, options: dict[str, Any], config_file_path: str | None = None) -> tuple[list, list]:
        # One settings schema for both faces: the pydantic model the CLI reads too.
        self.config = dict(options)
        self.config_file_path = config_file_path
        try:
            self.settings: Settings = parse_settings(options, prefix="postmortem-kb")
        except ConfigError as err:
            return [("postmortem-kb", ValidationError(str(err)))], []
        return [], []

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Lives as long as `mkdocs serve`: each rebuild reloads only the files that changed.
        self.incremental = IncrementalCorpus()
        # `mkdocs serve --dirty` rebuilds only files newer than their output. Generated
        # pages written to disk (only when their text changes) take part in that, so a
        # save rebuilds the postmortem and the reports that changed, not 5,000 pages.
        self.materialise = command == "serve"
        self.render_cache: dict | None = {} if self.materialise else None  # see Site.render_cache

    def on_config(self, config: Any) -> Any:
        if (config.extra or {}).get("pmkb_public") is True:  # mkdocs-public.yml: see there
            # A copy: parsed settings may be shared (parse_settings remembers them).
            public = self.settings.public.model_copy(update={"build": True})
            self.settings = self.settings.model_copy(update={"public": public})
        if not hasattr(self, "incremental"):
            self.incremental = IncrementalCorpus()
            self.materialise = False
            self.render_cache = None
        root = Path(config.config_file_path or ".").resolve().parent
        self.project = Project(
            root=root, docs_dir=Path(config.docs_dir).resolve(), site_url=config.site_url or "", settings=self.settings
        )
        self.today: date = self.settings.today or date.today()  # the edge: the build's clock
        if "assets/pmkb/pmkb.css" not in config.extra_css:
            config.extra_css.append("assets/pmkb/pmkb.css")
        for folder in (self.project.playbook_dir, self.project.templates_dir):
            if folder.is_dir() and str(folder) not in config.watch:
                config.watch.append(str(folder))
        self.env = make_env(self.project.templates_dir / "pages")
        self.config_site_name = config.site_name
        self.directory_urls = config.use_directory_urls
        self.tokens = BlockTokens(secrets.token_hex(6))
        return config

    def on_pre_build(self, config: Any) -> None:
        # MkDocs lists the docs folder right after this, following every link (see
        # _publishable_files): from here on it lists only what may be published.
        _guard_get_files()
        self.side: Offload | None = None
        if not self.materialise:
            # A full build: the corpus is loaded, analysed and checked in a child process
            # (see offload), started before MkDocs lists the files. It sends the plan of the
            # site first and works on while MkDocs converts the pages. This process never
            # holds the corpus.
            reap_downloads(Path(tempfile.gettempdir()))
            self.downloads_dir = Path(tempfile.mkdtemp(prefix=f"{DOWNLOADS_PREFIX}{os.getpid()}-"))
            self.side_started = time.perf_counter()
            self.side = Offload(functools.partial(self._side_job, config.site_name, config.use_directory_urls))

    def on_files(self, files: Files, config: Any) -> Files:
        project = self.project
        # Only what load.publishable allows leaves the docs folder: no HTML or script, no
        # link out of it, nothing in the theme's place. `pmkb check` (and the check of
        # this build) reports each refused file; here they are only left out.
        found = self.__dict__.pop("docs_survey", None) or site_files(
            project.docs_dir, project.root, self.settings.taxonomy
        )
        _keep_only(files, config.docs_dir, found)
        self.packed_blocks: dict[str, bytes] = {}
        self.body_names: set[str] = set()  # generated pages whose text is still to come
        self.body: Body | None = None
        if self.materialise:
            self._cache_dir()  # where generated files go is settled before a child is forked
            plan = self._serve_plan()
        else:
            assert self.side is not None  # started in on_pre_build
            plan = self.side.next()
            log.debug("the site's plan came %.2f s after the side job started", time.perf_counter() - self.side_started)
        self.published = plan.published
        self.stashes: dict[str, Stash] = plan.stashes
        # A full build cleans the postmortem pages' HTML on the second core (see on_env).
        full = not self.materialise and not self.settings.public.build
        self.clean_aside: CleanAside | None = CleanAside(sanitize) if full else None
        for warning in plan.warnings:
            log.warning(warning)
        for src in plan.unpublished:
            f = files.get_file_from_path(src)
            if f is not None:
                files.remove(f)
        if self.settings.public.build:
            for f in list(files):  # the public site: only the generated public pages
                if _from_folder(f, config.docs_dir):
                    files.remove(f)
            for src, content in plan.pages.items():
                self._put(files, self._generated(config, src, content))
            return files
        if self.materialise and self.incremental.context_changed:
            # The taxonomy, a template or the settings changed: every postmortem page shows
            # them, so drop their output and let the dirty build render them again.
            for src in self.published:
                f = files.get_file_from_path(src)
                if f is not None and os.path.exists(f.abs_dest_path):
                    os.remove(f.abs_dest_path)
        for src, content in plan.pages.items():
            self._put(files, self._generated(config, src, content))
        for src in plan.names:
            # Named now, written later: MkDocs reads them last, after every postmortem, and
            # on_page_read_source gives their text (see _body).
            self._put(files, File.generated(config, src, content=""))
        self.body_names = set(plan.names)
        if plan.names:
            for name in Site.ASSET_NAMES:
                self._put(files, File.generated(config, f"assets/pmkb/{name}", abs_src_path=str(ASSETS / name)))
        for src in Site.DOWNLOADS:
            # Copied after every page is converted: a full build's child writes them
            # meanwhile (see _side_job); serving wrote them with the pages.
            folder = self.downloads_dir if not self.materialise else self._cache_dir()
            self._put(files, File(src, str(folder), config.site_dir, config.use_directory_urls))
        self._add_playbook(files, config)
        lib = project.root.joinpath(*CYTOSCAPE)
        if lib.is_file():
            self._put(files, File.generated(config, "assets/pmkb/cytoscape.min.js", abs_src_path=str(lib)))
        else:
            log.warning("cytoscape is not installed (%s); the graph page will not draw. Run `make setup`.", lib)
        return files

    def _site(self, corpus: Corpus, site_name: str, directory_urls: bool) -> Site:
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

    def _plan(self, site: Site) -> Plan:
        """What MkDocs needs of the knowledge base before it converts a page."""
        pages = site.public_pages() if self.settings.public.build else site.pages()
        return self._head(site.corpus, Plan(pages=pages, stashes=site.stashes))

    def _head(self, corpus: Corpus, plan: Plan) -> Plan:
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

    def _serve_plan(self) -> Plan:
        """Serving: load and check again only what changed, here and now."""
        incremental.KEEP_LINES = self.settings.public.build
        corpus, findings = self.incremental.refresh(Checker(self.project, self.today))
        self._report(findings or [])
        self.site = self._site(corpus, self.config_site_name, self.directory_urls)
        self.pm_of = {self.site.src_uri(pm): pm for pm in corpus.postmortems}
        if not self.settings.public.build:
            # The downloads (a second at 5,000) are written by a child while MkDocs
            # rebuilds the changed pages; on_env waits for it before they are copied.
            self.side = Offload(self._serve_downloads)
        return self._plan(self.site)

    def _serve_downloads(self) -> Iterator[Late]:
        _write_downloads(self.site, self._cache_dir())
        yield Late(findings=[], blocks={})

    def _side_job(self, site_name: str, directory_urls: bool) -> Iterator[Plan | Body | Late]:
        """A full build's work on the knowledge base, in the order MkDocs needs it."""
        # Memory: at 20,000 postmortems their text is most of what we would hold; only
        # the public site reads it again (the internal site's pages are read by MkDocs).
        incremental.KEEP_LINES = self.settings.public.build
        corpus, _ = IncrementalCorpus().refresh(Checker(self.project, self.today), check=False)
        if self.settings.public.build:
            site = self._site(corpus, site_name, directory_urls)
            yield self._plan(site)
            site.stashes.clear()  # Memory: the child lets go of what it has sent
            blocks: dict[str, bytes] = {}
        else:
            # MkDocs starts converting the postmortems as soon as it knows the site's
            # files; the generated pages, which it reads last, are rendered meanwhile.
            head = self._head(corpus, Plan(pages={}, stashes={}, names=Site.page_sources(corpus)))
            published = set(head.published)
            _side_log("loaded")
            yield head
            del head
            site = self._site(corpus, site_name, directory_urls)
            _side_log("analysed")
            yield Body(pages=site.pages(), stashes=site.stashes)
            _side_log("generated pages")
            site.stashes.clear()
            _write_downloads(site, self.downloads_dir)
            _side_log("downloads")
            # Compressed: at 20,000 pages they wait in memory until MkDocs writes the pages.
            blocks = {
                src: zlib.compress(json.dumps(site.blocks(pm)).encode("utf-8"), 1)
                for pm in corpus.postmortems
                if (src := site.src_uri(pm)) in published
            }
        _side_log("blocks")
        # Memory: the check reads file by file; the corpus goes first.
        del site, corpus
        gc.collect()
        findings, _ = check_project(Checker(self.project, self.today), jobs=1)
        _side_log("checked")
        yield Late(findings=findings, blocks=blocks)

    def _cache_dir(self) -> Path:
        """Serving's folder of generated files: `.cache/plugin/…/pages` in the repository,
        unless a link stands on the way there or to its downloads' folder (a pull request
        can commit `.cache` as a link to anywhere): then a folder of this process in the
        temporary folder. Nothing is ever written through a link."""
        rel = CACHE_PAGES
        why = check_folder(self.project.root, f"{rel}/assets/pmkb")
        if why is None:
            return self.project.root / rel
        fallback = self.__dict__.get("cache_fallback")
        if fallback is None or not fallback.is_dir():
            log.warning("%s is not used (%s); generated pages are kept in a temporary folder", rel, why)
            fallback = self.cache_fallback = Path(tempfile.mkdtemp(prefix=f"{DOWNLOADS_PREFIX}{os.getpid()}-"))
        return fallback

    def on_page_read_source(self, page: Any, config: Any) -> str | None:
        # A postmortem page is read here rather than by MkDocs: its front matter was parsed
        # once already (MkDocs would parse it again, and its fields are not page settings:
        # `template:` names a postmortem template, not an HTML one), and the page's
        # Markdown is the body with the tokens of its blocks (`Site.skeleton`).
        # (Deprecated in MkDocs 1.6 in favour of `File.content_string`, which would hold
        # every body in memory from `on_files` on.)
        if page.file.src_uri in self.body_names:
            return self._generated_text(page.file.src_uri)
        info = self.published.get(page.file.src_uri)
        if info is None or page.file.abs_src_path is None:
            return None
        try:
            with open(page.file.abs_src_path, "rb") as fh:
                text, _problem = decode(fh.read())
        except OSError:
            return None
        if text is None:
            return None
        sp = split(text)
        return self.tokens.skeleton(info.title, "\n".join(sp.lines[sp.body_start - 1 :]))

    def on_page_markdown(self, markdown: str, page: Any, config: Any, files: Files) -> str:
        # Python-Markdown recurses once per level of nesting: deep lists, quotes and
        # markdown="1" blocks become plain text first (pmkb check reports them, PM621).
        markdown = limit_density(limit_nesting(markdown))
        src = page.file.src_uri
        info = self.published.get(src)
        if info is not None:
            # Front-matter fields are not page settings (see on_page_read_source). The
            # title is plain text, and the theme prints a page's meta title as HTML; so
            # are the free tags, which Material's search results print.
            page.meta = {"title": str(escape(info.title))}
            if info.tags:
                page.meta["tags"] = [str(escape(t)) for t in info.tags]
            return markdown
        if src.startswith("playbook/") and src.endswith(".md"):
            page.meta = escape_meta(page.meta)  # untrusted too: the theme prints it as HTML
            return self._render_policy(markdown, src, page.file.abs_src_path)
        return markdown

    def on_page_content(self, html: str, page: Any, config: Any, files: Files) -> str:
        # A title taken from the page's first heading is HTML text (`&lt;` stays escaped),
        # but Material prints it through `striptags`, which unescapes it into markup in
        # <title>. As a meta title it is printed as it is: generated pages carry names
        # from front matter (services, factors), so keep their escaping.
        if "title" not in page.meta and page.title:
            page.meta["title"] = page.title
        # What Markdown made of the page is cleaned first, on every page: postmortems and
        # the playbook are untrusted, and so is the author's text in a public report. Only
        # after that do the site's own HTML blocks (from autoescaping templates) go in:
        # the stash's here, a postmortem's in on_post_page, the late ones after the search
        # index has read the page.
        if self.clean_aside is not None and page.file.src_uri in self.published:
            self.clean_aside.add(page, html)
            return html  # cleaned in on_env, before any page is indexed or written
        html = sanitize(html)
        stash = self.stashes.get(page.file.src_uri)
        return html if stash is None else stash.restore(html)

    def on_env(self, env: Any, config: Any, files: Files) -> Any:
        # Every page is converted, none is indexed or written yet: the postmortem pages
        # get their cleaned HTML back first (see on_page_content).
        if getattr(self, "clean_aside", None) is not None:
            for page, html in self.clean_aside.collect():
                page.content = html
            self.clean_aside = None
        # The theme's navigation partials are the same on every page outside the nav:
        # ours (render/theme) render Material's once per folder depth for postmortem
        # pages. An organisation's own custom_dir still comes first; Material's
        # originals stay reachable as "theme/...".
        custom = config.theme.custom_dir
        theme_dirs = [d for d in config.theme.dirs if d != custom]
        env.loader = ChoiceLoader(
            [
                *([FileSystemLoader(custom)] if custom else []),
                FileSystemLoader(str(THEME_OVERRIDES)),
                FileSystemLoader(theme_dirs),
                PrefixLoader({"theme": FileSystemLoader(theme_dirs)}),
            ]
        )
        self.fragments: dict[str, Any] = {}
        env.globals["pmkb_fragments"] = self.fragments
        env.globals["pmkb_fragment_key"] = self._fragment_key
        # Every page is converted; the pages are written next. Collect the side job.
        if self.side is not None and self.body_names:
            self._generated_text("")  # MkDocs read no generated page: take their part all the same
        if self.side is not None:
            started = time.perf_counter()
            late: Late = self.side.next()
            log.debug("waited %.2f s for the check and the blocks", time.perf_counter() - started)
            if self.side.error:
                log.info("the side job failed and ran here instead: %s", self.side.error)
            self.side.close()
            self.side = None
            self.packed_blocks = late.blocks
            self._report(late.findings)
        return env

    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        src = page.file.src_uri
        if src in self.published:
            packed = self.packed_blocks.pop(src, None)
            blocks = json.loads(zlib.decompress(packed)) if packed is not None else self.site.blocks(self.pm_of[src])
            return self.tokens.fill(output, blocks)
        stash = self.stashes.pop(src, None)
        return output if stash is None else stash.restore(output, late=True)

    def on_build_error(self, error: Exception) -> None:
        if getattr(self, "clean_aside", None) is not None:
            self.clean_aside.close()
            self.clean_aside = None
        if self.side is not None:
            self.side.close()
            self.side = None
        self.on_post_build(None)

    def on_post_build(self, config: Any) -> None:
        downloads = getattr(self, "downloads_dir", None)
        if downloads is not None:
            shutil.rmtree(downloads, ignore_errors=True)
            self.downloads_dir = None
        if getattr(self, "materialise", False) and config is not None:
            self._keep_search_whole(config)
            _collect_when_idle()

    def _keep_search_whole(self, config: Any) -> None:
        """Serving: Material's search (listed before us, so its index is written by now)
        indexed only the pages this dirty pass converted; put the others' entries back."""
        rel = "search/search_index.json"
        raw = read_inside(config.site_dir, rel, 1 << 30)  # our own output: any size it has
        if raw is None:
            return
        try:
            index = json.loads(raw)
            fresh = index["docs"]
        except (ValueError, KeyError, TypeError):
            return
        index["docs"] = serve_index.merge_index(
            getattr(self, "search_docs", []), fresh, getattr(self, "page_urls", set())
        )
        self.search_docs = index["docs"]
        write_inside(config.site_dir, rel, json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    def _drop_deleted_pages(self, files: Files, config: Any) -> None:
        """Serving: a page whose source is gone is removed from the site (a dirty build
        leaves what it once wrote), so neither the server nor search offers it."""
        dests = {f.abs_dest_path for f in files.documentation_pages()}
        site = os.path.realpath(config.site_dir)
        for gone in getattr(self, "page_dests", set()) - dests:
            real = os.path.realpath(gone)
            if real.startswith(site + os.sep) and os.path.isfile(real) and not os.path.islink(gone):
                os.remove(real)
        self.page_dests = dests

    def on_nav(self, nav: Any, config: Any, files: Files) -> Any:
        if getattr(self, "materialise", False):
            self.page_urls = {f.url for f in files.documentation_pages()}
            self._drop_deleted_pages(files, config)
        # The top folders the nav (and the theme's assets) link into: see _fragment_key.
        self.nav_folders = {"", "assets"}
        self.nav_folders.update(p.url.split("/", 1)[0] for p in nav.pages)
        stack = list(nav.items)
        while stack:
            item = stack.pop()
            stack.extend(getattr(item, "children", None) or [])
            url = getattr(item, "url", None)
            if isinstance(url, str) and "://" not in url:
                self.nav_folders.add(url.lstrip("/").split("/", 1)[0])
        return nav

    # ---- helpers ----------------------------------------------------------------

    def _generated_text(self, src: str) -> str:
        """A generated page's text, from the side job's second part (waited for the first
        time: by then MkDocs has converted every postmortem)."""
        body = self.body
        if body is None:
            assert self.side is not None
            started = time.perf_counter()
            body = self.body = self.side.next()
            log.debug("waited %.2f s for the generated pages", time.perf_counter() - started)
            self.stashes = body.stashes
            if set(body.pages) != self.body_names | {f"assets/pmkb/{n}" for n in Site.ASSET_NAMES}:
                # Site.page_sources and Site.pages disagree: a bug, said out loud.
                log.warning("generated pages differ from those named: %s", sorted(set(body.pages) ^ self.body_names))
        text = body.pages.get(src, "")
        return text.decode("utf-8") if isinstance(text, bytes) else text

    def _fragment_key(self, part: str, page: Any, base_url: str) -> str:
        """The cache key of a theme partial on `page`, or "" to render it as usual.

        Only postmortem pages share it: they are never in the nav, so nothing in it is
        marked active, and its links differ only by the path back to the site root. (A
        link to a page in the same top folder would be written shorter, so a page whose
        top folder also holds a nav entry is rendered as usual.)
        """
        if page is None or page.file.src_uri not in self.published:
            return ""
        if page.url.split("/", 1)[0] in self.nav_folders:
            return ""
        return f"{part}:{base_url}"

    def _report(self, findings: list) -> None:
        report_only = set(self.settings.report_only)
        for f in findings:
            text = f"{f.path}:{f.line}:{f.column}: {f.code} [{f.rule}] {f.message}"
            if f.severity == "error" and f.rule not in report_only and f.code not in report_only:
                log.warning(text)  # fails `mkdocs build --strict`
            else:
                log.info(text)

    def _put(self, files: Files, file: File) -> None:
        existing = files.get_file_from_path(file.src_uri)
        if existing is not None:
            log.info("generated %s replaces the file of the same name", file.src_uri)
            files.remove(existing)
        files.append(file)

    def _generated(self, config: Any, src: str, content: str | bytes) -> File:
        if not self.materialise:
            return File.generated(config, src, content=content)
        folder = self._cache_dir()
        data = content.encode("utf-8") if isinstance(content, str) else content
        stash = self.stashes.get(src)
        if stash is not None and stash.blocks:
            # The page's HTML blocks live in the stash, not in the text: their digest goes
            # into the file so that a change to them makes the page "modified" too.
            digest = hashlib.sha256("\0".join(stash.blocks).encode("utf-8")).hexdigest()
            data += f"\n<!-- pmkb-blocks {digest} -->\n".encode()
        if read_inside(folder, src, MAX_GENERATED_BYTES) != data:
            # Written whole and never through a link: a link planted in the folder is
            # replaced, a folder on the way that is a link is refused.
            why = write_inside(folder, src, data)
            if why is not None:
                log.warning("generated %s cannot be written to %s (%s); it is built from memory", src, folder, why)
                return File.generated(config, src, content=content)
        return File(src, str(folder), config.site_dir, config.use_directory_urls)

    def _add_playbook(self, files: Files, config: Any) -> None:
        folder = self.project.playbook_dir
        if not folder.is_dir():
            log.warning("no Ops Playbook folder at %s", folder)
            return
        # The playbook is untrusted too: its links out, HTML and scripts stay out (and
        # are findings of the check), as in the docs folder.
        for rel in playbook_files(folder, self.project.root).files:
            self._put(files, File.generated(config, f"playbook/{rel}", abs_src_path=str(folder / rel)))

    def _render_policy(self, markdown: str, src: str, abs_path: str | None = None) -> str:
        """Playbook pages show the policy values from mkdocs.yml: the text and the gate agree.

        The page is untrusted text: its known placeholders are replaced, nothing in it is
        evaluated (a template engine here ran `{{ lipsum.__globals__... }}` at build
        time). An unknown placeholder stays as it is, with a warning at its line."""
        filled, unknown = fill_placeholders(markdown, policy_values(self.settings))
        removed = raw_html_in(markdown.split("\n"))  # the page is sanitised; say what goes
        if unknown or removed:
            first = _first_line(markdown, abs_path)
            name = f"{self.settings.playbook_dir}/{src.removeprefix('playbook/')}"
            for line, text in unknown:
                log.warning(
                    "%s:%s: unknown placeholder %s left as it is; known: %s",
                    name,
                    first + line - 1,
                    text,
                    ", ".join(f"{{{{ {k} }}}}" for k in policy_values(self.settings) if "|" not in k),
                )
            for line, column, message in removed:
                log.warning("%s:%s:%s: raw HTML: %s", name, first + line - 1, column, message)
        return filled


def _side_log(stage: str) -> None:
    """The side job's progress, in the build's debug log (`mkdocs build -v`)."""
    log.debug("side job: %s at %.2f s of CPU", stage, time.process_time())


def _first_line(markdown: str, abs_path: str | None) -> int:
    """The line of the source file where the page's Markdown (after any front matter) starts."""
    try:
        with open(abs_path or "", encoding="utf-8-sig", errors="replace") as fh:
            source = fh.read()
    except OSError:
        return 1
    return source[: len(source) - len(markdown)].count("\n") + 1 if source.endswith(markdown) else 1


def _write_downloads(site: Site, folder: Path) -> None:
    """The site's downloads as files in `folder`; one whose bytes did not change is left
    alone (serving copies only what is newer than the site's copy)."""
    for src, content in site.downloads().items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        if read_inside(folder, src, MAX_GENERATED_BYTES) != data:
            why = write_inside(folder, src, data)  # never through a link (see _cache_dir)
            if why is not None:
                log.warning("download %s cannot be written to %s: %s", src, folder, why)


def _from_folder(f: File, folder: str) -> bool:
    return bool(f.src_dir and f.abs_src_path and os.path.normpath(f.src_dir) == os.path.normpath(folder))


def _keep_only(files: Files, docs_dir: str, found: Survey) -> None:
    """Leave out every file of the docs folder that the survey did not find publishable
    (theme files and generated ones are not the docs folder's)."""
    allowed = set(found.files)
    for f in list(files):
        if _from_folder(f, docs_dir) and f.src_uri not in allowed:
            files.remove(f)


def _publishable_files(config: Any) -> Files:
    """MkDocs's `get_files` for a site built with this plugin: the docs folder's
    publishable files (load.publishable), found by a walk that follows no link to a
    folder. MkDocs's own walk followed `ln -s .. loop` into the repository forty levels
    deep (35 s, 650 MB) and then crashed; what it listed was then left out anyway."""
    plugin = next(
        (p for p in config.plugins.values() if isinstance(p, PostmortemKBPlugin) and hasattr(p, "project")), None
    )
    if plugin is None:
        return _MKDOCS_GET_FILES(config)
    from mkdocs.structure.files import set_exclusions

    found = site_files(plugin.project.docs_dir, plugin.project.root, plugin.settings.taxonomy)
    plugin.docs_survey = found  # on_files applies it without a second walk
    by_dest: dict[tuple[str, str], File] = {}
    for rel in found.files:
        f = File(rel, config.docs_dir, config.site_dir, config.use_directory_urls)
        key = (os.path.dirname(rel), f.dest_uri)
        earlier = by_dest.get(key)
        if earlier is not None:  # README.md beside index.md: MkDocs keeps index.md
            keep, drop = (
                (earlier, f) if os.path.splitext(os.path.basename(earlier.src_uri))[0] == "index" else (f, earlier)
            )
            log.warning("Excluding '%s' from the site because it conflicts with '%s'.", drop.src_uri, keep.src_uri)
            f = keep
        by_dest[key] = f
    files = list(by_dest.values())
    set_exclusions(files, config)
    return Files(files)


_MKDOCS_GET_FILES: Any = None


def _guard_get_files() -> None:
    """Have MkDocs list a site's files with `_publishable_files` (once per process; sites
    built without this plugin keep MkDocs's own listing). MkDocs has no event before its
    walk of the docs folder, so its build module's `get_files` is replaced."""
    global _MKDOCS_GET_FILES
    from mkdocs.commands import build

    if build.get_files is not _publishable_files:
        _MKDOCS_GET_FILES = build.get_files
        build.get_files = _publishable_files


def _collect_when_idle(delay: float = 1.0) -> None:
    """Serving: collect the last build's garbage while nobody waits for a page.

    A build leaves cycles behind (MkDocs's pages and navigation: 140,000 objects at 5,000
    postmortems), and the next build, the one a save waits for, paid for them with full
    collections over the whole knowledge base, a third to half a second each. A second
    after a build has returned, they are garbage: everything is collected then, and what
    survives is frozen (`gc.freeze`), so that collections during the next build look at
    that build's objects only. The next idle collection unfreezes and looks at all again,
    so no garbage outlives it."""
    timer = threading.Timer(delay, _collect_all_and_freeze)
    timer.daemon = True
    timer.start()


def _collect_all_and_freeze() -> None:
    gc.unfreeze()
    gc.collect()
    gc.freeze()
