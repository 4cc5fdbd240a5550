"""A full build's postmortem pages, converted on both cores.

Converting the postmortems' Markdown is most of a full build, and MkDocs does it on one
core, page after page. Once MkDocs knows its pages (on_nav), a forked child converts
them too, with MkDocs's own `Page.render`: MkDocs goes from the first page forwards, the
child from the last backwards, and a page goes to whichever reaches it first (two
counters under one lock), so the split follows how busy each core is. MkDocs takes a
page the child converted in on_page_content: its HTML, table of contents, anchors and
the log records its conversion made (a broken link still warns, and `--strict` still
fails on it). Where `fork` is missing, another plugin works on page text, or the child
fails, MkDocs converts those pages itself: slower, never different.
"""

from __future__ import annotations

import functools
import gc
import logging
import multiprocessing as mp
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..offload import run_job
from .report import log

# The events a page's text passes through between MkDocs reading it and writing it: the
# child runs ours alone, so it converts only when no other plugin takes part in them.
PAGE_EVENTS = ("pre_page", "page_read_source", "page_markdown", "page_content")
PART = 40  # pages per message: MkDocs takes the first ones while the child goes on

Read = Callable[[Any], "str | None"]  # a postmortem page's Markdown, as on_page_markdown returns it
Finish = Callable[[str], str]  # its HTML, as on_page_content returns it


@dataclass(slots=True)
class Converted:
    """What `Page.render` leaves on a page, in a form that crosses processes."""

    html: str
    toc: Any
    title: str | None
    anchors: set[str] | None
    links: dict[str, dict[str, str]] | None  # links to other pages' anchors, by their source path
    records: list[tuple[str, int, str]] = field(default_factory=list)  # (logger, level, message)


def possible(plugins: Any, ours: object) -> bool:
    """Whether the child may convert pages: `fork` and a second core exist, and no plugin
    but ours works on page text (the child runs no other plugin's events)."""
    if (os.cpu_count() or 1) < 2 or "fork" not in mp.get_all_start_methods():
        return False
    for name in PAGE_EVENTS:
        for method in plugins.events.get(name, []):
            if getattr(method, "__self__", None) is not ours:
                return False
    return True


class ConvertAside:
    """A child converting `pages` from the last one backwards while MkDocs goes forwards."""

    def __init__(self, pages: list[Any], config: Any, files: Any, read: Read, finish: Finish) -> None:
        self._index = {page.file.src_uri: i for i, page in enumerate(pages)}
        self._read, self._finish = read, finish
        ctx = mp.get_context("fork")
        # [the next page MkDocs may take, the last page the child took]
        self._ends: Any = ctx.Array("q", [0, len(pages)])
        self._recv, send = ctx.Pipe(duplex=False)
        job = functools.partial(_from_the_back, pages, self._ends, config, files, read, finish)
        self._proc: Any = ctx.Process(target=run_job, args=(job, send), daemon=True)
        self._proc.start()
        send.close()  # the child holds its end; EOF here means it is gone
        self._given: set[str] = set()  # pages left to the child
        self._done: dict[str, Converted | None] = {}
        self._ended = False  # the child sent all it will send
        self._arrived = threading.Condition()
        self.error: str | None = None
        # Memory: what the child converts is taken as it comes, by a thread, rather than
        # left in the child until MkDocs needs it (at 20,000 pages, a quarter of a GB).
        self._receiver = threading.Thread(target=self._receive, daemon=True)
        self._receiver.start()

    def mine(self, src: str) -> bool:
        """Whether MkDocs converts this page (True) or the child does (False). MkDocs asks
        for its pages in the order they were given."""
        i = self._index.get(src)
        if i is None:
            return True
        with self._ends.get_lock():
            if i < self._ends[1]:
                self._ends[0] = i + 1
                return True
        self._given.add(src)
        return False

    def given(self, src: str) -> bool:
        return src in self._given

    def take(self, page: Any, config: Any, files: Any) -> str:
        """The HTML of a page left to the child, its other results set on `page`; converted
        here when the child could not."""
        src = page.file.src_uri
        with self._arrived:
            self._arrived.wait_for(lambda: src in self._done or self._ended)
            done = self._done.pop(src, None)
        if done is None:
            done = convert(page, self._read(page) or "", config, files, self._finish)
        return restore(page, done, files)

    def _receive(self) -> None:
        while True:
            try:
                ok, part = self._recv.recv()
            except (EOFError, OSError):  # all sent, or the child is gone (killed: out of memory)
                ok, part = False, None
            with self._arrived:
                if ok:
                    self._done.update(part)
                else:
                    self.error, self._ended = part, True
                self._arrived.notify_all()
            if not ok:
                return

    def close(self) -> None:
        log.debug("the child converted %d of %d postmortem pages", len(self._given), len(self._index))
        if self.error:
            log.info("the child converting pages failed; they were converted here: %s", self.error)
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join()
        self._receiver.join()
        self._recv.close()


def _from_the_back(
    pages: list[Any], ends: Any, config: Any, files: Any, read: Read, finish: Finish
) -> Iterator[dict[str, Converted | None]]:
    """In the child: convert pages from the last one backwards until they meet MkDocs's."""
    # Collections here would look at (and so copy) every object MkDocs's process had when
    # it forked: only this child's own objects are collected.
    gc.freeze()
    catch = _Catch()
    mkdocs_log = logging.getLogger("mkdocs")
    for handler in list(mkdocs_log.handlers):  # printed and counted by MkDocs's process
        mkdocs_log.removeHandler(handler)
    mkdocs_log.addHandler(catch)
    part: dict[str, Converted | None] = {}
    while True:
        with ends.get_lock():
            i = ends[1] - 1
            if i < ends[0]:
                break
            ends[1] = i
        page = pages[i]
        markdown = read(page)
        # Unreadable here: MkDocs's process tries again (and says why it cannot).
        done = None if markdown is None else convert(page, markdown, config, files, finish)
        if done is not None:
            done.records.extend(catch.take())
            # Memory: the page's text lives on in MkDocs's process, not in this one's copy.
            page.markdown = page.content = page.toc = None
        part[page.file.src_uri] = done
        if len(part) == PART:
            yield part
            part = {}
    yield part


def convert(page: Any, markdown: str, config: Any, files: Any, finish: Finish) -> Converted:
    """What MkDocs does to a page between on_page_markdown and on_page_content."""
    page.markdown = markdown
    page.render(config, files)
    links = page.links_to_anchors
    return Converted(
        html=finish(page.content),
        toc=page.toc,
        title=page._title_from_render,
        anchors=page.present_anchor_ids,
        links=None if links is None else {f.src_uri: anchors for f, anchors in links.items()},
    )


def restore(page: Any, done: Converted, files: Any) -> str:
    """Set on `page` what rendering it would have; say what its conversion logged."""
    page.toc = done.toc
    page._title_from_render = done.title
    page.present_anchor_ids = done.anchors
    if done.links is not None:
        page.links_to_anchors = {files.get_file_from_path(src): a for src, a in done.links.items()}
    for name, level, message in done.records:
        logging.getLogger(name).log(level, message)
    return done.html


class _Catch(logging.Handler):
    """The child's MkDocs log records, kept to be logged again by MkDocs's process."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))

    def take(self) -> list[tuple[str, int, str]]:
        taken, self.records = self.records, []
        return taken
