"""What a rule is: one definition (code, name, severity, docs) and its check, registered
where its logic lives.

    @rule("PM402", "action-missing-owner", summary=..., why=..., fix=...)
    def action_missing_owner(pm, ctx):
        ...
        yield Hit(action_missing_owner, line, column, message, hint)

The decorated name is the `Rule` (what `Hit` takes: a mistyped one is a NameError that
ruff reports, not a string that fails when the rule first fires); calling it runs its
check. A rule whose findings are made elsewhere (the loader, the corpus-wide pass in
checker.py, a check that emits several rules in one pass) is a `define(...)`, and such a
check is registered with `@check(rule, ...)`. The rule's examples are its fixture folder,
fixtures/<CODE>/ (see fixture.py). registry.py collects every definition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .fixture import Fixture, fixture_of

CheckFn = Callable[[Any, Any], Iterator[Any]]  # (Postmortem, Context) -> Hits

# What a check runs on (see checker.Checker.check_file):
MODEL = "model"  # front matter that validated, or its best-effort model when it failed the
# schema (best_effort.py: a hit is dropped once the check has read a stood-in field)
DATA = "data"  # also front matter that failed the schema with no model: the check reads
# `pm.data` unless `validated(pm)` (best_effort.py)
FILE = "file"  # every file the loader read, whatever its front matter
SCOPES = (MODEL, DATA, FILE)


@dataclass(frozen=True, eq=False, slots=True)
class Rule:
    """A rule: its stable code and name, default severity and the docs its site page,
    SARIF help and CLI show (Markdown)."""

    code: str
    name: str
    summary: str
    why: str
    fix: str
    severity: str = "error"
    # False for a rule whose findings are about a file that is not read as a postmortem
    # (unreadable, not Markdown, in the wrong place) or about what is not shown: a
    # `pmkb:` comment in it cannot silence them (its page says so; the fixture test holds it).
    silenced_by_comment: bool = True
    run: CheckFn | None = field(default=None, repr=False)  # its own check, if it has one

    def __call__(self, pm: Any, ctx: Any) -> Iterator[Any]:
        """Run the rule's own check."""
        if self.run is None:
            raise TypeError(f"{self.code} {self.name} has no check of its own")
        return self.run(pm, ctx)

    @property
    def fixture(self) -> Fixture | None:
        """The rule's fixture folder, read once per process; None when it has none."""
        return fixture_of(self.code)


@dataclass(frozen=True, slots=True)
class Check:
    """A function of a postmortem and the check context that yields the Hits of `rules`."""

    run: CheckFn
    rules: tuple[Rule, ...]
    scope: str = MODEL

    def __call__(self, pm: Any, ctx: Any) -> Iterator[Any]:
        return self.run(pm, ctx)


DEFINED: list[Rule] = []  # every rule, in the order its module defined it
CHECKS: list[Check] = []


def define(
    code: str,
    name: str,
    *,
    summary: str,
    why: str,
    fix: str,
    severity: str = "error",
    silenced_by_comment: bool = True,
) -> Rule:
    """Register a rule whose findings are made elsewhere (say where, beside it)."""
    defined = Rule(code, name, summary, why, fix, severity, silenced_by_comment)
    DEFINED.append(defined)
    return defined


def rule(
    code: str,
    name: str,
    *,
    summary: str,
    why: str,
    fix: str,
    severity: str = "error",
    silenced_by_comment: bool = True,
    scope: str = MODEL,
) -> Callable[[CheckFn], Rule]:
    """Register a rule and the function below it as its check; the name is the Rule."""
    if scope not in SCOPES:
        raise ValueError(f"{code}: scope {scope!r} is not one of {', '.join(SCOPES)}")

    def register(fn: CheckFn) -> Rule:
        defined = Rule(code, name, summary, why, fix, severity, silenced_by_comment, fn)
        DEFINED.append(defined)
        CHECKS.append(Check(fn, (defined,), scope))
        return defined

    return register


def check(*rules: Rule, scope: str = MODEL) -> Callable[[CheckFn], CheckFn]:
    """Register the function below as a check that emits several `rules` (defined with
    `define`) in one pass, or adds findings to a rule defined elsewhere."""
    if not rules or scope not in SCOPES:
        raise ValueError("a check names the rules it emits and a scope of " + ", ".join(SCOPES))

    def register(fn: CheckFn) -> CheckFn:
        CHECKS.append(Check(fn, rules, scope))
        return fn

    return register
