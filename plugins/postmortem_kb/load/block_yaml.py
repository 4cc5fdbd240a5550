"""Front matter in the plain block shape most postmortems have, read without PyYAML.

`pmkb new` and the templates write front matter as `key: value` lines, block lists of
values or of `key: value` items, and one-line `[a, b]` lists. Composing that with
PyYAML (libyaml's parser, then a Python node object and two position marks per value)
was a third of the time `pmkb check` takes. Here it is read line by line, with the
same values and the same positions as PyYAML gives; `read` returns None for anything
outside this shape — quotes with escapes, multi-line values, anchors, tags, comments
after a value, numbers other than plain decimals (`1200`, `12.5`), duplicate keys, any
character YAML treats specially — and the caller falls back to PyYAML, which decides and
reports. The tests hold the two to the same answers (tests/test_block_yaml.py).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import yaml

from .yaml_loader import (
    MEMO_MAX,
    NON_STRING_LONGEST,
    NON_STRING_LONGEST_ANY,
    iso_timestamp,
    resolve_tag,
)

# Each line: indentation, `- ` (a list item), a simple key and the spaces after its colon,
# the rest. Every line matches (all groups may be empty), so the list of matches is the
# list of lines.
_LINE = re.compile(r"^( *)(- +)?(?:([A-Za-z_][A-Za-z0-9_-]{0,127}):( +|$))?(.*)$", re.MULTILINE)
# Characters this reader leaves to PyYAML: tabs, control characters, YAML-only line
# breaks (U+0085, U+2028, U+2029), the BOM and anything libyaml's reader refuses.
_UNUSUAL = re.compile("[^\n -~\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
# A plain value cannot start with an indicator; these forms (and ` #`, `: `, a final
# `:`) mean something else to YAML.
_PLAIN_START_NOT = frozenset("-?:,[]{}#&*!|>'\"%@`")
_ITEM_NOT = re.compile(r"[\[\]{}#'\":]")  # in a `[a, b]` list
_SCALAR = yaml.ScalarNode
_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
# The number forms the review fields take (`customers_affected: 1200`,
# `slo_budget_spent_percent: 12.5`), whose value is Python's own reading of the text:
# YAML 1.1's other forms (`012` is octal, `1_000`, `0x1F`, `1:30`, `1e3`, signs) and
# longer digit strings are PyYAML's to construct.
_PLAIN_INT = re.compile(r"0|[1-9][0-9]{0,17}")
_PLAIN_FLOAT = re.compile(r"(?:0|[1-9][0-9]{0,17})\.[0-9]{1,17}")
_BOOLS = yaml.SafeLoader.bool_values
_IMPLICIT = (True, False)
# The most characters a plain value that is not a string can have, by first character.
_LONGEST, _LONGEST_ANY = NON_STRING_LONGEST, NON_STRING_LONGEST_ANY
_MAX_DEPTH = 40
_STRING_KEYS: set[str] = (
    set()
)  # keys found to be strings: a knowledge base has a few dozen  # deeper indentation goes to PyYAML, which bounds it

# Where a value is, per entry of a mapping or item of a list:
# (line, column of the key or 0, line of the value, its column, quote width or -1 when it
# is not a one-line scalar, source length, positions inside it: a Table or None).
Entry = tuple[int, int, int, int, int, int, "Table | None"]
Table = dict[str, Entry] | list[Entry]


class Unusual(Exception):
    """The text is not in the shape this reader handles; PyYAML reads it instead."""


class BlockParsed:
    """What `frontmatter.Parsed` offers (data, positions of values, keys and characters
    of one-line strings), from position tables instead of YAML nodes."""

    __slots__ = ("_root", "_table", "data", "offset")

    def __init__(self, data: dict[str, Any], offset: int, table: dict[str, Entry], root: tuple[int, int]) -> None:
        self.data = data
        self.offset = offset
        self._table = table
        self._root = root

    def _entry(self, table: Table | None, key: Any) -> Entry | None:
        if type(table) is dict:
            return table.get(str(key))
        if type(table) is list and isinstance(key, int) and 0 <= key < len(table):
            return table[key]
        return None

    def line_of(self, path: tuple[Any, ...]) -> tuple[int, int]:
        """(line, column), 1-based, of the value at `path`; the nearest known parent otherwise."""
        best = self._root
        table: Table | None = self._table
        for key in path:
            entry = self._entry(table, key)
            if entry is None:
                break
            best = (entry[2], entry[3])
            table = entry[6]
        return best

    def key_line(self, key: str) -> tuple[int, int]:
        """Position of a top-level key itself (not its value)."""
        entry = self._table.get(key)
        return (entry[0], entry[1]) if entry is not None else (self.offset, 1)

    def text_pos(self, path: tuple[Any, ...], index: int) -> tuple[int, int]:
        """Position of character `index` of the string at `path`."""
        table: Table | None = self._table
        entry = None
        for key in path:
            entry = self._entry(table, key)
            if entry is None:
                return self.line_of(path)
            table = entry[6]
        if entry is None or entry[4] < 0:
            return self.line_of(path)
        _, _, line, col, quote, length, _ = entry
        return line, min(col + quote + index, max(col, col + length - 1))


def read(text: str, offset: int, max_nodes: int) -> BlockParsed | None:
    """The front matter `text` (file line `offset` + 1 is its first line) as PyYAML and
    `frontmatter.load_yaml` would give it, or None when it is not in the plain shape."""
    if not (text.isascii() and text.replace("\n", "").isprintable()) and _UNUSUAL.search(text):
        return None  # (ASCII text is tested by two C calls first: the regex took a tenth of the reading)
    if resolve_tag.cache_info().currsize > MEMO_MAX:
        resolve_tag.cache_clear()
    try:
        return _Reader(text, offset, max_nodes).document()
    except Unusual:
        return None


class _Reader:
    __slots__ = ("lines", "max_nodes", "n", "nodes", "offset")

    def __init__(self, text: str, offset: int, max_nodes: int) -> None:
        # (file line, column, key or None, column of the value, value text) per line; a
        # `- key: value` line is two, the item's (with no value) and the key's.
        lines: list[tuple[int, int, str | None, int, str]] = []
        line_no = offset
        for indent, dash, key, gap, rest in _LINE.findall(text):
            line_no += 1
            if not rest or rest[0] == "#":
                if not key and not dash:
                    continue  # a blank or comment line
                if rest:
                    raise Unusual  # `key: #…` or `- #…`: a null value and a comment
            elif rest[-1] == " ":
                rest = rest.rstrip(" ")
            col = len(indent)
            if dash:
                col_in = col + len(dash)
                lines.append((line_no, col, None, col_in, "" if key else rest))
                if not key:
                    continue
                col = col_in  # the item holds a mapping, whose first key is here
            elif not key:
                raise Unusual  # neither `key: …` nor `- …`: a value continued, `? `…
            lines.append((line_no, col, key, col + len(key) + 1 + len(gap), rest))
        self.lines = lines
        self.n = len(lines)
        self.offset = offset
        self.nodes = 1  # the root, as yaml_build._build counts
        self.max_nodes = max_nodes

    def document(self) -> BlockParsed | None:
        if not self.lines or self.lines[0][1] != 0 or self.lines[0][2] is None:
            return None  # empty, indented, or a list: PyYAML says what it is
        end, data, table = self._mapping(0, 0, 0)
        if end != self.n or self.nodes > self.max_nodes:
            return None  # PyYAML reports the count, with its own
        return BlockParsed(data, self.offset, table, (self.lines[0][0], 1))

    def _mapping(self, i: int, col: int, depth: int) -> tuple[int, dict[str, Any], dict[str, Entry]]:
        """The mapping whose keys stand at `col`, from line token `i`: (next token, value, positions)."""
        if depth > _MAX_DEPTH:
            raise Unusual
        out: dict[str, Any] = {}
        table: dict[str, Entry] = {}
        lines, n = self.lines, self.n
        while i < n:
            line, c, key, vcol, rest = lines[i]
            if c != col or key is None or key in out:
                if c < col:
                    break
                raise Unusual  # deeper than a key, a list item among keys, a repeated key
            if key not in _STRING_KEYS:
                if len(key) <= _LONGEST.get(key[0], _LONGEST_ANY) and resolve_tag(_SCALAR, key, _IMPLICIT) != _STR:
                    raise Unusual  # `yes:`, `null:`: keys that are not strings
                if len(_STRING_KEYS) >= 4096:
                    _STRING_KEYS.clear()
                _STRING_KEYS.add(key)
            i += 1
            if rest:
                if rest[0] in _PLAIN_START_NOT:
                    out[key], table[key] = self._inline(rest, line, c + 1, vcol)
                elif ": " in rest or " #" in rest or rest[-1] == ":":
                    raise Unusual
                else:  # a plain value, the usual case; a long one is a string
                    out[key] = rest if len(rest) > _LONGEST.get(rest[0], _LONGEST_ANY) else _scalar(rest)
                    table[key] = (line, c + 1, line, vcol + 1, 0, len(rest), None)
                if i < n and lines[i][1] > col:
                    raise Unusual  # the value goes on below
                continue
            nxt = lines[i] if i < n else None
            if nxt is not None and (nxt[1] > col or (nxt[1] == col and nxt[2] is None)):
                # Nested below (a list may stand at its key's own indentation).
                if nxt[2] is None:
                    i, out[key], inner = self._sequence(i, nxt[1], depth + 1, nxt[1] == col)
                else:
                    i, out[key], inner = self._mapping(i, nxt[1], depth + 1)
                table[key] = (line, c + 1, nxt[0], nxt[1] + 1, -1, 0, inner)
            else:
                out[key] = None
                table[key] = (line, c + 1, line, c + len(key) + 2, -1, 0, None)  # PyYAML: just after the colon
        self.nodes += len(out)
        return i, out, table

    def _sequence(self, i: int, col: int, depth: int, indentless: bool) -> tuple[int, list[Any], list[Entry]]:
        if depth > _MAX_DEPTH:
            raise Unusual
        out: list[Any] = []
        table: list[Entry] = []
        lines, n = self.lines, self.n
        while i < n:
            line, c, key, vcol, rest = lines[i]
            if c != col or key is not None:
                if c < col or (indentless and c == col):
                    break
                raise Unusual
            i += 1
            if rest:
                value, entry = self._inline(rest, line, 0, vcol)
                out.append(value)
                table.append(entry)
                if i < n and lines[i][1] > col:
                    raise Unusual  # a value continued on the next line
                continue
            nxt = lines[i] if i < n else None
            if nxt is None or nxt[0] != line:
                raise Unusual  # `-` alone: its value is on the lines below
            i, value, inner = self._mapping(i, nxt[1], depth + 1)
            out.append(value)
            table.append((line, 0, line, nxt[1] + 1, -1, 0, inner))
        self.nodes += len(out)
        return i, out, table

    def _inline(self, rest: str, line: int, key_col: int, col: int) -> tuple[Any, Entry]:
        """A value written on its key's or item's line (`col`, 0-based): a one-line
        string, boolean, timestamp or null, or a `[a, b]` list of them. (Mappings read
        plain values themselves.)"""
        first = rest[0]
        if first in _PLAIN_START_NOT:
            if first == "[":
                value, inner = self._flow(rest, line, col)
                return value, (line, key_col, line, col + 1, -1, 0, inner)
            if first != '"' and first != "'":
                raise Unusual
            if len(rest) < 2 or rest[-1] != first or first in rest[1:-1] or "\\" in rest:
                raise Unusual  # escapes, a doubled quote, text after the closing quote
            return rest[1:-1], (line, key_col, line, col + 1, 1, len(rest), None)
        if ": " in rest or " #" in rest or rest[-1] == ":":
            raise Unusual
        value = rest if len(rest) > _LONGEST.get(first, _LONGEST_ANY) else _scalar(rest)
        return value, (line, key_col, line, col + 1, 0, len(rest), None)

    def _flow(self, rest: str, line: int, col: int) -> tuple[list[Any], list[Entry]]:
        if rest[-1] != "]":
            raise Unusual
        inner = rest[1:-1]
        if not inner.strip(" "):
            return [], []
        if _ITEM_NOT.search(inner):
            raise Unusual
        out: list[Any] = []
        table: list[Entry] = []
        at = col + 1  # column of the text after `[` (0-based)
        for part in inner.split(","):
            item = part.strip(" ")
            if not item or item[0] in _PLAIN_START_NOT:
                raise Unusual  # `[a,,b]`, `[a, b, ]`, `[-x]`: PyYAML's rules
            start = at + part.index(item[0]) + 1
            out.append(item if len(item) > _LONGEST.get(item[0], _LONGEST_ANY) else _scalar(item))
            table.append((line, 0, line, start, 0, len(item), None))
            at += len(part) + 1
        self.nodes += len(out)
        return out, table


def _scalar(text: str) -> Any:
    """A plain scalar's value, as PyYAML's safe loader builds it."""
    first = text[0]
    if len(text) > _LONGEST.get(first, _LONGEST_ANY):
        return text  # longer than any other type's form that starts so: a string
    if "0" <= first <= "9" and (stamp := iso_timestamp(text)) is not None:
        return stamp  # the commonest value that is not a string, each one different
    tag = resolve_tag(_SCALAR, text, _IMPLICIT)
    if tag == _STR:
        return text
    if tag == _TIMESTAMP:
        stamp: date | datetime | None = iso_timestamp(text)
        if stamp is None:
            raise Unusual  # other forms, impossible dates: PyYAML's constructor and errors
        return stamp
    if tag == _BOOL:
        return _BOOLS[text.lower()]
    if tag == _NULL:
        return None
    if tag == _INT and _PLAIN_INT.fullmatch(text):
        return int(text)
    if tag == _FLOAT and _PLAIN_FLOAT.fullmatch(text):
        return float(text)
    raise Unusual  # other numbers and the rest: PyYAML's constructors
