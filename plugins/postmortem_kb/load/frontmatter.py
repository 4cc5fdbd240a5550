"""Read a postmortem's front matter: split the file, parse the YAML with a line map.

Front matter in the plain shape `pmkb new` writes is read by block_yaml first; the rest
(and every error) by PyYAML, bounded, in yaml_parse. The steps live beside this module,
one job each: problem (the load problem type), split_file (decode, lines, the front
matter block), yaml_parse and yaml_build (the bounded PyYAML path), yaml_loader (the
loader both readers share). Their names are re-exported here, where the loaders, rules,
site and tests have always imported them.
"""

from __future__ import annotations

from .block_yaml import BlockParsed
from .block_yaml import read as read_plain_shape
from .problem import Problem
from .split_file import Split, decode, split, split_lines
from .yaml_build import MAX_DEPTH, MAX_NODES
from .yaml_loader import SAFE_LOADER, _Loader
from .yaml_parse import MAX_FRONT_MATTER_BYTES, LineOf, Parsed, load_yaml

__all__ = [  # the names other modules and the tests import from here
    "MAX_DEPTH",
    "MAX_FRONT_MATTER_BYTES",
    "MAX_NODES",
    "SAFE_LOADER",
    "LineOf",
    "Parsed",
    "Problem",
    "Split",
    "_Loader",
    "decode",
    "load_yaml",
    "parse",
    "split",
    "split_lines",
]


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
