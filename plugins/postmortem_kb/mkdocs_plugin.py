"""The MkDocs face: a thin adapter over the same core that `pmkb check` runs.

load → analyse → render happen in `on_files`, once per build; the events only hand
MkDocs the generated files and decorate each postmortem page. In a full build the
check, and the rendering of each postmortem page's blocks, run on the second core while
MkDocs converts the pages (see `offload`); their findings are reported before the build
ends, so `--strict` still fails on them. `mkdocs serve` checks again only what changed,
before the pages, and renders the blocks of the pages it rebuilds.
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
)
from markupsafe import escape
from mkdocs.config.base import ValidationError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from . import incremental
from .check import Checker, check_project
from .config import ConfigError, Project, Settings, parse_settings
from .incremental import IncrementalCorpus
from .load.frontmatter import decode, split
from .model import Finding, Postmortem
from .offload import Offload
from .render.env import make_env
from .render.site import Site

log = get_plugin_logger(__name__)

CYTOSCAPE = ("node_modules", "cytoscape", "dist", "cytoscape.min.js")
THEME_OVERRIDES = Path(__file__).resolve().parent / "render" / "theme"
SideResult = tuple[list[Finding], dict[str, str | bytes], dict[str, bytes]]  # findings, downloads, packed blocks


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

    def on_config(self, config: Any) -> Any:
        if not hasattr(self, "incremental"):
            self.incremental = IncrementalCorpus()
            self.materialise = False
        root = Path(config.config_file_path or ".").resolve().parent
        self.project = Project(root=root, docs_dir=Path(config.docs_dir).resolve(), site_url=config.site_url or "", settings=self.settings)
        self.today: date = self.settings.today or date.today()  # the edge: the build's clock
        if "assets/pmkb/pmkb.css" not in config.extra_css:
            config.extra_css.append("assets/pmkb/pmkb.css")
        for folder in (self.project.playbook_dir, self.project.templates_dir):
            if folder.is_dir() and str(folder) not in config.watch:
                config.watch.append(str(folder))
        self.env = make_env(self.project.templates_dir / "pages")
        return config

    def on_files(self, files: Files, config: Any) -> Files:
        project = self.project
        docs_dir = os.path.normpath(config.docs_dir)
        links, link_dirs = _links_under(docs_dir)
        for f in list(files):
            # A link in the postmortems folder that points outside the repository would
            # publish whatever it points at: leave such files out. (Theme files come from
            # the installed theme, not from this folder.)
            path = f.abs_src_path
            if not (f.src_dir and os.path.normpath(f.src_dir) == docs_dir and path):
                continue
            # Resolving every path costs a second a build at 5,000; only links need it.
            behind_link = path in links or any(path.startswith(d + os.sep) for d in link_dirs)
            if behind_link and not Path(path).resolve().is_relative_to(project.root):
                log.warning("%s is a link to a file outside the repository; not published", f.src_uri)
                files.remove(f)
        # Memory: at 20,000 postmortems their text is most of what we hold; only the public
        # site reads it again (the internal site's pages are read by MkDocs itself).
        incremental.KEEP_LINES = self.settings.public.build
        # Serving checks before the pages (only what changed); a full build checks on the side.
        corpus, findings = self.incremental.refresh(Checker(project, self.today), check=self.materialise)
        if findings is not None:
            self._report(findings)
        self.side: Offload[SideResult] | None = None
        self.packed_blocks: dict[str, bytes] = {}
        self.site = Site(
            corpus=corpus,
            settings=self.settings,
            today=self.today,
            docs_dir=project.docs_dir,
            site_name=config.site_name,
            directory_urls=config.use_directory_urls,
            env=self.env,
            stash_html=True,
        )
        self.by_src: dict[str, Postmortem] = {}
        if self.settings.public.build:
            files = self._public_files(files, config)
            self.side = Offload(self._side_job)
            return files
        for pm in corpus.postmortems:
            src = self.site.src_uri(pm)
            if pm.meta is None or pm.meta.status == "draft":
                # Drafts are not published; nor is a postmortem whose front matter is not
                # valid (it may be a draft, and its `template:` would break the page build).
                # Its findings were reported above, so `--strict` still fails on it.
                f = files.get_file_from_path(src)
                if f is not None:
                    files.remove(f)
                if pm.meta is None:
                    log.warning("%s is not published: its front matter is not valid", pm.path)
                continue
            self.by_src[src] = pm
        if self.materialise and self.incremental.context_changed:
            # The taxonomy, a template or the settings changed: every postmortem page shows
            # them, so drop their output and let the dirty build render them again.
            for src in self.by_src:
                f = files.get_file_from_path(src)
                if f is not None and os.path.exists(f.abs_dest_path):
                    os.remove(f.abs_dest_path)
        taxonomy = files.get_file_from_path(self.settings.taxonomy)
        if taxonomy is not None:
            files.remove(taxonomy)
        for src, content in self.site.pages().items():
            self._put(files, self._generated(config, src, content))
        # The downloads are copied after every page is converted: a full build fills them
        # in on_env, from the side job; serving computes them here.
        data = self.site.downloads() if self.materialise else dict.fromkeys(Site.DOWNLOADS, "")
        self.downloads: dict[str, File] = {src: self._generated(config, src, content) for src, content in data.items()}
        for f in self.downloads.values():
            self._put(files, f)
        self._add_playbook(files, config)
        lib = project.root.joinpath(*CYTOSCAPE)
        if lib.is_file():
            self._put(files, File.generated(config, "assets/pmkb/cytoscape.min.js", abs_src_path=str(lib)))
        else:
            log.warning("cytoscape is not installed (%s); the graph page will not draw. Run `make setup`.", lib)
        if not self.materialise:
            self.side = Offload(self._side_job)  # forked last: it sees everything decided above
        return files

    def _side_job(self) -> SideResult:
        """The check, the downloads and every postmortem page's blocks (compressed: at
        20,000 pages they wait in memory until MkDocs writes the pages)."""
        findings, _ = check_project(Checker(self.project, self.today), jobs=1)
        downloads = {} if self.settings.public.build else self.site.downloads()
        blocks = {src: zlib.compress(json.dumps(self.site.blocks(pm)).encode("utf-8"), 1) for src, pm in self.by_src.items()}
        return findings, downloads, blocks

    def on_page_read_source(self, page: Any, config: Any) -> str | None:
        # A postmortem page is read here rather than by MkDocs: its front matter was parsed
        # once already (MkDocs would parse it again, and its fields are not page settings:
        # `template:` names a postmortem template, not an HTML one), and the page's
        # Markdown is the body with the tokens of its blocks (`Site.skeleton`).
        # (Deprecated in MkDocs 1.6 in favour of `File.content_string`, which would hold
        # every body in memory from `on_files` on.)
        pm = self.by_src.get(page.file.src_uri)
        if pm is None or page.file.abs_src_path is None:
            return None
        try:
            with open(page.file.abs_src_path, "rb") as fh:
                text, _problem = decode(fh.read())
        except OSError:
            return None
        if text is None:
            return None
        sp = split(text)
        return self.site.skeleton(pm, "\n".join(sp.lines[sp.body_start - 1 :]))

    def on_page_markdown(self, markdown: str, page: Any, config: Any, files: Files) -> str:
        src = page.file.src_uri
        pm = self.by_src.get(src)
        if pm is not None:
            # Front-matter fields are not page settings (see on_page_read_source). The
            # title is plain text, and the theme prints a page's meta title as HTML; so
            # are the free tags, which Material's search results print.
            page.meta = {"title": str(escape(pm.meta.title))}
            if pm.meta.tags:
                page.meta["tags"] = [str(escape(t)) for t in pm.meta.tags]
            return markdown
        if src.startswith("playbook/") and src.endswith(".md"):
            return self._render_policy(markdown, src)
        return markdown

    def on_page_content(self, html: str, page: Any, config: Any, files: Files) -> str:
        # A title taken from the page's first heading is HTML text (`&lt;` stays escaped),
        # but Material prints it through `striptags`, which unescapes it into markup in
        # <title>. As a meta title it is printed as it is: generated pages carry names
        # from front matter (services, factors), so keep their escaping.
        if "title" not in page.meta and page.title:
            page.meta["title"] = page.title
        # HTML blocks the site held back from Markdown (see render.env.Stash) go back in;
        # the late ones after the search index has read the page (on_post_page).
        stash = self.site.stashes.get(page.file.src_uri)
        return html if stash is None else stash.restore(html)

    def on_env(self, env: Any, config: Any, files: Files) -> Any:
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
        if self.side is not None:
            findings, downloads, self.packed_blocks = self.side.result()
            for src, content in downloads.items():
                if isinstance(content, bytes):
                    self.downloads[src].content_bytes = content
                else:
                    self.downloads[src].content_string = content
            if self.side.error:
                log.info("the side job failed and ran here instead: %s", self.side.error)
            self.side = None
            self._report(findings)
        return env

    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        src = page.file.src_uri
        pm = self.by_src.get(src)
        if pm is not None:
            packed = self.packed_blocks.pop(src, None)
            blocks = json.loads(zlib.decompress(packed)) if packed is not None else self.site.blocks(pm)
            return self.site.fill(output, blocks)
        stash = self.site.stashes.pop(src, None)
        return output if stash is None else stash.restore(output, late=True)

    # ---- helpers ----------------------------------------------------------------

    def _fragment_key(self, part: str, page: Any, base_url: str) -> str:
        """The cache key of a theme partial on `page`, or "" to render it as usual.

        Only postmortem pages share it: they are never in the nav, so nothing in it is
        marked active, and its links differ only by the path back to the site root. (A
        link to a page in the same top folder would be written shorter, so a page whose
        top folder also holds a nav entry is rendered as usual.)
        """
        if page is None or page.file.src_uri not in self.by_src:
            return ""
        if page.url.split("/", 1)[0] in self.nav_folders:
            return ""
        return f"{part}:{base_url}"

    def on_nav(self, nav: Any, config: Any, files: Files) -> Any:
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

    def _public_files(self, files: Files, config: Any) -> Files:
        """The public site: none of the source files, only the generated public pages."""
        for f in list(files):
            if f.abs_src_path and Path(f.abs_src_path).resolve().is_relative_to(self.project.docs_dir):
                files.remove(f)
        for src, content in self.site.public_pages().items():
            self._put(files, self._generated(config, src, content))
        return files

    def _generated(self, config: Any, src: str, content: str | bytes) -> File:
        if not self.materialise:
            return File.generated(config, src, content=content)
        folder = self.project.root / ".cache" / "plugin" / "postmortem-kb" / "pages"
        path = folder / src
        data = content.encode("utf-8") if isinstance(content, str) else content
        stash = self.site.stashes.get(src)
        if stash is not None and stash.blocks:
            # The page's HTML blocks live in the stash, not in the text: their digest goes
            # into the file so that a change to them makes the page "modified" too.
            digest = hashlib.sha256("\0".join(stash.blocks).encode("utf-8")).hexdigest()
            data += f"\n<!-- pmkb-blocks {digest} -->\n".encode()
        try:
            unchanged = path.read_bytes() == data
        except OSError:
            unchanged = False
        if not unchanged:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return File(src, str(folder), config.site_dir, config.use_directory_urls)

    def _add_playbook(self, files: Files, config: Any) -> None:
        folder = self.project.playbook_dir
        if not folder.is_dir():
            log.warning("no Ops Playbook folder at %s", folder)
            return
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                rel = path.relative_to(folder).as_posix()
                self._put(files, File.generated(config, f"playbook/{rel}", abs_src_path=str(path)))

    def _render_policy(self, markdown: str, src: str) -> str:
        """Playbook pages show the policy values from mkdocs.yml: the text and the gate agree."""
        env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
        try:
            return env.from_string(markdown).render(policy=self.settings.policy, severities=self.settings.severities)
        except TemplateError as err:
            line = getattr(err, "lineno", None) or 1
            log.warning("%s/%s:%s: cannot fill in the policy values: %s", self.settings.playbook_dir, src.removeprefix("playbook/"), line, err)
            return markdown


def _links_under(folder: str) -> tuple[set[str], list[str]]:
    """Symbolic links (files, and folders) below `folder`, found by one walk that does not follow them."""
    files: set[str] = set()
    dirs: list[str] = []
    for parent, subdirs, names in os.walk(folder):
        for d in subdirs:
            if os.path.islink(os.path.join(parent, d)):
                dirs.append(os.path.join(parent, d))
        files.update(os.path.join(parent, n) for n in names if os.path.islink(os.path.join(parent, n)))
    return files, dirs
