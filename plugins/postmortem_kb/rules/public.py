"""public-leak: internal detail in the sections a postmortem's public version is made of."""

from __future__ import annotations

import bisect
import functools
import ipaddress
import re
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from ..load.sections import normalise
from ..model import Postmortem
from .language import looks_like_a_person

_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>()\[\]\"'`]+")
_HOST = re.compile(r"\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z][a-z0-9-]{1,62})\b", re.IGNORECASE)
_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_MENTION = re.compile(r"(?<![\w@./])@[a-z][\w.-]{1,38}\b", re.IGNORECASE)
_CHANNEL = re.compile(r"(?<![\w&#/])#[a-z][a-z0-9_-]*-[a-z0-9_-]+\b")  # chat channels: #incident-42
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# A digit, a dot and a digit, which every match of _IPV4 has; written dot first, so that
# the regex engine skips from dot to dot.
_DIGIT_DOT_DIGIT = re.compile(r"\.(?<=\d\.)(?=\d)")


def public_lines(pm: Postmortem, public_sections: list[str]) -> Iterator[tuple[int, str]]:
    """(line number, text) of the body lines in the sections the template makes public."""
    keys = {normalise(s) for s in public_sections}
    for section in pm.sections:
        if section.key in keys:
            for lineno in range(section.line + 1, section.end_line + 1):
                yield lineno, pm.lines[lineno - 1]


def _private_ip(text: str) -> bool:
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local


def leaks(text: str, people: set[str], internal_domains: list[str], internal_words: list[str], tracker_hosts: set[str]) -> list[tuple[int, str, str]]:
    """(column offset, what, why) for each leak in one line of text, longest match first
    where two overlap ("Priya Raman" once, not also "Priya" and "Raman")."""
    return _longest_first(sorted(_leaks(text, people, internal_domains, internal_words, tracker_hosts), key=_by_position))


def leaks_in(texts: list[str], people: set[str], internal_domains: list[str], internal_words: list[str], tracker_hosts: set[str]) -> list[list[tuple[int, str, str]]]:
    """`[leaks(t, …) for t in texts]`, in one pass over the texts joined by newlines.

    A postmortem's public lines are mostly short and clean: looking for each family (and
    each name) once in all of them costs a fraction of looking in each line. No family
    matches across a newline, so each match lies in one text. Where that could fail (a
    word with a newline in it), the texts are searched one by one."""
    if len(texts) < 2 or any("\n" in w for w in people) or any("\n" in w.lower() for w in internal_words):
        return [leaks(t, people, internal_domains, internal_words, tracker_hosts) for t in texts]
    joined = "\n".join(texts)
    lowered = lower_in_place(joined)
    starts: list[int] = []
    pos = 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + 1
    grouped: list[list[tuple[int, str, str]]] = [[] for _ in texts]
    for col, what, why in sorted(_leaks(joined, people, internal_domains, internal_words, tracker_hosts, lowered), key=_by_position):
        k = bisect.bisect_right(starts, col) - 1
        grouped[k].append((col - starts[k], what, why))
    return [_longest_first(found) if found else found for found in grouped]


def lower_in_place(text: str) -> str:
    """`text.lower()`, character for character: a character whose lower case is longer
    ("İ" is "i̇") stays as it is, so that an offset in the result is one in `text`."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(low if len(low := c.lower()) == 1 else c for c in text)


def _by_position(found: tuple[int, str, str]) -> tuple[int, int]:
    return found[0], -len(found[1])


def _longest_first(found: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    out: list[tuple[int, str, str]] = []
    for col, what, why in found:
        if not any(c < col + len(what) and col < c + len(w) for c, w, _ in out):
            out.append((col, what, why))
    return out


def _leaks(text: str, people: set[str], internal_domains: list[str], internal_words: list[str], tracker_hosts: set[str], lowered: str | None = None) -> Iterator[tuple[int, str, str]]:
    # Each family is looked for only when its tell-tale characters are in the text: most
    # prose has no "://", "@" or "#", a dot before an internal domain is rare, and so is
    # a digit, a dot and a digit (which every IPv4 address has).
    domains, dotted = _domains(tuple(internal_domains))
    if lowered is None:
        lowered = lower_in_place(text)
    urls: list[tuple[int, int]] = []
    if "://" in text:
        for m in _url_matches(text):
            urls.append((m.start(), m.end()))
            host = host_of(m.group(0))
            if host in tracker_hosts:
                yield m.start(), m.group(0), "a link to the internal tracker"
            elif (host.endswith(domains) and any(host == d or host.endswith("." + d) for d in domains)) or _private_ip(host) or "." not in host:
                yield m.start(), m.group(0), "a private link"
    if dotted is not None and dotted.search(lowered):
        for m in _HOST.finditer(text):
            if m.group(1).lower() in domains and not any(a <= m.start() < b for a, b in urls):
                yield m.start(), m.group(0), "an internal host name"
    if _DIGIT_DOT_DIGIT.search(text):
        for m in _IPV4.finditer(text):
            if _private_ip(m.group(0)) and not any(a <= m.start() < b for a, b in urls):
                yield m.start(), m.group(0), "a private address"
    if "@" in text:
        for m in _MENTION.finditer(text):
            yield m.start(), m.group(0), "a chat handle"
    if "#" in text:
        for m in _CHANNEL.finditer(text):
            yield m.start(), m.group(0), "a chat channel"
    yield from _find_words(text, people, "a person's name", ignore_case=False)
    if internal_words:
        yield from _find_words(text, internal_words, "an internal name", ignore_case=True, lowered=lowered)


def _url_matches(text: str) -> Iterator[re.Match[str]]:
    """`_URL.finditer(text)`, trying only where a match can start: "https", "http" or
    "ftp" before a "://", so 5, 4 or 3 characters before one (a regex that starts
    with `\b` is otherwise tried at every position of the text)."""
    candidates: set[int] = set()
    c = text.find("://")
    while c >= 0:
        candidates.update(s for s in (c - 5, c - 4, c - 3) if s >= 0)
        c = text.find("://", c + 1)
    pos = 0
    for start in sorted(candidates):
        if start < pos:
            continue
        m = _URL.match(text, start)
        if m is not None:
            yield m
            pos = m.end()


@functools.lru_cache(maxsize=64)
def _domains(internal_domains: tuple[str, ...]) -> tuple[tuple[str, ...], re.Pattern[str] | None]:
    """The configured domains as matched, and a pattern for ".domain" in lower-cased text:
    worked out once per configuration, not once per line."""
    domains = tuple(d.lower().lstrip(".") for d in internal_domains)
    return domains, re.compile("|".join(re.escape("." + d) for d in domains)) if domains else None


def _find_words(text: str, words: Iterable[str], why: str, ignore_case: bool, lowered: str | None = None) -> Iterator[tuple[int, str, str]]:
    """Whole-word occurrences by `str.find`: a handful of names per postmortem, each
    searched at C speed, costs less than compiling a pattern for each postmortem."""
    haystack = (lower_in_place(text) if lowered is None else lowered) if ignore_case else text
    for word in words:
        needle = lower_in_place(word) if ignore_case else word
        if not needle:
            continue
        i = haystack.find(needle)
        while i >= 0:
            end = i + len(needle)
            if (i == 0 or not haystack[i - 1].isalnum()) and (end >= len(haystack) or not haystack[end].isalnum()):
                yield i, text[i:end], why
            i = haystack.find(needle, end)


def tracker_hosts(pm: Postmortem) -> set[str]:
    hosts = set()
    for a in pm.meta.actions:
        if a.tracker:
            host = host_of(a.tracker)
            if host:
                hosts.add(host)
    return hosts


# A URL whose host is plain letters, digits, dots and dashes, with a port or not and
# nothing before it: its host is what urlsplit().hostname gives, at a fraction of the cost.
_PLAIN_HOST = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([A-Za-z0-9.-]+)(?::[0-9]*)?(?=[/?#]|\Z)")


def host_of(url: str) -> str:
    """The lower-case host of `url`; "" when it has none or cannot be read (`http://[::1`)."""
    plain = _PLAIN_HOST.match(url)
    if plain is not None:
        return plain.group(1).lower()
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def people_names(pm: Postmortem) -> set[str]:
    """Authors, and action owners that look like people (not "edge team")."""
    names: set[str] = set()
    for full in pm.meta.authors:
        names.update(_names_of(full))
    for a in pm.meta.actions:
        if a.owner and _looks_like_a_person(a.owner):
            names.update(_names_of(a.owner))
    return names


# The same few people own actions and write postmortems across a knowledge base.
_looks_like_a_person = functools.lru_cache(maxsize=4096)(looks_like_a_person)


@functools.lru_cache(maxsize=4096)
def _names_of(full: str) -> tuple[str, ...]:
    """A person's name and its words, as they may appear in prose."""
    full = " ".join(full.split())
    if not full or full.upper() == "TODO":
        return ()
    return (full, *(w for w in full.split() if len(w) >= 3 and w[0].isupper()))


def strip_comments(line: str) -> str:
    if "<!--" not in line:
        return line
    return _COMMENT.sub(lambda m: " " * len(m.group(0)), line)
