"""The public build's refusals: a postmortem with a leak the check reports is left out
of the public site, with or without `--strict`, and `pmkb build --public` lists it."""

from __future__ import annotations

import logging
import tempfile
from typing import Any

from ...model import Postmortem
from ..registry import registry
from .leaks import Leak, find_leaks

# Under "mkdocs.plugins" so that MkDocs prints it as it prints the plugin's warnings.
REFUSALS = logging.getLogger("mkdocs.plugins.postmortem_kb.public_site")
# The refused paths alone, for `pmkb build --public` (see RefusalLedger): never shown.
LEDGER = logging.getLogger("postmortem_kb.public_site.refused")
LEDGER.propagate = False
LEDGER.setLevel(logging.INFO)


def blocking_leaks(pm: Postmortem, settings: Any, template: Any) -> list[Leak]:
    """The leaks that keep `pm` off the public site: every one the check reports, that
    is all but those a `pmkb: disable=public-leak` comment silences in the file (a
    reviewed exception, as for the check). `settings` is the whole configuration."""
    leaks = find_leaks(pm, settings.public, template)
    if leaks and pm.suppressions is not None:
        code = registry()["public-leak"].code
        leaks = [k for k in leaks if not pm.suppressions.silenced(k.line, code, "public-leak")]
    return leaks


def refuse(pm: Postmortem, leaks: list[Leak]) -> None:
    """Say why `pm` is left out (with the first of its `leaks`), and note it for the ledger."""
    first = leaks[0]
    REFUSALS.warning(
        "postmortem_kb: %s is left out of the public site: %d public-leak finding(s), "
        "the first at line %d, column %d: %s. Run `pmkb check %s` for all of them.",
        pm.path,
        len(leaks),
        first.line,
        first.column,
        first.message,
        pm.path,
    )
    LEDGER.info(pm.path)


class RefusalLedger:
    """The postmortems a public build left out, whichever process built the plan (a full
    build makes it in a forked child, see offload): each refusal is written to a
    temporary file both processes share, not kept in memory."""

    def __enter__(self) -> RefusalLedger:
        self._file = tempfile.TemporaryFile("w+", encoding="utf-8")
        self._handler = logging.StreamHandler(self._file)
        LEDGER.addHandler(self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        LEDGER.removeHandler(self._handler)
        self._file.close()

    def paths(self) -> list[str]:
        """The refused postmortems' paths, each once, in the order they were refused."""
        self._handler.flush()
        self._file.seek(0)
        return list(dict.fromkeys(line for line in self._file.read().splitlines() if line))
