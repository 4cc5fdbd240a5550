"""The Jinja2 environment for generated pages: autoescaped, with a Markdown-escaping filter.

Data from front matter lands either in HTML blocks (autoescaped) or in Markdown text
(the `md` filter escapes HTML and Markdown syntax), so a title like
`[x](javascript:…)` or `<script>` stays text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

# Only characters Markdown can escape: a backslash before any other (`:`, `~`) is printed.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>])")


def md(value: Any) -> Markup:
    text = str(escape("" if value is None else value))
    return Markup(_MD_SPECIAL.sub(r"\\\1", text).replace("\n", " "))


def js_data(value: Any) -> Markup:
    """JSON for a <script type="application/json"> block: `<`, `>` and `&` escaped."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def make_env(override_dir: Path | None = None) -> Environment:
    loaders = []
    if override_dir is not None and override_dir.is_dir():
        loaders.append(FileSystemLoader(str(override_dir)))  # an organisation's own page templates
    loaders.append(PackageLoader("postmortem_kb", "render/templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md
    env.filters["js_data"] = js_data
    env.filters["fmt_minutes"] = fmt_minutes
    return env


def fmt_minutes(value: float | None) -> str:
    if value is None or value != value:
        return "–"
    v = round(value)
    if v < 60:
        return f"{v} min"
    if v < 60 * 48:
        return f"{v // 60} h {v % 60:02d}"
    return f"{v / 60 / 24:.1f} d"
