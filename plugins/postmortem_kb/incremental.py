"""Load and check again only what changed: `mkdocs serve` rebuilds on every save.

A file is reloaded when its size or modification time changes; every file's findings
are recomputed when anything they depend on changes (the day, the taxonomy, the
templates, the settings). The corpus-wide pass is cheap and always runs.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
from dataclasses import dataclass, field

from .check import PARALLEL_FROM, Checker, FileResult
from .load.corpus import corpus_files, load_postmortem, load_shell
from .model import Corpus, Finding, Postmortem

StatKey = tuple[int, int]


@dataclass
class IncrementalCorpus:
    entries: dict[str, tuple[StatKey, Postmortem, FileResult | None]] = field(default_factory=dict)
    context_key: object = None
    reloaded: int = 0  # files loaded by the last refresh, for the log
    context_changed: bool = False  # the day, taxonomy, templates or settings changed since the last refresh

    def refresh(self, checker: Checker, check: bool = True) -> tuple[Corpus, list[Finding] | None]:
        """The corpus, and its findings (None when `check` is false: a full build checks
        on the side, see `mkdocs_plugin`)."""
        project = checker.project
        shell = load_shell(project)
        key = _context_key(checker)
        fresh_context = key != self.context_key
        self.context_changed = fresh_context and self.context_key is not None
        self.context_key = key
        ctx = checker.context(shell)
        files = corpus_files(project)
        entries: dict[str, tuple[StatKey, Postmortem, FileResult | None]] = {}
        results: list[FileResult | None] = []
        stats = {abs_path: _stat(abs_path) for abs_path, _ in files}
        # A changed context means checking again, which needs the line map that was let
        # go after the last check: read those files again too.
        stale = [(a, r) for a, r in files if fresh_context or _outdated(self.entries.get(a), stats[a], check)]
        fresh = dict(_load_and_check(checker, ctx, stale, check))
        self.reloaded = len(stale)
        for abs_path, _rel in files:
            if abs_path in fresh:
                pm, result = fresh[abs_path]
            else:
                _, pm, result = self.entries[abs_path]
            entries[abs_path] = (stats[abs_path], pm, result)
            results.append(result)
        self.entries = entries
        shell.postmortems = [pm for _, pm, _ in entries.values()]
        if not check:
            return shell, None
        return shell, checker.combine(shell, results)  # type: ignore[arg-type]


_WORKER: tuple[Checker, object, bool] | None = None  # set before the pool forks
KEEP_LINES = True  # the public site needs each file's lines; the internal site does not


def _outdated(entry: tuple[StatKey, Postmortem, FileResult | None] | None, stat: StatKey, check: bool) -> bool:
    return entry is None or entry[0] != stat or (check and entry[2] is None)


def _chunk(files: list[tuple[str, str]]) -> list[tuple[str, tuple[Postmortem, FileResult | None]]]:
    checker, ctx, check = _WORKER  # type: ignore[misc]
    gc.disable()  # see load.corpus.load_many
    root = str(checker.project.root)
    out = []
    for abs_path, rel in files:
        pm = load_postmortem(abs_path, rel, root, scan_body=check or KEEP_LINES)
        result = checker.check_file(pm, ctx) if check else None  # type: ignore[arg-type]
        # Only the checker reads the YAML line map and the masked prose; the site keeps
        # every postmortem in memory (and workers send them back), so let them go.
        pm.line_of = None
        pm.prose = ""
        if pm.meta is not None:
            pm.data = None
            if not KEEP_LINES:
                pm.lines = []  # only the public site reads the text again; MkDocs reads the file
        out.append((abs_path, (pm, result)))
    return out


def _load_and_check(checker: Checker, ctx: object, files: list[tuple[str, str]], check: bool = True) -> list[tuple[str, tuple[Postmortem, FileResult | None]]]:
    """Load (and check) `files`, in worker processes when there are many (a first build)."""
    global _WORKER
    _WORKER = (checker, ctx, check)
    jobs = os.cpu_count() or 1
    was_enabled = gc.isenabled()
    try:
        if jobs > 1 and len(files) >= PARALLEL_FROM and "fork" in mp.get_all_start_methods():
            size = max(1, -(-len(files) // (jobs * 4)))
            chunks = [files[i : i + size] for i in range(0, len(files), size)]
            with mp.get_context("fork").Pool(jobs) as pool:
                return [item for chunk in pool.imap(_chunk, chunks) for item in chunk]
        return _chunk(files)
    finally:
        _WORKER = None
        if was_enabled:
            gc.enable()


def _stat(path: str) -> StatKey:
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1)
    return (st.st_mtime_ns, st.st_size)


def _context_key(checker: Checker) -> object:
    project = checker.project
    watched = [str(p) for p in project.context_files]  # the check cache's list: one list
    return (
        checker.today,
        project.settings.model_dump_json(),
        tuple(sorted(checker.enabled)),
        tuple((p, _stat(p)) for p in watched),
    )
