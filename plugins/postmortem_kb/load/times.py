"""Dates, clock times, time zones and durations, as postmortems write them.

The one place a written clock time becomes a `time` (`clock`: 24-hour or 12-hour with
AM/PM, validated): `pmkb import` reads free-form text with it, and a Timeline checker can
build its entries' times with it. Pure functions of strings. Only what is clearly
written is read: "3/4/2021" (day or month first?) is no date, "times are central to" is
no time zone.
"""

from __future__ import annotations

import re
from datetime import UTC, date, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ISO = re.compile(r"(?<![\d.])((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d])")
_DMY = re.compile(rf"(?i)\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\.?,?\s+((?:19|20)\d{{2}})\b")
_MDY = re.compile(rf"(?i)\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{{2}})\b")
_NUMERIC = re.compile(r"(?<![\d/.])(\d{1,2})([/.])(\d{1,2})\2((?:19|20)\d{2})(?![\d/.])")
_DM = re.compile(rf"(?i)\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\b\.?")
_MD = re.compile(rf"(?i)\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?![:\d])")
_WEEKDAY = re.compile(r"(?i)\b(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\b\.?")
FILE_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")

TIME = re.compile(
    r"(?<![\d:.])(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?(?:\s*([AaPp])\.?\s?[Mm]\.?(?![a-zA-Z]))?(?![\d:])"
    r"|(?<![\d:.])(\d{1,2})\s*([AaPp])\.?[Mm]\.?(?![a-zA-Z])"
)

# Abbreviations mean what they say (PST is -08:00 even in July); the generic names
# (PT, "Pacific") follow daylight saving on the incident's date.
FIXED_OFFSETS = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2,
    "EET": 2, "EEST": 3, "MSK": 3, "IST": 5.5, "SGT": 8, "HKT": 8, "JST": 9, "KST": 9,
    "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13, "HST": -10, "AKST": -9, "AKDT": -8,
    "PST": -8, "PDT": -7, "MST": -7, "MDT": -6, "CST": -6, "CDT": -5, "EST": -5, "EDT": -4,
}  # fmt: skip
REGIONAL = {
    "PT": "America/Los_Angeles", "Pacific": "America/Los_Angeles",
    "MT": "America/Denver", "Mountain": "America/Denver",
    "CT": "America/Chicago", "Central": "America/Chicago",
    "ET": "America/New_York", "Eastern": "America/New_York",
}  # fmt: skip
_OFFSET = re.compile(r"^(?:UTC|GMT)?\s?([+\-−])\s?(\d{1,2})(?::?(\d{2}))?$")
_ZONE_AFTER_TIME = re.compile(
    r"^\s*\(?\s*(Z\b|(?:UTC|GMT)(?:\s?[+\-−]\s?\d{1,2}(?::?\d{2})?)?|[+\-−]\d{2}:?\d{2}|[A-Z]{2,5}\b|"
    r"[A-Z][a-z]+/[A-Za-z_]+(?:/[A-Za-z_]+)?)\s*\)?"
)
# "All times UTC", "times are in PT", "(all times shown in Europe/Berlin)", "Time zone: CET"
_GLOBAL_ZONE = re.compile(
    r"(?i:\b(?:all\s+)?(?:times?|timestamps?)\b(?:\s+(?:are|is|shown|listed|given|below|above|here|"
    r"in\s+this\s+\w+))*(?:\s+(?:in|as))?\s*[:=(]?\s*)"
    r"(?P<z>(?:UTC|GMT)\s?[+\-−]\s?\d{1,2}(?::?\d{2})?|[A-Za-z][A-Za-z_]*(?:/[A-Za-z_]+){0,2})"
    r"|(?i:\btime\s*-?\s*zone\s*[:=(]?\s*)(?P<z2>(?:UTC|GMT)\s?[+\-−]\s?\d{1,2}(?::?\d{2})?|"
    r"[A-Za-z][A-Za-z_]*(?:/[A-Za-z_]+){0,2})"
)
_PAREN = re.compile(r"\(([^()]{1,40})\)")
_DURATION = re.compile(
    r"(?i)(\d+(?:[.,]\d+)?)\s*(days?|d|hours?|hrs?|hr|h|minutes?|mins?|min|m|seconds?|secs?|sec|s)(?![a-z])"
)


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _month(name: str) -> int:
    return MONTHS[name.lower()[:3]]


def find_date(text: str) -> tuple[date, tuple[int, int]] | None:
    """The first full date written in `text` (with its span), in any common form."""
    found: list[tuple[int, date, tuple[int, int]]] = []
    for m in _ISO.finditer(text):
        if d := _make(int(m[1]), int(m[2]), int(m[3])):
            found.append((m.start(), d, m.span()))
    for m in _DMY.finditer(text):
        if d := _make(int(m[3]), _month(m[2]), int(m[1])):
            found.append((m.start(), d, m.span()))
    for m in _MDY.finditer(text):
        if d := _make(int(m[3]), _month(m[1]), int(m[2])):
            found.append((m.start(), d, m.span()))
    for m in _NUMERIC.finditer(text):
        a, b, year = int(m[1]), int(m[3]), int(m[4])
        if m[2] == "." or a > 12 >= b:  # 14.03.2019 (dots): day first
            d = _make(year, b, a)
        elif b > 12 >= a:
            d = _make(year, a, b)
        else:
            d = None  # 3/4/2021: day or month first? Not clear, so not a date.
        if d:
            found.append((m.start(), d, m.span()))
    if not found:
        return None
    _, d, span = min(found, key=lambda f: f[0])
    return d, span


def find_partial_date(text: str, year: int) -> tuple[date, tuple[int, int]] | None:
    """ "March 14" or "14 Mar" (no year), placed in `year`."""
    found = []
    for m in _DM.finditer(text):
        if d := _make(year, _month(m[2]), int(m[1])):
            found.append((m.start(), d, m.span()))
    for m in _MD.finditer(text):
        if d := _make(year, _month(m[1]), int(m[2])):
            found.append((m.start(), d, m.span()))
    if not found:
        return None
    _, d, span = min(found, key=lambda f: f[0])
    return d, span


def date_only(text: str, year: int | None) -> date | None:
    """A date that is all of `text` (weekdays and punctuation aside), e.g. a timeline day heading."""
    hit = find_date(text) or (find_partial_date(text, year) if year else None)
    if hit is None:
        return None
    d, (a, b) = hit
    rest = _WEEKDAY.sub(" ", text[:a] + " " + text[b:])
    rest = re.sub(r"\((?:[^()]*)\)|\b(?:on|the|of|day|\d+)\b|[^\w]+", " ", rest, flags=re.I)
    return d if not rest.strip() else None


def file_date(name: str) -> date | None:
    for m in FILE_DATE.finditer(name):
        if d := _make(int(m[1]), int(m[2]), int(m[3])):
            return d
    return None


def clock(hour: str | int, minute: str | int, second: str | int | None = None, half: str | None = None) -> time | None:
    """A clock time from its written parts; `half` is the AM/PM letter ("a", "P"...) of a
    12-hour clock (12:05 AM is 00:05, 1:15 PM is 13:15). None if it is no time (25:00, 13 PM)."""
    h, m, s = int(hour), int(minute), int(second or 0)
    if half:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if half in "Pp" else 0)
    try:
        return time(h, m, s)
    except ValueError:
        return None


def parse_time(m: re.Match[str]) -> time | None:
    """The time a `TIME` match wrote ("14:02", "2:05:30 pm", "3 PM")."""
    if m.group(1) is not None:
        return clock(m[1], m[2], m[3], m[4])
    return clock(m[5], 0, 0, m[6])


def zone_of(token: str) -> tzinfo | None:
    """A time zone from how people write one, or None if `token` is not clearly one."""
    token = token.strip().strip("()")
    if not token:
        return None
    if token.upper() in ("UTC", "GMT") or token == "Z":
        return UTC
    if token in FIXED_OFFSETS:
        return timezone(timedelta(hours=FIXED_OFFSETS[token]))
    if token in REGIONAL:
        return _zoneinfo(REGIONAL[token])
    m = _OFFSET.match(token.replace(" ", ""))
    if m and (token[0] in "+-−" or token[:3].upper() in ("UTC", "GMT")):
        hours, minutes = int(m[2]), int(m[3] or 0)
        if hours > 14 or minutes > 59:
            return None
        sign = -1 if m[1] in "-−" else 1
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    if "/" in token and token[0].isupper():
        return _zoneinfo(token)
    return None


def _zoneinfo(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def zone_after_time(text: str) -> tuple[tzinfo | None, int]:
    """A zone written right after a clock time ("14:02 UTC", "2:05 PM (PT)"), and its length."""
    m = _ZONE_AFTER_TIME.match(text)
    if m:
        zone = zone_of(m.group(1))
        if zone is not None:
            return zone, m.end()
    return None, 0


def stated_zone(text: str) -> tzinfo | None:
    """A document-wide zone: "All times UTC", "times are in PT", "Time zone: Europe/Berlin"."""
    for m in _GLOBAL_ZONE.finditer(text):
        token = m.group("z") or m.group("z2") or ""
        zone = zone_of(token)
        if zone is not None:
            return zone
    return None


def zone_in_parens(text: str) -> tzinfo | None:
    """ "Timeline (UTC)", "Time (PT)": a zone in brackets."""
    for m in _PAREN.finditer(text):
        for token in re.split(r"[,;\s]+", m.group(1)):
            zone = zone_of(token)
            if zone is not None:
                return zone
    return None


def parse_duration(text: str) -> timedelta | None:
    """ "4 minutes", "1 hour 55 minutes", "2h05m", "~45 min"."""
    total = timedelta()
    found = False
    for m in _DURATION.finditer(text):
        n = float(m[1].replace(",", "."))
        unit = m[2].lower()
        if unit.startswith("d"):
            total += timedelta(days=n)
        elif unit.startswith("h"):
            total += timedelta(hours=n)
        elif unit.startswith("m"):
            total += timedelta(minutes=n)
        else:
            total += timedelta(seconds=n)
        found = True
    if not found:
        m = re.fullmatch(r"\s*~?\s*(\d{1,2}):(\d{2})\s*", text)
        if m:
            return timedelta(hours=int(m[1]), minutes=int(m[2]))
        return None
    return total
