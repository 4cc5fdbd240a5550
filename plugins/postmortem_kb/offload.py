"""Run a job on the second core while MkDocs renders pages on the first.

MkDocs builds on one thread. The work whose result is needed only late in the build
(checking every file, rendering the blocks of every postmortem page) runs in a forked
child meanwhile, and comes back as one pickled result. Where `fork` is missing, or the
child fails, the job runs in this process instead: slower, never different.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def _run(job: Callable[[], Any], conn: Any) -> None:
    try:
        result: tuple[bool, Any] = (True, job())
    except BaseException:  # reported by the parent, which then does the job itself
        result = (False, traceback.format_exc())
    try:
        conn.send(result)
    finally:
        conn.close()


class Offload(Generic[T]):
    """`Offload(job).result()` is `job()`, computed in a forked child when possible."""

    def __init__(self, job: Callable[[], T], parallel: bool = True) -> None:
        self._job = job
        self._done = False
        self._value: T | None = None
        self.error: str | None = None  # the child's traceback, if it failed
        self._proc: Any = None
        if parallel and (os.cpu_count() or 1) > 1 and "fork" in mp.get_all_start_methods():
            ctx = mp.get_context("fork")
            self._recv, send = ctx.Pipe(duplex=False)
            self._proc = ctx.Process(target=_run, args=(job, send), daemon=True)
            self._proc.start()
            send.close()  # the child holds its end; EOF here means it is gone

    def result(self) -> T:
        if not self._done:
            self._done = True
            if self._proc is not None:
                try:
                    ok, value = self._recv.recv()
                except (EOFError, OSError) as err:  # killed, or out of memory
                    ok, value = False, f"the worker ended without a result ({err or type(err).__name__})"
                self._recv.close()
                self._proc.join()
                if ok:
                    self._value = value
                    return value
                self.error = value
            self._value = self._job()
        return self._value  # type: ignore[return-value]
