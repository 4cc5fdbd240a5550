"""The factor taxonomy: ids, names, categories, definitions."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..model import Factor, Taxonomy
from .frontmatter import Problem


def load_taxonomy(path: Path, rel: str) -> tuple[Taxonomy, list[Problem]]:
    problems: list[Problem] = []
    empty = Taxonomy(path=rel, categories={}, factors={})
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(Problem("schema", 1, 1, f"factor taxonomy {rel} not found", "create it or set `taxonomy:` in mkdocs.yml"))
        return empty, problems
    except (OSError, UnicodeDecodeError) as err:
        problems.append(Problem("encoding", 1, 1, f"cannot read the taxonomy: {err}", "save it as UTF-8"))
        return empty, problems
    try:
        node = yaml.compose(text, Loader=yaml.CSafeLoader)
        data = yaml.load(text, Loader=yaml.CSafeLoader) or {}
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        problems.append(Problem("yaml-syntax", (mark.line + 1) if mark else 1, (mark.column + 1) if mark else 1, f"taxonomy is not valid YAML: {err.problem}", "fix the YAML"))
        return empty, problems
    if not isinstance(data, dict) or not isinstance(data.get("factors"), list):
        problems.append(Problem("schema", 1, 1, "the taxonomy needs a `factors:` list", "see the factors.yml shipped with postmortem-kb"))
        return empty, problems
    categories = {str(k): str(v) for k, v in (data.get("categories") or {}).items()}
    lines: list[int] = []
    if node is not None:
        for k, v in node.value:
            if k.value == "factors":
                lines = [item.start_mark.line + 1 for item in v.value]
    factors: dict[str, Factor] = {}
    for i, item in enumerate(data["factors"]):
        line = lines[i] if i < len(lines) else 1
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            problems.append(Problem("schema", line, 1, "a factor needs an `id`", "add `id: kebab-case-id`"))
            continue
        fid = item["id"]
        if fid in factors:
            problems.append(Problem("duplicate-id", line, 1, f"factor id `{fid}` is defined twice", "rename or merge one of them"))
            continue
        category = str(item.get("category", ""))
        if categories and category not in categories:
            problems.append(Problem("schema", line, 1, f"factor `{fid}` has unknown category `{category}`", f"use one of: {', '.join(categories)}"))
        factors[fid] = Factor(
            id=fid,
            name=str(item.get("name") or fid),
            category=category,
            definition=str(item.get("definition") or ""),
            line=line,
        )
    return Taxonomy(path=rel, categories=categories, factors=factors), problems
