"""Run a job on the second core while MkDocs renders pages on the first.

MkDocs builds on one thread. A full build hands the knowledge base's work to a forked
child: it sends what the pages need first, then works on (checking every file,
rendering every postmortem page's blocks) while MkDocs converts the pages, and sends
the rest. The parent never holds the corpus. Where `fork` is missing, or the child
fails, the job runs in this process instead: slower, never different.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import threading
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.reduction import ForkingPickler
from typing import Any


def run_job(job: Callable[[], Iterator[Any]], conn: Any) -> None:
    """In a forked child: send each item of `job()` down `conn`, then (False, the
    traceback) if it fails."""
    # A thread sends: the job goes on to its next item while the parent has not taken
    # the last one yet (a send blocks until the parent reads). Each item is pickled here,
    # before the job goes on, since the job may then change what it sent.
    outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    sender = threading.Thread(target=_send_all, args=(outbox, conn), daemon=True)
    sender.start()
    try:
        for item in job():
            outbox.put(_pickled((True, item)))
    except BaseException:  # reported by the parent, which then does the job itself
        outbox.put(_pickled((False, traceback.format_exc())))
    finally:
        outbox.put(None)
        sender.join()
        conn.close()


def _pickled(message: tuple[bool, Any]) -> bytes:
    return bytes(ForkingPickler.dumps(message))  # what Connection.send would write


def _send_all(outbox: queue.SimpleQueue[bytes | None], conn: Any) -> None:
    while (data := outbox.get()) is not None:
        try:
            conn.send_bytes(data)  # read by the parent's Connection.recv
        except OSError:  # the parent stopped listening (it closed, or it is gone)
            return


def yield_the_cpu(step: int = 5) -> None:
    """Run this process at a lower priority (a higher nice value): on a machine where
    something else also runs, the side job gives way to the process MkDocs builds in.
    Where the OS has no nice values, nothing changes."""
    with contextlib.suppress(AttributeError, OSError):
        os.nice(step)


class Offload:
    """The items of `job()` (an iterator), computed in a forked child when possible:
    `next()` gives them in order."""

    def __init__(self, job: Callable[[], Iterator[Any]], parallel: bool = True) -> None:
        self._job = job
        self._taken = 0  # items handed out so far
        self._local: Iterator[Any] | None = None
        self.error: str | None = None  # the child's traceback, if it failed
        self._proc: Any = None
        if parallel and (os.cpu_count() or 1) > 1 and "fork" in mp.get_all_start_methods():
            ctx = mp.get_context("fork")
            self._recv, send = ctx.Pipe(duplex=False)
            # Not a daemon: the job may start worker processes of its own.
            self._proc = ctx.Process(target=run_job, args=(job, send))
            self._proc.start()
            send.close()  # the child holds its end; EOF here means it is gone

    def next(self) -> Any:
        if self._proc is not None:
            try:
                ok, value = self._recv.recv()
            except (EOFError, OSError) as err:  # killed (out of memory), or done early
                ok, value = False, f"the worker ended without a result ({err or type(err).__name__})"
            if ok:
                self._taken += 1
                return value
            self.error = value
            self.close()
        if self._local is None:
            # Done here from the start; the items the child already sent are skipped.
            self._local = self._job()
            for _ in range(self._taken):
                next(self._local)
        self._taken += 1
        return next(self._local)

    def close(self) -> None:
        """Stop waiting for the child (it is ended if it still runs)."""
        if self._proc is not None:
            self._recv.close()
            if self._proc.is_alive():
                self._proc.terminate()
            self._proc.join()
            self._proc = None
