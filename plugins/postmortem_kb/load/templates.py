"""Postmortem templates: the `## ` headings of each file in templates/ are its required sections."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import frontmatter
from .files import read_file
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


def load_templates(folder: Path, root: str | Path | None = None) -> dict[str, Template]:
    """Every readable template in `folder`; files outside `root` (default: the folder)
    are not read, and a broken template is read as far as it goes, never raising."""
    out: dict[str, Template] = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.md")):
        raw, _ = read_file(str(path), str(root if root is not None else folder))
        if raw is None:
            continue
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
        sp = frontmatter.split(text)
        parsed, _ = frontmatter.parse(sp)
        meta = parsed.data if parsed else {}
        sections, _, _ = scan(sp.lines, sp.body_start)
        name = str(meta.get("name") or path.stem)
        public = meta.get("public_sections")
        out[name] = Template(
            name=name,
            path=path,
            description=str(meta.get("description") or ""),
            sections=[s.title for s in sections],
            keys=[s.key for s in sections],
            public_sections=[str(x) for x in public] if isinstance(public, list) else [],
            body="\n".join(sp.lines[sp.body_start - 1 :]).strip("\n") + "\n",
        )
    return out
