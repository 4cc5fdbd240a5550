"""Split a Markdown file into front matter and body, parse the YAML with a line map.

Bounded and safe: the C safe loader, a cap on nodes (alias bombs) and on nesting (the C
composer recurses once per level, and a deep enough document overflows the C stack: a
crash, not an exception), duplicate keys found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Loader = yaml.SafeLoader

MAX_NODES = 20_000  # visits, counting each alias expansion: stops "billion laughs"
MAX_DEPTH = 100  # nesting levels of collections; a postmortem needs 4
MAX_FRONT_MATTER_BYTES = 256 * 1024
# Depths up to this compose safely on any thread's stack; a text that might nest deeper
# is measured from the parser's events (no recursion) before it is composed.
_SAFE_DEPTH = 1000
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


def decode(raw: bytes) -> tuple[str | None, Problem | None]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        col = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        return None, Problem(
            "encoding",
            line,
            col,
            f"the file is not UTF-8 (byte 0x{raw[err.start]:02x} at offset {err.start})",
            "save the file as UTF-8",
        )


def split(text: str) -> Split:
    lines = text.splitlines()
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


@dataclass(slots=True)
class Parsed:
    data: Any
    node: yaml.Node | None
    offset: int  # file line of the first YAML line, minus 1

    def line_of(self, path: tuple[Any, ...]) -> tuple[int, int]:
        """(line, column), 1-based, of the value at `path`; the nearest known parent otherwise."""
        node = self.node
        best = (self.offset, 1) if node is None else _pos(node, self.offset)
        for key in path:
            if node is None:
                break
            nxt = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == str(key):
                        nxt = v
                        best = _pos(k, self.offset)
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
                nxt = node.value[key]
            if nxt is None:
                break
            node = nxt
            best = _pos(node, self.offset)
        return best

    def key_line(self, key: str) -> tuple[int, int]:
        """Position of a top-level key itself (not its value)."""
        if isinstance(self.node, yaml.MappingNode):
            for k, _ in self.node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    return _pos(k, self.offset)
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


def _pos(node: yaml.Node, offset: int) -> tuple[int, int]:
    return (offset + node.start_mark.line + 1, node.start_mark.column + 1)


def _nesting_bound(text: str) -> int:
    """An upper bound on how deep `text` can nest: each collection needs an indicator of
    its own (`[`, `{`, `-` for block sequences, `:` or `?` for block mappings)."""
    return text.count("[") + text.count("{") + text.count("-") + text.count(":") + text.count("?") + 1


def _too_deep(text: str) -> yaml.Mark | None:
    """Where the collections of `text` first nest deeper than MAX_DEPTH, read from the
    event stream (the C parser keeps its own stack, it does not recurse); None if never.
    A YAML error raises, as composing would."""
    loader = _Loader(text)
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


def _deep_problem(line: int, column: int) -> Problem:
    return Problem(
        "yaml-syntax",
        line,
        column,
        f"the front matter nests deeper than {MAX_DEPTH} levels",
        "write the fields flat, as in `pmkb new`: lists of values or of `key: value` items",
    )


def _walk(node: yaml.Node, offset: int, problems: list[Problem]) -> None:
    """Count node visits (alias expansions included), bound nesting and find duplicate keys."""
    visits = 0
    stack = [(node, 1)]
    while stack:
        n, depth = stack.pop()
        visits += 1
        if depth > MAX_DEPTH:
            problems.append(_deep_problem(*_pos(n, offset)))
            return
        if visits > MAX_NODES:
            line, col = _pos(node, offset)
            problems.append(
                Problem(
                    "yaml-syntax",
                    line,
                    col,
                    f"the front matter expands to more than {MAX_NODES} values (aliases or nesting)",
                    "write the values out; front matter needs no YAML anchors or aliases",
                )
            )
            return
        if isinstance(n, yaml.MappingNode):
            seen: set[str] = set()
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode):
                    if k.value in seen:
                        line, col = _pos(k, offset)
                        problems.append(
                            Problem("schema", line, col, f"duplicate key `{k.value}`", "keep one of the two; YAML keeps only the last")
                        )
                    seen.add(k.value)
                stack.append((k, depth + 1))
                stack.append((v, depth + 1))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in n.value)


def parse(split_: Split) -> tuple[Parsed | None, list[Problem]]:
    problems: list[Problem] = []
    if not split_.fm_end:
        return None, problems
    offset = split_.fm_start  # YAML line 0 is file line fm_start + 1
    text = "\n".join(split_.lines[split_.fm_start : split_.fm_end - 1])
    if len(text) > MAX_FRONT_MATTER_BYTES:
        problems.append(
            Problem("yaml-syntax", split_.fm_start, 1, "the front matter is larger than 256 KiB", "move long text into the body")
        )
        return None, problems
    loader = _Loader(text)
    try:
        if _nesting_bound(text) > _SAFE_DEPTH:
            mark = _too_deep(text)
            if mark is not None:
                problems.append(_deep_problem(offset + mark.line + 1, mark.column + 1))
                return None, problems
        node = loader.get_single_node()
        if node is None:
            problems.append(Problem("yaml-syntax", split_.fm_start, 1, "the front matter is empty", "fill in the fields (see `pmkb new`)"))
            return None, problems
        _walk(node, offset, problems)
        if any(p.rule == "yaml-syntax" for p in problems):
            return None, problems
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = offset + (mark.line + 1 if mark else 1)
        col = mark.column + 1 if mark else 1
        what = " ".join(x for x in (err.context, err.problem) if x)
        problems.append(Problem("yaml-syntax", line, col, f"front matter is not valid YAML: {what}", "fix the YAML; quote values that contain `: ` or start with a special character"))
        return None, problems
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, OverflowError) as err:
        problems.append(Problem("yaml-syntax", split_.fm_start, 1, f"front matter is not valid YAML: {err}", "fix the YAML"))
        return None, problems
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        problems.append(
            Problem("yaml-syntax", split_.fm_start + 1, 1, "the front matter must be a mapping of fields", "write `field: value` lines")
        )
        return None, problems
    return Parsed(data=data, node=node, offset=offset), problems


LineOf = Callable[[tuple[Any, ...]], tuple[int, int]]
