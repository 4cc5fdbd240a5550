"""The factor taxonomy: ids, names, categories, definitions."""

from __future__ import annotations

from pathlib import Path

from ..model import Factor, Taxonomy
from .files import MAX_FILE_BYTES, read_file
from .frontmatter import Problem, load_yaml


def load_taxonomy(path: Path, rel: str, root: str | Path | None = None) -> tuple[Taxonomy, list[Problem]]:
    """The taxonomy at `path` (`rel` for messages), read only if it is inside `root`
    (default: its own folder). Every problem is returned, nothing raises."""
    problems: list[Problem] = []
    empty = Taxonomy(path=rel, categories={}, factors={})
    if not path.exists() and not path.is_symlink():
        problems.append(Problem("schema", 1, 1, f"factor taxonomy {rel} not found", "create it or set `taxonomy:` in mkdocs.yml"))
        return empty, problems
    raw, problem = read_file(str(path), str(root if root is not None else path.parent))
    if raw is None:
        problems.append(problem)
        return empty, problems
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        problems.append(Problem("encoding", 1, 1, f"cannot read the taxonomy: {err}", "save it as UTF-8"))
        return empty, problems
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parsed, yaml_problems = load_yaml(text, 0, "taxonomy", max_chars=MAX_FILE_BYTES, max_nodes=200_000)
    problems.extend(yaml_problems)
    if parsed is None:
        return empty, problems
    data = parsed.data
    if not isinstance(data, dict) or not isinstance(data.get("factors"), list):
        problems.append(Problem("schema", 1, 1, "the taxonomy needs a `factors:` list", "see the factors.yml shipped with postmortem-kb"))
        return empty, problems
    raw_categories = data.get("categories") or {}
    if not isinstance(raw_categories, dict):
        problems.append(Problem("schema", *parsed.line_of(("categories",)), "`categories` must map category ids to descriptions", "write `categories:` then `id: description` lines"))
        raw_categories = {}
    categories = {str(k): str(v) for k, v in raw_categories.items()}
    factors: dict[str, Factor] = {}
    for i, item in enumerate(data["factors"]):
        line = parsed.line_of(("factors", i))[0]
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
