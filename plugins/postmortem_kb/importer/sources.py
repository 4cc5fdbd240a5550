"""The edge of `pmkb import`: find the sources, read them, write the results (never over
an existing file), and say what happened to each, one line per source."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ..load import frontmatter
from ..load.corpus import MAX_FILE_BYTES
from ..load.files import read_file
from .convert import Imported, Options, convert

MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdtxt", ".mdtext", ".txt"}


@dataclass(slots=True)
class Outcome:
    source: str  # as the user named it (or found under a folder they named)
    status: str  # "imported" | "exists" | "failed"
    line: str  # the report line
    dest: Path | None = None
    result: Imported | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("imported", "exists")


def collect(sources: Iterable[str]) -> Iterator[tuple[str, Path, bool]]:
    """Each file named, and every file under each folder named (hidden ones aside),
    sorted; with whether it was named itself (then any extension is imported: `notes.txt`
    was asked for; a folder's files need a Markdown suffix)."""
    for raw in sources:
        path = Path(raw)
        if path.is_dir():
            found = []
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(Path(folder) / f for f in files if not f.startswith("."))
            if not found:
                yield raw, path, False  # reported as an empty folder
            for f in sorted(found):
                yield str(f), f, False
        else:
            yield raw, path, True


def read(path: Path, named: bool = False) -> tuple[str | None, str | None]:
    """(text, None) or (None, why it cannot be imported)."""
    if not path.exists():
        return None, "unreadable (a broken link)" if path.is_symlink() else "unreadable (no such file or folder)"
    if path.is_dir():
        return None, "empty (a folder with no files)"
    if not named and path.suffix.lower() not in MARKDOWN_SUFFIXES:
        return None, "not Markdown" + (f" ({path.suffix} file)" if path.suffix else " (no .md suffix)")
    raw, why = _read_bytes(path)
    if raw is None:
        return None, why
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            return None, "unreadable (broken UTF-16 text)"
    else:
        if b"\x00" in raw[:8192]:
            return None, "not Markdown (binary content)"
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1252")  # legacy Windows documents
            except UnicodeDecodeError:
                return None, "unreadable (not UTF-8 text)"
    if not text.strip():
        return None, "empty"
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html")):
        return None, "not Markdown (HTML)"
    return text, None


def _read_bytes(path: Path) -> tuple[bytes | None, str]:
    """The file's bytes as `pmkb check` reads a postmortem (load.files.read_file): a FIFO
    (which would wait for a writer forever) or a device (`/dev/zero` never ends) is not
    read, and no more than the knowledge base's 4 MiB. A link is followed (the user named
    the sources), but only to a regular file."""
    try:
        st = os.stat(path)  # no file is opened: a FIFO's stat does not wait
    except OSError as err:
        return None, f"unreadable ({err.strerror or err})"
    if stat.S_ISREG(st.st_mode) and st.st_size > MAX_FILE_BYTES:
        return None, f"unreadable (the file is {st.st_size} bytes; the knowledge base reads files up to 4 MiB)"
    raw, problem = read_file(str(path), None)
    if raw is not None:
        return raw, ""
    message = problem.message if problem is not None else "cannot read the file"
    if message.startswith("not a regular file"):
        return None, "unreadable (not a regular file: a FIFO, socket or device)"
    if "over the" in message:
        return None, "unreadable (over the 4 MiB the knowledge base reads)"
    return None, f"unreadable ({message.removeprefix('cannot read the file: ')})"


def _already_ours(text: str) -> bool:
    sp = frontmatter.split(text)
    if not sp.fm_end:
        return False
    parsed, _ = frontmatter.parse(sp)
    return bool(parsed and isinstance(parsed.data, dict) and {"id", "contributing_factors"} <= set(parsed.data))


def run(
    sources: Iterable[str],
    into: Path,
    options: Options,
    *,
    dry_run: bool = False,
    show: Callable[[Path], str] = str,
    schema_path: Callable[[Path], str | None] = lambda _: None,
) -> Iterator[Outcome]:
    """Import each source into `into/<year>/<id>.md`; yield one Outcome per source."""
    claimed: set[Path] = set()
    for shown, path, named in collect(sources):
        text, why = read(path, named)
        if text is None:
            yield Outcome(shown, "failed", f"skipped {shown}: {why}")
            continue
        if _already_ours(text):
            yield Outcome(shown, "failed", f"skipped {shown}: already a postmortem-kb postmortem (copy it instead)")
            continue
        try:
            result = convert(text, path.name, replace(options, source=shown))
        except (ValueError, RecursionError) as err:  # front matter past the checker's bounds; reported, not raised
            yield Outcome(shown, "failed", f"skipped {shown}: could not convert ({err})")
            continue
        dest = into / result.folder / f"{result.id}.md"
        todos = f"{len(result.notes)} TODO{'' if len(result.notes) == 1 else 's'}"
        if dest.exists() or dest in claimed:
            yield Outcome(shown, "exists", f"skipped {shown}: {show(dest)} exists", dest, result)
            continue
        claimed.add(dest)
        if dry_run:
            yield Outcome(shown, "imported", f"would import {shown} -> {show(dest)} ({todos})", dest, result)
            continue
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            with open(dest, "x", encoding="utf-8", newline="\n") as fh:
                fh.write(result.text(schema_path(dest)))
        except FileExistsError:
            yield Outcome(shown, "exists", f"skipped {shown}: {show(dest)} exists", dest, result)
            continue
        except OSError as err:
            yield Outcome(
                shown, "failed", f"skipped {shown}: cannot write {show(dest)} ({err.strerror or err})", dest, result
            )
            continue
        yield Outcome(shown, "imported", f"imported {shown} -> {show(dest)} ({todos})", dest, result)
