"""One postmortem's public leaks: everything its public version shows (title, public
sections, action summaries), folded into one view, searched once, and each leak placed
at its line and column in the file."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...load.sections import normalise
from ...model import Postmortem
from .folding import fold
from .needles import Needles, cached_hosts, needles, phrase_pattern
from .rendered import Source, build_view
from .search import find


@dataclass(slots=True)
class Leak:
    """One leak, where it was typed (1-based), and what it is with its text."""

    line: int
    column: int
    message: str


def public_sections(pm: Postmortem, template: Any) -> list[Any]:
    """The sections of `pm` its template makes public, in file order."""
    keys = {normalise(s) for s in (template.public_sections if template else [])}
    return [s for s in pm.sections if s.key in keys]


def section_text(pm: Postmortem, section: Any) -> str:
    """A public section's Markdown as the public page takes it: heading to last line."""
    return "\n".join(pm.lines[section.line - 1 : section.end_line])


def shown_actions(pm: Postmortem) -> list[tuple[int, str]]:
    """(index, summary) of the actions the public page lists ("What we are changing")."""
    return [(i, a.summary) for i, a in enumerate(pm.meta.actions) if a.status != "wont-do"]


_LINE_START = re.compile(r"^", re.MULTILINE)


def _line_placer(text: str, first_line: int) -> Callable[[int], tuple[int, int]]:
    """Line and column of an offset in a section's text, which starts at `first_line`."""
    starts: list[int] = []  # worked out at the first leak: most texts have none

    def place(offset: int) -> tuple[int, int]:
        if not starts:
            starts.extend(m.end() for m in _LINE_START.finditer(text))
        k = bisect.bisect_right(starts, offset) - 1
        return first_line + k, offset - starts[k] + 1

    return place


def _scalar_placer(pm: Postmortem, path: tuple[Any, ...]) -> Callable[[int], tuple[int, int]]:
    """Line and column of an offset in a front matter value (`path` into the YAML)."""
    return lambda offset: pm.line_of.text_pos(path, offset)


def sources(pm: Postmortem, template: Any) -> list[Source]:
    """Everything of `pm` the public site shows, in the order the page shows it."""
    out = [Source(pm.meta.title, False, _scalar_placer(pm, ("title",)), "in the title (shown publicly)")]
    for section in public_sections(pm, template):
        text = section_text(pm, section)
        out.append(Source(text, True, _line_placer(text, section.line), "in a public section"))
    for i, summary in shown_actions(pm):
        out.append(
            Source(
                summary, False, _scalar_placer(pm, ("actions", i, "summary")), "in an action summary (shown publicly)"
            )
        )
    return out


MAX_LEAKS = 1000  # per postmortem: placed and worded, the first ones only (one is enough to refuse it)


def find_leaks(pm: Postmortem, settings: Any, template: Any) -> list[Leak]:
    """Each leak in what the public version of `pm` shows (its front matter must be valid),
    at its file position. `settings` is the configuration's `public` part."""
    srcs = sources(pm, template)
    view, starts = build_view(srcs)
    if not view.text:
        return []

    def source(s: int, e: int) -> str:
        a, b = view.start(s), view.end(e)
        k = bisect.bisect_right(starts, a) - 1
        return srcs[k].raw[a - starts[k] : b - starts[k]]

    leaks = []
    for s, e, why in find(view.text, needles(pm, settings, template), source)[:MAX_LEAKS]:
        a = view.start(s)
        k = bisect.bisect_right(starts, a) - 1
        line, column = srcs[k].place(a - starts[k])
        leaks.append(Leak(line, column, f"{why} {srcs[k].where}: “{_short(source(s, e))}”"))
    return leaks


def scan_text(text: str, settings: Any, names: tuple[str, ...] = ()) -> list[tuple[int, int, str]]:
    """(start, end, why) of each leak in one Markdown text (offsets into `text`): the
    rule's whole scan of a public section, for timing it on adversarial input
    (fuzz/regex_timing.py). `settings` is the configuration's `public` part."""
    view, _ = build_view([Source(text, True, lambda i: (1, i + 1), "")])
    full = [fold(n) for n in names]
    found = Needles(
        names=full,
        name_words=[w for n in full for w in n.split() if len(w) >= 3],
        words=phrase_pattern(tuple(settings.internal_words)),
        markers=phrase_pattern(tuple(settings.internal_markers)),
        domains=cached_hosts(tuple(settings.internal_domains)),
        tools=cached_hosts(tuple(settings.internal_tools)),
        trackers=lambda: {"tracker.example.com"},
        private_headings=frozenset({"timeline"}),
    )
    return [
        (view.start(s), view.end(e), why)
        for s, e, why in find(view.text, found, lambda s, e: text[view.start(s) : view.end(e)])
    ]


def _short(text: str, limit: int = 60) -> str:
    """The leak's text for its message: on one line, cut to `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
