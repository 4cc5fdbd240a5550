"""The phrase-rule engine: applies language.yml (and the organisation's additions) to prose.

Speed: each rule names `keywords`, words without which none of its patterns can match.
The engine folds the text to lower-case words once (C-speed `translate` and `split`),
skips every rule none of whose keywords occur, and runs the patterns only in a window
around each keyword, so a 5 KB postmortem costs a set lookup per rule, not a regex
scan per pattern.

People: `{person}` matches pronouns, roles, or a capitalised word that is one of the
postmortem's own people (authors, action owners, configured names); `{anyone}` accepts
any capitalised word as well, for verbs only people do ("forgot").
"""

from __future__ import annotations

import bisect
import re
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..load.frontmatter import load_yaml

HERE = Path(__file__).parent
_WINDOW = 80  # characters around a keyword that a pattern may reach (subject, adverbs, object)
_CAPITALISED = r"(?-i:[A-Z][\w'’-]{1,40})"
# Length-preserving fold: ASCII upper → lower, punctuation (but apostrophes) → space.
_PUNCT = "".join(c for c in string.punctuation if c != "'")
_FOLD = str.maketrans(string.ascii_uppercase + _PUNCT + "’“”", string.ascii_lowercase + " " * len(_PUNCT) + "'  ")


@dataclass(slots=True)
class PhraseRule:
    code: str
    name: str
    message: str
    hint: str
    scope: str  # "all" or "actions"
    keywords: frozenset[str]  # lower-case words; empty: always try the patterns
    parts: list[tuple[frozenset[str], str]]  # each pattern (filled in) with the keywords it contains
    unless: re.Pattern[str] | None
    raw_patterns: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Hit:
    rule: PhraseRule
    start: int
    end: int
    text: str
    # A capitalised subject not known to be a person here: the hit stands only if the
    # knowledge base knows the name (decided once every file is read).
    subject: str | None = None


def _read(path: Path) -> dict:
    """A rule file, parsed as safely as front matter (no alias bombs, no deep nesting)."""
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        return {}
    parsed, problems = load_yaml(text, 0, "rule file", max_chars=4 * 1024 * 1024, max_nodes=1_000_000)
    if parsed is None:
        p = problems[0]
        raise yaml.YAMLError(f"{path}, line {p.line}, column {p.column}: {p.message}")
    return parsed.data or {}


# Owners such as "Payments team" name a group, not a person: "Payments failed to settle"
# is about a system.
GROUP_WORDS = frozenset({"team", "squad", "group", "guild", "platform", "on-call", "oncall", "rotation", "sre", "ops", "tribe", "chapter", "org"})


def looks_like_a_person(name: str) -> bool:
    words = name.split()
    return bool(words) and all(w[:1].isupper() for w in words) and not {w.lower() for w in words} & GROUP_WORDS


def name_tokens(names: Iterable[str]) -> frozenset[str]:
    """Full names and their single words, as they may appear as a sentence's subject."""
    out: set[str] = set()
    for name in names:
        name = " ".join(str(name).split())
        if not name or len(name) > 80 or not looks_like_a_person(name):
            continue
        out.add(name)
        out.update(w for w in name.split() if len(w) >= 2 and w[0].isupper())
    return frozenset(out)


class LanguageRules:
    def __init__(self, files: list[Path] | None = None, people: Iterable[str] = ()) -> None:
        base = _read(HERE / "language.yml")
        vocab = dict(base.get("vocabulary") or {})
        merged: dict[str, dict] = {}
        order: list[str] = []
        for data in [base, *(_read(f) for f in files or [])]:
            vocab.update(data.get("vocabulary") or {})
            for item in data.get("rules") or []:
                code = str(item["code"])
                if code in merged:
                    for key in ("patterns", "unless", "keywords"):
                        merged[code][key] = [*_as_list(merged[code].get(key)), *_as_list(item.get(key))]
                else:
                    merged[code] = dict(item)
                    order.append(code)
        subject = vocab.get("subject", r"(?:we|i|he|she|you)")
        self.subject_re = re.compile(rf"(?:{subject})", re.IGNORECASE)
        self.people = name_tokens(people)
        replacements = {k: str(v) for k, v in vocab.items() if k != "subject"}
        counter = iter(range(1_000_000))

        def fill(p: str) -> str:
            # Each {person} gets its own group name, so that patterns can share one regex.
            while "{person}" in p:
                p = p.replace("{person}", rf"(?P<person_{next(counter)}>\b(?:{subject})|\b{_CAPITALISED}(?:\s+{_CAPITALISED})?)", 1)
            p = p.replace("{anyone}", rf"(?:\b(?:{subject})|\b{_CAPITALISED})")
            for key, value in replacements.items():
                p = p.replace("{" + key + "}", value)
            return p

        self.rules: list[PhraseRule] = []
        for code in order:
            for p in _as_list(merged[code].get("patterns")):
                re.compile(fill(str(p)), re.IGNORECASE)  # a bad pattern fails here, not mid-check
            item = merged[code]
            patterns = [str(p) for p in _as_list(item.get("patterns"))]
            keywords = _as_list(item.get("keywords"))
            unless = _as_list(item.get("unless"))
            self.rules.append(
                PhraseRule(
                    code=code,
                    name=str(item["name"]),
                    message=str(item.get("message") or "“{match}”"),
                    hint=str(item.get("hint") or ""),
                    scope=str(item.get("scope") or "all"),
                    keywords=frozenset(str(k).lower() for k in keywords),
                    parts=[(_keywords_in(p, keywords), fill(p)) for p in patterns],
                    unless=re.compile("|".join(f"(?:{fill(u)})" for u in unless), re.IGNORECASE) if unless else None,
                    raw_patterns=patterns,
                )
            )

    def scan(self, text: str, actions: bool = False, people: frozenset[str] = frozenset(), only_actions: bool = False) -> Iterator[Hit]:
        """Matches in `text`; `actions` adds the rules scoped to action items, `only_actions`
        runs nothing else."""
        known = self.people | people
        folded = text.translate(_FOLD)
        words = set(folded.split())
        for rule in self.rules:
            if (rule.scope == "actions" and not (actions or only_actions)) or (only_actions and rule.scope != "actions"):
                continue
            present = rule.keywords & words
            # Patterns that spell a keyword are tried only near one that occurs here;
            # a pattern that spells none (an organisation's "dropped the ball") is
            # tried on the whole text.
            keyed = tuple(i for i, (kws, _) in enumerate(rule.parts) if kws & present)
            unkeyed = tuple(i for i, (kws, _) in enumerate(rule.parts) if not kws)
            spans: list[tuple[tuple[int, ...], int, int]] = []
            if keyed:
                spans += [(keyed, lo, hi) for lo, hi in _windows(frozenset(present), folded)]
            if unkeyed:
                spans.append((unkeyed, 0, len(text)))
            # One finding per phrase, however many patterns match it. The phrases taken
            # are disjoint and kept sorted, so a new match is checked against its two
            # neighbours only (a text with thousands of hits stays linear).
            starts: list[int] = []
            ends: list[int] = []
            subjects: list[str | None] = []
            for chosen, lo, hi in spans:
                for m in _combined(rule, chosen).finditer(text, lo, hi):
                    a, b = m.span()
                    if a == b:
                        continue  # an empty match names no phrase
                    k = bisect.bisect_right(starts, a)
                    if (k and ends[k - 1] > a) or (k < len(starts) and starts[k] < b):
                        continue
                    if rule.unless is not None and _vetoed(rule.unless, text, a, b):
                        continue
                    starts.insert(k, a)
                    ends.insert(k, b)
                    subjects.insert(k, self._unknown_subject(m, known))
            for a, b, subject in zip(starts, ends, subjects, strict=True):
                yield Hit(rule, a, b, text[a:b], subject)

    def _unknown_subject(self, m: re.Match[str], known: frozenset[str]) -> str | None:
        """The first word of a `{person}` subject that is not a pronoun, role or known name."""
        subject = next((v for k, v in m.groupdict().items() if v is not None and k.startswith("person_")), None)
        if subject is None or self.subject_re.fullmatch(subject):
            return None
        first = subject.split()[0]
        return None if subject in known or first in known else first


def _as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _keywords_in(pattern: str, keywords: list) -> frozenset[str]:
    """Keywords a pattern spells out (as a word or a stem of one); a pattern that spells
    none is tried whenever its rule is."""
    source = re.sub(r"\\[a-zA-Z]", " ", pattern.lower())
    tokens = {t for t in re.findall(r"[a-z']+", source) if len(t) >= 4}
    out = set()
    for k in (str(k).lower() for k in keywords):
        if k in tokens or any(len(t) >= 4 and (k.startswith(t) or t.startswith(k)) for t in tokens):
            out.add(k)
    return frozenset(out)


_COMBINED: dict[tuple[int, tuple[int, ...]], re.Pattern[str]] = {}


def _combined(rule: PhraseRule, chosen: tuple[int, ...]) -> re.Pattern[str]:
    key = (id(rule), chosen)
    pattern = _COMBINED.get(key)
    if pattern is None:
        pattern = re.compile("|".join(f"(?:{rule.parts[i][1]})" for i in chosen), re.IGNORECASE)
        _COMBINED[key] = pattern
    return pattern


def _windows(words: frozenset[str], text: str) -> Iterator[tuple[int, int]]:
    """Merged [lo, hi) spans around whole-word occurrences of `words` in folded text.

    `str.find` per word beats one regex alternation over the text several times over."""
    size = len(text)
    starts: list[tuple[int, int]] = []
    for w in words:
        n = len(w)
        i = text.find(w)
        while i >= 0:
            before = text[i - 1] if i else " "
            after = text[i + n] if i + n < size else " "
            if not (before.isalnum() or before in "'_") and not (after.isalnum() or after in "'_"):
                starts.append((i, i + n))
            i = text.find(w, i + n)
    starts.sort()
    lo = hi = -1
    for a, b in starts:
        if a - _WINDOW <= hi:
            hi = min(size, b + _WINDOW)
            continue
        if hi >= 0:
            yield lo, hi
        lo, hi = max(0, a - _WINDOW), min(size, b + _WINDOW)
    if hi >= 0:
        yield lo, hi


def _vetoed(unless: re.Pattern[str], text: str, start: int, end: int) -> bool:
    lo = max(0, start - 60)
    return any(v.start() < end and v.end() > start for v in unless.finditer(text, lo, min(len(text), end + 60)))
