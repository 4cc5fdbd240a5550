"""Build a YAML document's value from its composed node tree, within bounds.

Composing is PyYAML's (C) job; building the value is ours, one level of the tree at a
time, so that aliases cannot expand without limit ("billion laughs"), nesting stays
bounded and duplicate keys are found with their lines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from .problem import Problem
from .yaml_loader import _MAP, _SEQ, _STR, _TIMESTAMP, iso_timestamp

MAX_NODES = 20_000  # visits, counting each alias expansion: stops "billion laughs"
MAX_DEPTH = 100  # nesting levels of collections; a postmortem needs 4


Slot = tuple[Any, Any]  # (container, key) a node's value goes to
Queued = list[tuple[yaml.Node, "Slot | None"]]  # nodes of the next level, and their slots
Later = list[tuple[Any, Any, yaml.Node]]  # (container, key, node) built by PyYAML after the walk


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
