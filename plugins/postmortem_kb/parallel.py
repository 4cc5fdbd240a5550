"""One parallel map for loading and checking files: `pmkb check` (check.check_project),
its cache and `mkdocs serve` (incremental.py) all go through `parallel_map`."""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
from collections.abc import Callable
from typing import Any

PARALLEL_FROM = 200  # below this, starting workers costs more than it saves

_WORK: Callable[[str, str], Any] | None = None  # set before the pool forks


def _run_chunk(files: list[tuple[str, str]]) -> list[Any]:
    work = _WORK
    assert work is not None
    gc.disable()  # see load.corpus.load_many
    return [work(a, r) for a, r in files]


def parallel_map(work: Callable[[str, str], Any], files: list[tuple[str, str]], jobs: int | None = None) -> list[Any]:
    """`work(abs_path, rel)` for each file, in order: in forked worker processes when
    there are many (the work and what it reads are inherited, not pickled; only the
    results come back), else here. The cyclic GC is paused meanwhile."""
    global _WORK
    jobs = jobs or os.cpu_count() or 1
    was_enabled = gc.isenabled()
    _WORK = work
    try:
        if jobs > 1 and len(files) >= PARALLEL_FROM and "fork" in mp.get_all_start_methods():
            # Small chunks: the last one decides when every worker is done.
            size = max(1, -(-len(files) // (jobs * 16)))
            chunks = [files[i : i + size] for i in range(0, len(files), size)]
            with mp.get_context("fork").Pool(jobs) as pool:
                return [r for chunk in pool.imap(_run_chunk, chunks) for r in chunk]
        return _run_chunk(files)
    finally:
        _WORK = None
        if was_enabled:
            gc.enable()
