"""Postmortem templates: the `## ` headings of each file in templates/ are its required sections."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import frontmatter
from .sections import scan


@dataclass(slots=True)
class Template:
    name: str
    path: Path
    description: str
    sections: list[str]  # titles as written
    keys: list[str]  # normalised titles
    public_sections: list[str] = field(default_factory=list)
    body: str = ""  # the body authors start from


def load_templates(folder: Path) -> dict[str, Template]:
    out: dict[str, Template] = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        sp = frontmatter.split(text)
        parsed, _ = frontmatter.parse(sp)
        meta = parsed.data if parsed else {}
        sections, _, _ = scan(sp.lines, sp.body_start)
        name = str(meta.get("name") or path.stem)
        out[name] = Template(
            name=name,
            path=path,
            description=str(meta.get("description") or ""),
            sections=[s.title for s in sections],
            keys=[s.key for s in sections],
            public_sections=[str(x) for x in meta.get("public_sections") or []],
            body="\n".join(sp.lines[sp.body_start - 1 :]).strip("\n") + "\n",
        )
    return out
