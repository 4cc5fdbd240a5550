"""Load and check again only what changed: `mkdocs serve` rebuilds on every save.

The same engine as `pmkb check` and its cache (check.py): a file is reloaded when
cache.unchanged says it changed; every file's findings are recomputed when the context
fingerprint changes (the day, the taxonomy, the templates, the settings, the code); the
files are loaded and checked by parallel.parallel_map. The corpus-wide pass is cheap and
always runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .cache import FileResult, stat_key, unchanged
from .check import Checker, context_fingerprint, parallel_map
from .load.corpus import corpus_files, load_postmortem, load_shell
from .model import Corpus, Finding, Postmortem
from .rules.hit import Context

StatKey = list[int] | None  # cache.stat_key of a file when it was read


@dataclass
class IncrementalCorpus:
    entries: dict[str, tuple[StatKey, Postmortem, FileResult | None]] = field(default_factory=dict)
    context_key: object = None
    reloaded: int = 0  # files loaded by the last refresh, for the log
    context_changed: bool = False  # the day, taxonomy, templates or settings changed since the last refresh
    ctx: Context | None = None  # the rules' context of the last refresh

    def refresh(
        self, checker: Checker, check: bool = True, jobs: int | None = None
    ) -> tuple[Corpus, list[Finding] | None]:
        """The corpus, and its findings (None when `check` is false: a full build checks
        on the side, see `mkdocs.full_build`). `jobs`: processes that load (see parallel)."""
        project = checker.project
        shell = load_shell(project)
        key = context_fingerprint(checker)
        fresh_context = key != self.context_key
        self.context_changed = fresh_context and self.context_key is not None
        self.context_key = key
        # The rules' context (the phrase rules' patterns: ~0.9 s each save at 5,000) is built
        # again only when what it is made of changed (its fingerprint holds the day too).
        # Not built at all when nothing is checked.
        if check and (fresh_context or self.ctx is None):
            self.ctx = checker.context(shell)
        ctx = self.ctx if check else None
        files = corpus_files(project)
        entries: dict[str, tuple[StatKey, Postmortem, FileResult | None]] = {}
        results: list[FileResult | None] = []
        # A changed context means checking again, which needs the line map that was let
        # go after the last check: read those files again too.
        stale = [(a, r) for a, r in files if fresh_context or _outdated(self.entries.get(a), a, check)]
        stats = {a: stat_key(a) for a, _ in stale}  # before reading: a save meanwhile shows next time
        root = str(project.root)
        loaded = parallel_map(lambda a, r: _load(checker, ctx, check, a, r, root), stale, jobs)
        fresh = {a: item for (a, _), item in zip(stale, loaded, strict=True)}
        self.reloaded = len(stale)
        for abs_path, _rel in files:
            if abs_path in fresh:
                pm, result = fresh[abs_path]
                entries[abs_path] = (stats[abs_path], pm, result)
            else:
                entries[abs_path] = self.entries[abs_path]
            results.append(entries[abs_path][2])
        self.entries = entries
        shell.postmortems = [pm for _, pm, _ in entries.values()]
        if not check:
            return shell, None
        return shell, checker.combine(shell, results)  # type: ignore[arg-type]

    def changed_since(self) -> list[str]:
        """The files (absolute paths) that changed, appeared or went since the last refresh
        read them."""
        return [a for a, (key, _pm, _result) in self.entries.items() if stat_key(a) != key]


KEEP_LINES = True  # the public site needs each file's lines; the internal site does not


def _outdated(entry: tuple[StatKey, Postmortem, FileResult | None] | None, abs_path: str, check: bool) -> bool:
    return entry is None or not unchanged(entry[0], abs_path) or (check and entry[2] is None)


def _load(
    checker: Checker, ctx: object, check: bool, abs_path: str, rel: str, root: str
) -> tuple[Postmortem, FileResult | None]:
    """One file loaded (and checked), with what only the checker reads let go."""
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
    return pm, result
