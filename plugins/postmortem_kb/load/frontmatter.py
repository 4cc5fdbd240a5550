"""Split a Markdown file into front matter and body, parse the YAML with a line map.

Bounded and safe: the C safe loader, a cap on nodes (alias bombs), duplicate keys found.
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
MAX_FRONT_MATTER_BYTES = 256 * 1024


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


def _walk(node: yaml.Node, offset: int, problems: list[Problem]) -> None:
    """Count node visits (alias expansions included) and find duplicate keys."""
    visits = 0
    stack = [node]
    while stack:
        n = stack.pop()
        visits += 1
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
                stack.append(v)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)


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
