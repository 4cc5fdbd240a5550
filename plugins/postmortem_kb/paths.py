"""Paths as the checker reports them: relative to the repository, printable, and the
files that `pmkb check PATH...` names."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .config import Project
from .load.corpus import postmortem_files
from .load.files import inside


def printable(path: str) -> str:
    """A path as text that can be written out: a file name's bytes that are not UTF-8
    (kept by the OS layer as lone surrogates) are shown as `\\xNN` instead of crashing
    the output."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        try:
            raw = path.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            raw = path.encode("utf-8", "surrogatepass")
        return raw.decode("utf-8", "backslashreplace")


def _located(path: str | Path) -> str:
    """`path` made absolute with its folders' symbolic links resolved, but not its own:
    a link stays a link, for the loader to judge (and report) where it points."""
    p = os.path.abspath(path)
    return os.path.join(os.path.realpath(os.path.dirname(p)), os.path.basename(p))


def relative(project: Project, path: str | Path) -> str:
    p = _located(path)
    rel = os.path.relpath(p, project.root)
    if rel == ".." or rel.startswith(".." + os.sep):
        return Path(p).as_posix()
    return rel.replace(os.sep, "/")


class PathError(Exception):
    """A PATH argument that cannot be checked: a usage error."""


def expand_paths(project: Project, raws: Iterable[str]) -> tuple[list[str], list[str]]:
    """The files PATH arguments name: (relative paths to report on, Markdown files to load).

    A folder means its Markdown files, found as the whole-corpus walk finds them (sorted,
    no hidden files, symbolic links to folders not followed). Nothing outside the
    repository is checked: a PATH outside it is an error, not a file to read.
    """
    only: list[str] = []
    extra: list[str] = []
    root = str(project.root)
    for raw in raws:
        try:
            real = os.path.realpath(raw)
            located = _located(raw)
        except (OSError, ValueError):
            raise PathError(f"no such file or folder: {raw!r}") from None
        if os.path.isdir(real):
            if not inside(real, root):
                raise PathError(f"{raw} is outside the knowledge base ({root}); pmkb checks only files in it")
            for a, _ in postmortem_files(Path(real)):
                only.append(relative(project, a))
                extra.append(a)
        elif os.path.lexists(located):
            if not inside(os.path.dirname(located), root):
                raise PathError(f"{raw} is outside the knowledge base ({root}); pmkb checks only files in it")
            only.append(relative(project, located))
            if located.lower().endswith(".md"):  # other files (the taxonomy) are checked as what they are
                extra.append(located)
        else:
            raise PathError(f"no such file or folder: {raw}")
    return only, extra
