"""The rule registry: every rule defined in the modules of this package (see rule.py), by
name in code order, and their checks; looked up by code, name or code prefix.

The modules are found and imported here by name, not listed: a rule added to a new
module needs no edit elsewhere. They are imported when the registry is first read, not
when this module is: rule modules import what they check (public/, which reads the
registry), so an import at the top would be a cycle.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from pathlib import Path

from .rule import CHECKS, DEFINED, Check, Rule

HERE = Path(__file__).parent


def _import_rule_modules() -> None:
    for module in pkgutil.iter_modules([str(HERE)]):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__package__}.{module.name}")


@cache
def registry() -> dict[str, Rule]:
    """Rules by name, in code order."""
    _import_rule_modules()
    rules = sorted(DEFINED, key=lambda r: r.code)
    for seen, what in ((set(), "code"), (set(), "name")):
        for r in rules:
            key = getattr(r, what)
            if key in seen:
                raise RuntimeError(f"two rules share the {what} {key!r}: each rule needs its own")
            seen.add(key)
    return {r.name: r for r in rules}


@cache
def checks() -> tuple[Check, ...]:
    """Every check, in the code order of the first rule it emits."""
    registry()
    return tuple(sorted(CHECKS, key=lambda c: min(r.code for r in c.rules)))


def rule_named(name: str) -> Rule:
    """The rule the loader (or an organisation's phrase file) names; load/ reports rules
    by name because it must not import rules/ (rules/ imports load/)."""
    try:
        return registry()[name]
    except KeyError:
        raise KeyError(f"no rule is named {name!r}: define it with rules.rule.define or @rule") from None


def resolve(token: str) -> Rule | None:
    """A rule by code or name (case-insensitive), or None."""
    token = token.strip()
    reg = registry()
    if token in reg:
        return reg[token]
    upper = token.upper()
    for spec in reg.values():
        if spec.code == upper or spec.name == token.lower():
            return spec
    return None


def select(tokens: list[str]) -> tuple[set[str], list[str]]:
    """Rule names matched by codes, names or code prefixes (`PM3`), and the unknown tokens."""
    names: set[str] = set()
    unknown: list[str] = []
    for raw in tokens:
        for token in (t.strip() for t in raw.split(",")):
            if not token:
                continue
            spec = resolve(token)
            if spec:
                names.add(spec.name)
                continue
            prefixed = {s.name for s in registry().values() if s.code.startswith(token.upper())}
            if prefixed and token.upper().startswith("PM"):
                names |= prefixed
            else:
                unknown.append(token)
    return names, unknown
