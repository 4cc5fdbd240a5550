"""The check cache: a file's results are kept until the file or what it is checked
against changes, as ruff and eslint keep theirs.

`pmkb check one.md` still needs every file (duplicate ids, related ids and people's
names are corpus-wide), so without a cache each run, a pre-commit hook's included,
reads and checks the whole knowledge base again. The cache lives in `.cache/pmkb/`
(git-ignored) as JSON: nothing in it is ever executed, and an unreadable or foreign
cache is simply rebuilt. It is read and written without following a link (a pull request
can commit `.cache/pmkb` as a link to anywhere): a link in the way means no cache.

A result is reused only when the context is the same: the day (`--today`), the
settings, the selected rules, the taxonomy, templates and phrase files, and the code
of the checker itself. A file is recognised by its size, modification time and inode,
read with `stat` alone: the cache opens no file the loader would refuse (a FIFO, a link
out of the repository). A file saved in the last seconds is always checked again, since
two saves within one tick of the file system's clock would look the same.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .load.files import read_inside, write_inside
from .model import Finding

if TYPE_CHECKING:  # checker.py imports FileResult from here
    from .checker import Checker

VERSION = 1
MAX_CACHE_BYTES = 256 * 1024 * 1024  # 20,000 files' results are a few MiB
RECENT_NS = 2_000_000_000
PACKAGE = Path(__file__).resolve().parent


@dataclass(slots=True)
class FileResult:
    """What one file contributes: its findings, and what the corpus-wide rules need.

    Small and picklable, so files can be checked in worker processes, cached in
    `.cache/pmkb/` or kept between rebuilds of `mkdocs serve`.
    """

    path: str
    id: str | None
    id_pos: tuple[int, int] | None
    related: list[tuple[str, int, int]]  # (id, line, column) of each `related` entry
    silenced: set[tuple[int, str]]  # (line, rule) of corpus-wide hits this file suppresses
    findings: list[Finding]
    people: frozenset[str] = frozenset()  # names this file's front matter gives people
    pending: list[tuple[str, Finding]] = field(default_factory=list)  # (name, finding) if name is a person


def fingerprint(parts: list[str], files: list[Path]) -> str:
    """A digest of `parts`, of the files' contents and of the checker's own code."""
    h = hashlib.sha256(f"pmkb-cache-{VERSION}".encode())
    for part in parts:
        h.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    code = sorted(p for p in PACKAGE.rglob("*") if p.suffix in (".py", ".yml") and p.is_file())
    for path in [*files, *code]:
        h.update(b"\0" + str(path).encode("utf-8", "surrogatepass") + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"<missing>")
    return h.hexdigest()


def context_fingerprint(checker: Checker) -> str:
    """What every file's findings depend on besides the file: the day, the settings, the
    rules chosen and their severities, the taxonomy, templates and phrase files, and the
    checker's own code. One key for the check cache and `mkdocs serve`."""
    project = checker.project
    parts = [
        checker.today.isoformat(),
        project.settings.model_dump_json(),
        ",".join(sorted(checker.enabled)),
        json.dumps(sorted(checker.severity.items())),
        str(project.docs_dir),
    ]
    return fingerprint(parts, project.context_files)


def stat_key(path: str) -> list[int] | None:
    """(size, mtime, inode) of a regular file that is not a link; None for anything else."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _settled(key: list[int]) -> bool:
    return time.time_ns() - key[1] >= RECENT_NS


def unchanged(key: list[int] | None, path: str) -> bool:
    """Whether the file at `path` is still as it was when its stat_key was `key`: the
    one test of a changed file, for the check cache and `mkdocs serve`. A link, a FIFO or
    a file saved in the last seconds always counts as changed."""
    now = stat_key(path)
    return now is not None and now == key and _settled(now)


class CheckCache:
    """Per-file check results, valid for one context fingerprint."""

    def __init__(self, path: Path, context: str, root: Path | None = None) -> None:
        self.path = path
        # The repository: nothing between it and the cache file is followed if it is a
        # link (a committed `.cache/pmkb -> /elsewhere`). By default the cache is at
        # <root>/.cache/pmkb/check.json.
        self.root = root if root is not None else path.parents[2]
        self.rel = os.path.relpath(path, self.root)
        self.context = context
        self.entries: dict[str, dict[str, Any]] = {}
        self.hits = 0
        self.dirty = False
        raw = read_inside(self.root, self.rel, MAX_CACHE_BYTES)
        try:
            doc = json.loads(raw) if raw is not None else None
            if (
                isinstance(doc, dict)
                and doc.get("version") == VERSION
                and doc.get("context") == context
                and isinstance(doc.get("files"), dict)
            ):
                self.entries = doc["files"]
        except (ValueError, UnicodeDecodeError, RecursionError):
            pass  # no cache yet, or not one we can read: start afresh

    @classmethod
    def at(cls, root: Path, context: str) -> CheckCache:
        """The project's cache, `<root>/.cache/pmkb/check.json`, for one context."""
        return cls(root / ".cache" / "pmkb" / "check.json", context)

    def get(self, abs_path: str) -> FileResult | None:
        """The cached FileResult of `abs_path`, if the file is unchanged."""
        entry = self.entries.get(abs_path)
        if not isinstance(entry, dict):
            return None
        if not unchanged(entry.get("stat"), abs_path):
            return None
        try:
            result = _result_from(entry["result"])
        except (OSError, KeyError, TypeError, ValueError):
            return None
        self.hits += 1
        return result

    def put(self, abs_path: str, result: FileResult, key: list[int] | None) -> None:
        """Keep `result` for the file as it was (`key`: its stat before it was read)."""
        if key is None or stat_key(abs_path) != key:
            self.entries.pop(abs_path, None)  # not a plain file, or changed while read
            return
        self.entries[abs_path] = {"stat": key, "result": _result_to(result)}
        self.dirty = True

    def save(self, keep: set[str] | None = None) -> None:
        """Write the cache (only the files in `keep`, when given), atomically; a cache
        that cannot be written costs the next run its speed, nothing else."""
        if keep is not None and set(self.entries) - keep:
            self.entries = {k: v for k, v in self.entries.items() if k in keep}
            self.dirty = True
        if not self.dirty:
            return
        data = json.dumps(
            {"version": VERSION, "context": self.context, "files": self.entries}, separators=(",", ":")
        ).encode("utf-8", "surrogatepass")
        why = write_inside(self.root, self.rel, data)
        if why is not None and "symbolic link" in why:
            # Said, since a link there is a planted one: the cache is never written through it.
            print(f"pmkb: the check cache is not written: {why}", file=sys.stderr)


def _finding_to(f: Finding) -> list[Any]:
    return [f.path, f.line, f.column, f.code, f.rule, f.severity, f.message, f.hint]


def _finding_from(v: list[Any]) -> Finding:
    return Finding(*v)


def _result_to(r: FileResult) -> dict[str, Any]:
    return {
        "path": r.path,
        "id": r.id,
        "id_pos": list(r.id_pos) if r.id_pos else None,
        "related": [list(x) for x in r.related],
        "silenced": sorted([list(x) for x in r.silenced]),
        "findings": [_finding_to(f) for f in r.findings],
        "people": sorted(r.people),
        "pending": [[name, _finding_to(f)] for name, f in r.pending],
    }


def _result_from(d: dict[str, Any]) -> FileResult:
    return FileResult(
        path=d["path"],
        id=d["id"],
        id_pos=tuple(d["id_pos"]) if d["id_pos"] else None,
        related=[(str(a), int(b), int(c)) for a, b, c in d["related"]],
        silenced={(int(a), str(b)) for a, b in d["silenced"]},
        findings=[_finding_from(f) for f in d["findings"]],
        people=frozenset(d["people"]),
        pending=[(str(name), _finding_from(f)) for name, f in d["pending"]],
    )
