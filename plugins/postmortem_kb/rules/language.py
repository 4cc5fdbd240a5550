"""The phrase-rule engine: applies language.yml (and the organisation's additions) to prose."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).parent


@dataclass(slots=True)
class PhraseRule:
    code: str
    name: str
    message: str
    hint: str
    scope: str  # "all" or "actions"
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None


@dataclass(slots=True)
class Hit:
    rule: PhraseRule
    start: int
    end: int
    text: str


def _read(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}


def _names_pattern(names: Iterable[str]) -> str:
    tokens: set[str] = set()
    for name in names:
        name = name.strip()
        if not name or len(name) > 80:
            continue
        tokens.add(name)
        first = name.split()[0]
        if len(first) >= 3 and first[0].isupper():
            tokens.add(first)
    if not tokens:
        return r"(?!x)x"
    alternatives = "|".join(re.escape(t) for t in sorted(tokens, key=lambda t: (-len(t), t)))
    return rf"\b(?:{alternatives})\b"


class LanguageRules:
    def __init__(self, files: list[Path], people: Iterable[str]) -> None:
        base = _read(HERE / "language.yml")
        vocab = dict(base.get("vocabulary") or {})
        raw_rules: dict[str, dict] = {}
        order: list[str] = []
        for data in [base, *(_read(f) for f in files)]:
            vocab.update(data.get("vocabulary") or {})
            for item in data.get("rules") or []:
                code = str(item["code"])
                if code in raw_rules:
                    raw_rules[code]["patterns"] = [*raw_rules[code].get("patterns", []), *item.get("patterns", [])]
                    raw_rules[code]["unless"] = [*raw_rules[code].get("unless", []), *item.get("unless", [])]
                else:
                    raw_rules[code] = dict(item)
                    order.append(code)
        names = _names_pattern(people)
        expanded = {k: str(v).replace("{names}", names) for k, v in vocab.items()}

        def fill(p: str) -> str:
            for key, value in expanded.items():
                p = p.replace("{" + key + "}", value)
            return p

        self.rules: list[PhraseRule] = []
        for code in order:
            item = raw_rules[code]
            pattern = re.compile("|".join(f"(?:{fill(p)})" for p in item["patterns"]), re.IGNORECASE)
            unless_list = item.get("unless") or []
            unless = re.compile("|".join(f"(?:{fill(p)})" for p in unless_list), re.IGNORECASE) if unless_list else None
            self.rules.append(
                PhraseRule(
                    code=code,
                    name=str(item["name"]),
                    message=str(item.get("message") or "“{match}”"),
                    hint=str(item.get("hint") or ""),
                    scope=str(item.get("scope") or "all"),
                    pattern=pattern,
                    unless=unless,
                )
            )

    def scan(self, text: str, actions: bool = False) -> Iterator[Hit]:
        """Matches in `text`; `actions` includes the rules scoped to action items."""
        for rule in self.rules:
            if rule.scope == "actions" and not actions:
                continue
            for m in rule.pattern.finditer(text):
                if rule.unless is not None and _vetoed(rule.unless, text, m.start(), m.end()):
                    continue
                yield Hit(rule, m.start(), m.end(), m.group(0))


def _vetoed(unless: re.Pattern[str], text: str, start: int, end: int) -> bool:
    lo = max(0, start - 60)
    for v in unless.finditer(text, lo, min(len(text), end + 60)):
        if v.start() < end and v.end() > start:
            return True
    return False
