"""The phrase-rule engine: applies language.yml (and the organisation's additions) to prose.

Speed: each rule names `keywords`, words without which none of its patterns can match.
The engine folds the text to lower-case words once (C-speed `translate` and `split`),
skips every rule none of whose keywords occur, and runs the patterns only in a window
around each keyword, so a 5 KB postmortem costs a set lookup per rule, not a regex
scan per pattern. Within a window, a pattern is left out of the regex when a literal
that every match of it contains ("human", "'s", "have") is not in the window: most
windows are around everyday words ("error", "could", "only") and need no regex at all.

People: `{person}` matches pronouns, roles, or a capitalised word that is one of the
postmortem's own people (authors, action owners, configured names); `{anyone}` accepts
any capitalised word as well, for verbs only people do ("forgot").
"""

from __future__ import annotations

import bisect
import re
import string
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..load.frontmatter import load_yaml

try:  # the regex parser, to read which literals a pattern's matches must contain
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # Python 3.10
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

HERE = Path(__file__).parent
_WINDOW = 80  # characters around a keyword that a pattern may reach (subject, adverbs, object)
_CAPITALISED = r"(?-i:[A-Z][\w'’-]{1,40})"
# Length-preserving fold: ASCII upper → lower, punctuation (but apostrophes) → space.
_PUNCT = "".join(c for c in string.punctuation if c != "'")
# The ASCII separators str.split() splits at and bytes.split() does not (\x1c-\x1f) are
# folded to spaces, so that the words of a folded text are the same either way.
_SEPARATORS = "\x1c\x1d\x1e\x1f"
_FOLD = str.maketrans(string.ascii_uppercase + _PUNCT + _SEPARATORS + "’“”", string.ascii_lowercase + " " * (len(_PUNCT) + len(_SEPARATORS)) + "'  ")
# The ASCII part of the fold as a byte table: bytes.translate over UTF-8 (where no byte
# of a multi-byte character is ASCII) is some thirty times faster than str.translate.
_FOLD_ASCII = bytes.maketrans(
    (string.ascii_uppercase + _PUNCT + _SEPARATORS).encode(), (string.ascii_lowercase + " " * (len(_PUNCT) + len(_SEPARATORS))).encode()
)


def _fold(text: str) -> str:
    """`text.translate(_FOLD)`, faster."""
    if text.isascii():
        return text.encode("ascii").translate(_FOLD_ASCII).decode("ascii")
    folded = text.encode("utf-8", "surrogatepass").translate(_FOLD_ASCII).decode("utf-8", "surrogatepass")
    if len(folded) != len(text):  # not expected; the fold must keep every offset
        return text.translate(_FOLD)
    return folded.replace("’", "'").replace("“", " ").replace("”", " ")


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
    # Per part, what every match needs in an ASCII window (see `_needs`): None if no
    # match fits in ASCII text at all, else groups of lower-case literals of which each
    # group must have one in the window.
    needs: list[tuple[tuple[str, ...], ...] | None] = field(default_factory=list)


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


_NAME_TOKENS: dict[str, tuple[str, ...]] = {}  # a knowledge base has few distinct names, each on many files


def _tokens_of(name: str) -> tuple[str, ...]:
    found = _NAME_TOKENS.get(name)
    if found is None:
        norm = " ".join(name.split())
        if not norm or len(norm) > 80 or not looks_like_a_person(norm):
            found = ()
        else:
            found = (norm, *(w for w in norm.split() if len(w) >= 2 and w[0].isupper()))
        if len(_NAME_TOKENS) >= 100_000:
            _NAME_TOKENS.clear()
        _NAME_TOKENS[name] = found
    return found


def name_tokens(names: Iterable[str]) -> frozenset[str]:
    """Full names and their single words, as they may appear as a sentence's subject."""
    out: set[str] = set()
    for name in names:
        out.update(_tokens_of(str(name)))
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
        # Per kind of scan: the rules it runs, as of `rules` (PhraseRules are not changed in place).
        self._plans: dict[tuple[bool, bool], tuple[tuple[PhraseRule, ...], list, frozenset[str], frozenset[bytes], bool]] = {}
        for code in order:
            for p in _as_list(merged[code].get("patterns")):
                re.compile(fill(str(p)), re.IGNORECASE)  # a bad pattern fails here, not mid-check
            item = merged[code]
            patterns = [str(p) for p in _as_list(item.get("patterns"))]
            keywords = _as_list(item.get("keywords"))
            unless = _as_list(item.get("unless"))
            parts = [(_keywords_in(p, keywords), fill(p)) for p in patterns]
            self.rules.append(
                PhraseRule(
                    code=code,
                    name=str(item["name"]),
                    message=str(item.get("message") or "“{match}”"),
                    hint=str(item.get("hint") or ""),
                    scope=str(item.get("scope") or "all"),
                    keywords=frozenset(str(k).lower() for k in keywords),
                    parts=parts,
                    unless=re.compile("|".join(f"(?:{fill(u)})" for u in unless), re.IGNORECASE) if unless else None,
                    raw_patterns=patterns,
                    needs=[_needs(filled) for _, filled in parts],
                )
            )

    def _plan(self, actions: bool, only_actions: bool) -> tuple[list[tuple[PhraseRule, tuple[int, ...], list | None]], frozenset[str], frozenset[bytes], bool]:
        """The rules one kind of scan runs (each with its unkeyed parts and its parts'
        needs), all their keywords (as text and as UTF-8) and whether any part is
        unkeyed: worked out once, not once per text."""
        key = (actions or only_actions, only_actions)
        snapshot = tuple(self.rules)
        plan = self._plans.get(key)
        if plan is None or plan[0] != snapshot:
            rules = [r for r in self.rules if not ((r.scope == "actions" and not (actions or only_actions)) or (only_actions and r.scope != "actions"))]
            steps = [(r, tuple(i for i, (kws, _) in enumerate(r.parts) if not kws), r.needs if len(r.needs) == len(r.parts) else None) for r in rules]
            keywords = frozenset().union(*(r.keywords for r in rules))
            plan = (snapshot, steps, keywords, frozenset(k.encode("utf-8", "surrogatepass") for k in keywords), any(u for _, u, _ in steps))
            self._plans[key] = plan
        return plan[1], plan[2], plan[3], plan[4]

    def scan(self, text: str, actions: bool = False, people: frozenset[str] = frozenset(), only_actions: bool = False) -> Iterator[Hit]:
        """Matches in `text`; `actions` adds the rules scoped to action items, `only_actions`
        runs nothing else."""
        steps, keywords, keywords_b, unkeyed_any = self._plan(actions, only_actions)
        if not steps:
            return
        # Keywords that are words of the text: one pass over the words for every rule.
        # ASCII text is split as bytes, a tenth cheaper, and decoded only if it has one.
        if text.isascii():
            folded_b = text.encode("ascii").translate(_FOLD_ASCII)
            found = keywords_b.intersection(folded_b.split())
            if not found and not unkeyed_any:
                return  # most texts (titles, summaries, most sections) hold no keyword at all
            folded = folded_b.decode("ascii")
            words = {w.decode("ascii") for w in found}
        else:
            folded = _fold(text)
            words = keywords.intersection(folded.split())
            if not words and not unkeyed_any:
                return
        # Case-insensitive matching of ASCII text is matching its lower(): what a part
        # needs is looked up there. (Other text is lowered window by window, if ASCII.)
        lowered = text.lower() if text.isascii() else None
        known: frozenset[str] | None = None
        for rule, unkeyed, needs in steps:
            present = rule.keywords & words
            # Patterns that spell a keyword are tried only near one that occurs here;
            # a pattern that spells none (an organisation's "dropped the ball") is
            # tried on the whole text.
            keyed = _keyed(rule, present) if present else ()
            if not keyed and not unkeyed:
                continue
            spans: list[tuple[tuple[int, ...], int, int]] = []
            if keyed:
                spans += [(keyed, lo, hi) for lo, hi in _windows(present, folded)]
            if unkeyed:
                spans.append((unkeyed, 0, len(text)))
            # One finding per phrase, however many patterns match it. The phrases taken
            # are disjoint and kept sorted, so a new match is checked against its two
            # neighbours only (a text with thousands of hits stays linear).
            starts: list[int] = []
            ends: list[int] = []
            subjects: list[str | None] = []
            for chosen, lo, hi in spans:
                if needs is not None:
                    # A part that cannot match in the window is left out of the alternation;
                    # the others match exactly as before (same order, same window).
                    # (The first window may start at -1, which finditer reads as 0.)
                    first = max(lo, 0)
                    if lowered is not None:
                        chosen = _possible(chosen, needs, lowered, first, hi)
                    else:
                        window = text[first:hi]
                        if window.isascii():
                            chosen = _possible(chosen, needs, window.lower(), 0, len(window))
                    if not chosen:
                        continue
                for m in _combined(rule, chosen).finditer(text, lo, hi):
                    a, b = m.span()
                    if a == b:
                        continue  # an empty match names no phrase
                    k = bisect.bisect_right(starts, a)
                    if (k and ends[k - 1] > a) or (k < len(starts) and starts[k] < b):
                        continue
                    if rule.unless is not None and _vetoed(rule.unless, text, a, b):
                        continue
                    if known is None:
                        known = self.people | people
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


# Both caches are keyed by the rule's id and hold the rule itself, so that an id is not
# reused (by a rule of a later LanguageRules) while its entries live.
_COMBINED: dict[tuple[int, tuple[int, ...]], tuple[PhraseRule, re.Pattern[str]]] = {}
_KEYED: dict[tuple[int, frozenset[str]], tuple[PhraseRule, tuple[int, ...]]] = {}


def _keyed(rule: PhraseRule, present: frozenset[str]) -> tuple[int, ...]:
    """The parts of `rule` that spell one of the `present` keywords: a text's few
    keywords come in few combinations, so each is worked out once."""
    key = (id(rule), present)
    found = _KEYED.get(key)
    if found is None:
        if len(_KEYED) >= 10_000:
            _KEYED.clear()
        found = _KEYED[key] = (rule, tuple(i for i, (kws, _) in enumerate(rule.parts) if kws & present))
    return found[1]


def _combined(rule: PhraseRule, chosen: tuple[int, ...]) -> re.Pattern[str]:
    key = (id(rule), chosen)
    found = _COMBINED.get(key)
    if found is None:
        if len(_COMBINED) >= 10_000:
            _COMBINED.clear()
        found = _COMBINED[key] = (rule, re.compile("|".join(f"(?:{rule.parts[i][1]})" for i in chosen), re.IGNORECASE))
    return found[1]


def _windows(words: Iterable[str], text: str) -> Iterator[tuple[int, int]]:
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


# ---- what a pattern's matches must contain ----------------------------------------------

_ASCII = "".join(map(chr, range(128)))
_REPEATS = tuple(op for op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)) if op is not None)
_ATOMIC = getattr(_sre, "ATOMIC_GROUP", None)
_Need = frozenset[str]
_MAX_GROUP = 8


def _matches_ascii(ch: str) -> bool:
    """Whether a non-ASCII pattern character can match an ASCII one ("K", the Kelvin sign, matches "k")."""
    return re.compile(re.escape(ch), re.IGNORECASE).search(_ASCII) is not None


def _needs(pattern: str) -> tuple[tuple[str, ...], ...] | None:
    """What every match of `pattern` (case-insensitive) contains, in ASCII text: None
    if no match can be ASCII, else groups of lower-case literals, each group one of which
    a match spans. Only a necessary condition: a window without it holds no match, and
    a pattern too clever to read needs nothing."""
    try:
        found = _seq_needs(_sre_parse.parse(pattern, re.IGNORECASE))
    except Exception:  # a pattern we cannot read is simply always tried
        return ()
    if found is None:
        return None
    # A short literal is in every window and a long list costs a find per literal: keep
    # the few groups that can rule a window out cheaply, the smallest first.
    useful = sorted((g for g in set(found) if min(map(len, g)) >= 2 and len(g) <= _MAX_GROUP), key=_selectivity, reverse=True)[:3]
    return tuple(tuple(sorted(g)) for g in sorted(useful, key=lambda g: (len(g), sorted(g))))


def _selectivity(group: _Need) -> tuple[int, int]:
    return min(map(len, group)), -len(group)


def _seq_needs(items: Sequence[tuple[object, object]]) -> list[_Need] | None:
    """Needs of a parsed sequence: each run of literals, and what its groups, repeats
    (at least once) and alternations (one need per branch, united) need."""
    needs: list[_Need] = []
    run: list[str] = []
    for op, av in items:
        if op is _sre.LITERAL:
            ch = chr(av)  # type: ignore[arg-type]
            if ch.isascii():
                run.append(ch.lower())
                continue
            if not _matches_ascii(ch):
                return None  # no ASCII text holds this character
        if run:
            needs.append(frozenset({"".join(run)}))
            run = []
        sub: list[_Need] | None
        if op is _sre.SUBPATTERN:
            sub = _seq_needs(av[3])  # type: ignore[index]
        elif op is _ATOMIC:
            sub = _seq_needs(av)  # type: ignore[arg-type]
        elif op in _REPEATS:
            if av[0] < 1:  # type: ignore[index]
                continue
            sub = _seq_needs(av[2])  # type: ignore[index]
        elif op is _sre.BRANCH:
            sub = _branch_needs(av[1])  # type: ignore[index]
        else:
            continue  # assertions, classes, categories, back-references: no literal
        if sub is None:
            return None
        needs += sub
    if run:
        needs.append(frozenset({"".join(run)}))
    return needs


def _branch_needs(alternatives: Sequence[Sequence[tuple[object, object]]]) -> list[_Need] | None:
    best: list[_Need] = []
    for alt in alternatives:
        sub = _seq_needs(alt)
        if sub is None:
            continue  # this branch never matches ASCII text
        usable = [g for g in sub if min(map(len, g)) >= 1]
        if not usable:
            return []  # this branch needs nothing, so neither does the alternation
        best.append(max(usable, key=_selectivity))
    if not best:
        return None
    return [frozenset().union(*best)]


def _possible(chosen: tuple[int, ...], needs: list[tuple[tuple[str, ...], ...] | None], lowered: str, lo: int, hi: int) -> tuple[int, ...]:
    """The parts of `chosen` whose needs are all in lowered[lo:hi]."""
    out: list[int] = []
    for i in chosen:
        need = needs[i]
        if need is None:
            continue
        for group in need:
            for literal in group:
                if lowered.find(literal, lo, hi) >= 0:
                    break
            else:
                break  # none of this group's literals: no match here
        else:
            out.append(i)
    return tuple(out)
