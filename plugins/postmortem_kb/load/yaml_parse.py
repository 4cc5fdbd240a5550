"""Parse one YAML document safely, into its value and a map from values to file positions.

Bounded and safe: the C safe loader, a cap on size, on nodes (alias bombs, see
yaml_build) and on nesting (the C composer recurses once per level, and a deep enough
document overflows the C stack: a crash, not an exception); every failure is a Problem
at its line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from .problem import Problem
from .yaml_build import MAX_DEPTH, MAX_NODES, _build, _deep_problem
from .yaml_loader import SAFE_LOADER, _Loader

MAX_FRONT_MATTER_BYTES = 256 * 1024
# Depths up to this compose safely on any thread's stack; a text that might nest deeper
# is measured from the parser's events (no recursion) before it is composed. PyYAML's
# Python composer recurses in Python (three frames a level): there, anything that might
# pass MAX_DEPTH is measured first.
_SAFE_DEPTH = 1000 if SAFE_LOADER is not yaml.SafeLoader else MAX_DEPTH
_COLLECTION_STARTS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_COLLECTION_ENDS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


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
        problems.append(_syntax_problem(err, where, offset, what))
        return None, problems
    except yaml.reader.ReaderError as err:  # a character YAML does not allow
        problems.append(_character_problem(err, text, offset, what))
        return None, problems
    except Exception as err:  # a parser bug must cost one finding, not the whole check
        problems.append(
            Problem("yaml-syntax", first, 1, f"{what} is not valid YAML: {type(err).__name__}: {err}", "fix the YAML")
        )
        return None, problems
    finally:
        loader.dispose()
    return Parsed(data=data, node=node, offset=offset, text=remap, source=text), problems


def _syntax_problem(
    err: yaml.MarkedYAMLError, where: Callable[[yaml.Mark], tuple[int, int]], offset: int, what: str
) -> Problem:
    mark = err.problem_mark or err.context_mark
    line, col = where(mark) if mark else (offset + 1, 1)
    detail = " ".join(x for x in (err.context, err.problem) if x)
    return Problem(
        "yaml-syntax",
        line,
        col,
        f"{what} is not valid YAML: {detail}",
        "fix the YAML; quote values that contain `: ` or start with a special character",
    )


def _character_problem(err: yaml.reader.ReaderError, text: str, offset: int, what: str) -> Problem:
    """The reader gives the bad character's position in UTF-8 bytes: turned into a column."""
    index = len(text.encode("utf-8")[: err.position].decode("utf-8", "ignore"))
    line = offset + text.count("\n", 0, index) + 1
    col = index - text.rfind("\n", 0, index)
    char = f"U+{err.character:04X}" if isinstance(err.character, int) else repr(err.character)
    return Problem(
        "yaml-syntax",
        line,
        col,
        f"{what} is not valid YAML: the character {char} is not allowed ({err.reason})",
        "remove the character, or write it as an escape in a double-quoted string (`\\u0007`)",
    )


LineOf = Callable[[tuple[Any, ...]], tuple[int, int]]
