"""Front matter that fails the schema, still checked on what is valid (#14: every finding
in one run, not the first field error alone).

The top-level fields that fail are replaced by neutral stand-ins so that the model
validates; the rules run on it, and a hit is kept only if its rule read no stood-in field
before yielding it. A stand-in therefore never causes a finding: with `resolved` missing
there is no late-postmortem, with `actions` wrong no stale-action.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from ..load.schema import FrontMatter
from .hit import Hit

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# Valid values for the required fields; an optional field stands in with its default.
_STAND_INS: dict[str, Any] = {
    "id": "stood-in",
    "title": "-",
    "status": "draft",
    "severity": "-",
    "services": ["-"],
    "authors": ["-"],
    "started": _EPOCH,
    "detected": _EPOCH,
    "resolved": _EPOCH,
    "filed": _EPOCH.date(),
    "customer_impact": False,
    "contributing_factors": [],
    "actions": [],
}


def best_effort(data: dict[Any, Any]) -> tuple[FrontMatter, frozenset[str]] | None:
    """The model of `data` with its failing fields stood in, and their names; None when
    it cannot be built (an error that names no field)."""
    fields = FrontMatter.model_fields
    data = {k: v for k, v in data.items() if k in fields}  # unknown fields: reported, read by no rule
    stood: set[str] = set()
    for _ in range(3):  # a stand-in is valid, so the second pass validates
        try:
            return FrontMatter.model_validate(data), frozenset(stood)
        except ValidationError as err:
            bad = {str(e["loc"][0]) for e in err.errors() if e["loc"] and str(e["loc"][0]) in fields} - stood
            if not bad:
                return None
            for name in bad:
                stood.add(name)
                data[name] = (
                    _STAND_INS[name] if name in _STAND_INS else fields[name].get_default(call_default_factory=True)
                )
    return None


class Watched:
    """The best-effort model as a rule sees it, noting whether a stood-in field was read."""

    __slots__ = ("_model", "_stood", "touched")

    def __init__(self, model: FrontMatter, stood: frozenset[str]) -> None:
        self._model = model
        self._stood = stood
        self.touched = False

    def __getattr__(self, name: str) -> Any:
        # Any other attribute (model_dump, …) may read every field.
        if name in self._stood or name not in FrontMatter.model_fields:
            self.touched = self.touched or bool(self._stood)
        return getattr(self._model, name)


def kept(hits: Iterator[Hit], meta: Watched) -> Iterator[Hit]:
    """The hits a rule yields before it reads a stood-in field (rules are generators, so
    what it read up to a hit is what that hit can depend on)."""
    meta.touched = False
    for hit in hits:
        if meta.touched:
            return
        yield hit


def validated(pm: Any) -> bool:
    """Whether `pm.meta` is the model of front matter that passed the schema: not None,
    not the best-effort model (a check of scope DATA then reads `pm.data` instead).
    (Not `isinstance(pm.meta, FrontMatter)`: pydantic's check would read an attribute of
    the watched model, and count as reading a stood-in field.)"""
    return pm.meta is not None and not isinstance(pm.meta, Watched)


def kept_value(meta: Watched, name: str) -> bool:
    """Whether field `name` validated (was not stood in)."""
    meta.touched = False
    getattr(meta, name)
    return not meta.touched
