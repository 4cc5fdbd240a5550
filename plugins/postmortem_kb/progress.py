"""A progress bar on stderr for long work, shown only on a terminal (never in CI logs)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

T = TypeVar("T")


def progress(
    items: Iterable[T], total: int, label: str, stream: TextIO | None = None, min_seconds: float = 0.5
) -> Iterator[T]:
    """Yield `items`, drawing `label [#####-----] n/total` when the work takes a while."""
    out = stream or sys.stderr
    live = out.isatty()
    start = time.monotonic()
    drawn = False
    last = 0.0
    for n, item in enumerate(items, start=1):
        yield item
        now = time.monotonic()
        if live and now - start >= min_seconds and (now - last >= 0.1 or n == total):
            last = now
            width = 30
            filled = int(width * n / max(total, 1))
            out.write(f"\r{label} [{'#' * filled}{'-' * (width - filled)}] {n}/{total}")
            out.flush()
            drawn = True
    if drawn:
        out.write("\n")
        out.flush()
