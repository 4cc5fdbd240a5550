"""Load and check again only what changed: `mkdocs serve` rebuilds on every save.

A file is reloaded when its size or modification time changes; every file's findings
are recomputed when anything they depend on changes (the day, the taxonomy, the
templates, the settings). The corpus-wide pass is cheap and always runs.
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field

from .check import Checker, FileResult
from .load.corpus import corpus_files, load_postmortem, load_shell
from .model import Corpus, Finding, Postmortem

StatKey = tuple[int, int]


@dataclass
class IncrementalCorpus:
    entries: dict[str, tuple[StatKey, Postmortem, FileResult | None]] = field(default_factory=dict)
    context_key: object = None
    reloaded: int = 0  # files loaded by the last refresh, for the log
    context_changed: bool = False  # the day, taxonomy, templates or settings changed since the last refresh

    def refresh(self, checker: Checker) -> tuple[Corpus, list[Finding]]:
        project = checker.project
        shell = load_shell(project)
        key = _context_key(checker)
        fresh_context = key != self.context_key
        self.context_changed = fresh_context and self.context_key is not None
        self.context_key = key
        ctx = checker.context(shell)
        files = corpus_files(project)
        entries: dict[str, tuple[StatKey, Postmortem, FileResult | None]] = {}
        results: list[FileResult] = []
        self.reloaded = 0
        was_enabled = gc.isenabled()
        gc.disable()  # see load.corpus.load_many
        try:
            for abs_path, rel in files:
                stat = _stat(abs_path)
                old = self.entries.get(abs_path)
                if old is not None and old[0] == stat and not fresh_context:
                    pm, result = old[1], old[2]
                else:
                    # A changed context means checking again, which needs the line map
                    # that was let go after the last check: read the file again.
                    pm, result = load_postmortem(abs_path, rel), None
                    self.reloaded += 1
                if result is None:
                    result = checker.check_file(pm, ctx)
                    # Only the checker reads the YAML line map and the masked prose; the
                    # site keeps 20,000 postmortems in memory, so let them go.
                    pm.line_of = None
                    pm.prose = ""
                entries[abs_path] = (stat, pm, result)
                results.append(result)
        finally:
            if was_enabled:
                gc.enable()
        self.entries = entries
        shell.postmortems = [pm for _, pm, _ in entries.values()]
        return shell, checker.combine(shell, results)


def _stat(path: str) -> StatKey:
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1)
    return (st.st_mtime_ns, st.st_size)


def _context_key(checker: Checker) -> object:
    project = checker.project
    watched = [str(project.taxonomy_path), *sorted(str(p) for p in project.templates_dir.glob("*.md"))]
    watched += [str(project.root / f) for f in project.settings.language_rules]
    return (
        checker.today,
        project.settings.model_dump_json(),
        tuple(sorted(checker.enabled)),
        tuple((p, _stat(p)) for p in watched),
    )
