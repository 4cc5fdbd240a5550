"""public-leak: internal detail in what a postmortem's public version shows.

The public site shows a postmortem's title, the sections its template makes public
(headings and sub-sections included) and its action summaries. The rule judges that
text as a reader sees it, not as it is typed: HTML comments and tags are gone (a tag's
attributes are judged on their own), HTML entities and Markdown backslash escapes are
decoded, emphasis and code markers are dropped, and every character is folded (NFKD
without combining marks, look-alike Cyrillic and Greek letters to Latin, casefold;
invisible format characters removed). So `grafana&#46;corp`, `grafana\\.corp`,
`gr<b></b>afana.corp` and `grafаna.corp` (a Cyrillic а) are all "grafana.corp". Each
leak is still reported at its place in the source: the folded text keeps a map back.

Every scan is linear in the length of the text, whatever the text: regular expressions
here have only bounded repetitions or a single character class repeated (nothing can
backtrack over the same text twice), and whatever looks for a closing delimiter keeps
the position of the next one instead of searching again from each opener. `fuzz/run.py`
(class `regex-timing`) times them on adversarial input.

The modules, in the order the text goes through them:

- folding.py: one character as the rule compares it;
- markup.py: HTML comments, tags and entities, and removing comments;
- rendered.py: the shown texts folded into one view (view.py: the map back);
- needles.py: what one postmortem is searched for (its people, the configuration);
- hosts.py (with addresses.py) and names.py: the finders; search.py runs them all;
- leaks.py: one postmortem's leaks at their file positions;
- refusals.py: the public build leaving a postmortem with a leak out.

Only what the rest of the code and the tests use is exported here.
"""

from __future__ import annotations

from .addresses import host_of
from .leaks import find_leaks, public_sections, scan_text, section_text
from .markup import remove_comments
from .refusals import RefusalLedger, blocking_leaks, refuse
from .rendered import Source, build_view

__all__ = [
    "RefusalLedger",
    "Source",
    "blocking_leaks",
    "build_view",
    "find_leaks",
    "host_of",
    "public_sections",
    "refuse",
    "remove_comments",
    "scan_text",
    "section_text",
]
