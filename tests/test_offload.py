"""The side job of a full build: computed on another core, or here when that fails."""

from __future__ import annotations

import os

from postmortem_kb.offload import Offload


def test_the_result_is_the_jobs_computed_in_another_process():
    parent = os.getpid()
    side = Offload(lambda: (os.getpid(), [n * n for n in range(1000)]))
    pid, squares = side.result()
    assert squares == [n * n for n in range(1000)]
    if (os.cpu_count() or 1) > 1:
        assert pid != parent  # it ran on the side
    assert side.error is None
    assert side.result()[1] is squares  # asked twice, computed once


def test_a_job_that_fails_on_the_side_is_done_here_and_the_failure_kept():
    parent = os.getpid()

    def job() -> str:
        if os.getpid() != parent:
            raise RuntimeError("no memory on the side")
        return "done here"

    side = Offload(job)
    assert side.result() == "done here"
    assert "RuntimeError: no memory on the side" in (side.error or "")


def test_a_side_process_that_dies_without_a_word_is_survived():
    parent = os.getpid()

    def job() -> int:
        if os.getpid() != parent:
            os._exit(9)  # as the kernel's OOM killer would leave it
        return 42

    side = Offload(job)
    assert side.result() == 42
    assert side.error and "without a result" in side.error


def test_without_parallelism_the_job_runs_here():
    side = Offload(os.getpid, parallel=False)
    assert side.result() == os.getpid()
