"""What a pull request changed: `pmkb check --changed [BASE]`.

A pull request is judged on its own files. The rules that depend on today's date
(stale actions, late postmortems, a missing public write-up) would otherwise fail every
pull request in the organisation the day any incident passes a deadline; they judge only
the postmortems the pull request touches, and a scheduled run judges the whole
knowledge base. When the pull request changes what every postmortem is checked against
(the taxonomy, a template, the settings), every postmortem is checked again for the
rules that do not depend on the date.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from .config import Project
from .model import Finding

# The rules whose verdict on an unchanged file changes with the calendar.
DATE_RULES = frozenset({"stale-action", "late-postmortem", "missing-public-postmortem"})


class ChangedError(Exception):
    """No merge-base to compare with: a usage error."""


@dataclass(frozen=True)
class Changes:
    postmortems: list[str]  # Markdown files under the postmortems folder, relative to the root
    context: bool  # the taxonomy, a template or the settings changed: every file is affected


def _git(root: Path, *args: str) -> str:
    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as err:
        raise ChangedError(f"cannot run git: {err}") from None
    if proc.returncode != 0:
        raise ChangedError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"git {args[0]} failed")
    return proc.stdout


def default_base(root: Path) -> str:
    """The remote's default branch (`origin/HEAD`), else `origin/main`, else `main`."""
    for ref in ("origin/HEAD", "origin/main", "main", "master"):
        try:
            _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
            return ref
        except ChangedError:
            continue
    raise ChangedError("no base branch found (tried origin/HEAD, origin/main, main, master); name one: --changed BASE")


def changed_paths(root: Path, base: str) -> list[str]:
    """Files changed since the merge-base of `base` and HEAD, committed or not, and new
    untracked files; relative to `root`, `/`-separated. Deleted files are not listed."""
    try:
        merge_base = _git(root, "merge-base", base, "HEAD").strip()
    except ChangedError as err:
        raise ChangedError(f"no merge-base with {base!r}: {err}") from None
    diff = _git(root, "diff", "--name-only", "--relative", "--diff-filter=d", "-z", merge_base, "--")
    new = _git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
    return sorted({p for p in (diff + new).split("\0") if p})


def classify(project: Project, paths: list[str], context_files: list[Path]) -> Changes:
    docs = project.docs_dir.relative_to(project.root).as_posix()
    postmortems = [p for p in paths if p.startswith(docs + "/") and p.endswith(".md")]
    context = {
        f.resolve().relative_to(project.root).as_posix()
        for f in context_files
        if f.resolve().is_relative_to(project.root)
    }
    templates = project.templates_dir.relative_to(project.root).as_posix() + "/"
    touched = any(p in context or p.startswith(templates) for p in paths)
    return Changes(postmortems=postmortems, context=touched)


def judged(findings: list[Finding], changes: Changes) -> list[Finding]:
    """The findings a pull request answers for: everything on the files it changed; on
    other files (checked again because the context changed) no date-dependent rule."""
    mine = set(changes.postmortems)
    return [f for f in findings if f.path in mine or (changes.context and f.rule not in DATE_RULES)]
