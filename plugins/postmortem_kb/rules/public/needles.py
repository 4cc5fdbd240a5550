"""What one postmortem's public text is searched for: the people it names, and the
configuration's internal words, markers, domains and tools, all folded as the text is.

Whatever depends on the configuration alone (patterns, host lists) is made once per
configuration and cached; what depends on the postmortem is made per postmortem, and
the tracker hosts only when the text holds a link.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...load.sections import normalise
from ...model import Postmortem
from ..language import looks_like_a_person
from .addresses import host_of
from .folding import fold


@dataclass(frozen=True, slots=True)
class Phrases:
    pattern: re.Pattern[str]
    required: tuple[str, ...]  # the longest word of each phrase: none in the text, no match


@dataclass(slots=True)
class Needles:
    """What one postmortem's public text is searched for, folded."""

    names: list[str]  # full names: any letter case
    name_words: list[str]  # single words of names: not when written all in lower case
    words: Phrases | None  # configured internal words
    markers: Phrases | None  # "internal only", …
    domains: tuple[str, ...]  # host name endings of internal hosts
    tools: tuple[str, ...]  # hosts of internal tools (chat, wiki, paging)
    trackers: Callable[[], set[str]]  # asked only when there is a link
    private_headings: frozenset[str]  # the template's non-public sections, normalised


def needles(pm: Postmortem, settings: Any, template: Any) -> Needles:
    """What `pm`'s public text is searched for. `settings` is the configuration's
    `public` part; `template` is the postmortem's template (None: no sections public)."""
    names, words = people_names(pm)
    public = {normalise(s) for s in (template.public_sections if template else [])}
    return Needles(
        names=names,
        name_words=words,
        words=phrase_pattern(tuple(settings.internal_words)),
        markers=phrase_pattern(tuple(settings.internal_markers)),
        domains=cached_hosts(tuple(settings.internal_domains)),
        tools=cached_hosts(tuple(settings.internal_tools)),
        trackers=_once(lambda: tracker_hosts(pm)),
        private_headings=_private_headings(tuple(template.keys) if template else (), frozenset(public)),
    )


def _once(make: Callable[[], set[str]]) -> Callable[[], set[str]]:
    """`make()`, worked out at the first call only (functools.cache costs more to set up)."""
    kept: list[set[str]] = []

    def get() -> set[str]:
        if not kept:
            kept.append(make())
        return kept[0]

    return get


@functools.lru_cache(maxsize=64)
def cached_hosts(values: tuple[str, ...]) -> tuple[str, ...]:
    """Configured host names or endings, folded, without dots at either end, each once."""
    return tuple(dict.fromkeys(h for h in (fold(v).strip().strip(".") for v in values) if h))


@functools.lru_cache(maxsize=64)
def phrase_pattern(values: tuple[str, ...]) -> Phrases | None:
    """Whole-word occurrences of any of the phrases (folded; words apart by spaces or line
    breaks), as one pattern made once per configuration. Linear: each branch starts with
    a literal word, and a run of spaces is followed by a letter, never by more spaces."""
    phrases = sorted({" ".join(fold(v).split()) for v in values} - {""}, key=len, reverse=True)
    if not phrases:
        return None
    branches = "|".join("[ \n]+".join(re.escape(w) for w in p.split()) for p in phrases)
    # No look-behind in front: the pattern then starts with a literal, which the engine
    # finds fast; a match inside a word is dropped by the caller.
    required = tuple(sorted({max(p.split(), key=len) for p in phrases}))
    return Phrases(re.compile(f"(?:{branches})(?![\\w])"), required)


@functools.lru_cache(maxsize=64)
def _private_headings(keys: tuple[str, ...], public: frozenset[str]) -> frozenset[str]:
    return frozenset(fold(k) for k in keys if k not in public)


def tracker_hosts(pm: Postmortem) -> set[str]:
    """Hosts of the postmortem's action trackers, folded: a link to one is internal."""
    hosts = set()
    for a in pm.meta.actions:
        if a.tracker:
            host = host_of(a.tracker)
            if host:
                hosts.add(fold(host).rstrip("."))
    return hosts


def people_names(pm: Postmortem) -> tuple[list[str], list[str]]:
    """Folded full names and single name words of the people a postmortem names (authors,
    incident commander, facilitator, participants) and of the action owners that look
    like people (not "edge team"; "priya raman" is a person, written small)."""
    full: set[str] = set()
    words: set[str] = set()
    m = pm.meta
    roles = [getattr(m, "incident_commander", None), getattr(m, "facilitator", None), *getattr(m, "participants", ())]
    for name in [*m.authors, *(r for r in roles if isinstance(r, str)), *(a.owner for a in m.actions if a.owner)]:
        f, w = _names_of(name)
        full.update(f)
        words.update(w)
    return sorted(full), sorted(words - full)


# The same few people own actions and write postmortems across a knowledge base.
@functools.lru_cache(maxsize=4096)
def _names_of(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    name = " ".join(name.split())
    if not name or name.upper() == "TODO":
        return (), ()
    if looks_like_a_person(name):
        # Its single words too: three letters or more, capitalised where written.
        return (fold(name),), tuple(fold(w) for w in name.split() if len(w) >= 3 and w[0].isupper())
    words = name.split()
    if len(words) >= 2 and all(w.isalpha() for w in words) and looks_like_a_person(name.title()):
        return (fold(name),), ()  # only the whole name: its words may be ordinary ones
    return (), ()
