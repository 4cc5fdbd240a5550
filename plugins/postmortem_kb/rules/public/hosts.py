"""Internal hosts in the folded text: links to internal hosts, tools or trackers, bare
host names under an internal domain, and private IPv4 and IPv6 addresses.

Linear whatever the text: each scan jumps from one anchor ("://", ".domain", "::", a
digit-dot-digit) to the next and reads a bounded window around it, or runs a pattern
whose repetitions are bounded or a single character class repeated.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from urllib.parse import unquote

from .addresses import host_of, is_private, private_host, whatwg_ipv4
from .folding import fold
from .needles import Needles

_SCHEME_BEFORE = re.compile(r"[a-z0-9+.-]{1,16}")  # matched on the reversed text before "://"
_URL_BODY = re.compile(r"[^\s<>()\[\]\"'`]*")  # one class repeated: linear
_HOST_BEFORE = re.compile(r"[a-z0-9_.-]{1,253}")  # reversed, before ".domain"
_HOST_CHAR = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
_IPV4 = re.compile(r"(?<![\w.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![\w]|\.[0-9])")
# Fewer than four parts count in prose only with a port or a prefix length ("127.1:8080",
# "10.0/16"): alone, "Postgres 10.1" is a version.
_SHORT_IPV4 = re.compile(r"(?<![\w.])[0-9]{1,3}(?:\.[0-9]{1,3}){1,2}(?=:[0-9]{1,5}(?![\w])|/[0-9]{1,2}(?![\w]))")
_IPV6_FULL = re.compile(r"(?<![\w:])[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){7}(?![\w:])")
_IPV6_CHARS = re.compile(r"[0-9a-f:.]{0,45}")
_IPV6_LEFT = re.compile(r"[0-9a-f:]{0,39}")
_BRACKET_IPV6 = re.compile(r"\[([0-9a-f:.]{2,45})(?:%[0-9a-z._-]{1,32})?\]")
_WEB_SCHEMES = ("http", "https", "ftp")
# A digit, a dot and a digit, which every IPv4 address in prose has; written dot first,
# so that the regex engine skips from dot to dot.
_DIGIT_DOT_DIGIT = re.compile(r"\.(?<=[0-9]\.)(?=[0-9])")


def _suffix_of(host: str, endings: tuple[str, ...]) -> bool:
    """`host` is one of `endings` or a sub-domain of one."""
    return bool(endings) and ("." + host).endswith(_dotted(endings))


@functools.lru_cache(maxsize=64)
def _dotted(endings: tuple[str, ...]) -> tuple[str, ...]:
    return tuple("." + d for d in endings)


def links(text: str, needles: Needles) -> Iterator[tuple[int, int, str]]:
    """URLs (any scheme) whose host is internal; one pass from "://" to "://"."""
    pos = 0
    c = text.find("://")
    while c >= 0:
        back = _SCHEME_BEFORE.match(text[max(pos, c - 16) : c][::-1])
        if back is None:
            c = text.find("://", c + 3)
            continue
        start = c - back.end()
        while start < c and not text[start].isalpha():
            start += 1  # a scheme starts with a letter
        end = _URL_BODY.match(text, c + 3).end()
        scheme = text[start:c]
        if start < c and (start == 0 or not (text[start - 1].isalnum() or text[start - 1] in "+.-")):
            url = text[start:end]
            why = _url_leak(url, scheme, needles)
            if why:
                yield start, end, why
        pos = end
        c = text.find("://", max(end, c + 3))


def _url_leak(url: str, scheme: str, needles: Needles) -> str | None:
    """Why the link `url` is internal, or None."""
    host = host_of(url)
    if "%" in host:  # a browser decodes the host: `grafana%2Ecorp` is grafana.corp
        host = fold(unquote(host))
    host = host.rstrip(".")
    if not host:
        return None
    if host in needles.trackers():
        return "a link to the internal tracker"
    if _suffix_of(host, needles.tools):
        return "a link to an internal tool"
    if (
        _suffix_of(host, needles.domains)
        or private_host(host)
        or (scheme in _WEB_SCHEMES and "." not in host and ":" not in host)
    ):
        return "a private link"
    return None


def bare_hosts(text: str, needles: Needles, urls: list[tuple[int, int]]) -> Iterator[tuple[int, int, str]]:
    """Host names ending in an internal domain (or an internal tool's host): from each
    ".domain", back over at most 253 host characters."""
    pattern = _endings_pattern(needles.domains, needles.tools)
    if pattern is None:
        return
    for m in pattern.finditer(text):
        i, end = m.span()
        if text[end : end + 1] == "." and text[end + 1 : end + 2] in _HOST_CHAR and text[end + 1 : end + 2]:
            continue  # a label follows: "corp.example.com" is public
        back = _HOST_BEFORE.match(text[max(0, i - 253) : i][::-1])
        start = i - (back.end() if back else 0)
        while start < i and text[start] in ".-_":
            start += 1
        if start < i and not _inside(start, urls):
            yield (
                start,
                end,
                "an internal tool's address" if m.group()[1:] in needles.tools else "an internal host name",
            )


@functools.lru_cache(maxsize=64)
def _endings_pattern(domains: tuple[str, ...], tools: tuple[str, ...]) -> re.Pattern[str] | None:
    """ ".ending" for any of the endings, where a host name ends (longest first)."""
    endings = sorted({*domains, *tools}, key=len, reverse=True)
    if not endings:
        return None
    return re.compile(r"\.(?:" + "|".join(re.escape(e) for e in endings) + r")(?![a-z0-9_-])")


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    """`pos` lies in one of `spans` (sorted, apart): a host inside a link is the link's."""
    k = bisect.bisect_right(spans, (pos, float("inf"))) - 1
    return k >= 0 and spans[k][0] <= pos < spans[k][1]


def addresses(text: str, urls: list[tuple[int, int]]) -> Iterator[tuple[int, int, str]]:
    """Private IPv4 and IPv6 addresses, but those inside a link already found (`urls`)."""
    if _DIGIT_DOT_DIGIT.search(text):
        yield from _ipv4_addresses(text, urls)
    if ":" in text:
        yield from _ipv6_addresses(text, urls)


def _ipv4_addresses(text: str, urls: list[tuple[int, int]]) -> Iterator[tuple[int, int, str]]:
    for pattern in (_IPV4, _SHORT_IPV4):
        for m in pattern.finditer(text):
            ip = whatwg_ipv4(m.group(), decimal_only=True)
            if ip is not None and is_private(ip) and not _inside(m.start(), urls):
                yield m.start(), m.end(), "a private address"


def _ipv6_addresses(text: str, urls: list[tuple[int, int]]) -> Iterator[tuple[int, int, str]]:
    """In brackets (`[fd00::1]`, a zone or not), then bare: each address once."""
    seen: set[int] = set()
    for m in _BRACKET_IPV6.finditer(text) if "[" in text else ():
        if private_host(m.group(1)) and not _inside(m.start(), urls):
            seen.add(m.start() + 1)
            yield m.start(), m.end(), "a private address"
    if "::" not in text and text.count(":") < 7:
        return
    for start, end in _ipv6_candidates(text):
        while end > start and text[end - 1] == ".":
            end -= 1
        word_before = start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")
        word_after = end < len(text) and (text[end].isalnum() or text[end] == "_")
        if start in seen or word_before or word_after or not text[start:end].strip(":.") or _inside(start, urls):
            continue
        if private_host(text[start:end]):
            seen.add(start)
            yield start, end, "a private address"


def _ipv6_candidates(text: str) -> list[tuple[int, int]]:
    """Spans that may be a bare IPv6 address: around each "::" (bounded windows, one
    pass from "::" to "::"), and runs of eight groups."""
    candidates: list[tuple[int, int]] = []
    c = text.find("::")
    while c >= 0:
        back = _IPV6_LEFT.match(text[max(0, c - 39) : c][::-1])  # no dot left of "::"
        start = c - (back.end() if back else 0)
        end = _IPV6_CHARS.match(text, c, min(len(text), c + 45)).end()
        candidates.append((start, end))
        c = text.find("::", max(end, c + 2))
    if text.count(":") >= 7:
        candidates += [(m.start(), m.end()) for m in _IPV6_FULL.finditer(text)]
    return candidates
