"""What the engine works with: a phrase rule ready to run, a pattern's grammar options,
what a finding says (its verdict) and one match in a text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# The kinds of a clause's subject (or a passive's agent) that a pattern's `subject` and
# `agent` options map to a tier; the grammar works out which kind a match has.
KINDS = frozenset({"person", "name", "unsure", "action", "thing", "none", "passive"})


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
    # Per part, what every match needs in an ASCII window (see `needs.needs_of`): None if no
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
    """What one finding says; wording.py reads `name`, `message` (with `{match}`) and `hint`."""

    code: str
    name: str
    message: str
    hint: str
    severity: str


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
