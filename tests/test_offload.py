"""The side job of a full build: computed on another core, or here when that fails."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from postmortem_kb.offload import Offload


def test_items_come_in_order_from_another_process():
    parent = os.getpid()

    def job() -> Iterator[object]:
        yield os.getpid()
        yield [n * n for n in range(1000)]

    side = Offload(job)
    pid = side.next()
    assert side.next() == [n * n for n in range(1000)]
    if (os.cpu_count() or 1) > 1:
        assert pid != parent  # it ran on the side
    assert side.error is None
    side.close()


def test_a_job_that_fails_on_the_side_is_done_here_and_the_failure_kept():
    parent = os.getpid()

    def job() -> Iterator[str]:
        yield "first, from anywhere"
        if os.getpid() != parent:
            raise RuntimeError("no memory on the side")
        yield "second, done here"

    side = Offload(job)
    assert side.next() == "first, from anywhere"
    assert side.next() == "second, done here"
    assert "RuntimeError: no memory on the side" in (side.error or "")


def test_a_side_process_that_dies_without_a_word_is_survived():
    parent = os.getpid()

    def job() -> Iterator[int]:
        if os.getpid() != parent:
            os._exit(9)  # as the kernel's OOM killer would leave it
        yield 42

    side = Offload(job)
    assert side.next() == 42
    assert side.error and "without a result" in side.error


def test_without_parallelism_the_job_runs_here():
    def job() -> Iterator[int]:
        yield os.getpid()

    assert Offload(job, parallel=False).next() == os.getpid()


def test_download_folders_of_killed_builds_are_removed_and_a_running_builds_kept(tmp_path):
    import subprocess

    from postmortem_kb.mkdocs.downloads import DOWNLOADS_PREFIX, reap_downloads

    gone = subprocess.Popen(["true"])
    gone.wait()  # its process id now names no process
    dead = tmp_path / f"{DOWNLOADS_PREFIX}{gone.pid}-abc"
    live = tmp_path / f"{DOWNLOADS_PREFIX}{os.getpid()}-def"
    odd = tmp_path / f"{DOWNLOADS_PREFIX}notapid-ghi"
    elsewhere = tmp_path / "elsewhere"
    for folder in (dead, live, odd, elsewhere):
        folder.mkdir()
        (folder / "remediation.csv").write_text("x", encoding="utf-8")
    link = tmp_path / f"{DOWNLOADS_PREFIX}{gone.pid}-jkl"
    link.symlink_to(elsewhere, target_is_directory=True)

    assert reap_downloads(tmp_path) == [dead]
    assert not dead.exists()
    assert (live / "remediation.csv").exists() and (odd / "remediation.csv").exists()
    assert (elsewhere / "remediation.csv").exists()  # a link is not followed


def test_the_job_runs_ahead_of_the_reader_and_each_item_is_sent_as_it_was_yielded(tmp_path):
    """The side job does not wait for the build to take an item before making the next
    (a full build's blocks come in parts while MkDocs writes pages), and an item the job
    changes after yielding it arrives as it was when yielded."""
    done = tmp_path / "all-made"

    def job() -> Iterator[object]:
        sent = {"part": 1, "pages": ["a", "b"]}
        yield sent
        sent["pages"].clear()  # the job lets go of what it has sent
        for n in range(2, 6):
            yield {"part": n, "pages": [str(n) * 100_000]}  # more than a pipe holds
        done.write_text("yes")
        yield "end"

    side = Offload(job)
    assert side.next() == {"part": 1, "pages": ["a", "b"]}
    if (os.cpu_count() or 1) > 1:
        for _ in range(200):  # the reader waits; the job finishes all the same
            if done.exists():
                break
            time.sleep(0.05)
        assert done.exists()
    assert [side.next()["part"] for _ in range(4)] == [2, 3, 4, 5]
    assert side.next() == "end"
    side.close()
