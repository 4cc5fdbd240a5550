"""public-leak: internal detail in the sections a postmortem's public version is made of."""

from __future__ import annotations

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
    # Each family is looked for only when its tell-tale character is in the text: most
    # prose has no "://", "@" or "#", and a dot before an internal domain is rare.
    domains = tuple(d.lower().lstrip(".") for d in internal_domains)
    lowered = text.lower()
    urls: list[tuple[int, int]] = []
    if "://" in text:
        for m in _URL.finditer(text):
            urls.append((m.start(), m.end()))
            host = (urlsplit(m.group(0)).hostname or "").lower()
            if host in tracker_hosts:
                yield m.start(), m.group(0), "a link to the internal tracker"
            elif (host.endswith(domains) and any(host == d or host.endswith("." + d) for d in domains)) or _private_ip(host) or "." not in host:
                yield m.start(), m.group(0), "a private link"
    if any("." + d in lowered for d in domains):
        for m in _HOST.finditer(text):
            if m.group(1).lower() in domains and not any(a <= m.start() < b for a, b in urls):
                yield m.start(), m.group(0), "an internal host name"
    if "." in text and any(c.isdigit() for c in text):
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
    yield from _find_words(text, internal_words, "an internal name", ignore_case=True)


def _find_words(text: str, words: Iterable[str], why: str, ignore_case: bool) -> Iterator[tuple[int, str, str]]:
    """Whole-word occurrences by `str.find`: a handful of names per postmortem, each
    searched at C speed, costs less than compiling a pattern for each postmortem."""
    haystack = text.lower() if ignore_case else text
    for word in words:
        needle = word.lower() if ignore_case else word
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
