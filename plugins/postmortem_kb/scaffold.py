"""`pmkb new`: a postmortem file from a template, front matter filled, never overwriting."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from .load.templates import Template

_env = Environment(loader=PackageLoader("postmortem_kb", "render/templates"), undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
_env.filters["yaml_str"] = lambda v: json.dumps(str(v), ensure_ascii=False)  # JSON strings are valid YAML


def slugify(title: str, limit: int = 60) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (slug[:limit].rstrip("-")) or "incident"


def scaffold(
    *,
    docs_dir: Path,
    template: Template,
    title: str,
    services: list[str],
    severity: str,
    teams: list[str],
    authors: list[str],
    day: date,
    today: date,
    schema_path: str,
    started: datetime | None = None,
) -> tuple[Path, str]:
    """The path to write and its text."""
    ident = f"{day.isoformat()}-{slugify(title)}"
    path = docs_dir / f"{day.year}" / f"{ident}.md"
    text = _env.get_template("new_postmortem.md.j2").render(
        id=ident,
        title=title,
        template=template.name,
        severity=severity,
        services=services,
        teams=teams,
        authors=authors,
        day=day.isoformat(),
        today=today.isoformat(),
        started=started.isoformat() if started else None,
        schema_path=schema_path,
        body=template.body,
    )
    return path, text


def write_new(path: Path, text: str) -> bool:
    """Write `text` to `path` only if nothing is there; True if written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as fh:
            fh.write(text)
    except FileExistsError:
        return False
    return True
