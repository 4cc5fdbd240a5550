"""Folding: each character as the public-leak rule compares it.

NFKD without combining marks, look-alike Cyrillic and Greek letters to Latin, casefold,
invisible format characters removed: `grafаna` (a Cyrillic а) and `ＧＲＡＦＡＮＡ` both
read "grafana". Plain ASCII, most text, takes a shortcut: its folding is its lower case.
"""

from __future__ import annotations

import functools
import unicodedata

# Letters that look like Latin ones in common fonts (Unicode's confusables, the usual
# Cyrillic and Greek part). Upper case maps to upper case: casefold comes after.
_CONFUSABLES = str.maketrans(
    {
        **dict(zip("аеорсухіјѕԁһӏԛԝɡıȷοαρνικτυχεγωη", "aeopcyxijsdhlqwgijoapviktuxeywn", strict=True)),
        **dict(zip("АВЕКМНОРСТХУІЈЅԚԜӀΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEKMHOPCTXYIJSQWIABEZHIKMNOPTYX", strict=True)),
        "。": ".",
        "‐": "-",
        "‒": "-",
        "−": "-",
    }
)
_INVISIBLE = frozenset({"Mn", "Me", "Cf", "Cc"})  # combining marks, zero-width and bidi controls, C0/C1
# The ASCII characters the reader may change (see rendered.ASCII_SPECIAL): control
# characters but "\n", and where markup, entities and escapes start.
_SPECIAL_BYTES = bytes([*range(0x0A), *range(0x0B, 0x20), 0x7F]) + b"<&\\*~`"


@functools.lru_cache(maxsize=16384)
def fold_char(c: str) -> str:
    """One character as the rule compares it: "" for what cannot be seen."""
    if c.isascii():
        if c == "\n":
            return c  # headings are found by it
        return " " if c.isspace() else ("" if unicodedata.category(c) == "Cc" else c.lower())
    if c.isspace():
        return " "  # no-break and other spaces, the line and paragraph separators
    if c.isdecimal():
        return str(unicodedata.decimal(c))
    kept = "".join(d for d in unicodedata.normalize("NFKD", c) if unicodedata.category(d) not in _INVISIBLE)
    return kept.translate(_CONFUSABLES).casefold().translate(_CONFUSABLES)


def fold(text: str) -> str:
    """`text` folded as the rule reads it (names and words from the configuration)."""
    if is_plain(text):
        return text.lower()
    return "".join(fold_char(c) for c in text)


def is_plain(text: str) -> bool:
    """ASCII without a special character: its folded form is its lower case. (Deleting
    the specials from its bytes is one C pass, a fifth of a regex search.)"""
    if not text.isascii():
        return False
    data = text.encode("ascii")
    return len(data.translate(None, _SPECIAL_BYTES)) == len(data)
