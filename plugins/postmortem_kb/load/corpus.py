"""Load the whole knowledge base once: every postmortem, the taxonomy and the templates."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..config import Project
from ..model import Corpus, Postmortem
from . import frontmatter
from .files import MAX_FILE_BYTES as MAX_FILE_BYTES  # re-exported: the importer reads this limit
from .files import inside, read_file, root_of
from .publishable import playbook_files, site_files
from .schema import FrontMatter, field_of, plain_message
from .sections import parse_suppressions, scan
from .taxonomy import SERVICES_FILE, load_services, load_taxonomy
from .templates import load_templates


def _schema_problems(err: ValidationError, parsed: frontmatter.Parsed) -> list[frontmatter.Problem]:
    """Every field error, each at its own line, in plain words (see schema.plain_message)."""
    out = []
    seen: set[tuple[Any, ...]] = set()
    for e in err.errors():
        loc = field_of(tuple(e["loc"]))
        if loc in seen:  # a union (`filed`: datetime or date) fails once per member
            continue
        seen.add(loc)
        field = ".".join(str(p) for p in loc)
        if e["type"] == "missing":
            line, col = parsed.line_of(loc[:-1]) if len(loc) > 1 else (parsed.offset, 1)
            out.append(
                frontmatter.Problem(
                    "schema", line, col, f"required field `{field}` is missing", f"add `{loc[-1]}:` (see `pmkb schema`)"
                )
            )
            continue
        if e["type"] == "extra_forbidden":
            line, col = parsed.key_line(str(loc[0])) if len(loc) == 1 else parsed.line_of(loc)
            out.append(
                frontmatter.Problem(
                    "schema", line, col, f"unknown field `{field}`", "remove it or fix its spelling (see `pmkb schema`)"
                )
            )
            continue
        line, col = parsed.line_of(loc)
        message, hint = plain_message(e)
        out.append(frontmatter.Problem("schema", line, col, message, hint))
    return out


def load_postmortem(abs_path: str, rel: str, root: str | None = None, scan_body: bool = True) -> Postmortem:
    """One file, loaded and parsed; every problem is on `pm.problems`, nothing raises.

    `rel` is the path relative to the repository root `root` (by default, the folder
    that many levels above `abs_path`); nothing outside `root` is read. Without
    `scan_body`, only the front matter is read (the sections are for the checker).
    """
    raw, problem = read_file(abs_path, root if root is not None else root_of(abs_path, rel))
    if raw is None:
        pm = Postmortem(path=rel, abs_path=abs_path, lines=[], body_start=1)
        pm.problems.append(problem)
        return pm
    text, problem = frontmatter.decode(raw)
    if text is None:
        pm = Postmortem(path=rel, abs_path=abs_path, lines=[], body_start=1)
        pm.problems.append(problem)
        return pm
    sp = frontmatter.split(text)
    pm = Postmortem(path=rel, abs_path=abs_path, lines=sp.lines, body_start=sp.body_start)
    pm.problems.extend(sp.problems)
    if sp.problems:
        return pm
    parsed, problems = frontmatter.parse(sp)
    pm.problems.extend(problems)
    if parsed is not None:
        pm.data = parsed.data
        pm.line_of = parsed
        try:
            pm.meta = FrontMatter.model_validate(parsed.data)
        except ValidationError as err:
            pm.problems.extend(_schema_problems(err, parsed))
    if not scan_body:
        return pm
    marked = "pmkb:" in text  # most files silence nothing: no line need be looked at
    pm.sections, pm.prose, pm.suppressions = scan(sp.lines, sp.body_start, suppressions=marked)
    if marked:
        parse_suppressions(sp.lines[: sp.body_start - 1], 1, pm.suppressions)
    return pm


def load_many(files: list[tuple[str, str]]) -> list[Postmortem]:
    """Load files in order. The cyclic GC is paused meanwhile: YAML node trees are many
    small objects that never form cycles, and collecting over them doubles load time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return [load_postmortem(a, r) for a, r in files]
    finally:
        if was_enabled:
            gc.enable()


def postmortem_files(docs_dir: Path) -> list[tuple[str, str]]:
    """(absolute path, path relative to the repository root) of every Markdown file, sorted."""
    out = []
    for folder, dirs, files in os.walk(docs_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.endswith(".md") and not name.startswith("."):
                out.append(os.path.join(folder, name))
    out.sort()
    return [(p, p) for p in out]


def corpus_files(project: Project, paths: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(absolute, relative) paths: every postmortem, plus any extra files asked for."""
    root = project.root
    # A postmortems folder that leads out of the repository is not read (see refusal_problems).
    ours = inside(project.docs_dir, root)
    files = [(a, relative_path(a, root)) for a, _ in postmortem_files(project.docs_dir)] if ours else []
    known = {a for a, _ in files}
    # Sorted and once each, so that neither the order nor repeats of PATHs change the output.
    files += [(a, relative_path(a, root)) for a in sorted(set(paths or ())) if a not in known]
    return files


def load_shell(project: Project) -> Corpus:
    """The corpus without its postmortems: taxonomy, templates and their problems."""
    root = project.root
    taxonomy, tproblems = load_taxonomy(project.taxonomy_path, relative_path(str(project.taxonomy_path), root), root)
    corpus = Corpus(
        root=str(root), postmortems=[], taxonomy=taxonomy, templates=load_templates(project.templates_dir, root)
    )
    corpus.problems.extend((taxonomy.path, p) for p in tproblems)
    services_path = project.docs_dir / SERVICES_FILE
    services_rel = relative_path(str(services_path), root)
    taxonomy.services, sproblems = load_services(services_path, services_rel, root)
    corpus.problems.extend((services_rel, p) for p in sproblems)
    corpus.problems.extend(refusal_problems(project))
    return corpus


def refusal_problems(project: Project) -> list[tuple[str, frontmatter.Problem]]:
    """(path, problem) of each file the site will not publish (see load.publishable):
    the checker reports what the build leaves out."""
    root = project.root
    out = []
    for folder, found in (
        (project.docs_dir, site_files(project.docs_dir, root, project.settings.taxonomy)),
        (project.playbook_dir, playbook_files(project.playbook_dir, root)),
    ):
        for r in found.refused:
            if r.reported:
                shown = relative_path(os.path.join(folder, r.path) if r.path else str(folder), root)
                out.append((shown, frontmatter.Problem(r.rule, 1, 1, r.message, r.hint)))
    return out


def load_corpus(project: Project, paths: Iterable[str] | None = None) -> Corpus:
    corpus = load_shell(project)
    corpus.postmortems = load_many(corpus_files(project, paths))
    return corpus


def relative_path(abs_path: str, root: Path) -> str:
    """`abs_path` relative to `root`, `/`-separated (the path itself when it has none)."""
    prefix = str(root) + os.sep
    plain = all(f"{os.sep}{part}{os.sep}" not in abs_path for part in ("", ".", ".."))
    if plain and abs_path.startswith(prefix):
        # The usual case, a file below the root, without os.path.relpath's normalising
        # (a tenth of a second at 5,000 files, before any worker starts).
        return abs_path[len(prefix) :].replace(os.sep, "/")
    try:
        rel = os.path.relpath(abs_path, root)
    except ValueError:
        rel = abs_path
    return rel.replace(os.sep, "/")
