"""Reading files of the repository, and only of the repository.

Every file the checker reads comes through `read_file`: a symbolic link is followed only
to a file inside the repository, FIFOs and devices are not opened for reading (nothing
blocks), and no more than MAX_FILE_BYTES is read.
"""

from __future__ import annotations

import errno
import os
import stat

from .frontmatter import Problem

MAX_FILE_BYTES = 4 * 1024 * 1024


def inside(path: str, root: str | os.PathLike[str]) -> bool:
    """Whether `path`, symbolic links followed, is `root` or in it."""
    real, top = os.path.realpath(path), os.path.realpath(root)
    try:
        return os.path.commonpath([real, top]) == top
    except ValueError:  # another drive
        return False


def root_of(abs_path: str, rel: str) -> str:
    """The repository root, as many folders above `abs_path` as `rel` (relative to it) is deep."""
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if ".." in parts or os.path.isabs(rel) or not parts:
        return os.path.dirname(abs_path)
    root = abs_path
    for _ in parts:
        root = os.path.dirname(root)
    return root


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_OPEN_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def _outside(path: str) -> Problem:
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    return Problem(
        "front-matter",
        1,
        1,
        f"the file is a symbolic link to {target!r}, outside the repository; it was not read",
        "commit the postmortem itself into the repository, not a link to a file elsewhere",
    )


def read_file(abs_path: str, root: str) -> tuple[bytes | None, Problem | None]:
    """The bytes of a regular file of at most MAX_FILE_BYTES that is inside `root`.

    Never reads outside the repository: a symbolic link is followed only to a file in
    `root`. Never blocks: a FIFO or device is not read (O_NONBLOCK, then a type check).
    A regular file costs one open, no extra stat: O_NOFOLLOW makes a link fail with ELOOP.
    """
    path = abs_path
    if not _NOFOLLOW and os.path.islink(path):  # pragma: no cover - platforms without O_NOFOLLOW
        if not inside(path, root):
            return None, _outside(path)
        path = os.path.realpath(path)
    try:
        try:
            fd = os.open(path, _OPEN_FLAGS)
        except OSError as err:
            if err.errno != errno.ELOOP or not os.path.islink(path):
                raise
            if not inside(path, root):
                return None, _outside(path)
            fd = os.open(os.path.realpath(path), _OPEN_FLAGS)
    except OSError as err:
        return None, Problem("front-matter", 1, 1, f"cannot read the file: {err.strerror}", "check that it exists and its permissions")
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None, Problem("front-matter", 1, 1, "not a regular file; it was not read", "keep only Markdown files in the postmortems folder")
        if st.st_size > MAX_FILE_BYTES:
            return None, Problem("front-matter", 1, 1, f"the file is {st.st_size} bytes, over the 4 MiB limit", "split it or move attachments out")
        chunks = []
        size = 0
        while size <= MAX_FILE_BYTES:  # the size may have changed since fstat
            # Ask for what fstat says is left and a byte more (to see the end), then in
            # 64 KiB steps if the file grew: reading the whole 4 MiB allowance at once
            # allocated a 4 MiB buffer per file (reading 5,000 files took a fifth longer).
            want = st.st_size - size + 1 if size < st.st_size else 65536
            chunk = os.read(fd, min(MAX_FILE_BYTES + 1 - size, want))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_FILE_BYTES:
            return None, Problem("front-matter", 1, 1, "the file is over the 4 MiB limit", "split it or move attachments out")
        return b"".join(chunks), None
    except OSError as err:
        return None, Problem("front-matter", 1, 1, f"cannot read the file: {err.strerror}", "check its permissions")
    finally:
        os.close(fd)
