"""`mkdocs serve`: each rebuild loads and checks again only what changed, writes the
generated pages to disk (so that a dirty rebuild converts only those that changed),
keeps the search index whole, drops the pages of deleted sources, and collects the
garbage between rebuilds."""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .. import incremental, serve_index
from ..check import Checker
from ..incremental import IncrementalCorpus
from ..load.corpus import relative_path
from ..load.files import check_folder, read_inside, write_inside
from ..model import Postmortem
from ..offload import Offload
from ..render.env import Stash
from ..render.site import Site
from .downloads import MAX_GENERATED_BYTES, new_folder, write_downloads
from .native_watch import NativeWatch
from .plan import Late, Plan, SiteMaker
from .report import log, report
from .theme import CompiledTemplates

CACHE_PAGES = ".cache/plugin/postmortem-kb/pages"  # serving's generated files, in the repository


class Serving:
    """What `mkdocs serve` keeps from one rebuild to the next."""

    def __init__(self) -> None:
        # Lives as long as `mkdocs serve`: each rebuild reloads only the files that changed.
        self.corpus = IncrementalCorpus()
        self.cache_fallback: Path | None = None
        self.site: Site | None = None
        self.pm_of: dict[str, Postmortem] = {}
        self.search_docs: list = []  # the last search index's entries
        self.page_urls: set[str] = set()  # this pass's pages, by URL
        self.page_dests: set[str] = set()  # the last pass's pages, by output path
        self.compiled = CompiledTemplates()  # the theme's templates, compiled once (see theme)
        self.native_watch: NativeWatch | None = None

    def watch_natively(self, server: Any, docs_dir: str, root: Path) -> None:
        """Have MkDocs's server rebuild on the operating system's notice of a change in the
        docs folder rather than by polling it (see native_watch); as it was if that fails."""
        watch = NativeWatch(Path(docs_dir), self.cache_dir(root))
        if watch.start():
            server.watch(str(watch.signal_dir))
            server.unwatch(docs_dir)
            self.native_watch = watch
            log.info("%s is watched by the operating system's notices of changes, not polled", docs_dir)

    def saved_meanwhile(self, docs_dir: Path) -> list[str]:
        """The postmortems (source paths) saved while this build ran: MkDocs read their
        new text, but the plan and blocks were made from the last one, and their page,
        written after the save, looks newer than it to the next dirty build."""
        return [relative_path(a, docs_dir) for a in self.corpus.changed_since()]

    def stop_watching(self) -> None:
        if self.native_watch is not None:
            self.native_watch.stop()
            self.native_watch = None

    def refresh(self, maker: SiteMaker, site_name: str, directory_urls: bool) -> tuple[Plan, Offload | None]:
        """Load and check again only what changed, here and now: the plan, and the side
        job that writes the downloads (none for the public site)."""
        root = maker.project.root
        self.cache_dir(root)  # where generated files go is settled before a child is forked
        incremental.KEEP_LINES = maker.settings.public.build
        corpus, findings = self.corpus.refresh(Checker(maker.project, maker.today))
        report(findings or [], maker.settings.report_only)
        site = self.site = maker.site(corpus, site_name, directory_urls)
        self.pm_of = {site.src_uri(pm): pm for pm in corpus.postmortems}
        side = None
        if not maker.settings.public.build:
            # The downloads (a second at 5,000) are written by a child while MkDocs
            # rebuilds the changed pages; on_env waits for it before they are copied.
            side = Offload(functools.partial(self._downloads, root))
        return maker.plan(site), side

    def _downloads(self, root: Path) -> Iterator[Late]:
        assert self.site is not None
        write_downloads(self.site, self.cache_dir(root))
        yield Late(findings=[], blocks={})

    def blocks(self, src: str) -> dict[str, str]:
        """The HTML blocks of the postmortem page `src`, rendered now."""
        assert self.site is not None
        return self.site.blocks(self.pm_of[src])

    def cache_dir(self, root: Path) -> Path:
        """Serving's folder of generated files: `.cache/plugin/…/pages` in the repository,
        unless a link stands on the way there or to its downloads' folder (a pull request
        can commit `.cache` as a link to anywhere): then a folder of this process in the
        temporary folder. Nothing is ever written through a link."""
        rel = CACHE_PAGES
        why = check_folder(root, f"{rel}/assets/pmkb")
        if why is None:
            return root / rel
        fallback = self.cache_fallback
        if fallback is None or not fallback.is_dir():
            log.warning("%s is not used (%s); generated pages are kept in a temporary folder", rel, why)
            fallback = self.cache_fallback = new_folder()
        return fallback

    def writer(self, root: Path, stashes: dict[str, Stash]) -> Callable[[str, str | bytes], Path | None]:
        """`on_disk` for the generated pages of a plan whose HTML blocks are `stashes`."""
        return lambda src, content: self.on_disk(root, src, content, stashes.get(src))

    def on_disk(self, root: Path, src: str, content: str | bytes, stash: Stash | None) -> Path | None:
        """The folder where the generated file `src` is, written (only when its bytes
        change) for a dirty rebuild to compare; None when it cannot be written there and
        is built from memory."""
        folder = self.cache_dir(root)
        data = content.encode("utf-8") if isinstance(content, str) else content
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
                return None
        return folder

    def merge_search(self, search: Any) -> bool:
        """Material's search (its plugin, `search`) made whole in memory before it writes
        its index: the entries of the pages this pass converted, and the last index's
        for the pages still there and not converted again. Saves reading and writing the
        whole index again after it (keep_search_whole: 0.5-0.7 s of each save at 5,000).
        It reads Material's `search_index.entries` and `search_index_prev`; False when
        they are not there, and keep_search_whole does the same with the written file."""
        index = getattr(search, "search_index", None)
        entries = getattr(index, "entries", None)
        if not isinstance(entries, list) or not hasattr(search, "search_index_prev"):
            return False
        self.search_docs = serve_index.merge_index(self.search_docs, entries, self.page_urls)
        index.entries = self.search_docs  # type: ignore[union-attr]
        search.search_index_prev = None  # whole already: nothing for it to merge again
        return True

    def keep_search_whole(self, site_dir: str) -> None:
        """Material's search (listed before us, so its index is written by now) indexed
        only the pages this dirty pass converted; put the others' entries back."""
        rel = "search/search_index.json"
        raw = read_inside(site_dir, rel, 1 << 30)  # our own output: any size it has
        if raw is None:
            return
        try:
            index = json.loads(raw)
            fresh = index["docs"]
        except (ValueError, KeyError, TypeError):
            return
        index["docs"] = serve_index.merge_index(self.search_docs, fresh, self.page_urls)
        self.search_docs = index["docs"]
        write_inside(site_dir, rel, json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    def drop_deleted_pages(self, urls: set[str], dests: set[str], site_dir: str) -> None:
        """A page whose source is gone is removed from the site (a dirty build leaves what
        it once wrote), so neither the server nor search offers it. `urls` and `dests`
        are this pass's pages."""
        self.page_urls = urls
        site = os.path.realpath(site_dir)
        for gone in self.page_dests - dests:
            real = os.path.realpath(gone)
            if real.startswith(site + os.sep) and os.path.isfile(real) and not os.path.islink(gone):
                os.remove(real)
        self.page_dests = dests


def collect_when_idle(delay: float = 1.0) -> threading.Timer:
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
    return timer


def collect_now(pending: threading.Timer | None) -> None:
    """The idle collection done now, in place of the `pending` one: when `mkdocs serve`
    has built the site the first time and is about to serve it. The first save often
    comes within a second of that, and its rebuild would wait for the collection of the
    whole first build (measured: the first save's rebuild took 3.0-4.4 s, later ones 2.3-2.6 s)."""
    if pending is not None:
        pending.cancel()
    _collect_all_and_freeze()


def _collect_all_and_freeze() -> None:
    gc.unfreeze()
    gc.collect()
    gc.freeze()
