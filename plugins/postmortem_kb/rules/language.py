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

Grammar: a pattern may be a mapping with options that the engine checks on each match,
in the sentence around it (a bounded look, so a long text costs linear time): who the
clause's subject is (a person or team, a system or thing, an action such as "rolling
back earlier", nothing), who does a passive verb ("by the sync job", "automatically"),
whether the sentence's condition is about a system ("had the alert been routed…"), and
whether the match is quoted, negated or talked about ("we avoid calling this…"), or part
of a technical term ("careless-mode"); the word lists are language.yml's `grammar`.
Each option decides the finding's tier: `error` for a clear case, `warning` for a borderline one, or none.
"""

from __future__ import annotations

import bisect
import re
import string
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
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
_FOLD = str.maketrans(
    string.ascii_uppercase + _PUNCT + _SEPARATORS + "’“”",
    string.ascii_lowercase + " " * (len(_PUNCT) + len(_SEPARATORS)) + "'  ",
)
# The ASCII part of the fold as a byte table: bytes.translate over UTF-8 (where no byte
# of a multi-byte character is ASCII) is some thirty times faster than str.translate.
_FOLD_ASCII = bytes.maketrans(
    (string.ascii_uppercase + _PUNCT + _SEPARATORS).encode(),
    (string.ascii_lowercase + " " * (len(_PUNCT) + len(_SEPARATORS))).encode(),
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
    grammar: list[Grammar] = field(default_factory=list)  # per part
    verdicts: dict[tuple[str, str], Verdict] = field(default_factory=dict)  # (severity, why) -> what a finding says

    def verdict(self, severity: str, why: str) -> Verdict:
        found = self.verdicts.get((severity, why))
        if found is None:
            message = (
                self.message.replace("{why}", why) if why else self.message.replace(" ({why})", "").replace("{why}", "")
            )
            found = self.verdicts[(severity, why)] = Verdict(self.code, self.name, message, self.hint, severity)
        return found


@dataclass(slots=True, frozen=True)
class Grammar:
    """A pattern's options (see language.yml): what the engine checks around each match."""

    severity: str = "error"  # the tier when no option below says otherwise
    why: str = ""  # why this wording matters, for the message
    subject: tuple[tuple[str, str], ...] = ()  # (kind of the clause's subject, tier or "skip")
    agent: tuple[tuple[str, str], ...] = ()  # (kind of a passive's "by …" agent, tier or "skip")
    condition: bool = False  # skip when the sentence's condition is about a thing
    initial: bool = False  # only at the start of a sentence, list item or table cell
    reported: bool = False  # skip a third party's claim ("the vendor's report names …")
    scoped: bool = True  # quotation, negation, meta-talk and technical terms veto it
    span_subject: bool = False  # the finding starts at the subject ("Tomás failed to")
    # The tier of a capitalised subject no postmortem names ("Marco's fault"), unless it
    # looks like a system; "" holds the finding until the knowledge base knows the name.
    names: str = ""

    def tier(self, table: tuple[tuple[str, str], ...], kind: str) -> str:
        return next((t for k, t in table if k == kind), self.severity)


@dataclass(slots=True, frozen=True)
class Verdict:
    """What one finding says; checks.py reads `name`, `message` (with `{match}`) and `hint`."""

    code: str
    name: str
    message: str
    hint: str
    severity: str


# Candidates judged per rule and text: 480 KB of "human error" gave 90,000, judged at a
# fifth of a millisecond each (6 s). Past this a file has long run past the 200 findings
# it shows, and the count of the rest is a lower bound.
MAX_JUDGED = 10_000


@dataclass(slots=True)
class PhraseMatch:
    rule: Verdict
    start: int
    end: int
    text: str
    # A capitalised subject not known to be a person here: the hit stands only if the
    # knowledge base knows the name (decided once every file is read).
    subject: str | None = None

    @property
    def severity(self) -> str:
        return self.rule.severity


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
GROUP_WORDS = frozenset(
    {
        "team",
        "squad",
        "group",
        "guild",
        "platform",
        "on-call",
        "oncall",
        "rotation",
        "sre",
        "ops",
        "tribe",
        "chapter",
        "org",
    }
)


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
        grammar: dict[str, list] = {}
        for data in [base, *(_read(f) for f in files or [])]:
            vocab.update(data.get("vocabulary") or {})
            for key, words in (data.get("grammar") or {}).items():
                grammar[str(key)] = [*grammar.get(str(key), []), *_as_list(words)]
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
                p = p.replace(
                    "{person}",
                    rf"(?P<person_{next(counter)}>\b(?:{subject})|\b{_CAPITALISED}(?:\s+{_CAPITALISED})?)",
                    1,
                )
            p = p.replace("{anyone}", rf"(?:\b(?:{subject})|\b{_CAPITALISED})")
            for key, value in replacements.items():
                p = p.replace("{" + key + "}", value)
            return p

        self.rules: list[PhraseRule] = []
        # Per kind of scan: the rules it runs, as of `rules` (PhraseRules are not changed in place).
        self._plans: dict[
            tuple[bool, bool], tuple[tuple[PhraseRule, ...], list, frozenset[str], frozenset[bytes], bool]
        ] = {}
        self.words = Words.of(grammar)
        cased: dict[str, str] = {}
        plain: set[str] = set()
        for code in order:
            item = merged[code]
            entries = [_entry(p, str(item.get("why") or "")) for p in _as_list(item.get("patterns"))]
            for e in entries:
                cased.update((k.lower(), k) for k in e.cased)
                plain.update(k for k in e.keywords or () if k not in {c.lower() for c in e.cased})
            keywords = [str(k).lower() for k in _as_list(item.get("keywords"))]
            plain.update(keywords)
            unless = [fill(str(u)) for u in _as_list(item.get("unless"))]
            scope = str(item.get("scope") or "all")
            # A rule with patterns for both scopes becomes two, the one for all prose first
            # (`scan` then reports a phrase both match once).
            by_scope: dict[str, list[_Entry]] = {"all": [], "actions": [], scope: []}
            for e in entries:
                by_scope[e.scope or scope].append(e)
            for part_scope, group in by_scope.items():
                if not group and (part_scope != scope or any(by_scope.values())):
                    continue
                vetoes = unless
                parts = [
                    (
                        frozenset(e.keywords) if e.keywords is not None else _keywords_in(e.pattern, keywords),
                        fill(e.pattern),
                    )
                    for e in group
                ]
                self.rules.append(
                    PhraseRule(
                        code=code,
                        name=str(item["name"]),
                        message=str(item.get("message") or "“{match}”"),
                        hint=str(item.get("hint") or ""),
                        scope=part_scope,
                        keywords=frozenset(keywords).union(*(e.keywords or () for e in group)),
                        parts=parts,
                        unless=re.compile("|".join(f"(?:{u})" for u in vetoes), re.IGNORECASE) if vetoes else None,
                        raw_patterns=[e.pattern for e in group],
                        needs=[_needs(filled) for _, filled in parts],
                        grammar=[e.grammar for e in group],
                    )
                )
                # Each part compiled now, alone: a bad pattern fails here, not mid-check,
                # and the windows where one part can match use these.
                for i in range(len(parts)):
                    _combined(self.rules[-1], (i,))
        self.cased = {k: v for k, v in cased.items() if k not in plain}

    def know_systems(self, names: Iterable[str]) -> None:
        """Add names of systems (the service catalog's ids and names) to `systems`: "It
        was Checkout's fault" is about a service."""
        extra = {w.lower() for n in names for w in re.split(r"[\s_-]+", str(n)) if w}
        if extra - self.words.systems:
            self.words = replace(self.words, systems=self.words.systems | extra)

    def _plan(
        self, actions: bool, only_actions: bool
    ) -> tuple[list[tuple[PhraseRule, tuple[int, ...], list | None, bool]], frozenset[str], frozenset[bytes], bool]:
        """The rules one kind of scan runs (each with its unkeyed parts and its parts'
        needs), all their keywords (as text and as UTF-8) and whether any part is
        unkeyed: worked out once, not once per text."""
        key = (actions or only_actions, only_actions)
        snapshot = tuple(self.rules)
        plan = self._plans.get(key)
        if plan is None or plan[0] != snapshot:
            rules = [
                r
                for r in self.rules
                if not (
                    (r.scope == "actions" and not (actions or only_actions)) or (only_actions and r.scope != "actions")
                )
            ]
            # A scan of action items alone still runs the other scope's patterns of the same
            # rules, silently: the phrases they take are not reported twice (the whole
            # text's scan reports them).
            codes = {r.code for r in rules if r.scope == "actions"} if only_actions else set()
            ran = [(r, r not in rules) for r in self.rules if r in rules or r.code in codes]
            steps = [
                (
                    r,
                    tuple(i for i, (kws, _) in enumerate(r.parts) if not kws),
                    r.needs if len(r.needs) == len(r.parts) else None,
                    silent,
                )
                for r, silent in ran
            ]
            keywords = frozenset().union(*(r.keywords for r, _ in ran))
            plan = (
                snapshot,
                steps,
                keywords,
                frozenset(k.encode("utf-8", "surrogatepass") for k in keywords),
                any(u for _, u, _, _ in steps),
            )
            self._plans[key] = plan
        return plan[1], plan[2], plan[3], plan[4]

    def scan(
        self, text: str, actions: bool = False, people: frozenset[str] = frozenset(), only_actions: bool = False
    ) -> Iterator[PhraseMatch]:
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
            words = set(keywords.intersection(folded.split()))
            if not words and not unkeyed_any:
                return
        for low, exact in self.cased.items():
            if low in words and exact not in text:
                words.discard(low)
        # Case-insensitive matching of ASCII text is matching its lower(): what a part
        # needs is looked up there. (Other text is lowered window by window, if ASCII.)
        lowered = text.lower() if text.isascii() else None
        known: frozenset[str] | None = None
        determined: frozenset[str] | None = None  # capitalised words written after "the", "a"…: things
        # One finding per phrase, however many patterns (and scopes) of a rule match it.
        # The phrases taken are disjoint and kept sorted, so a new match is checked
        # against its two neighbours only (a text with thousands of hits stays linear).
        taken: dict[str, tuple[list[int], list[int]]] = {}
        for rule, unkeyed, needs, silent in steps:
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
            starts, ends = taken.setdefault(rule.code, ([], []))
            new: list[tuple[int, int, str | None, Verdict]] = []
            budget = MAX_JUDGED
            for chosen, lo, hi in spans:
                if budget <= 0:
                    break
                if needs is not None:
                    # A window where no part can match is skipped; one where a single part
                    # can is searched with that part alone. Otherwise all the parts are
                    # tried, in order: each distinct alternation is a regex to compile
                    # (milliseconds each, with the people and participles spelled out), and
                    # the subsets of parts that windows allow are many.
                    # (The first window may start at -1, which finditer reads as 0.)
                    first = max(lo, 0)
                    possible = chosen
                    if lowered is not None:
                        possible = _possible(chosen, needs, lowered, first, hi)
                    else:
                        window = text[first:hi]
                        if window.isascii():
                            possible = _possible(chosen, needs, window.lower(), 0, len(window))
                    if not possible:
                        continue
                    if len(possible) == 1:
                        chosen = possible
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
                    budget -= 1
                    if budget < 0:
                        break  # a hostile text of one phrase repeated: enough is found
                    part = _part_of(m, chosen)
                    judged = judge(self.words, rule.grammar[part], text, a, b, known)
                    if judged is None:
                        # Dropped by the grammar: a later part may still match here (an
                        # alternation stops at its first matching part).
                        found = self._later_part(rule, chosen, part, text, a, hi, known)
                        if found is None:
                            continue
                        m, part, judged = found
                        b = m.end()
                    grammar = rule.grammar[part]
                    tier, name, a = judged
                    subject = self._unknown_subject(m, known) or name
                    if subject is not None and grammar.names and determined is None:
                        determined = frozenset(_AFTER_DETERMINER.findall(text))
                    if (
                        subject is not None
                        and grammar.names
                        and not looks_like_a_system(
                            self.words, subject, text, a, b, grammar.names == "warning", determined or frozenset()
                        )
                    ):
                        tier, subject = ("warning" if "warning" in (tier, grammar.names) else "error"), None
                    k = bisect.bisect_right(starts, a)
                    if (k and ends[k - 1] > a) or (k < len(starts) and starts[k] < b):
                        continue
                    starts.insert(k, a)
                    ends.insert(k, b)
                    new.append((a, b, subject, rule.verdict(tier, grammar.why)))
            if not silent:
                for a, b, subject, verdict in sorted(new, key=lambda h: h[0]):
                    yield PhraseMatch(verdict, a, b, text[a:b], subject)

    def _later_part(
        self, rule: PhraseRule, chosen: tuple[int, ...], after: int, text: str, a: int, hi: int, known: frozenset[str]
    ) -> tuple[re.Match[str], int, tuple[str, str | None, int]] | None:
        """The first part after `after` that matches at `a` and that the grammar keeps."""
        for part in chosen[chosen.index(after) + 1 :]:
            m = _combined(rule, (part,)).match(text, a, hi)
            if m is None or m.end() == a or (rule.unless is not None and _vetoed(rule.unless, text, a, m.end())):
                continue
            judged = judge(self.words, rule.grammar[part], text, a, m.end(), known)
            if judged is not None:
                return m, part, judged
        return None

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
        # Each part in a group of its own name, so that a match tells which part it is.
        found = _COMBINED[key] = (
            rule,
            re.compile("|".join(f"(?P<pmkb_part{i}>{rule.parts[i][1]})" for i in chosen), re.IGNORECASE),
        )
    return found[1]


def _part_of(m: re.Match[str], chosen: tuple[int, ...]) -> int:
    """Which of the `chosen` parts `m` matched."""
    if len(chosen) == 1:
        return chosen[0]
    return next(i for i in chosen if m.start(f"pmkb_part{i}") >= 0)


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
_REPEATS = tuple(
    op for op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)) if op is not None
)
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
    useful = sorted(
        (g for g in set(found) if min(map(len, g)) >= 2 and len(g) <= _MAX_GROUP), key=_selectivity, reverse=True
    )[:3]
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


def _possible(
    chosen: tuple[int, ...], needs: list[tuple[tuple[str, ...], ...] | None], lowered: str, lo: int, hi: int
) -> tuple[int, ...]:
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


# ---- pattern options --------------------------------------------------------------------

_TIERS = frozenset({"error", "warning", "skip"})


@dataclass(slots=True, frozen=True)
class _Entry:
    pattern: str
    grammar: Grammar
    scope: str | None  # None: the rule's
    keywords: tuple[str, ...] | None  # None: the rule's keywords the pattern spells
    # Keywords written with capitals ("Had"): the lower-case word counts only where the
    # text spells it so (a sentence-initial "Had we…" in texts full of "had").
    cased: tuple[str, ...] = ()


def _entry(raw: object, why: str) -> _Entry:
    """A pattern as written in a rule file: a string, or a mapping with options."""
    if not isinstance(raw, dict):
        return _Entry(str(raw), Grammar(why=why), None, None)
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
    if severity not in _TIERS - {"skip"} or names not in ("", "error", "warning"):
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
    listed = [str(k) for k in _as_list(keywords)]
    return _Entry(
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
    bad = [v for _, v in out if v not in _TIERS] + [k for k, _ in out if k not in KINDS]
    if bad:
        raise TypeError(f"`subject`/`agent`: unknown {bad}")
    return out


# ---- grammar: sentences, subjects, scope ------------------------------------------------
#
# Every look is bounded (a sentence is at most _REACH characters either side of a match),
# so a text with many matches costs linear time.

KINDS = frozenset({"person", "name", "unsure", "action", "thing", "none", "passive"})
_REACH = 300
_SENTENCE_BREAK = re.compile(r"[.!?](?=[\s\"'”’)]|$)|[;|\x00]|\n[ \t]*(?:\n|[-*+][ \t]|\d+[.)][ \t])")
_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|[,:;()\[\]—–\"“”]")
_MARKER = re.compile(r"[\s\-*+>#\"“'‘(\[\]]*(?:\d+[.)]\s*)?(?:\[[ xX]\]\s*)?[\s\"“'‘(]*")


@dataclass(slots=True, frozen=True)
class Words:
    """The grammar's word lists (language.yml `grammar`), lower-case."""

    people: frozenset[str]  # pronouns that make a subject a person
    unsure: frozenset[str]  # pronouns that may be people or things ("they")
    roles: frozenset[str]  # nouns for people and teams
    action_nouns: frozenset[str]
    judgement_nouns: frozenset[str]
    not_gerunds: frozenset[str]
    gerund_followers: frozenset[str]  # what may follow a gerund that is an act ("rolling back")
    determiners: frozenset[str]
    prepositions: frozenset[str]
    adverbs: frozenset[str]
    clause_words: frozenset[str]  # words that start a new clause (its subject follows)
    scope_words: frozenset[str]  # words that end a negation's reach
    negation: frozenset[str]
    meta: re.Pattern[str] | None  # phrases that make a sentence talk about wording
    requests: frozenset[str]  # "asking (people to be careful)"
    request_leads: frozenset[str]
    request_verbs: frozenset[str]  # "(actions that) ask (people to try harder)"
    relatives: frozenset[str]
    reporting: frozenset[str]  # verbs that report someone else's claim
    first_person: frozenset[str]
    objects_negated: frozenset[str]  # "forgot nothing"
    automatic: frozenset[str]  # words that make a passive's agent a system
    human_verbs: frozenset[str]  # participles whose implied agent is a person ("rushed")
    systems: frozenset[str]  # capitalised names of systems and products, not people ("Kafka")

    @classmethod
    def of(cls, data: dict[str, list]) -> Words:
        def get(key: str) -> frozenset[str]:
            return frozenset(str(w).lower() for w in data.get(key, []))

        return cls(
            people=get("people"),
            unsure=get("unsure"),
            roles=get("roles"),
            action_nouns=get("action_nouns"),
            judgement_nouns=get("judgement_nouns"),
            not_gerunds=get("not_gerunds"),
            gerund_followers=get("gerund_followers"),
            determiners=get("determiners"),
            prepositions=get("prepositions"),
            adverbs=get("adverbs"),
            clause_words=get("clause_words"),
            scope_words=get("scope_words"),
            negation=get("negation"),
            meta=re.compile(r"\b(?:" + "|".join(re.escape(m) for m in sorted(get("meta"))) + r")\b")
            if get("meta")
            else None,
            requests=get("requests"),
            request_leads=get("request_leads"),
            request_verbs=get("request_verbs"),
            relatives=get("relatives"),
            reporting=get("reporting"),
            first_person=get("first_person"),
            objects_negated=get("objects_negated"),
            automatic=get("automatic"),
            human_verbs=get("human_verbs"),
            systems=get("systems"),
        )


def judge(
    words: Words, g: Grammar, text: str, a: int, b: int, known: frozenset[str]
) -> tuple[str, str | None, int] | None:
    """The tier of the match text[a:b], a capitalised subject the knowledge base must
    know for it to stand, and where the finding starts (at the subject, for `span:
    subject`); None when the grammar around it says it is not a finding."""
    lo, hi = _sentence(text, a, b)
    before = text[lo:a]
    if g.scoped and _out_of_scope(words, text, before, a, b, hi, _paragraph(text, a)):
        return None
    if g.initial and _MARKER.fullmatch(before) is None:
        return None
    if g.reported and _reported(words, before):
        return None
    if g.condition and _condition(words, text[lo:hi], known) == "thing":
        return None
    tier, name, start = g.severity, None, a
    if g.subject:
        kind, name, at = subject_of(words, before, known)
        if g.span_subject and kind not in ("none", "thing"):
            start = lo + at
        if kind == "thing" and g.agent and _passive(text[a:b]):
            kind = "passive"
        tier = g.tier(g.subject, kind)
    if g.agent and tier != "skip" and _passive(text[a:b]):
        agent = _agent(words, text[b:hi], known)
        if agent is not None:
            tier = g.tier(g.agent, agent[0])
            name = agent[1]
        elif kind_is_passive_thing(g, words, text[a:b], tier):
            tier = "error"
    if tier == "skip":
        return None
    return tier, name, start


# Endings of a sentence-initial capitalised word that is more likely a common noun
# ("Retries", "Deploys", "Monitoring") than a name ("Marcus", "Luis" keep theirs).
_COMMON_NOUN = re.compile(r"(?:[^aiosu\W]s|ing|ion|ment|ness|ity)$")


def looks_like_a_system(
    words: Words, name: str, text: str, a: int, b: int, headline: bool = False, determined: frozenset[str] = frozenset()
) -> bool:
    """Whether a capitalised subject no postmortem names is a system rather than a person:
    a listed system, not shaped like a name ("AWS", "GitHub", "S3"), written in the text
    after a determiner ("the Envoy sidecar": `determined`), or a sentence-initial common noun. With
    `headline`, also any word opening a table cell or list item: such text drops its
    articles ("| Alert should have fired |" is "the alert")."""
    if name.lower() in words.systems or not (name.isalpha() and name[0].isupper() and name[1:].islower()):
        return True
    if name in determined:
        return True
    common = _COMMON_NOUN.search(name.lower()) is not None
    if not (common or headline):
        return False  # the rest looks only for a common noun opening its sentence
    at = text.rfind(name, max(0, a - _REACH), b)
    lo = _sentence(text, at, at)[0] if at >= 0 else a
    if at < 0 or _MARKER.fullmatch(text[lo:at]) is None:
        return False
    return common or (headline and _HEADLINE.search(text[max(0, lo - 4) : at]) is not None)


_AFTER_DETERMINER = re.compile(r"\b(?i:the|a|an|our|their|its|this|each|every)\s+([A-Z][a-z]+)\b")
_HEADLINE = re.compile(r"(?:[|\x00]|(?:^|\n)[ \t]*(?:[-*+]|\d+[.)]))[^\n|\x00]*$")


def kind_is_passive_thing(g: Grammar, words: Words, match: str, tier: str) -> bool:
    """A passive with no agent whose verb only people do ("shouldn't have been rushed")
    is as clear as one with a person as its subject."""
    last = match.split()[-1].lower() if match.split() else ""
    return tier == "warning" and last in words.human_verbs


def _sentence(text: str, a: int, b: int) -> tuple[int, int]:
    """The bounds of the sentence (or clause ended by ';', table cell, list item) around text[a:b]."""
    lo = max(0, a - _REACH)
    for m in _SENTENCE_BREAK.finditer(text, lo, a):
        lo = m.end()
    end = min(len(text), b + _REACH)
    m = _SENTENCE_BREAK.search(text, b, end)
    return lo, (m.start() if m else end)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _paragraph(text: str, a: int) -> str:
    """The text before `a` in its paragraph or table cell (at most _REACH characters):
    a quotation may run over a sentence's end ("went up; try harder")."""
    lo = max(0, a - _REACH)
    cut = max(text.rfind("\n\n", lo, a), text.rfind("|", lo, a), text.rfind("\x00", lo, a))
    return text[(cut + 1 if cut >= 0 else lo) : a]


def _out_of_scope(words: Words, text: str, before: str, a: int, b: int, hi: int, paragraph: str) -> bool:
    """Quoted, negated, talked about, or part of a technical term."""
    if _technical(text, a, b) or _quoted(paragraph, text[b:hi]) or _quoted(before, text[b:hi]):
        return True
    if words.meta is not None and words.meta.search(before.lower()):
        return True
    if _request_named(words, _tokens(before[-120:])[-8:] + _tokens(text[a:b])[:1]):
        return True
    # Negation reaches back over a few words of the same clause: "nobody was careless",
    # "there is no single root cause", "we avoid the label human error".
    for tok in reversed(_tokens(before[-120:])[-8:]):
        t = tok.lower()
        if t in words.scope_words or not t[0].isalnum():
            break
        if t in words.negation or t.endswith(("n't", "n’t")):
            return True
    after = _tokens(text[b:hi][:40])
    return bool(after) and after[0].lower() in words.objects_negated  # "forgot nothing"


def _request_named(words: Words, toks: list[str]) -> bool:
    """ "Asking people to be careful has not worked", "… over reminding engineers to …":
    a request named as a topic, not made."""
    for i in range(len(toks) - 1, -1, -1):
        t = toks[i].lower()
        if t in words.requests or t in words.request_verbs:
            prev = next((p.lower() for p in reversed(toks[:i]) if p[0].isalnum()), None)
            if t in words.request_verbs:
                return prev in words.relatives
            return prev is None or prev in words.request_leads or not toks[i - 1][0].isalnum()
    return False


def _technical(text: str, a: int, b: int) -> bool:
    """A word glued to a flag or identifier: `careless-mode`, `careless_writes`, `--lazy`."""
    after = text[b : b + 2]
    if len(after) == 2 and after[0] in "-_=" and after[1].isalnum():
        return True
    before = text[max(0, a - 2) : a]
    return len(before) == 2 and before[1] in "-_" and (before[0].isalnum() or before[0] in "-_")


def _quoted(before: str, after: str) -> bool:
    """Whether the match sits between quotation marks of its sentence."""
    if before.count('"') % 2 == 1 and '"' in after:
        return True
    if before.rfind("“") > before.rfind("”") and "”" in after:
        return True
    # A single quote opens after a non-word character; an apostrophe ("Sam's") does not.
    if "'" not in before and "‘" not in before:
        return False
    opening = [m.end() for m in _OPEN_SINGLE.finditer(before)]
    if not opening or _CLOSE_SINGLE.search(before, opening[-1]):
        return False
    return _CLOSE_SINGLE.search(after) is not None


_OPEN_SINGLE = re.compile(r"(?<!\w)['‘](?=\w)")
_CLOSE_SINGLE = re.compile(r"(?<=[\w.,!?])['’](?!\w)")


def _clause_subject(words: Words, before: str) -> tuple[list[str], int]:
    """The words of the clause's subject, usually those between the last clause boundary
    and the match, and where they start in `before` (its length when there are none)."""
    base = max(0, len(before) - 240)
    out: list[re.Match[str]] = []
    for m in reversed(list(_TOKEN.finditer(before, base))[-12:]):
        t = m.group().lower()
        if not t[0].isalnum() or t in words.clause_words:
            break
        out.append(m)
    out.reverse()
    while out and (out[-1].group().lower() in words.adverbs or out[-1].group().lower().endswith("ly")):
        out.pop()
    if out and out[-1].group().lower() in words.people | words.unsure:
        out = out[-1:]  # a pronoun is a whole subject: "later we failed to…"
    elif len(out) > 1 and out[0].group().lower() in words.prepositions:
        # A fronted phrase without a comma: "before the cut-over we failed to…"
        np: list[re.Match[str]] = []
        for m in reversed(out):
            t = m.group().lower()
            if t in words.prepositions:
                break
            np.append(m)
            if t in words.determiners or t in words.people or t in words.unsure:
                break
        out = np[::-1]
    return [m.group() for m in out], (out[0].start() if out else len(before))


def subject_of(words: Words, before: str, known: frozenset[str]) -> tuple[str, str | None, int]:
    """The kind of the clause's subject (see KINDS), for an unknown capitalised name the
    name, and where the subject starts in `before`."""
    toks, start = _clause_subject(words, before)
    kind, name = classify(words, toks, known)
    return kind, name, start


def classify(words: Words, toks: list[str], known: frozenset[str]) -> tuple[str, str | None]:
    if not toks:
        return "none", None
    low = [t.lower().removesuffix("'s").removesuffix("’s") for t in toks]
    if "of" in low[1:] and low[low.index("of", 1) + 1 : low.index("of", 1) + 2] in (["us"], ["you"]):
        return "person", None  # "none of us", "any of us"
    first = low[0]
    if first in words.people:
        return "person", None
    if first in words.unsure:
        return "unsure", None
    if (
        len(low) >= 2
        and first.endswith("ing")
        and len(first) > 4
        and first not in words.not_gerunds
        and low[1] in words.gerund_followers
    ):
        return "action", None  # "rolling back earlier", "paging the vendor sooner"
    head_part = low
    for i, t in enumerate(low[1:], start=1):
        if t in words.prepositions:
            head_part = low[:i]
            break
    head = head_part[-1]
    if head in words.roles or head in words.people:
        return "person", None
    if head in words.judgement_nouns:
        return "person", None  # "the mistake should never have…" is about whoever made it
    if head in words.action_nouns:
        return "action", None
    named = toks[: len(head_part)]
    if len(named) <= 3 and all(t[:1].isupper() for t in named) and first not in words.determiners:
        name = " ".join(t.removesuffix("'s").removesuffix("’s") for t in named)
        if name in known or named[0] in known:
            return "person", None
        return "name", named[0]
    return "thing", None


def _passive(match: str) -> bool:
    low = match.lower().split()[:-1]
    return any(w in ("been", "was", "were", "is", "are", "be") for w in low)


def _agent(words: Words, after: str, known: frozenset[str]) -> tuple[str, str | None] | None:
    """Who does a passive verb: "by the sync job" (a thing), "automatically" (a thing),
    "by on-call" (a person); None when the sentence does not say."""
    toks = _tokens(after)[:12]
    low = [t.lower() for t in toks]
    if any(t in words.automatic for t in low):
        return "thing", None
    if "by" in low:
        rest = toks[low.index("by") + 1 :]
        np: list[str] = []
        for tok in rest:
            if not tok[0].isalnum() or tok.lower() in words.prepositions or tok.lower() in words.clause_words:
                break
            np.append(tok)
        if np:
            if np[0].lower() in words.determiners:
                np = np[1:] or np
            kind, name = classify(words, np, known)
            return ("thing", None) if kind == "none" else (kind, name)
    return None


_CONDITION = re.compile(r"\b(?:had|if)\s+((?:[\w'’-]+\s+){0,4}?)(?:had\b|been\b|not\b|[\w'’-]{3,}ed\b)", re.IGNORECASE)


def _condition(words: Words, sentence: str, known: frozenset[str]) -> str | None:
    """The kind of the subject of the sentence's condition ("had the alert been routed…",
    "if it had used…"), or None when it has none."""
    m = _CONDITION.search(sentence)
    if m is None:
        return None
    toks = [t for t in _tokens(m.group(1)) if t[0].isalnum()]
    if toks and toks[0].lower() in words.people | words.unsure:
        return "person"
    if toks and toks[0].lower() == "it":
        return "thing"
    return classify(words, toks, known)[0] if toks else None


def _reported(words: Words, before: str) -> bool:
    """Someone else's claim, reported: "the vendor's report names a root cause"."""
    toks = _tokens(before)
    for i in range(len(toks) - 1, -1, -1):
        t = toks[i].lower()
        if t in words.reporting:
            subject = [x.lower().removesuffix("'s") for x in toks[:i] if x[0].isalnum()][-6:]
            return not any(x in words.first_person for x in subject)
    return False
