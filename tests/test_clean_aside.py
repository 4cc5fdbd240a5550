"""A full build cleans the postmortem pages' HTML in a worker (clean_aside.CleanAside):
every page comes back cleaned, in order, and a worker that fails leaves no page uncleaned."""

from __future__ import annotations

import os

from postmortem_kb.clean_aside import BATCH, CleanAside
from postmortem_kb.render.sanitize import sanitize

PARENT = os.getpid()


def _fails_in_a_worker(html: str) -> str:
    if os.getpid() != PARENT:
        raise RuntimeError("the worker fails")
    return sanitize(html)


def _dies_in_a_worker(html: str) -> str:
    if os.getpid() != PARENT:
        os._exit(1)  # killed, as by the out-of-memory killer
    return sanitize(html)


def _pages(n: int) -> list[str]:
    return [f'<p id="p{i}">page {i}<script>alert({i})</script><img src=x onerror="alert({i})"></p>' for i in range(n)]


def _collect(clean, pages: list[str], parallel: bool = True) -> list[tuple[int, str]]:
    aside = CleanAside(clean, parallel=parallel)
    for i, html in enumerate(pages):
        aside.add(i, html)
    return aside.collect()


def test_every_page_comes_back_cleaned_in_order():
    pages = _pages(BATCH * 3 + 5)  # whole batches and a last, partial one
    got = _collect(sanitize, pages)
    assert [k for k, _ in got] == list(range(len(pages)))
    assert [h for _, h in got] == [sanitize(p) for p in pages]
    assert not any("script" in h or "onerror" in h for _, h in got)
    assert _collect(sanitize, pages, parallel=False) == got


def test_a_failing_or_dying_worker_leaves_no_page_uncleaned():
    pages = _pages(BATCH + 3)
    expected = [(i, sanitize(p)) for i, p in enumerate(pages)]
    assert _collect(_fails_in_a_worker, pages) == expected
    assert _collect(_dies_in_a_worker, pages) == expected
