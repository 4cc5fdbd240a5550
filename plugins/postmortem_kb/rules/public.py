"""public-leak: internal detail in the sections a postmortem's public version is made of."""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterator
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
    found = sorted(_leaks(text, people, internal_domains, internal_words, tracker_hosts), key=lambda f: (f[0], -len(f[1])))
    out: list[tuple[int, str, str]] = []
    for col, what, why in found:
        if not any(c < col + len(what) and col < c + len(w) for c, w, _ in out):
            out.append((col, what, why))
    return out


def _leaks(text: str, people: set[str], internal_domains: list[str], internal_words: list[str], tracker_hosts: set[str]) -> Iterator[tuple[int, str, str]]:
    domains = tuple(d.lower().lstrip(".") for d in internal_domains)
    for m in _URL.finditer(text):
        host = (urlsplit(m.group(0)).hostname or "").lower()
        if host in tracker_hosts:
            yield m.start(), m.group(0), "a link to the internal tracker"
        elif (host.endswith(domains) and any(host == d or host.endswith("." + d) for d in domains)) or _private_ip(host) or "." not in host:
            yield m.start(), m.group(0), "a private link"
    urls = [(m.start(), m.end()) for m in _URL.finditer(text)]
    for m in _HOST.finditer(text):
        if any(a <= m.start() < b for a, b in urls):
            continue
        if m.group(1).lower() in domains:
            yield m.start(), m.group(0), "an internal host name"
    for m in _IPV4.finditer(text):
        if _private_ip(m.group(0)) and not any(a <= m.start() < b for a, b in urls):
            yield m.start(), m.group(0), "a private address"
    for m in _MENTION.finditer(text):
        yield m.start(), m.group(0), "a chat handle"
    for m in _CHANNEL.finditer(text):
        yield m.start(), m.group(0), "a chat channel"
    names = _words_re(frozenset(people), False)
    if names is not None:
        for m in names.finditer(text):
            yield m.start(), m.group(0), "a person's name"
    words = _words_re(frozenset(internal_words), True)
    if words is not None:
        for m in words.finditer(text):
            yield m.start(), m.group(0), "an internal name"


@functools.lru_cache(maxsize=256)
def _words_re(words: frozenset[str], ignore_case: bool) -> re.Pattern[str] | None:
    """One pattern for a set of names, longest first; compiled once per set."""
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE if ignore_case else 0)


def tracker_hosts(pm: Postmortem) -> set[str]:
    hosts = set()
    for a in pm.meta.actions:
        if a.tracker:
            host = urlsplit(a.tracker).hostname
            if host:
                hosts.add(host.lower())
    return hosts


def people_names(pm: Postmortem) -> set[str]:
    """Authors, and action owners that look like people (not "edge team")."""
    candidates = list(pm.meta.authors) + [a.owner for a in pm.meta.actions if a.owner and looks_like_a_person(a.owner)]
    names: set[str] = set()
    for full in candidates:
        full = " ".join(full.split())
        if not full or full.upper() == "TODO":
            continue
        names.add(full)
        names.update(w for w in full.split() if len(w) >= 3 and w[0].isupper())
    return names


def strip_comments(line: str) -> str:
    return _COMMENT.sub(lambda m: " " * len(m.group(0)), line)
