"""The check stage: run every rule over the corpus and turn hits into findings.

One engine: `pmkb check` (check_project here), the check cache and `mkdocs serve`
(incremental.py) load and check files through parallel.parallel_map, key their results
by cache.context_fingerprint and tell a changed file by cache.unchanged. The parts:
checker.py (the rules over one file, then the corpus-wide ones), cap.py (at most so many
findings per file), paths.py (paths as reported, PATH arguments). Their public names are
importable from here too.
"""

from __future__ import annotations

from collections.abc import Iterable

from .cache import CheckCache, FileResult, context_fingerprint, stat_key
from .cap import MAX_FINDINGS_PER_FILE, cap_findings
from .checker import ARCHIVED_GATE, SEVERITIES, Checker
from .load.corpus import corpus_files, load_postmortem, load_shell
from .model import Finding
from .parallel import PARALLEL_FROM, parallel_map
from .paths import PathError, expand_paths, printable, relative

__all__ = [
    "ARCHIVED_GATE",
    "MAX_FINDINGS_PER_FILE",
    "PARALLEL_FROM",
    "SEVERITIES",
    "Checker",
    "PathError",
    "cap_findings",
    "check_project",
    "context_fingerprint",
    "expand_paths",
    "parallel_map",
    "printable",
    "relative",
]


def check_project(
    checker: Checker,
    extra: Iterable[str] | None = None,
    only: Iterable[str] | None = None,
    jobs: int | None = None,
    cache: bool = False,
) -> tuple[list[Finding], int]:
    """Load and check every file without keeping the corpus: the CLI's path.

    With `cache`, the results of unchanged files come from `.cache/pmkb/` (see
    cache.py). Output does not depend on `jobs` or on the cache.
    """
    files = corpus_files(checker.project, extra)
    shell = load_shell(checker.project)
    ctx = checker.context(shell)
    store = CheckCache.at(checker.project.root, context_fingerprint(checker)) if cache else None
    results: list[FileResult | None] = [store.get(a) if store else None for a, _ in files]
    todo = [f for f, r in zip(files, results, strict=True) if r is None]
    keys = [stat_key(a) for a, _ in todo] if store else []  # before reading: a save meanwhile is not cached
    root = str(checker.project.root)
    fresh = parallel_map(lambda a, r: checker.check_file(load_postmortem(a, r, root), ctx), todo, jobs)
    it = iter(fresh)
    results = [r if r is not None else next(it) for r in results]
    if store is not None:
        for (abs_path, _), r, key in zip(todo, fresh, keys, strict=True):
            store.put(abs_path, r, key)
        store.save(keep={a for a, _ in files})
    wanted = set(only) if only is not None else None
    # Files the corpus-wide load reported on (the taxonomy, refused files) count as checked.
    seen = len(wanted) if wanted is not None else len({rel for _, rel in files} | {path for path, _ in shell.problems})
    return checker.combine(shell, results, wanted), seen
