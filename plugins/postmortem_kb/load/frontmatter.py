"""Split a Markdown file into front matter and body, parse the YAML with a line map.

Bounded and safe: the C safe loader, a cap on nodes (alias bombs) and on nesting (the C
composer recurses once per level, and a deep enough document overflows the C stack: a
crash, not an exception), duplicate keys found. Front matter in the plain shape `pmkb
new` writes is read by block_yaml first; the loader both readers share (the tag of a
plain scalar, ISO timestamps) is yaml_loader's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from .block_yaml import BlockParsed
from .block_yaml import read as read_plain_shape
from .yaml_loader import _MAP, _SEQ, _STR, _TIMESTAMP, SAFE_LOADER, _Loader, iso_timestamp

__all__ = ["SAFE_LOADER", "_Loader"]  # also read here by other modules and the tests

MAX_NODES = 20_000  # visits, counting each alias expansion: stops "billion laughs"
MAX_DEPTH = 100  # nesting levels of collections; a postmortem needs 4
MAX_FRONT_MATTER_BYTES = 256 * 1024
# Depths up to this compose safely on any thread's stack; a text that might nest deeper
# is measured from the parser's events (no recursion) before it is composed. PyYAML's
# Python composer recurses in Python (three frames a level): there, anything that might
# pass MAX_DEPTH is measured first.
_SAFE_DEPTH = 1000 if SAFE_LOADER is not yaml.SafeLoader else MAX_DEPTH
_COLLECTION_STARTS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_COLLECTION_ENDS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


@dataclass(slots=True)
class Problem:
    """A load problem, as (rule name, line, column, message, hint)."""

    rule: str
    line: int
    column: int
    message: str
    hint: str


@dataclass(slots=True)
class Split:
    lines: list[str]
    fm_start: int = 0  # 1-based line of the opening '---' (0: none)
    fm_end: int = 0  # 1-based line of the closing '---'
    body_start: int = 1
    problems: list[Problem] = field(default_factory=list)


def split_lines(text: str) -> list[str]:
    """Lines as Markdown (CommonMark) and editors count them: ended by LF, CR LF or CR.

    Not `str.splitlines`, which also breaks at form feeds, U+2028 and other characters
    no editor starts a new line at, and would put findings on the wrong lines.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the final line ending ends the last line, it starts none
    return lines


def decode(raw: bytes) -> tuple[str | None, Problem | None]:
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    raw = raw[bom:]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as err:
        before = split_lines(raw[: err.start].decode("utf-8") + "|")  # valid up to the bad byte
        line, col = len(before), len(before[-1])  # the "|" stands for the bad byte
        return None, Problem(
            "encoding",
            line,
            col,
            f"the file is not UTF-8 (byte 0x{raw[err.start]:02x} at offset {bom + err.start})",
            "save the file as UTF-8",
        )


def split(text: str) -> Split:
    lines = split_lines(text)
    out = Split(lines=lines)
    if not text.strip():
        out.problems.append(
            Problem("front-matter", 1, 1, "the file is empty", "start from `pmkb new` or a template in templates/")
        )
        return out
    first = lines[0].rstrip()
    if first != "---":
        out.problems.append(
            Problem(
                "front-matter",
                1,
                1,
                "no front matter: this is not a postmortem",
                "start the file with a `---` line, the YAML front matter and a closing `---` (see `pmkb new`), or move non-postmortem pages out of the postmortems folder",
            )
        )
        return out
    for i in range(1, len(lines)):
        stripped = lines[i].rstrip()
        if stripped in ("---", "..."):
            out.fm_start, out.fm_end, out.body_start = 1, i + 1, i + 2
            return out
    out.problems.append(
        Problem(
            "front-matter",
            1,
            1,
            "the front matter opened on line 1 is never closed",
            "add a line `---` after the last front-matter field",
        )
    )
    return out


# Line breaks to YAML 1.1 but not to Markdown or editors: where the front matter holds
# one, YAML's line numbers run ahead of the file's, and positions come from the
# character index instead.
_YAML_ONLY_BREAKS = ("\x85", "\u2028", "\u2029")


@dataclass(slots=True)
class Parsed:
    data: Any
    node: yaml.Node | None
    offset: int  # file line of the first YAML line, minus 1
    text: str | None = None  # the YAML text, kept only when it holds a YAML-only line break
    source: str = ""  # the YAML text

    def pos(self, mark: yaml.Mark) -> tuple[int, int]:
        """A YAML mark as the file's (line, column), 1-based."""
        return _mark_pos(mark, self.offset, self.text)

    def line_of(self, path: tuple[Any, ...]) -> tuple[int, int]:
        """(line, column), 1-based, of the value at `path`; the nearest known parent otherwise."""
        node = self.node
        best = (self.offset, 1) if node is None else self.pos(node.start_mark)
        for key in path:
            if node is None:
                break
            nxt = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == str(key):
                        nxt = v
                        best = self.pos(k.start_mark)
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
                nxt = node.value[key]
            if nxt is None:
                break
            node = nxt
            best = self.pos(node.start_mark)
        return best

    def key_line(self, key: str) -> tuple[int, int]:
        """Position of a top-level key itself (not its value)."""
        if isinstance(self.node, yaml.MappingNode):
            for k, _ in self.node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    return self.pos(k.start_mark)
        return (self.offset, 1)

    def scalar_node(self, path: tuple[Any, ...]) -> yaml.ScalarNode | None:
        node = self.node
        for key in path:
            if isinstance(node, yaml.MappingNode):
                node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(key)), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
                node = node.value[key]
            else:
                return None
        return node if isinstance(node, yaml.ScalarNode) else None

    def text_pos(self, path: tuple[Any, ...], index: int) -> tuple[int, int]:
        """Position of character `index` of the string at `path`: exact for a one-line
        plain or quoted scalar without escapes, the scalar's start otherwise."""
        node = self.scalar_node(path)
        if node is None:
            return self.line_of(path)
        line, col = self.pos(node.start_mark)
        end_line, end_col = self.pos(node.end_mark)
        if line != end_line or node.style not in (None, "", '"', "'"):
            return line, col
        raw = self.source[node.start_mark.index : node.end_mark.index]
        if (node.style == '"' and "\\" in raw) or (node.style == "'" and "''" in raw[1:-1]):
            return line, col  # escapes: value and source columns part ways
        quote = 1 if node.style in ('"', "'") else 0
        return line, min(col + quote + index, max(col, end_col - 1))


def _mark_pos(mark: yaml.Mark, offset: int, text: str | None) -> tuple[int, int]:
    if text is None:
        return (offset + mark.line + 1, mark.column + 1)
    index = min(mark.index, len(text))
    return (offset + text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index))


def _nesting_bound(text: str) -> int:
    """An upper bound on how deep `text` can nest: each collection needs an indicator of
    its own (`[`, `{`, `-` for block sequences, `:` or `?` for block mappings)."""
    return text.count("[") + text.count("{") + text.count("-") + text.count(":") + text.count("?") + 1


def _too_deep(text: str) -> yaml.Mark | None:
    """Where the collections of `text` first nest deeper than MAX_DEPTH; None if never.
    A YAML error raises, as composing would.

    Read from the parser's events (the C parser keeps its own stack, it does not
    recurse). libyaml may refuse deep flow nesting with a limit of its own while it scans
    ahead, before any event reaches us (PyYAML 6.0.4 stops at 1,000 levels); so on any
    error the text is walked again by PyYAML's Python parser, which yields events as it
    goes, and the finding is ours whichever library version is installed."""
    try:
        return _first_too_deep(_Loader(text))
    except yaml.YAMLError as err:
        try:
            mark = _first_too_deep(yaml.SafeLoader(text))
        except yaml.YAMLError:
            mark = None
        if mark is None:
            raise err from None
        return mark


def _first_too_deep(loader: Any) -> yaml.Mark | None:
    depth = 0
    try:
        while True:
            event = loader.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                return None
            if isinstance(event, _COLLECTION_STARTS):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark
            elif isinstance(event, _COLLECTION_ENDS):
                depth -= 1
    finally:
        loader.dispose()


def _deep_problem(line: int, column: int, what: str) -> Problem:
    return Problem(
        "yaml-syntax",
        line,
        column,
        f"the {what} nests deeper than {MAX_DEPTH} levels",
        "write the fields flat, as in `pmkb new`: lists of values or of `key: value` items",
    )


def _build(
    node: yaml.Node,
    loader: Any,
    where: Callable[[yaml.Mark], tuple[int, int]],
    problems: list[Problem],
    what: str,
    max_nodes: int,
) -> tuple[bool, Any]:
    """The document's value, built one level of the tree at a time while counting nodes
    (alias expansions included), bounding nesting and finding duplicate keys.

    (False, None) when the document is refused (a yaml-syntax problem is added). Plain
    maps, lists and strings are built here; every other node (timestamps, numbers, merge
    keys, explicit tags, complex keys) goes to PyYAML's own constructors once the whole
    tree has passed the bounds, so values are what `yaml.load` gives. (PyYAML's generic
    constructor alone costs as much as parsing.)

    A node is counted when it is queued, not when it is visited: a level of aliases to
    one long list would otherwise queue (count × length) entries before the count ran
    out, gigabytes from a 80 KB front matter.
    """
    root: list[Any] = [None]
    # (node, where its value goes: (container, key) to fill, or None when the node is only
    # counted and checked because PyYAML will build it)
    level: list[tuple[yaml.Node, tuple[Any, Any] | None]] = [(node, (root, 0))]
    later: list[tuple[Any, Any, yaml.Node]] = []  # built by PyYAML after the walk
    counted = 1  # nodes queued in the levels so far
    depth = 1
    while level:
        if depth > MAX_DEPTH:
            problems.append(_deep_problem(*where(level[0][0].start_mark), what))
            return False, None
        below: list[tuple[yaml.Node, tuple[Any, Any] | None]] = []
        for n, slot in level:
            kind = type(n)
            if kind is yaml.ScalarNode:  # most nodes: no children, nothing to count
                if slot is not None:
                    _scalar_into(n, slot, later)
                continue
            if kind is yaml.MappingNode:
                _mapping_into(n, slot, below, later, problems, where)
            elif kind is yaml.SequenceNode:
                _sequence_into(n, slot, below, later)
            elif slot is not None:
                later.append((slot[0], slot[1], n))
            if counted + len(below) > max_nodes:
                return _too_many(node, where, problems, what, max_nodes)
        counted += len(below)
        level = below
        depth += 1
    for container, key, n in later:
        container[key] = loader.construct_object(n, deep=True)
    return True, root[0]


Slot = tuple[Any, Any]  # (container, key) a node's value goes to
Queued = list[tuple[yaml.Node, "Slot | None"]]  # nodes of the next level, and their slots
Later = list[tuple[Any, Any, yaml.Node]]  # (container, key, node) built by PyYAML after the walk


def _scalar_into(n: yaml.ScalarNode, slot: Slot, later: Later) -> None:
    tag = n.tag
    if tag == _STR:
        slot[0][slot[1]] = n.value
        return
    if tag == _TIMESTAMP and (stamp := iso_timestamp(n.value)) is not None:
        slot[0][slot[1]] = stamp
        return
    later.append((slot[0], slot[1], n))


def _mapping_into(
    n: yaml.MappingNode,
    slot: Slot | None,
    below: Queued,
    later: Later,
    problems: list[Problem],
    where: Callable[[yaml.Mark], tuple[int, int]],
) -> None:
    """Queue a mapping's values (and complex keys) below, building it here when it is plain."""
    if slot is not None and n.tag == _MAP:
        # The usual mapping, every key a plain string: built in one pass. At the first
        # other key, undone and left to the general way below.
        queued, reported = len(below), len(problems)
        value: dict[Any, Any] = {}
        for k, v in n.value:
            if type(k) is not yaml.ScalarNode or k.tag != _STR:
                break
            key = k.value
            if key in value:
                line, col = where(k.start_mark)
                problems.append(
                    Problem(
                        "schema", line, col, f"duplicate key `{key}`", "keep one of the two; YAML keeps only the last"
                    )
                )
            value[key] = None  # the order of keys is kept; the value comes below
            below.append((v, (value, key)))
        else:
            slot[0][slot[1]] = value
            return
        del below[queued:], problems[reported:]
    seen: set[str] = set()
    plain = slot is not None and n.tag == _MAP
    for k, _v in n.value:
        if type(k) is yaml.ScalarNode:
            if k.value in seen:
                line, col = where(k.start_mark)
                problems.append(
                    Problem(
                        "schema",
                        line,
                        col,
                        f"duplicate key `{k.value}`",
                        "keep one of the two; YAML keeps only the last",
                    )
                )
            seen.add(k.value)
            plain = plain and k.tag == _STR  # merge keys (`<<`) and numbers: PyYAML's rules
        else:
            below.append((k, None))  # a complex key (`? [a, b]`) nests too
            plain = False
    if plain:
        value = {}
        for k, v in n.value:
            value[k.value] = None
            below.append((v, (value, k.value)))
        slot[0][slot[1]] = value  # type: ignore[index]
    else:
        below.extend((v, None) for _k, v in n.value)
        if slot is not None:
            later.append((slot[0], slot[1], n))


def _sequence_into(n: yaml.SequenceNode, slot: Slot | None, below: Queued, later: Later) -> None:
    if slot is not None and n.tag == _SEQ:
        items: list[Any] = [None] * len(n.value)
        below.extend((v, (items, i)) for i, v in enumerate(n.value))
        slot[0][slot[1]] = items
    else:
        below.extend((v, None) for v in n.value)
        if slot is not None:
            later.append((slot[0], slot[1], n))


def _too_many(
    node: yaml.Node, where: Callable[[yaml.Mark], tuple[int, int]], problems: list[Problem], what: str, max_nodes: int
) -> tuple[bool, Any]:
    line, col = where(node.start_mark)
    problems.append(
        Problem(
            "yaml-syntax",
            line,
            col,
            f"the {what} expands to more than {max_nodes} values (aliases or nesting)",
            f"write the values out; the {what} needs no YAML anchors or aliases",
        )
    )
    return False, None


def parse(split_: Split) -> tuple[Parsed | BlockParsed | None, list[Problem]]:
    """The front matter of a split file: a mapping, with positions in the file.

    Front matter in the plain shape `pmkb new` writes is read by block_yaml, at half
    the cost; the rest (and every error) by PyYAML."""
    if not split_.fm_end:
        return None, []
    offset = split_.fm_start  # YAML line 0 is file line fm_start + 1
    text = "\n".join(split_.lines[split_.fm_start : split_.fm_end - 1])
    if len(text) <= MAX_FRONT_MATTER_BYTES and (block := read_plain_shape(text, offset, MAX_NODES)) is not None:
        return block, []
    parsed, problems = load_yaml(text, offset)
    if parsed is None:
        return None, problems
    if not isinstance(parsed.data, dict):
        problems.append(
            Problem(
                "yaml-syntax",
                split_.fm_start + 1,
                1,
                "the front matter must be a mapping of fields",
                "write `field: value` lines",
            )
        )
        return None, problems
    return parsed, problems


def load_yaml(
    text: str,
    offset: int = 0,
    what: str = "front matter",
    max_chars: int = MAX_FRONT_MATTER_BYTES,
    max_nodes: int = MAX_NODES,
) -> tuple[Parsed | None, list[Problem]]:
    """Parse one YAML document safely: bounded in size, nodes and depth, every failure a
    Problem at its line (`offset` is the file line before the text's first line)."""
    problems: list[Problem] = []
    first = max(1, offset)
    if len(text) > max_chars:
        problems.append(
            Problem(
                "yaml-syntax",
                first,
                1,
                f"the {what} is larger than {max_chars // 1024} KiB",
                "move long text into the body" if what == "front matter" else "split it",
            )
        )
        return None, problems
    remap = text if any(c in text for c in _YAML_ONLY_BREAKS) else None

    def where(mark: yaml.Mark) -> tuple[int, int]:
        return _mark_pos(mark, offset, remap)

    loader = _Loader(text)
    try:
        if _nesting_bound(text) > _SAFE_DEPTH:
            mark = _too_deep(text)
            if mark is not None:
                problems.append(_deep_problem(*where(mark), what))
                return None, problems
        node = loader.get_single_node()
        if node is None:
            problems.append(
                Problem("yaml-syntax", first, 1, f"the {what} is empty", "fill in the fields (see `pmkb new`)")
            )
            return None, problems
        ok, data = _build(node, loader, where, problems, what, max_nodes)
        if not ok:
            return None, problems
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = where(mark) if mark else (offset + 1, 1)
        detail = " ".join(x for x in (err.context, err.problem) if x)
        problems.append(
            Problem(
                "yaml-syntax",
                line,
                col,
                f"{what} is not valid YAML: {detail}",
                "fix the YAML; quote values that contain `: ` or start with a special character",
            )
        )
        return None, problems
    except yaml.reader.ReaderError as err:  # a character YAML does not allow; position in UTF-8 bytes
        index = len(text.encode("utf-8")[: err.position].decode("utf-8", "ignore"))
        line = offset + text.count("\n", 0, index) + 1
        col = index - text.rfind("\n", 0, index)
        char = f"U+{err.character:04X}" if isinstance(err.character, int) else repr(err.character)
        problems.append(
            Problem(
                "yaml-syntax",
                line,
                col,
                f"{what} is not valid YAML: the character {char} is not allowed ({err.reason})",
                "remove the character, or write it as an escape in a double-quoted string (`\\u0007`)",
            )
        )
        return None, problems
    except Exception as err:  # a parser bug must cost one finding, not the whole check
        problems.append(
            Problem("yaml-syntax", first, 1, f"{what} is not valid YAML: {type(err).__name__}: {err}", "fix the YAML")
        )
        return None, problems
    finally:
        loader.dispose()
    return Parsed(data=data, node=node, offset=offset, text=remap, source=text), problems


LineOf = Callable[[tuple[Any, ...]], tuple[int, int]]
