"""The check stage: run every rule over the corpus and turn hits into findings."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import yaml

from .config import ConfigError, Project, Settings
from .model import Corpus, Finding, Postmortem
from .rules.checks import PER_POSTMORTEM, Context, Hit, language
from .rules.language import LanguageRules
from .rules.registry import RuleSpec, registry, select

SEVERITIES = ("error", "warning")


def people(corpus: Corpus) -> set[str]:
    """Names the language rules treat as people: authors and action owners."""
    names: set[str] = set()
    for pm in corpus.valid:
        names.update(pm.meta.authors)
        names.update(a.owner for a in pm.meta.actions if a.owner)
    return names


class Checker:
    def __init__(self, project: Project, today: date, select_rules: list[str] | None = None, ignore_rules: list[str] | None = None) -> None:
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
                raise ConfigError(f"plugins.postmortem-kb.rules.severity.{token}: {sev!r} is not one of {', '.join(SEVERITIES)}")
            for n in names:
                self.severity[n] = sev

    def run(self, corpus: Corpus, only: Iterable[str] | None = None) -> list[Finding]:
        """Findings for the whole corpus, or only for the files whose relative paths are in `only`."""
        wanted = set(only) if only is not None else None
        ctx = Context(
            settings=self.settings,
            today=self.today,
            taxonomy=corpus.taxonomy,
            templates=corpus.templates,
            ids={pm.id for pm in corpus.postmortems if pm.id},
            language=self._language(people(corpus)),
        )
        # The phrase rules are most of the work; skip them when none of them is wanted.
        phrase_rules = {r.name for r in ctx.language.rules}
        per_postmortem = [r for r in PER_POSTMORTEM if r is not language or phrase_rules & self.enabled]
        findings: list[Finding] = []
        for path, problem in corpus.problems:
            if wanted is None or path in wanted:
                self._add(findings, path, None, Hit(problem.rule, problem.line, problem.column, problem.message, problem.hint))
        first_by_id: dict[str, Postmortem] = {}
        for pm in corpus.postmortems:
            if pm.id and pm.id not in first_by_id:
                first_by_id[pm.id] = pm
        for pm in corpus.postmortems:
            if wanted is not None and pm.path not in wanted:
                continue
            for problem in pm.problems:
                self._add(findings, pm.path, pm, Hit(problem.rule, problem.line, problem.column, problem.message, problem.hint))
            pid = pm.id
            if pid and first_by_id[pid] is not pm and pm.line_of is not None:
                first = first_by_id[pid]
                self._add(findings, pm.path, pm, Hit("duplicate-id", *pm.line_of.line_of(("id",)), f"id `{pid}` is already used by {first.path}", "give this postmortem its own id"))
            if pm.meta is None:
                continue
            for rule in per_postmortem:
                for hit in rule(pm, ctx):
                    self._add(findings, pm.path, pm, hit)
        findings.sort(key=Finding.sort_key)
        return findings

    def _language(self, names: set[str]) -> LanguageRules:
        """The phrase rules plus the organisation's files; a bad file is a configuration error."""
        key = "plugins.postmortem-kb.language_rules"
        try:
            rules = LanguageRules([self.project.root / f for f in self.settings.language_rules], names)
        except OSError as err:
            raise ConfigError(f"{key}: cannot read {err.filename}: {err.strerror}") from None
        except (yaml.YAMLError, re.error, KeyError, TypeError, AttributeError) as err:
            raise ConfigError(f"{key}: not a valid rule file ({type(err).__name__}: {err})") from None
        reg = registry()
        for rule in rules.rules:
            spec = reg.get(rule.name)
            if spec is None or spec.code != rule.code:
                raise ConfigError(f"{key}: rule {rule.code} `{rule.name}` is not a known rule; an organisation's file can only add patterns to an existing rule's code")
        return rules

    def _add(self, out: list[Finding], path: str, pm: Postmortem | None, hit: Hit) -> None:
        spec: RuleSpec = registry()[hit.rule]
        if spec.name not in self.enabled:
            return
        if pm is not None and pm.suppressions is not None and pm.suppressions.silenced(hit.line, spec.code, spec.name):
            return
        out.append(
            Finding(
                path=path,
                line=max(1, hit.line),
                column=max(1, hit.column),
                code=spec.code,
                rule=spec.name,
                severity=self.severity.get(spec.name, spec.severity),
                message=hit.message,
                hint=hit.hint or spec.fix,
            )
        )


def group_by_path(findings: list[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        out[f.path].append(f)
    return out


def relative(project: Project, path: str | Path) -> str:
    p = Path(path).resolve()
    try:
        return p.relative_to(project.root).as_posix()
    except ValueError:
        return p.as_posix()
