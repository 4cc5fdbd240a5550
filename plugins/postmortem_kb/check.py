"""The check stage: run every rule over the corpus and turn hits into findings."""

from __future__ import annotations

import dataclasses
import gc
import json
import multiprocessing as mp
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .cache import CheckCache, FileResult, fingerprint, stat_key
from .config import ConfigError, Project, Settings
from .load.corpus import corpus_files, load_postmortem, load_shell, postmortem_files
from .load.files import inside
from .model import Corpus, Finding, Postmortem
from .rules.best_effort import Watched, best_effort, kept, kept_value
from .rules.hit import Context, Hit
from .rules.language import LanguageRules, name_tokens
from .rules.references import DUPLICATE_ID, unknown_related
from .rules.registry import checks, registry, rule_named, select
from .rules.rule import DATA, FILE, Rule
from .rules.safety import TOO_MANY_FINDINGS
from .rules.wording import phrases
from .suggest import CloseIds

SEVERITIES = ("error", "warning")
# An archived postmortem (imported history) is held to format and safety only: the file,
# its YAML and fields, its id (PM0xx, PM101, PM102), and what it may publish (PM5xx
# public leaks, PM6xx files and raw HTML). Sections, wording, policy and deadlines were
# another era's.
ARCHIVED_GATE = ("PM0", "PM101", "PM102", "PM5", "PM6")


class Checker:
    def __init__(
        self,
        project: Project,
        today: date,
        select_rules: list[str] | None = None,
        ignore_rules: list[str] | None = None,
    ) -> None:
        self.project = project
        self.settings: Settings = project.settings
        self.today = today
        reg = registry()
        enabled = set(reg)
        if select_rules:
            enabled, _ = select(select_rules)
        _, unknown = select(self.settings.rules.ignore)
        if unknown:
            raise ConfigError(f"plugins.postmortem-kb.rules.ignore: unknown rule(s): {', '.join(unknown)}")
        ignored, _ = select([*self.settings.rules.ignore, *(ignore_rules or [])])
        self.enabled = enabled - ignored
        self.severity: dict[str, str] = {}
        for token, sev in self.settings.rules.severity.items():
            names, unknown = select([token])
            if unknown:
                raise ConfigError(f"plugins.postmortem-kb.rules.severity: unknown rule {token!r}")
            if sev not in SEVERITIES:
                raise ConfigError(
                    f"plugins.postmortem-kb.rules.severity.{token}: {sev!r} is not one of {', '.join(SEVERITIES)}"
                )
            for n in names:
                self.severity[n] = sev

    def context(self, corpus: Corpus) -> Context:
        """What the per-file rules read besides the file: policy, taxonomy, templates, phrases."""
        language = self._language()
        if corpus.taxonomy.services is not None:  # a service is a system, not a person
            language.know_systems([n for s in corpus.taxonomy.services.services.values() for n in (s.id, s.name)])
        return Context(
            settings=self.settings,
            today=self.today,
            taxonomy=corpus.taxonomy,
            templates=corpus.templates,
            language=language,
        )

    def run(self, corpus: Corpus, only: Iterable[str] | None = None) -> list[Finding]:
        """Findings for the whole corpus, or only for the files whose relative paths are in `only`."""
        ctx = self.context(corpus)
        wanted = set(only) if only is not None else None
        results = [self.check_file(pm, ctx) for pm in corpus.postmortems]
        return self.combine(corpus, results, wanted)

    def check_file(self, pm: Postmortem, ctx: Context) -> FileResult:
        """Every rule that needs only this file (and the context)."""
        findings: list[Finding] = []
        pending: list[tuple[str, Finding]] = []
        for problem in pm.problems:  # the loader names its rule (load/ does not import rules/)
            hit = Hit(rule_named(problem.rule), problem.line, problem.column, problem.message, problem.hint)
            self._add(findings, pm.path, pm, hit)
        id_pos = None
        watched: Watched | None = None  # the best-effort model of front matter that failed the schema
        people: frozenset[str] = frozenset()
        related: list[tuple[str, int, int]] = []
        silenced: set[tuple[int, str]] = set()
        if pm.line_of is not None and pm.id:
            id_pos = pm.line_of.line_of(("id",))
        # Front matter that fails the schema: the body is still checked, and the rest on what
        # is valid (one run, every finding); see rules.rule's scopes.
        target = pm
        if pm.meta is not None:
            scopes: tuple[str, ...] = ()  # all
        elif not isinstance(pm.data, dict):
            scopes = (FILE,)
        elif (model := best_effort(pm.data)) is not None:
            watched = Watched(*model)
            target, scopes = dataclasses.replace(pm, meta=watched), ()
        else:
            scopes = (FILE, DATA)
        # The phrase rules are most of the work; skip them when none of them is wanted.
        skip = None if any(r.name in self.enabled for r in ctx.language.rules) else phrases
        for check in checks():
            if check.run is skip or (scopes and check.scope not in scopes):
                continue
            for hit in check(target, ctx) if watched is None else kept(check(target, ctx), watched):
                if hit.person is None:
                    self._add(findings, pm.path, pm, hit)
                else:
                    held: list[Finding] = []
                    self._add(held, pm.path, pm, hit)
                    pending.extend((hit.person, f) for f in held)
        if pm.meta is not None:
            m = pm.meta
            people = name_tokens([*m.authors, *(a.owner for a in m.actions if a.owner)])
            related = [(ref, *pm.line_of.line_of(("related", i))) for i, ref in enumerate(pm.meta.related)]
        elif watched is not None and kept_value(watched, "related"):
            related = [(ref, *pm.line_of.line_of(("related", i))) for i, ref in enumerate(watched.related)]
        if pm.suppressions is not None:
            for line, rule in [
                *([(id_pos[0], DUPLICATE_ID)] if id_pos else []),
                *((r[1], unknown_related) for r in related),
            ]:
                if pm.suppressions.silenced(line, rule.code, rule.name):
                    silenced.add((line, rule.name))
        # Capped here too, so a hostile file's findings never fill workers' pipes or the cache.
        return FileResult(pm.path, pm.id, id_pos, related, silenced, cap_findings(findings), people, pending)

    def combine(self, corpus: Corpus, results: list[FileResult], wanted: set[str] | None = None) -> list[Finding]:
        """Add the corpus-wide rules (duplicate ids, unknown related ids) to per-file results."""
        findings: list[Finding] = []
        for path, problem in corpus.problems:
            if wanted is None or path in wanted:
                hit = Hit(rule_named(problem.rule), problem.line, problem.column, problem.message, problem.hint)
                self._add(findings, path, None, hit)
        first: dict[str, str] = {}
        for r in results:
            if r.id and r.id not in first:
                first[r.id] = r.path
        close_ids: CloseIds | None = None  # built at the first unknown `related` id
        people = frozenset().union(*(r.people for r in results)) if results else frozenset()
        for r in results:
            if wanted is not None and r.path not in wanted:
                continue
            findings.extend(r.findings)
            # "Aisha failed to…" blames a person when Aisha is an author or owner anywhere.
            findings.extend(f for name, f in r.pending if name in people)
            if r.id and r.id_pos and first[r.id] != r.path and (r.id_pos[0], DUPLICATE_ID.name) not in r.silenced:
                self._add(
                    findings,
                    r.path,
                    None,
                    Hit(
                        DUPLICATE_ID,
                        *r.id_pos,
                        f"id `{r.id}` is already used by {first[r.id]}",
                        "give this postmortem its own id",
                    ),
                )
            for ref, line, col in r.related:
                if ref in first or (line, unknown_related.name) in r.silenced:
                    continue
                close_ids = close_ids or CloseIds(list(first))
                close = close_ids.closest(ref, cutoff=0.6)
                self._add(
                    findings,
                    r.path,
                    None,
                    Hit(
                        unknown_related,
                        line,
                        col,
                        f"no postmortem has id `{ref}`" + (f"; did you mean `{close}`?" if close else ""),
                        "use the id of an existing postmortem",
                    ),
                )
        findings = cap_findings(findings)
        findings.sort(key=Finding.sort_key)
        return findings

    def _language(self) -> LanguageRules:
        """The phrase rules plus the organisation's files; a bad file is a configuration error."""
        key = "plugins.postmortem-kb.language_rules"
        files = [self.project.root / f for f in self.settings.language_rules]
        for f in files:
            if not inside(f, self.project.root):
                raise ConfigError(f"{key}: {f} is outside the repository ({self.project.root}); it is not read")
        try:
            rules = LanguageRules(files)
        except OSError as err:
            raise ConfigError(f"{key}: cannot read {err.filename}: {err.strerror}") from None
        except (yaml.YAMLError, re.error, KeyError, TypeError, AttributeError) as err:
            raise ConfigError(f"{key}: not a valid rule file ({type(err).__name__}: {err})") from None
        reg = registry()
        for rule in rules.rules:
            spec = reg.get(rule.name)
            if spec is None or spec.code != rule.code:
                raise ConfigError(
                    f"{key}: rule {rule.code} `{rule.name}` is not a known rule; an organisation's file can only add "
                    "patterns to an existing rule's code"
                )
        return rules

    def _add(self, out: list[Finding], path: str, pm: Postmortem | None, hit: Hit) -> None:
        spec: Rule = hit.rule
        if spec.name not in self.enabled:
            return
        if pm is not None and _status(pm) == "archived" and not spec.code.startswith(ARCHIVED_GATE):
            return
        if pm is not None and pm.suppressions is not None and pm.suppressions.silenced(hit.line, spec.code, spec.name):
            return
        out.append(
            Finding(
                path=printable(path),
                line=max(1, hit.line),
                column=max(1, hit.column),
                code=spec.code,
                rule=spec.name,
                # mkdocs.yml's setting, else the hit's own tier (a borderline phrase is a warning), else the rule's
                severity=self.severity.get(spec.name) or hit.severity or spec.severity,
                message=hit.message,
                hint=hit.hint or spec.fix,
            )
        )


def _status(pm: Postmortem) -> object:
    """The postmortem's status, also when its front matter failed the schema."""
    if pm.meta is not None:
        return pm.meta.status
    return pm.data.get("status") if isinstance(pm.data, dict) else None


MAX_FINDINGS_PER_FILE = 200
_MORE = "more findings in this file are not shown"
_ONE_MORE = "more finding in this file is not shown"


def cap_findings(findings: list[Finding], limit: int = MAX_FINDINGS_PER_FILE) -> list[Finding]:
    """At most `limit` findings per file, the first by position, then one `too-many-findings`
    saying how many more there are (counting those an earlier cap left out). It is an
    error when an error was left out, so the exit status stays what it would have been.
    It is not subject to --select, --ignore or suppression comments: it says what is hidden."""
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_path[f.path].append(f)
    if all(len(fs) <= limit and not any(f.rule == TOO_MANY_FINDINGS.name for f in fs) for fs in by_path.values()):
        return findings
    out: list[Finding] = []
    for path, fs in by_path.items():
        earlier = [f for f in fs if f.rule == TOO_MANY_FINDINGS.name]
        rest = sorted((f for f in fs if f.rule != TOO_MANY_FINDINGS.name), key=Finding.sort_key)
        hidden = rest[limit:]
        count = sum(int(f.message.split(" ", 1)[0]) for f in earlier) + len(hidden)
        out.extend(rest[:limit])
        if count:
            spec = TOO_MANY_FINDINGS
            at = min((f.line, f.column) for f in [*earlier, *hidden[:1]])
            error = any(f.severity == "error" for f in [*earlier, *hidden])
            message = f"{count} {_MORE if count > 1 else _ONE_MORE} (at most {limit} per file)"
            out.append(
                Finding(
                    path,
                    *at,
                    spec.code,
                    spec.name,
                    "error" if error else spec.severity,
                    message,
                    "fix the findings shown and run pmkb check again",
                )
            )
    return out


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


# ---- one engine: load and check files, in parallel where it pays ------------------------
#
# `pmkb check`, the check cache and `mkdocs serve` (incremental.py) all go through
# `parallel_map`, `context_fingerprint` and cache.unchanged.

_WORK: Callable[[str, str], Any] | None = None  # set before the pool forks


def _run_chunk(files: list[tuple[str, str]]) -> list[Any]:
    work = _WORK
    assert work is not None
    gc.disable()  # see load.corpus.load_many
    return [work(a, r) for a, r in files]


def parallel_map(work: Callable[[str, str], Any], files: list[tuple[str, str]], jobs: int | None = None) -> list[Any]:
    """`work(abs_path, rel)` for each file, in order: in forked worker processes when
    there are many (the work and what it reads are inherited, not pickled; only the
    results come back), else here. The cyclic GC is paused meanwhile."""
    global _WORK
    jobs = jobs or os.cpu_count() or 1
    was_enabled = gc.isenabled()
    _WORK = work
    try:
        if jobs > 1 and len(files) >= PARALLEL_FROM and "fork" in mp.get_all_start_methods():
            # Small chunks: the last one decides when every worker is done.
            size = max(1, -(-len(files) // (jobs * 16)))
            chunks = [files[i : i + size] for i in range(0, len(files), size)]
            with mp.get_context("fork").Pool(jobs) as pool:
                return [r for chunk in pool.imap(_run_chunk, chunks) for r in chunk]
        return _run_chunk(files)
    finally:
        _WORK = None
        if was_enabled:
            gc.enable()


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


PARALLEL_FROM = 200  # below this, starting workers costs more than it saves


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
