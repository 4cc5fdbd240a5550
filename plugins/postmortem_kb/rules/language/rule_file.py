"""Reading rule files: language.yml and an organisation's additions, parsed as safely as
front matter, and each pattern's options checked as it is read (a bad file fails when the
rules load, not mid-check)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ...load.frontmatter import load_yaml
from .phrase_rule import KINDS, Grammar

# language.yml stays in rules/, one folder up: the package data glob `rules/*.yml`
# in pyproject.toml ships it, and the site's rule pages read it from there.
RULES_DIR = Path(__file__).parent.parent
TIERS = frozenset({"error", "warning", "skip"})


def read_rule_file(path: Path) -> dict:
    """A rule file, parsed as safely as front matter (no alias bombs, no deep nesting)."""
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        return {}
    parsed, problems = load_yaml(text, 0, "rule file", max_chars=4 * 1024 * 1024, max_nodes=1_000_000)
    if parsed is None:
        p = problems[0]
        raise yaml.YAMLError(f"{path}, line {p.line}, column {p.column}: {p.message}")
    return parsed.data or {}


def merge_rule_files(files: list[Path]) -> tuple[dict, dict[str, list], dict[str, dict]]:
    """language.yml and then each of `files`, merged: the vocabulary (a later file's word
    replaces), the grammar's word lists (extended) and the rules by code, in the order
    first seen (a known code's patterns, unless and keywords are extended)."""
    base = read_rule_file(RULES_DIR / "language.yml")
    vocab = dict(base.get("vocabulary") or {})
    merged: dict[str, dict] = {}
    grammar: dict[str, list] = {}
    for data in [base, *(read_rule_file(f) for f in files)]:
        vocab.update(data.get("vocabulary") or {})
        for key, words in (data.get("grammar") or {}).items():
            grammar[str(key)] = [*grammar.get(str(key), []), *as_list(words)]
        for item in data.get("rules") or []:
            code = str(item["code"])
            if code in merged:
                for key in ("patterns", "unless", "keywords"):
                    merged[code][key] = [*as_list(merged[code].get(key)), *as_list(item.get(key))]
            else:
                merged[code] = dict(item)
    return vocab, grammar, merged


def as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def keywords_in(pattern: str, keywords: list) -> frozenset[str]:
    """Keywords a pattern spells out (as a word or a stem of one); a pattern that spells
    none is tried whenever its rule is."""
    source = re.sub(r"\\[a-zA-Z]", " ", pattern.lower())
    tokens = {t for t in re.findall(r"[a-z']+", source) if len(t) >= 4}
    out = set()
    for k in (str(k).lower() for k in keywords):
        if k in tokens or any(len(t) >= 4 and (k.startswith(t) or t.startswith(k)) for t in tokens):
            out.add(k)
    return frozenset(out)


# ---- pattern options --------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class Entry:
    pattern: str
    grammar: Grammar
    scope: str | None  # None: the rule's
    keywords: tuple[str, ...] | None  # None: the rule's keywords the pattern spells
    # Keywords written with capitals ("Had"): the lower-case word counts only where the
    # text spells it so (a sentence-initial "Had we…" in texts full of "had").
    cased: tuple[str, ...] = ()


def parse_pattern(raw: object, why: str) -> Entry:
    """A pattern as written in a rule file: a string, or a mapping with options."""
    if not isinstance(raw, dict):
        return Entry(str(raw), Grammar(why=why), None, None)
    unknown = set(raw) - {
        "pattern",
        "severity",
        "why",
        "subject",
        "agent",
        "condition",
        "initial",
        "reported",
        "scoped",
        "scope",
        "keywords",
        "span",
        "names",
    }
    if unknown or "pattern" not in raw:
        raise TypeError(
            f"pattern options: unknown {sorted(unknown)}" if unknown else "a pattern mapping needs `pattern`"
        )
    severity = str(raw.get("severity") or "error")
    names = str(raw.get("names") or "")
    if severity not in TIERS - {"skip"} or names not in ("", "error", "warning"):
        raise TypeError(f"pattern severity and names must be error or warning, not {severity!r}, {names!r}")
    grammar = Grammar(
        severity=severity,
        why=str(raw.get("why") or why),
        subject=_table(raw.get("subject")),
        agent=_table(raw.get("agent")),
        condition=bool(raw.get("condition")),
        initial=bool(raw.get("initial")),
        reported=bool(raw.get("reported")),
        scoped=bool(raw.get("scoped", True)),
        span_subject=raw.get("span") == "subject",
        names=names,
    )
    keywords = raw.get("keywords")
    scope = raw.get("scope")
    if scope not in (None, "all", "actions"):
        raise TypeError(f"pattern scope must be all or actions, not {scope!r}")
    listed = [str(k) for k in as_list(keywords)]
    return Entry(
        str(raw["pattern"]),
        grammar,
        str(scope) if scope else None,
        None if keywords is None else tuple(k.lower() for k in listed),
        tuple(k for k in listed if k != k.lower()),
    )


def _table(raw: object) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise TypeError(
            "`subject` and `agent` map a kind (person, name, unsure, action, thing, none) to error, warning or skip"
        )
    out = tuple((str(k), str(v)) for k, v in raw.items())
    bad = [v for _, v in out if v not in TIERS] + [k for k, _ in out if k not in KINDS]
    if bad:
        raise TypeError(f"`subject`/`agent`: unknown {bad}")
    return out
