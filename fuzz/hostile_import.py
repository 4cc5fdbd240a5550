"""The `import` fuzz class: `pmkb import`'s conversion of any Markdown.

Each example is lines drawn from the shapes legacy postmortems take (ATX, setext, bold and
label headings, "Key: value" facts, timelines in bullets and tables, fences left open,
HTML comments, front matter, CR and CRLF endings, characters YAML refuses). Invariants:

- `convert` returns, or refuses with a ValueError only when the front matter it would
  write is past the checker's bounds;
- every non-blank line of the original is a line of the output;
- the front matter it writes loads (with the checker's bounded loader) as a mapping whose
  `id` is the file's, with `status` and `template` as asked.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

PIECES = [
    "# Outage on 2024-03-10", "Postmortem: checkout down", "## Summary", "## Timeline (PT)", "### Root causes",
    "**What went well**", "Impact:", "Causes:", "Follow-ups:", "#Summary", "What happened", "-------------", "=====",
    "Date: 14 March 2021", "Severity: Sev 2", "**Owner:** @dana.k", "Services: a, b and c", "Time zone: Europe/Berlin",
    "Start time: 2021-02-09 16:20 CET", "Time to detection: 4 minutes", "All times UTC.", "Customer impact: yes",
    "- 14:02 UTC deploy", "* 2:05 PM alert pages on-call", "1. 23:50 resolved",
    "- [x] fix it (owner: Ana, due 2024-04-30)", "- ✅ done — Leo", "  - nested 09:00", "| Time | Event |", "|---|---|",
    "| 08:00 | start |", "| Action | Owner | Due |", "| a \\| b | Leo | 2024-05-01 |", "```", "~~~",
    "    indented code 10:00", "<!--", "-->", "<!-- c -->", "> 14:00 quoted",
    "---", "...", "title: x", "", "", "text with 12:00 in the middle.", "\x7f\u2028\x85 odd", "\ufeff", "\t- tab 11:11",
    "[link](http://x) **bold** _i_", "3/4/2021", "Resolved: 18:15", "Sev 1", "- TLS certificate expired; DNS broke",
]  # fmt: skip


def _markdown() -> st.SearchStrategy[str]:
    line = st.one_of(st.sampled_from(PIECES), st.text(max_size=30))
    ending = st.sampled_from(["\n", "\r\n", "\r"])
    return st.tuples(st.lists(line, min_size=1, max_size=60), ending).map(lambda le: le[1].join(le[0]) + le[1])


def target() -> tuple[Any, Any]:
    from postmortem_kb.importer import Options, convert

    def violations(text: str | bytes) -> list[str]:
        if isinstance(text, bytes):  # the runner's warm-up input
            text = text.decode("utf-8", "replace")
        try:
            result = convert(text, "2024-03-10-fuzz.md", Options(status="draft"))
        except ValueError as err:
            return [] if "would not load as `pmkb check` reads it" in str(err) else [f"ValueError: {err}"]
        out = result.text("../schema.json")
        kept = set(out.split("\n"))
        original = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))
        problems = [f"line lost: {line!r}" for line in original if line.strip() and line not in kept][:3]
        try:
            data = result.meta  # read by the checker's bounded loader
        except ValueError as err:
            return [*problems, f"front matter does not load: {err}"]
        if data.get("id") != result.id or data.get("status") != "draft" or data.get("template") != "standard":
            problems.append(f"front matter says id={data.get('id')!r} status={data.get('status')!r}")
        return problems

    return _markdown(), violations
