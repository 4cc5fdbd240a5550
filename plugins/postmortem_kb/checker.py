"""The checker: run every rule over one file, then add the corpus-wide rules (duplicate
ids, unknown related ids) and turn hits into findings."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from datetime import date

import yaml

from .cache import FileResult
from .cap import cap_findings
from .config import ConfigError, Project, Settings
from .load.files import inside
from .model import Corpus, Finding, Postmortem
from .paths import printable
from .rules.best_effort import Watched, best_effort, kept, kept_value
from .rules.hit import Context, Hit
from .rules.language import LanguageRules, name_tokens
from .rules.references import DUPLICATE_ID, unknown_related
from .rules.registry import checks, registry, rule_named, select
from .rules.rule import DATA, FILE, Rule
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
