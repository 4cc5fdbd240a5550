"""The factor taxonomy: ids, names, categories, definitions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..analyse.common import slug
from ..model import Factor, Service, ServiceCatalog, Taxonomy
from .files import MAX_FILE_BYTES, read_file
from .frontmatter import Parsed, Problem, load_yaml

SERVICES_FILE = "services.yml"  # beside the factor taxonomy, in the postmortems folder
SERVICE_KEYS = ("id", "name", "owner", "tier")
TIERS = (1, 2, 3)


def _read_yaml(path: Path, root: str | Path | None, what: str, problems: list[Problem]) -> Parsed | None:
    """`path` parsed as bounded, safe YAML (read only inside `root`, default its own
    folder), or None with the reason in `problems`."""
    raw, problem = read_file(str(path), str(root if root is not None else path.parent))
    if raw is None:
        problems.append(problem)
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        problems.append(Problem("encoding", 1, 1, f"cannot read the {what}: {err}", "save it as UTF-8"))
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parsed, yaml_problems = load_yaml(text, 0, what, max_chars=MAX_FILE_BYTES, max_nodes=200_000)
    problems.extend(_inside(p, text) for p in yaml_problems)
    return parsed


def _inside(problem: Problem, text: str) -> Problem:
    """`problem` moved onto the file's last line when YAML placed it past the end (an
    error at the end of a file without a final line break)."""
    lines = text.split("\n")
    if lines[-1] == "" and len(lines) > 1:
        lines.pop()
    if problem.line <= len(lines):
        return problem
    last = max(1, len(lines))
    return Problem(problem.rule, last, len(lines[last - 1]) + 1 if lines else 1, problem.message, problem.hint)


def load_taxonomy(path: Path, rel: str, root: str | Path | None = None) -> tuple[Taxonomy, list[Problem]]:
    """The taxonomy at `path` (`rel` for messages), read only if it is inside `root`
    (default: its own folder). Every problem is returned, nothing raises."""
    problems: list[Problem] = []
    empty = Taxonomy(path=rel, categories={}, factors={})
    if not path.exists() and not path.is_symlink():
        problems.append(
            Problem("schema", 1, 1, f"factor taxonomy {rel} not found", "create it or set `taxonomy:` in mkdocs.yml")
        )
        return empty, problems
    parsed = _read_yaml(path, root, "taxonomy", problems)
    if parsed is None:
        return empty, problems
    data = parsed.data
    if not isinstance(data, dict) or not isinstance(data.get("factors"), list):
        problems.append(
            Problem(
                "schema", 1, 1, "the taxonomy needs a `factors:` list", "see the factors.yml shipped with postmortem-kb"
            )
        )
        return empty, problems
    categories = _categories(data.get("categories") or {}, parsed, problems)
    factors: dict[str, Factor] = {}
    pages: dict[str, str] = {}
    for i, item in enumerate(data["factors"]):
        factor = _factor(item, parsed.line_of(("factors", i))[0], categories, factors, pages, problems)
        if factor is not None:
            factors[factor.id] = factor
    return Taxonomy(path=rel, categories=categories, factors=factors), problems


def _categories(raw: Any, parsed: Parsed, problems: list[Problem]) -> dict[str, str]:
    """The taxonomy's `categories:` as id -> description; none (with a problem) when it is
    not a mapping."""
    if not isinstance(raw, dict):
        problems.append(
            Problem(
                "schema",
                *parsed.line_of(("categories",)),
                "`categories` must map category ids to descriptions",
                "write `categories:` then `id: description` lines",
            )
        )
        return {}
    return {str(k): str(v) for k, v in raw.items()}


def _factor(
    item: Any,
    line: int,
    categories: dict[str, str],
    known: dict[str, Factor],
    pages: dict[str, str],
    problems: list[Problem],
) -> Factor | None:
    """One taxonomy entry, or None (with a problem) when it has no usable id. An unknown
    category is a problem too, but the factor is kept."""
    fid = _factor_id(item, line, known, pages, problems)
    if fid is None:
        return None
    category = str(item.get("category", ""))
    if categories and category not in categories:
        problems.append(
            Problem(
                "schema",
                line,
                1,
                f"factor `{fid}` has unknown category `{category}`",
                f"use one of: {', '.join(categories)}",
            )
        )
    return Factor(
        id=fid,
        name=str(item.get("name") or fid),
        category=category,
        definition=str(item.get("definition") or ""),
        line=line,
    )


def _factor_id(
    item: Any, line: int, known: dict[str, Factor], pages: dict[str, str], problems: list[Problem]
) -> str | None:
    """The entry's factor id, or None (with a problem) when it is missing, not a lower-case
    id, already defined, or would share another factor's page."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        problems.append(Problem("schema", line, 1, "a factor needs an `id`", "add `id: kebab-case-id`"))
        return None
    fid = item["id"]
    if not _FACTOR_ID.fullmatch(fid):
        problems.append(
            Problem(
                "schema",
                line,
                1,
                f"factor id `{fid[:60]}` is not a lower-case id",
                "use letters, digits, `.`, `_` and `-`, e.g. `retry-storm`: postmortems name it in `factor:`",
            )
        )
        return None
    if fid in known:
        problems.append(
            Problem("duplicate-id", line, 1, f"factor id `{fid}` is defined twice", "rename or merge one of them")
        )
        return None
    if (other := _same_page(fid, pages)) is not None:
        problems.append(
            Problem(
                "duplicate-id",
                line,
                1,
                f"factor ids `{other}` and `{fid}` would share one page (`factors/{slug(fid)}`)",
                "rename one of them",
            )
        )
        return None
    return fid


def load_services(path: Path, rel: str, root: str | Path | None = None) -> tuple[ServiceCatalog | None, list[Problem]]:
    """The service catalog at `path` (`rel` for messages): None when there is none, or it
    lists no service (then no service id is checked: knowledge bases without a catalog
    keep working). A bad entry is a problem at its line; the good ones are kept."""
    problems: list[Problem] = []
    if not path.exists() and not path.is_symlink():
        return None, problems
    parsed = _read_yaml(path, root, "service catalog", problems)
    if parsed is None:
        return None, problems
    data = parsed.data
    # `services:` then a list (as factors.yml has `factors:`), or the list alone.
    items, at = (
        (data, ())
        if isinstance(data, list)
        else ((data.get("services") if isinstance(data, dict) else None), ("services",))
    )
    if not isinstance(items, list):
        problems.append(
            Problem(
                "schema",
                *parsed.line_of(at),
                "the service catalog needs a `services:` list",
                "write `services:` then items with `id`, `name`, `owner` and `tier`",
            )
        )
        return None, problems
    services: dict[str, Service] = {}
    pages: dict[str, str] = {}
    for i, item in enumerate(items):
        service = _service(item, parsed, (*at, i), services, pages, problems)
        if service is not None:
            services[service.id] = service
    return (ServiceCatalog(path=rel, services=services) if services else None), problems


_FACTOR_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,199}")  # the front matter's Slug


def _same_page(ident: str, pages: dict[str, str]) -> str | None:
    """The id that already has `ident`'s page (pages are named by slug), or None, and
    then `ident` has it."""
    other = pages.setdefault(slug(ident), ident)
    return None if other == ident else other


def _service(
    item: Any,
    parsed: Parsed,
    at: tuple[Any, ...],
    known: dict[str, Service],
    pages: dict[str, str],
    problems: list[Problem],
) -> Service | None:
    """One catalog entry, or None (with a problem) when it has no usable id."""
    line = parsed.line_of(at)[0]
    sid = _service_id(item, line, known, pages, problems)
    if sid is None:
        return None
    _unknown_keys(item, sid, parsed, at, problems)
    name, owner, tier = _service_fields(item, sid, parsed, at, problems)
    return Service(id=sid, name=name or sid, owner=owner, tier=tier, line=line)


def _service_id(
    item: Any, line: int, known: dict[str, Service], pages: dict[str, str], problems: list[Problem]
) -> str | None:
    """The entry's service id, or None (with a problem) when it is missing or too long,
    already listed, or would share another service's page."""
    # Any text a postmortem's `services` may hold (the front matter's Name): ids chosen
    # before the catalog existed stay valid; pages are addressed by a slug of the id.
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not 0 < len(item["id"]) <= 200:
        problems.append(
            Problem(
                "schema",
                line,
                1,
                "a service needs an `id` of at most 200 characters",
                "add `id: payments-gateway` (lower case and dashes, by convention)",
            )
        )
        return None
    sid = item["id"]
    if sid in known:
        problems.append(
            Problem(
                "duplicate-id",
                line,
                1,
                f"service id `{sid}` is listed twice (first at line {known[sid].line})",
                "merge the two entries",
            )
        )
        return None
    if (other := _same_page(sid, pages)) is not None:
        # `Secret Payroll` and `secret/payroll`: one page would hold both, and hide one's incidents
        problems.append(
            Problem(
                "duplicate-id",
                line,
                1,
                f"service ids `{other}` and `{sid}` would share one page (`services/{slug(sid)}`)",
                "rename one of them",
            )
        )
        return None
    return sid


def _unknown_keys(item: dict[Any, Any], sid: str, parsed: Parsed, at: tuple[Any, ...], problems: list[Problem]) -> None:
    """A problem at each key of the entry that is not one of SERVICE_KEYS."""
    for key in item:
        if key not in SERVICE_KEYS:
            problems.append(
                Problem(
                    "schema",
                    *parsed.line_of((*at, key)),
                    f"service `{sid}` has an unknown key `{str(key)[:60]}`",
                    f"use only: {', '.join(SERVICE_KEYS)}",
                )
            )


def _service_fields(
    item: dict[Any, Any], sid: str, parsed: Parsed, at: tuple[Any, ...], problems: list[Problem]
) -> tuple[str | None, str | None, int | None]:
    """The entry's name, owner and tier; each None (with a problem) when it is not valid."""
    name, owner, tier = item.get("name"), item.get("owner"), item.get("tier")
    if name is not None and not (isinstance(name, str) and 0 < len(name) <= 200):
        problems.append(
            Problem(
                "schema",
                *parsed.line_of((*at, "name")),
                f"service `{sid}`: `name` must be text of at most 200 characters",
                "for example `name: Payments gateway`",
            )
        )
        name = None
    if not (isinstance(owner, str) and 0 < len(owner) <= 200):
        problems.append(
            Problem(
                "schema",
                *parsed.line_of((*at, "owner")),
                f"service `{sid}` needs an `owner`: the team that runs it",
                "for example `owner: payments`",
            )
        )
        owner = None
    if type(tier) is not int or tier not in TIERS:
        problems.append(
            Problem(
                "schema",
                *parsed.line_of((*at, "tier")),
                f"service `{sid}` needs a `tier` of 1, 2 or 3",
                "1: customers cannot buy or sign in without it; 2: degrades a customer journey; 3: internal",
            )
        )
        tier = None
    return name, owner, tier
