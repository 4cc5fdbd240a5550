"""Clean the postmortem pages' HTML on the second core while MkDocs converts the next ones.

Every postmortem page's HTML passes through the sanitiser (render.sanitize), about a
millisecond a page: 5 s of a 5,000-page build, on the one core MkDocs builds on. A full
build hands the pages to a forked worker in batches and puts the cleaned HTML back before
any page is written or indexed (`collect`, from `on_env`). Where `fork` is missing or the
worker fails, the pages are cleaned here: slower, never different, never skipped.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from .offload import yield_the_cpu

BATCH = 32  # pages per message: a page alone costs more to send than to clean


def _clean_all(clean: Callable[[str], str], texts: list[str]) -> list[str]:
    return [clean(t) for t in texts]


class CleanAside:
    """`add(key, html)` pages; `collect()` gives each key its cleaned HTML."""

    def __init__(self, clean: Callable[[str], str], parallel: bool = True) -> None:
        self._clean = clean
        self._keys: list[Any] = []
        self._texts: list[str] = []
        self._sent: list[tuple[list[Any], list[str], Future[list[str]] | None]] = []
        self._pool: ProcessPoolExecutor | None = None
        if parallel and (os.cpu_count() or 1) > 1 and "fork" in mp.get_all_start_methods():
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=mp.get_context("fork"), initializer=yield_the_cpu
            )

    def add(self, key: Any, html: str) -> None:
        self._keys.append(key)
        self._texts.append(html)
        if len(self._texts) >= BATCH:
            self._send()

    def _send(self) -> None:
        if not self._texts:
            return
        future = None
        if self._pool is not None:
            try:
                future = self._pool.submit(_clean_all, self._clean, self._texts)
            except RuntimeError:  # the worker is gone (BrokenProcessPool is one): clean here
                future = None
        self._sent.append((self._keys, self._texts, future))
        self._keys, self._texts = [], []

    def collect(self) -> list[tuple[Any, str]]:
        """Every page added, with its cleaned HTML, in the order added."""
        self._send()
        out: list[tuple[Any, str]] = []
        for keys, texts, future in self._sent:
            cleaned = None
            if future is not None:
                try:
                    cleaned = future.result()
                except Exception:  # the worker died or failed: these pages are cleaned here
                    cleaned = None
            if cleaned is None or len(cleaned) != len(texts):
                cleaned = _clean_all(self._clean, texts)
            out.extend(zip(keys, cleaned, strict=True))
        self._sent = []
        self.close()
        return out

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
