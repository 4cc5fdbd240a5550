"""The MkDocs face: a thin adapter over the same core that `pmkb check` runs.

load → analyse → render happen in `on_files`, once per build; the events only hand
MkDocs the generated files and decorate each postmortem page. In a full build the
check, and the rendering of each postmortem page's blocks, run on the second core while
MkDocs converts the pages (see `full_build`); their findings are reported before the
build ends, so `--strict` still fails on them. A second child converts postmortem pages
from the last one backwards while MkDocs goes forwards (see `convert_aside`). `mkdocs
serve` checks again only what changed, before the pages, and renders the blocks of the
pages it rebuilds (see `serving`). This module holds the events only: each hands its
work to a helper.
"""

from __future__ import annotations

import functools
import secrets
import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any

from mkdocs.config.base import ValidationError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import Files

from ..config import ConfigError, Project, Settings, parse_settings
from ..load.publishable import site_files
from ..offload import Offload
from ..render.env import Stash, make_env
from ..render.sanitize import escape_meta, sanitize
from ..render.site import BlockTokens
from . import convert_aside, docs_files, full_build, pages, playbook, theme
from .convert_aside import ConvertAside
from .plan import PageInfo, SiteMaker
from .report import log, report
from .serving import Serving, collect_now, collect_when_idle


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
        # `mkdocs serve --dirty` rebuilds only files newer than their output. Generated
        # pages written to disk (only when their text changes) take part in that, so a
        # save rebuilds the postmortem and the reports that changed, not 5,000 pages.
        self.serving: Serving | None = Serving() if command == "serve" else None
        self.render_cache: dict | None = {} if self.serving is not None else None  # see Site.render_cache

    def on_config(self, config: Any) -> Any:
        if (config.extra or {}).get("pmkb_public") is True:  # mkdocs-public.yml: see there
            # A copy: parsed settings may be shared (parse_settings remembers them).
            public = self.settings.public.model_copy(update={"build": True})
            self.settings = self.settings.model_copy(update={"public": public})
        if not hasattr(self, "serving"):
            self.serving = None
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
        env = make_env(self.project.templates_dir / "pages")
        self.maker = SiteMaker(self.project, self.settings, self.today, env, self.render_cache)
        self.config_site_name = config.site_name
        self.directory_urls = config.use_directory_urls
        self.tokens = BlockTokens(secrets.token_hex(6))
        return config

    def on_pre_build(self, config: Any) -> None:
        # MkDocs lists the docs folder right after this, following every link (see
        # docs_files.publishable_files): from here on it lists only what may be published.
        docs_files.guard_get_files(PostmortemKBPlugin)
        self.side: Offload | None = None
        self.aside: ConvertAside | None = None
        if self.serving is None:
            # A full build: the side job starts before MkDocs lists the files (see full_build).
            self.downloads_dir = full_build.downloads_folder()
            self.side_started = time.perf_counter()
            self.side = full_build.start(self.maker, config.site_name, config.use_directory_urls, self.downloads_dir)

    def on_files(self, files: Files, config: Any) -> Files:
        # Only what load.publishable allows leaves the docs folder: no HTML or script, no
        # link out of it, nothing in the theme's place. `pmkb check` (and the check of
        # this build) reports each refused file; here they are only left out.
        root = self.project.root
        found = self.__dict__.pop("docs_survey", None) or site_files(
            self.project.docs_dir, root, self.settings.taxonomy
        )
        docs_files.keep_only(files, config.docs_dir, found)
        self.files = files  # see _post_build
        self.packed_blocks: dict[str, bytes] = {}
        self.blocks_done = True  # see on_post_page
        if self.serving is not None:
            plan, self.side = self.serving.refresh(self.maker, self.config_site_name, self.directory_urls)
        else:
            assert self.side is not None  # started in on_pre_build
            plan = full_build.take_plan(self.side, self.side_started)
        self.pending = full_build.Pending(self.side, plan.names)
        self.published: dict[str, PageInfo] = plan.published
        self.stashes: dict[str, Stash] = plan.stashes
        for warning in plan.warnings:
            log.warning(warning)
        docs_files.leave_out(files, plan.unpublished)
        where = None if self.serving is None else self.serving.writer(root, self.stashes)
        if self.settings.public.build:
            docs_files.add_public_site(files, config, plan.pages, where)
            return files
        if self.serving is not None and self.serving.corpus.context_changed:
            # The taxonomy, a template or the settings changed: every postmortem page shows
            # them, so drop their output and let the dirty build render them again.
            docs_files.remove_outputs(files, self.published)
        downloads = self.downloads_dir if self.serving is None else self.serving.cache_dir(root)
        docs_files.add_site(files, config, plan, where, downloads, self.project.playbook_dir, root)
        return files

    def on_page_read_source(self, page: Any, config: Any) -> str | None:
        # A postmortem page is read here rather than by MkDocs: its front matter was parsed
        # once already (MkDocs would parse it again, and its fields are not page settings:
        # `template:` names a postmortem template, not an HTML one), and the page's
        # Markdown is its title and body (`BlockTokens.skeleton`).
        # (Deprecated in MkDocs 1.6 in favour of `File.content_string`, which would hold
        # every body in memory from `on_files` on.)
        if page.file.src_uri in self.pending.names:
            self.stashes = self.pending.body().stashes
            return self.pending.text(page.file.src_uri)
        info = self.published.get(page.file.src_uri)
        if info is None or page.file.abs_src_path is None:
            return None
        if self.aside is not None and not self.aside.mine(page.file.src_uri):
            return ""  # converted by the child (see on_page_content)
        return pages.postmortem_markdown(page.file.abs_src_path, info, self.tokens)

    def on_page_markdown(self, markdown: str, page: Any, config: Any, files: Files) -> str:
        markdown = pages.page_markdown(markdown)
        src = page.file.src_uri
        info = self.published.get(src)
        if info is not None:
            page.meta = pages.postmortem_meta(info)
            return markdown
        if src.startswith("playbook/") and src.endswith(".md"):
            page.meta = escape_meta(page.meta)  # untrusted too: the theme prints it as HTML
            return playbook.render_policy(self.settings, markdown, src, page.file.abs_src_path)
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
        src = page.file.src_uri
        if src in self.published:
            if self.aside is not None and self.aside.given(src):
                return self.aside.take(page, config, files)  # converted and finished there
            return pages.postmortem_html(html, self.tokens)  # its blocks go in on_post_page
        html = sanitize(html)
        stash = self.stashes.get(page.file.src_uri)
        return html if stash is None else stash.restore(html)

    def on_nav(self, nav: Any, config: Any, files: Files) -> Any:
        if self.serving is not None:
            docs = files.documentation_pages()
            self.serving.drop_deleted_pages({f.url for f in docs}, {f.abs_dest_path for f in docs}, config.site_dir)
        self.nav_folders = theme.nav_folders(nav)  # see theme.fragment_key
        if self.serving is None and convert_aside.possible(config.plugins, self):
            # MkDocs converts the postmortems from the first forwards; a child from the last
            # backwards (see convert_aside).
            order = [f.page for f in files.documentation_pages() if f.src_uri in self.published and f.page]
            read = functools.partial(pages.postmortem_source, published=self.published, tokens=self.tokens)
            finish = functools.partial(pages.postmortem_html, tokens=self.tokens)
            self.aside = ConvertAside(order, config, files, read, finish) if order else None
        return nav

    def on_env(self, env: Any, config: Any, files: Files) -> Any:
        compiled = None if self.serving is None else self.serving.compiled
        if self.aside is not None:  # every page is converted
            self.aside.close()
            self.aside = None
        theme.install(env, config.theme.custom_dir, config.theme.dirs, self.published, self.nav_folders, compiled)
        # Every page is converted; the pages are written next. Collect the side job.
        if self.side is not None and self.pending.names:
            # MkDocs read no generated page: take their part all the same.
            self.stashes = self.pending.body().stashes
        if self.side is not None:
            # A full build's check comes after the blocks (see on_post_build); serving's
            # side job ends with its downloads.
            late = full_build.take_late(self.side, last=self.serving is not None)
            self.side = None if self.serving is not None else self.side
            self.packed_blocks = late.blocks
            self.blocks_done = late.done
            report(late.findings, self.settings.report_only)
        return env

    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        src = page.file.src_uri
        if src in self.published:
            packed = self.packed_blocks.pop(src, None)
            while packed is None and not self.blocks_done and self.side is not None:
                late = full_build.take_late(self.side, last=False)  # the next part of the blocks
                self.packed_blocks.update(late.blocks)
                self.blocks_done = late.done
                packed = self.packed_blocks.pop(src, None)
            if packed is not None:
                return self.tokens.fill(output, full_build.unpack(packed))
            assert self.serving is not None  # a full build packed every published page's blocks
            return self.tokens.fill(output, self.serving.blocks(src))
        stash = self.stashes.pop(src, None)
        return output if stash is None else stash.restore(output, late=True)

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        # The docs folder is watched by the OS's notifications, not polled (native_watch).
        if self.serving is not None:
            self.serving.watch_natively(server, config.docs_dir, self.project.root)
            collect_now(getattr(self, "idle_collection", None))  # the first build's garbage
        return server

    def on_shutdown(self) -> None:
        serving = getattr(self, "serving", None)
        if serving is not None:
            serving.stop_watching()

    def on_build_error(self, error: Exception) -> None:
        if getattr(self, "aside", None) is not None:
            self.aside.close()
            self.aside = None
        if self.side is not None:
            self.side.close()
            self.side = None
        self._post_build(None)

    @event_priority(50)  # before Material's search plugin writes its index
    def _merge_search(self, config: Any) -> None:
        serving = getattr(self, "serving", None)
        self.search_merged = serving is not None and serving.merge_search(config.plugins.get("material/search"))

    def _post_build(self, config: Any) -> None:
        if self.side is not None and config is not None:
            while not self.blocks_done:  # parts no page asked for (a page MkDocs did not write)
                self.blocks_done = full_build.take_late(self.side, last=False).done
            # Reported before the build returns, so `--strict` still fails on them.
            report(full_build.take_findings(self.side), self.settings.report_only)
            self.side = None
        downloads = getattr(self, "downloads_dir", None)
        if downloads is not None:
            shutil.rmtree(downloads, ignore_errors=True)
            self.downloads_dir = None
        serving = getattr(self, "serving", None)
        if serving is not None and config is not None:
            # Built again at the next save's rebuild (which that save starts), from its text.
            docs_files.remove_outputs(self.files, serving.saved_meanwhile(self.project.docs_dir))
            if not getattr(self, "search_merged", False):
                serving.keep_search_whole(config.site_dir)
            self.idle_collection = collect_when_idle()

    on_post_build = CombinedEvent(_merge_search, _post_build)
