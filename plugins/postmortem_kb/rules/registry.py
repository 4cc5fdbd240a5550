"""The rule registry, read from rules.yml: code, name, default severity and documentation."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from ..load.frontmatter import SAFE_LOADER

HERE = Path(__file__).parent


@dataclass(frozen=True, slots=True)
class RuleSpec:
    code: str
    name: str
    severity: str
    summary: str
    why: str
    fix: str


@cache
def registry() -> dict[str, RuleSpec]:
    """Rules by name, in code order."""
    data = yaml.load((HERE / "rules.yml").read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    specs = [RuleSpec(**{k: str(v) for k, v in item.items()}) for item in data]
    return {s.name: s for s in sorted(specs, key=lambda s: s.code)}


def resolve(token: str) -> RuleSpec | None:
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
