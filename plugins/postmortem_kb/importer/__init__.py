"""`pmkb import`: bring free-form Markdown postmortems into the knowledge base.

- `convert(text, name, options)` — pure: one legacy postmortem in; front matter (filled
  from what the text says, TODO where it says nothing, written through `pmkb new`'s
  template), body (every original line, under the template's sections) and the list of
  TODOs out. Markdown is read with markdown-it-py (document.py); the facts, timeline,
  factors and actions each have a module.
- `run(sources, into, options, ...)` — the edge: reads files and folders, writes
  `<into>/<year>/<id>.md` (never over an existing file), one outcome per source.
"""

from .convert import Imported, Options, convert, template_sections
from .sources import Outcome, run

__all__ = ["Imported", "Options", "Outcome", "convert", "run", "template_sections"]
