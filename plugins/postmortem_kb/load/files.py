"""Reading files of the repository, and only of the repository.

Every file the checker reads comes through `read_file`: a symbolic link is followed only
to a file inside the repository, FIFOs and devices are not opened for reading (nothing
blocks), and no more than MAX_FILE_BYTES is read. The tool's own files (its caches under
`.cache/`) are read and written with `read_inside` and `write_inside`, which follow no
link at all: a pull request can commit `.cache` as a link to anywhere.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
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


def read_file(abs_path: str, root: str | None, limit: int = MAX_FILE_BYTES) -> tuple[bytes | None, Problem | None]:
    """The bytes of a regular file of at most `limit` bytes that is inside `root`.

    Never reads outside the repository: a symbolic link is followed only to a file in
    `root` (to any file when `root` is None: `pmkb import` reads what the user names).
    Never blocks: a FIFO or device is not read (O_NONBLOCK, then a type check).
    A regular file costs one open, no extra stat: O_NOFOLLOW makes a link fail with ELOOP.
    """
    path = abs_path
    if not _NOFOLLOW and os.path.islink(path):  # pragma: no cover - platforms without O_NOFOLLOW
        if root is not None and not inside(path, root):
            return None, _outside(path)
        path = os.path.realpath(path)
    try:
        try:
            fd = os.open(path, _OPEN_FLAGS)
        except OSError as err:
            if err.errno != errno.ELOOP or not os.path.islink(path):
                raise
            if root is not None and not inside(path, root):
                return None, _outside(path)
            fd = os.open(os.path.realpath(path), _OPEN_FLAGS)
    except OSError as err:
        return None, Problem(
            "front-matter", 1, 1, f"cannot read the file: {err.strerror}", "check that it exists and its permissions"
        )
    try:
        return _read_regular(fd, limit)
    finally:
        os.close(fd)


def _read_regular(fd: int, limit: int) -> tuple[bytes | None, Problem | None]:
    """What an open file holds, if it is a regular file of at most `limit` bytes."""
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None, Problem(
                "front-matter",
                1,
                1,
                "not a regular file; it was not read",
                "keep only Markdown files in the postmortems folder",
            )
        if st.st_size > limit:
            return None, Problem(
                "front-matter",
                1,
                1,
                f"the file is {st.st_size} bytes, over the {_mib(limit)} limit",
                "split it or move attachments out",
            )
        chunks = []
        size = 0
        while size <= limit:  # the size may have changed since fstat
            # Ask for what fstat says is left and a byte more (to see the end), then in
            # 64 KiB steps if the file grew: reading the whole 4 MiB allowance at once
            # allocated a 4 MiB buffer per file (reading 5,000 files took a fifth longer).
            want = st.st_size - size + 1 if size < st.st_size else 65536
            chunk = os.read(fd, min(limit + 1 - size, want))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            return None, Problem(
                "front-matter", 1, 1, f"the file is over the {_mib(limit)} limit", "split it or move attachments out"
            )
        return b"".join(chunks), None
    except OSError as err:
        return None, Problem("front-matter", 1, 1, f"cannot read the file: {err.strerror}", "check its permissions")


def _mib(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MiB"


# ---- the tool's own files in the repository (caches): never through a link -----------------

_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW


class LinkInTheWay(OSError):
    """A folder on the way to one of the tool's own files is a symbolic link (or not a folder)."""


def _folder_fd(root: str | os.PathLike[str], parts: list[str], create: bool) -> int:
    """An open folder `root/parts…`, reached without following a link (a committed
    `.cache -> /elsewhere` would have the tool write elsewhere). Raises OSError."""
    fd = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        for i, name in enumerate(parts):
            try:
                nxt = os.open(name, _DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                with contextlib.suppress(FileExistsError):
                    os.mkdir(name, dir_fd=fd)
                nxt = _open_dir(name, fd, parts[: i + 1])
            except OSError as err:
                if err.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise LinkInTheWay(
                        err.errno, f"{'/'.join(parts[: i + 1])} is a symbolic link or not a folder"
                    ) from None
                raise
            os.close(fd)
            fd = nxt
        return fd
    except BaseException:
        os.close(fd)
        raise


def _open_dir(name: str, fd: int, shown: list[str]) -> int:
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=fd)
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.ENOTDIR):
            raise LinkInTheWay(err.errno, f"{'/'.join(shown)} is a symbolic link or not a folder") from None
        raise


def _split(rel: str) -> list[str]:
    parts = [p for p in rel.replace(os.sep, "/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise ValueError(f"not a path inside the repository: {rel!r}")
    return parts


def check_folder(root: str | os.PathLike[str], rel: str) -> str | None:
    """Make `root/rel` a folder reached without a link; None, or why it cannot be."""
    try:
        os.close(_folder_fd(root, _split(rel), create=True))
    except OSError as err:
        return str(err.strerror or err)
    return None


def read_inside(root: str | os.PathLike[str], rel: str, limit: int) -> bytes | None:
    """The bytes of the tool's own file `root/rel`, or None: nothing on the way, the file
    included, is followed if it is a link; no FIFO or device is read, and no more than `limit`."""
    try:
        parts = _split(rel)
        folder = _folder_fd(root, parts[:-1], create=False)
    except (OSError, ValueError):
        return None
    try:
        fd = os.open(parts[-1], _OPEN_FLAGS, dir_fd=folder)
    except OSError:
        return None
    finally:
        os.close(folder)
    try:
        return _read_regular(fd, limit)[0]
    finally:
        os.close(fd)


def write_inside(root: str | os.PathLike[str], rel: str, data: bytes) -> str | None:
    """Write the tool's own file `root/rel` whole (a temporary file, then a rename), never
    through a link: a folder on the way that is a link is refused, and a link in place of
    the file is replaced, not followed. None, or why nothing was written."""
    try:
        parts = _split(rel)
        folder = _folder_fd(root, parts[:-1], create=True)
    except (OSError, ValueError) as err:
        return str(getattr(err, "strerror", None) or err)
    tmp = f".{parts[-1][:200]}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(
            tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_BINARY", 0), 0o666, dir_fd=folder
        )
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, parts[-1], src_dir_fd=folder, dst_dir_fd=folder)
        return None
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=folder)
        return str(err.strerror or err)
    finally:
        os.close(folder)
