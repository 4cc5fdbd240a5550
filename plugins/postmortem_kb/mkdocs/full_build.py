"""A full build's side job: the knowledge base is loaded, analysed and checked in a
child process (see offload), started before MkDocs lists the files. It sends the plan
of the site first and works on while MkDocs converts the pages; the building process
never holds the corpus. Its parts are taken in the order MkDocs needs them: `Plan` in
on_files, `Body` when MkDocs reads the first generated page, `Late` (the postmortem
pages' blocks) in on_env, and the check's findings once every page is written.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

from .. import incremental
from ..check import Checker, check_project
from ..incremental import IncrementalCorpus
from ..model import Finding, Postmortem
from ..offload import Offload, yield_the_cpu
from ..render.site import Site
from .downloads import new_folder, reap_downloads, write_downloads
from .plan import Body, Late, Plan, SiteMaker
from .report import log


def start(maker: SiteMaker, site_name: str, directory_urls: bool, downloads_dir: Path) -> Offload:
    """The side job, started on the second core when there is one."""
    return Offload(functools.partial(side_job, maker, site_name, directory_urls, downloads_dir, os.getpid()))


def side_job(
    maker: SiteMaker, site_name: str, directory_urls: bool, downloads_dir: Path, builder: int = 0
) -> Iterator[Plan | Body | Late | list[Finding]]:
    """A full build's work on the knowledge base, in the order MkDocs needs it."""
    settings = maker.settings
    # Memory: at 20,000 postmortems their text is most of what we would hold; only
    # the public site reads it again (the internal site's pages are read by MkDocs).
    incremental.KEEP_LINES = settings.public.build
    # In this process alone: MkDocs waits for it, and workers would not make it sooner (at
    # 5,000 the parent unpickling their models took as long as loading here, 1.7-2.0 s
    # against 1.9-2.9 s with two workers), while they took the core MkDocs works on.
    corpus, _ = IncrementalCorpus().refresh(Checker(maker.project, maker.today), check=False, jobs=1)
    if settings.public.build:
        site = maker.site(corpus, site_name, directory_urls)
        yield maker.plan(site)
        site.stashes.clear()  # Memory: the child lets go of what it has sent
    else:
        # MkDocs starts converting the postmortems as soon as it knows the site's
        # files; the generated pages, which it reads last, are rendered meanwhile.
        head = maker.head(corpus, Plan(pages={}, stashes={}, names=Site.page_sources(corpus)))
        published = set(head.published)
        side_log("loaded")
        yield head
        del head
        # From here on MkDocs converts pages on the other core; it goes first (the load
        # above, which MkDocs waits for, ran at the usual priority). Not when the job runs
        # in the building process itself (see offload: the side job failed).
        if os.getpid() != builder:
            yield_the_cpu()
        site = maker.site(corpus, site_name, directory_urls)
        side_log("analysed")
        yield Body(pages=site.pages(), stashes=site.stashes)
        side_log("generated pages")
        site.stashes.clear()
        write_downloads(site, downloads_dir)
        side_log("downloads")
        yield from _blocks(site, corpus.postmortems, published)
    side_log("blocks")
    yield Late(findings=[], blocks={}, done=True)
    # Memory: the check reads file by file; the corpus goes first.
    del site, corpus
    gc.collect()
    findings, _ = check_project(Checker(maker.project, maker.today), jobs=1)
    side_log("checked")
    yield findings


BLOCKS_PER_PART = 250  # MkDocs writes the first pages while the side job renders the rest


def _blocks(site: Site, postmortems: list[Postmortem], published: set[str]) -> Iterator[Late]:
    """Each published postmortem page's blocks, in parts, in the corpus's order (sorted
    paths, as MkDocs writes them): on_env waits for the first part only."""
    part: dict[str, bytes] = {}
    for pm in postmortems:
        src = site.src_uri(pm)
        if src in published:
            # Compressed: at 20,000 pages they wait in memory until MkDocs writes the pages.
            part[src] = zlib.compress(json.dumps(site.blocks(pm)).encode("utf-8"), 1)
            if len(part) == BLOCKS_PER_PART:
                yield Late(findings=[], blocks=part, done=False)
                part = {}
    yield Late(findings=[], blocks=part, done=False)


def side_log(stage: str) -> None:
    """The side job's progress, in the build's debug log (`mkdocs build -v`)."""
    log.debug("side job: %s at %.2f s of CPU", stage, time.process_time())


def take_plan(side: Offload, started: float) -> Plan:
    waiting = time.perf_counter()
    plan: Plan = side.next()
    now = time.perf_counter()
    log.debug("the site's plan came %.2f s after the side job started; waited %.2f s", now - started, now - waiting)
    return plan


def take_late(side: Offload, last: bool) -> Late:
    """The side job's blocks (a full build's), or serving's downloads; `last`: the job ends."""
    started = time.perf_counter()
    late: Late = side.next()
    log.debug("waited %.2f s for the blocks", time.perf_counter() - started)
    if last:
        _close(side)
    return late


def take_findings(side: Offload) -> list[Finding]:
    """A full build's last part, the check's findings; the job ends."""
    started = time.perf_counter()
    findings: list[Finding] = side.next()
    log.debug("waited %.2f s for the check", time.perf_counter() - started)
    _close(side)
    return findings


def _close(side: Offload) -> None:
    if side.error:
        log.info("the side job failed and ran here instead: %s", side.error)
    side.close()


class Pending:
    """The generated pages a plan named before their text was made: MkDocs reads them
    last, after every postmortem, and their text comes from the side job's second part,
    waited for the first time one is read."""

    def __init__(self, side: Offload | None, names: list[str]) -> None:
        self.names = set(names)  # generated pages whose text is still to come
        self._side = side
        self._body: Body | None = None

    def body(self) -> Body:
        body = self._body
        if body is None:
            assert self._side is not None
            started = time.perf_counter()
            body = self._body = self._side.next()
            log.debug("waited %.2f s for the generated pages", time.perf_counter() - started)
            if set(body.pages) != self.names | {f"assets/pmkb/{n}" for n in Site.ASSET_NAMES}:
                # Site.page_sources and Site.pages disagree: a bug, said out loud.
                log.warning("generated pages differ from those named: %s", sorted(set(body.pages) ^ self.names))
        return body

    def text(self, src: str) -> str:
        """A generated page's text."""
        text = self.body().pages.get(src, "")
        return text.decode("utf-8") if isinstance(text, bytes) else text


def unpack(packed: bytes) -> dict[str, str]:
    """A postmortem page's blocks, as side_job packed them."""
    blocks: dict[str, str] = json.loads(zlib.decompress(packed))
    return blocks


def downloads_folder() -> Path:
    """This build's folder of downloads, once those of builds killed before they could
    remove theirs are gone."""
    reap_downloads(Path(tempfile.gettempdir()))
    return new_folder()
