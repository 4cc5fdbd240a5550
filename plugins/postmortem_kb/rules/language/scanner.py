"""The phrase-rule engine: `LanguageRules` loads language.yml (and the organisation's
additions) and `scan` finds the rules' phrases in a text, judged by their grammar."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from .build import build_rules, placeholder_filler
from .compiled import combined, keyed_parts, part_of, vetoed
from .grammar import judge
from .keywords import FOLD_ASCII, fold, keyword_windows
from .needs import possible_parts
from .people import name_tokens
from .phrase_rule import PhraseMatch, PhraseRule, Verdict
from .rule_file import merge_rule_files
from .subject import AFTER_DETERMINER, looks_like_a_system
from .words import Words

# Candidates judged per rule and text: 480 KB of "human error" gave 90,000, judged at a
# fifth of a millisecond each (6 s). Past this a file has long run past the 200 findings
# it shows, and the count of the rest is a lower bound.
MAX_JUDGED = 10_000


@dataclass(slots=True)
class _Seen:
    """What one scan works out at most once, for whichever of its rules needs it first."""

    people: frozenset[str]  # the caller's: the postmortem's own people
    known: frozenset[str] | None = None  # those and the configured names
    determined: frozenset[str] | None = None  # capitalised words written after "the", "a"…: things


class LanguageRules:
    def __init__(self, files: list[Path] | None = None, people: Iterable[str] = ()) -> None:
        vocab, grammar, merged = merge_rule_files(files or [])
        subject, fill = placeholder_filler(vocab)
        self.subject_re = re.compile(rf"(?:{subject})", re.IGNORECASE)
        self.people = name_tokens(people)
        # Per kind of scan: the rules it runs, as of `rules` (PhraseRules are not changed in place).
        self._plans: dict[
            tuple[bool, bool], tuple[tuple[PhraseRule, ...], list, frozenset[str], frozenset[bytes], bool]
        ] = {}
        self.words = Words.of(grammar)
        self.rules: list[PhraseRule]
        self.rules, self.cased = build_rules(merged, fill)

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
            folded_b = text.encode("ascii").translate(FOLD_ASCII)
            found = keywords_b.intersection(folded_b.split())
            if not found and not unkeyed_any:
                return  # most texts (titles, summaries, most sections) hold no keyword at all
            folded = folded_b.decode("ascii")
            words = {w.decode("ascii") for w in found}
        else:
            folded = fold(text)
            words = set(keywords.intersection(folded.split()))
            if not words and not unkeyed_any:
                return
        for low, exact in self.cased.items():
            if low in words and exact not in text:
                words.discard(low)
        # Case-insensitive matching of ASCII text is matching its lower(): what a part
        # needs is looked up there. (Other text is lowered window by window, if ASCII.)
        lowered = text.lower() if text.isascii() else None
        seen = _Seen(people)
        # One finding per phrase, however many patterns (and scopes) of a rule match it.
        # The phrases taken are disjoint and kept sorted, so a new match is checked
        # against its two neighbours only (a text with thousands of hits stays linear).
        taken: dict[str, tuple[list[int], list[int]]] = {}
        for rule, unkeyed, needs, silent in steps:
            present = rule.keywords & words
            # Patterns that spell a keyword are tried only near one that occurs here;
            # a pattern that spells none (an organisation's "dropped the ball") is
            # tried on the whole text.
            keyed = keyed_parts(rule, present) if present else ()
            if not keyed and not unkeyed:
                continue
            spans: list[tuple[tuple[int, ...], int, int]] = []
            if keyed:
                spans += [(keyed, lo, hi) for lo, hi in keyword_windows(present, folded)]
            if unkeyed:
                spans.append((unkeyed, 0, len(text)))
            new = self._rule_hits(rule, spans, needs, text, lowered, seen, taken.setdefault(rule.code, ([], [])))
            if not silent:
                for a, b, subject, verdict in sorted(new, key=lambda h: h[0]):
                    yield PhraseMatch(verdict, a, b, text[a:b], subject)

    def _rule_hits(
        self,
        rule: PhraseRule,
        spans: list[tuple[tuple[int, ...], int, int]],
        needs: list | None,
        text: str,
        lowered: str | None,
        seen: _Seen,
        taken: tuple[list[int], list[int]],
    ) -> list[tuple[int, int, str | None, Verdict]]:
        """One rule's findings in the `spans` (parts to try, window), each a phrase no
        finding of the rule's code has `taken` yet (which this adds them to)."""
        starts, ends = taken
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
                    possible = possible_parts(chosen, needs, lowered, first, hi)
                else:
                    window = text[first:hi]
                    if window.isascii():
                        possible = possible_parts(chosen, needs, window.lower(), 0, len(window))
                if not possible:
                    continue
                if len(possible) == 1:
                    chosen = possible
            for m in combined(rule, chosen).finditer(text, lo, hi):
                a, b = m.span()
                if a == b:
                    continue  # an empty match names no phrase
                k = bisect.bisect_right(starts, a)
                if (k and ends[k - 1] > a) or (k < len(starts) and starts[k] < b):
                    continue
                if rule.unless is not None and vetoed(rule.unless, text, a, b):
                    continue
                if seen.known is None:
                    seen.known = self.people | seen.people
                budget -= 1
                if budget < 0:
                    break  # a hostile text of one phrase repeated: enough is found
                hit = self._judged(rule, m, chosen, text, hi, seen)
                if hit is None:
                    continue
                a, b = hit[0], hit[1]  # the grammar may start the finding at the subject
                k = bisect.bisect_right(starts, a)
                if (k and ends[k - 1] > a) or (k < len(starts) and starts[k] < b):
                    continue
                starts.insert(k, a)
                ends.insert(k, b)
                new.append(hit)
        return new

    def _judged(
        self, rule: PhraseRule, m: re.Match[str], chosen: tuple[int, ...], text: str, hi: int, seen: _Seen
    ) -> tuple[int, int, str | None, Verdict] | None:
        """The finding a match makes as its part's grammar judges it (or as a later part
        matching at the same place does), None when the grammar drops it."""
        known = seen.known or frozenset()
        a, b = m.span()
        part = part_of(m, chosen)
        judged = judge(self.words, rule.grammar[part], text, a, b, known)
        if judged is None:
            # Dropped by the grammar: a later part may still match here (an
            # alternation stops at its first matching part).
            found = self._later_part(rule, chosen, part, text, a, hi, known)
            if found is None:
                return None
            m, part, judged = found
            b = m.end()
        grammar = rule.grammar[part]
        tier, name, a = judged
        subject = self._unknown_subject(m, known) or name
        if subject is not None and grammar.names:
            if seen.determined is None:
                seen.determined = frozenset(AFTER_DETERMINER.findall(text))
            if not looks_like_a_system(self.words, subject, text, a, b, grammar.names == "warning", seen.determined):
                tier, subject = ("warning" if "warning" in (tier, grammar.names) else "error"), None
        return a, b, subject, rule.verdict(tier, grammar.why)

    def _later_part(
        self, rule: PhraseRule, chosen: tuple[int, ...], after: int, text: str, a: int, hi: int, known: frozenset[str]
    ) -> tuple[re.Match[str], int, tuple[str, str | None, int]] | None:
        """The first part after `after` that matches at `a` and that the grammar keeps."""
        for part in chosen[chosen.index(after) + 1 :]:
            m = combined(rule, (part,)).match(text, a, hi)
            if m is None or m.end() == a or (rule.unless is not None and vetoed(rule.unless, text, a, m.end())):
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
