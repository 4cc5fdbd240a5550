"""The safe YAML loader both front-matter readers share (yaml_parse.py's PyYAML path and
block_yaml.py's plain-shape reader): the tag a plain scalar resolves to, remembered;
ISO timestamps read as PyYAML reads them; value constructors that fail at the value.
In a module of its own so that neither reader imports the other's module back.
"""

from __future__ import annotations

import functools
import inspect
import operator
import re
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, ClassVar

import yaml

try:  # the regex parser, to measure how long a resolver's matches can be
    from re import _parser as _sre_parse
except ImportError:  # Python 3.10
    import sre_parse as _sre_parse  # type: ignore[no-redef]

# The C safe loader where PyYAML was built with libyaml; its pure-Python one elsewhere
# (the tests run both). Also for the package's own YAML files.
SAFE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SafeLoader = SAFE_LOADER


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# The timestamps postmortems are written with (`2024-03-14`, `2024-03-14T13:52:00+00:00`,
# `…Z`), which `fromisoformat` reads as PyYAML does at a thirtieth of the cost: PyYAML's
# regex-and-int constructor was a sixth of the time to parse 5,000 front matters. Every
# other form (fractions, `-5`, spaces) goes to PyYAML's constructor.
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:Z|[+-][0-9]{2}:[0-9]{2})?)?")


def iso_timestamp(value: str) -> date | datetime | None:
    """`value` as PyYAML's timestamp constructor gives it, for the common ISO forms; None
    for any other form or an impossible date, left to PyYAML (and its error)."""
    if not _ISO.fullmatch(value):
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        if _FROMISOFORMAT_READS_ALL:
            return datetime.fromisoformat(value)
        zone = "+00:00" if value[-1] == "Z" else value[19:]  # Python 3.10 reads no `Z`
        return datetime.fromisoformat(f"{value[:10]}T{value[11:19]}{zone}")
    except ValueError:
        return None


# Python 3.11 reads every form _ISO admits (`Z`, a space or `t` between date and time).
_FROMISOFORMAT_READS_ALL = sys.version_info >= (3, 11)


class _Loader(_SafeLoader):  # type: ignore[misc, valid-type]
    """The safe loader whose value constructors fail as YAML errors at the value.

    An explicit tag forces a constructor onto any text (`!!timestamp soon`, `!!int ''`,
    `!!bool maybe`), and PyYAML's then raise AttributeError, KeyError, IndexError or
    ValueError with no position.
    """

    # The C composer asks Python for the tag of every untagged node, and PyYAML's
    # `resolve` concatenates two resolver lists per scalar. These are the same resolvers,
    # in the same order, joined once per first character, with the longest text any of
    # them can match: a longer value (most prose starts with a letter that only the
    # five-letter booleans claim) is a string without trying a regex.
    _implicit: ClassVar[dict[str, tuple[int, tuple[tuple[str, Any], ...]]]] = {}
    _wildcard: ClassVar[tuple[int, tuple[tuple[str, Any], ...]]] = (0, ())

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        if not self.yaml_path_resolvers:
            # Without path resolvers the composer's two per-node hooks do nothing, and
            # C no-ops in their place cost less than PyYAML's Python ones (7 % of
            # composing); a tag depends on the text alone, and is remembered.
            self.descend_resolver = _takes_two_does_nothing
            self.ascend_resolver = _takes_none_does_nothing
            self.resolve = resolve_tag
            if resolve_tag.cache_info().currsize > MEMO_MAX:
                resolve_tag.cache_clear()

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and not self.yaml_path_resolvers:
            if implicit[0]:
                if _ISO.fullmatch(value):
                    # What the timestamp resolver claims and the int and float ones cannot
                    # (their digits take no `-` after the first): tried last, and paid
                    # three regexes, for the commonest non-string value of a postmortem.
                    return _TIMESTAMP
                longest, resolvers = self._implicit.get(value[:1], self._wildcard)
                if len(value) <= longest:
                    for tag, regexp in resolvers:
                        if regexp.match(value):
                            return tag
            return _STR
        return super().resolve(kind, value, implicit)


@functools.cache
def resolve_tag(kind: type, value: Any, implicit: Any) -> str:
    """`_Loader.resolve`, remembered: most scalars of a knowledge base are its few dozen
    keys and enumerations (`status`, `open`, `SEV2`, service names), and a hit is a C call
    where a miss is a Python one (a sixth of the time to parse a front matter). Emptied
    when it holds MEMO_MAX texts (see `_Loader`): cheaper than a least-recently-used
    order kept on every call."""
    return _Loader.resolve(_PLAIN, kind, value, implicit)


MEMO_MAX = 2048


_takes_two_does_nothing = operator.is_
_takes_none_does_nothing = tuple


def _longest(resolvers: tuple[tuple[str, Any], ...]) -> int:
    """The most characters any of `resolvers` can match (+1: `$` also matches before a
    final line break)."""
    return max((_width(regexp.pattern, regexp.flags) for _, regexp in resolvers), default=-1) + 1


@functools.cache
def _width(pattern: str, flags: int) -> int:
    """The most characters `pattern` can match: parsed once for the many first
    characters whose resolvers share it."""
    try:
        return _sre_parse.parse(pattern, flags).getwidth()[1]
    except Exception:  # a pattern the parser cannot measure: always try it
        return 1 << 62


def _joined(first: str | None) -> tuple[int, tuple[tuple[str, Any], ...]]:
    found = (
        tuple(_Loader.yaml_implicit_resolvers.get(first, []) + _Loader.yaml_implicit_resolvers.get(None, []))
        if first is not None
        else tuple(_Loader.yaml_implicit_resolvers.get(None, []))
    )
    return _longest(found), found


_Loader._implicit = {first: _joined(first) for first in _Loader.yaml_implicit_resolvers if first is not None}
_Loader._wildcard = _joined(None)
# The most characters a plain scalar other than a string can have, by its first
# character (and for any other first character): longer ones are strings.
NON_STRING_LONGEST = {first: longest for first, (longest, _) in _Loader._implicit.items()}
NON_STRING_LONGEST_ANY = _Loader._wildcard[0]
_PLAIN = _Loader("")


def _marked(construct: Callable[[Any, yaml.Node], Any]) -> Callable[[Any, yaml.Node], Any]:
    @functools.wraps(construct)
    def wrapper(loader: Any, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except yaml.YAMLError:
            raise
        except Exception as err:
            tag = node.tag.rsplit(":", 1)[-1]
            value = node.value if isinstance(node.value, str) else ""
            value = value if len(value) <= 40 else value[:39] + "…"
            why = f" ({err})" if isinstance(err, ValueError) else ""
            raise yaml.constructor.ConstructorError(
                None, None, f"`{value}` is not a valid {tag}{why}", node.start_mark
            ) from None

    return wrapper


for _tag, _construct in list(_SafeLoader.yaml_constructors.items()):
    # Collections are built by generators (errors surface later, from their items' own
    # constructors); plain strings cannot fail. The rest are wrapped.
    if _tag is not None and _tag != "tag:yaml.org,2002:str" and not inspect.isgeneratorfunction(_construct):
        _Loader.add_constructor(_tag, _marked(_construct))
