"""MkDocs's list of the site's files: only what load.publishable allows leaves the docs
folder, and the generated pages, assets, downloads and playbook pages go in. The one
helper of the face that handles MkDocs's own objects (`File`, `Files`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

from ..load.publishable import Survey, playbook_files, site_files
from ..render.site import ASSETS, Site
from .plan import Plan
from .report import log

CYTOSCAPE = ("node_modules", "cytoscape", "dist", "cytoscape.min.js")

# Where a generated file is read from: a folder it was written to, or None (memory).
Where = Callable[[str, str | bytes], Path | None]


def from_folder(f: File, folder: str) -> bool:
    return bool(f.src_dir and f.abs_src_path and os.path.normpath(f.src_dir) == os.path.normpath(folder))


def keep_only(files: Files, docs_dir: str, found: Survey) -> None:
    """Leave out every file of the docs folder that the survey did not find publishable
    (theme files and generated ones are not the docs folder's)."""
    allowed = set(found.files)
    for f in list(files):
        if from_folder(f, docs_dir) and f.src_uri not in allowed:
            files.remove(f)


def leave_out(files: Files, srcs: Iterable[str]) -> None:
    """Leave out the files `srcs` (drafts, invalid postmortems) if MkDocs listed them."""
    for src in srcs:
        f = files.get_file_from_path(src)
        if f is not None:
            files.remove(f)


def add_public_site(files: Files, config: Any, pages: dict[str, str | bytes], where: Where | None) -> None:
    """The public site: only the generated public pages."""
    for f in list(files):
        if from_folder(f, config.docs_dir):
            files.remove(f)
    add_generated(files, config, pages, where)


def add_site(
    files: Files, config: Any, plan: Plan, where: Where | None, downloads: Path, playbook: Path, root: Path
) -> None:
    """The internal site: the plan's generated pages, the downloads (from the folder
    `downloads`), the playbook's pages and the graph's library."""
    add_generated(files, config, plan.pages, where)
    add_named(files, config, plan.names)
    add_downloads(files, config, downloads)
    add_playbook(files, config, playbook, root)
    add_cytoscape(files, config, root)


def remove_outputs(files: Files, srcs: Iterable[str]) -> None:
    """Delete the built pages of `srcs`, so that a dirty build renders them again."""
    for src in srcs:
        f = files.get_file_from_path(src)
        if f is not None and os.path.exists(f.abs_dest_path):
            os.remove(f.abs_dest_path)


def put(files: Files, file: File) -> None:
    existing = files.get_file_from_path(file.src_uri)
    if existing is not None:
        log.info("generated %s replaces the file of the same name", file.src_uri)
        files.remove(existing)
    files.append(file)


def add_generated(files: Files, config: Any, pages: dict[str, str | bytes], where: Where | None) -> None:
    """The generated pages and assets `pages`: from memory, or (serving) from the folder
    `where` wrote each to."""
    for src, content in pages.items():
        folder = where(src, content) if where is not None else None
        if folder is None:
            put(files, File.generated(config, src, content=content))
        else:
            put(files, File(src, str(folder), config.site_dir, config.use_directory_urls))


def add_named(files: Files, config: Any, names: list[str]) -> None:
    """Generated pages named now, written later: MkDocs reads them last, after every
    postmortem, and on_page_read_source gives their text (see full_build.Pending)."""
    for src in names:
        put(files, File.generated(config, src, content=""))
    if names:
        for name in Site.ASSET_NAMES:
            put(files, File.generated(config, f"assets/pmkb/{name}", abs_src_path=str(ASSETS / name)))


def add_downloads(files: Files, config: Any, folder: Path) -> None:
    """Copied after every page is converted: a full build's child writes them meanwhile
    (see full_build.side_job); serving wrote them with the pages."""
    for src in Site.DOWNLOADS:
        put(files, File(src, str(folder), config.site_dir, config.use_directory_urls))


def add_playbook(files: Files, config: Any, folder: Path, root: Path) -> None:
    if not folder.is_dir():
        log.warning("no Ops Playbook folder at %s", folder)
        return
    # The playbook is untrusted too: its links out, HTML and scripts stay out (and
    # are findings of the check), as in the docs folder.
    for rel in playbook_files(folder, root).files:
        put(files, File.generated(config, f"playbook/{rel}", abs_src_path=str(folder / rel)))


def add_cytoscape(files: Files, config: Any, root: Path) -> None:
    lib = root.joinpath(*CYTOSCAPE)
    if lib.is_file():
        put(files, File.generated(config, "assets/pmkb/cytoscape.min.js", abs_src_path=str(lib)))
    else:
        log.warning("cytoscape is not installed (%s); the graph page will not draw. Run `make setup`.", lib)


def publishable_files(config: Any) -> Files:
    """MkDocs's `get_files` for a site built with this plugin: the docs folder's
    publishable files (load.publishable), found by a walk that follows no link to a
    folder. MkDocs's own walk followed `ln -s .. loop` into the repository forty levels
    deep (35 s, 650 MB) and then crashed; what it listed was then left out anyway."""
    plugin = next((p for p in config.plugins.values() if isinstance(p, _OWNER) and hasattr(p, "project")), None)
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
_OWNER: type = type(None)  # the plugin's class (see guard_get_files)


def guard_get_files(owner: type) -> None:
    """Have MkDocs list a site's files with `publishable_files` (once per process; sites
    built without the plugin of class `owner` keep MkDocs's own listing). MkDocs has no
    event before its walk of the docs folder, so its build module's `get_files` is
    replaced."""
    global _MKDOCS_GET_FILES, _OWNER
    from mkdocs.commands import build

    _OWNER = owner  # a class, not an instance: each site's plugin is found in its config
    if build.get_files is not publishable_files:
        _MKDOCS_GET_FILES = build.get_files
        build.get_files = publishable_files
