"""`pmkb check`: check the knowledge base (or named files, or what a branch changed) and
print the findings; for named postmortems, notes on earlier incidents that share factors."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from ..changed import ChangedError, Changes, changed_paths, classify, default_base, judged
from ..check import Checker, PathError, check_project, expand_paths
from ..config import Project, find_config
from ..formats import FORMATS
from ..rules.registry import select
from .parser import _today


def cmd_check(project: Project, args: argparse.Namespace) -> int:
    for token_list in (args.select, args.ignore):
        _, unknown = select(token_list)
        if unknown:
            print(f"pmkb: unknown rule(s): {', '.join(unknown)}", file=sys.stderr)
            return 2
    only: list[str] | None = None
    extra: list[str] = []
    changes = None
    if args.changed is not None:
        if args.paths:
            print("pmkb: give PATHs or --changed, not both", file=sys.stderr)
            return 2
        try:
            changes = _changes(project, args)
        except ChangedError as err:
            print(f"pmkb: --changed: {err}", file=sys.stderr)
            return 2
        if not changes.context:
            args.paths = [str(project.root / p) for p in changes.postmortems]
            if not args.paths:
                print("pmkb: --changed: no postmortem changed; nothing to check", file=sys.stderr)
                sys.stdout.write(FORMATS[args.format]([], {"files": 0, "color": False, "site_url": project.site_url}))
                return 0
    if args.paths:
        try:
            only, extra = expand_paths(project, args.paths)
        except PathError as err:
            print(f"pmkb: {err}", file=sys.stderr)
            return 2
    checker = Checker(project, _today(args.today, project), args.select, args.ignore)
    findings, files = check_project(checker, extra, only, args.jobs, cache=not args.no_cache)
    if changes is not None:
        findings = judged(findings, changes)
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    report = FORMATS[args.format](findings, {"files": files, "color": color, "site_url": project.site_url})
    targets = only if only is not None else changes.postmortems if changes is not None else None
    notes = (
        _pattern_notes(project, targets, extra, args.format) if targets and args.format in ("text", "github") else ""
    )  # information, not findings: never in json/sarif
    if notes and args.format == "text":
        # Findings, then the notes, then the summary line: "All clear" is the last word.
        head, _, last = report.rstrip("\n").rpartition("\n")
        report = (head + "\n" if head else "") + notes + last + "\n"
        notes = ""
    sys.stdout.write(report + notes)
    return 1 if any(f.severity == "error" for f in findings) else 0


NOTES_FOR_AT_MOST = 20  # files; a folder of thousands would bury the findings


def _pattern_notes(project: Project, targets: list[str], extra: list[str], fmt: str) -> str:
    """Notes for the author of each named postmortem: earlier incidents that share its
    factors, and factors that recur after remediation (analyse/recurrence.py)."""
    from ..analyse.recurrence import index, pattern_notes, recurrences
    from ..formats.github import _data, _prop
    from ..formats.text import clean
    from ..load.corpus import corpus_files, load_postmortem

    root, wanted = str(project.root), set(targets)  # a file named twice is one file
    if len(wanted) > NOTES_FOR_AT_MOST:
        return (
            f"note: {len(wanted)} files named; notes on earlier incidents are given for at most {NOTES_FOR_AT_MOST}\n"
        )
    files = corpus_files(project, extra)
    gc.disable()  # see load.corpus.load_many: YAML trees make no cycles; collecting doubles the time
    try:
        mine = [load_postmortem(a, r, root, scan_body=False) for a, r in files if r in wanted]
        factors = {cf.factor.encode() for pm in mine if pm.meta is not None for cf in pm.meta.contributing_factors}
        # Only a file that names one of these factors can share one: the others are read
        # (bytes, 0.1 ms) but not parsed (2 ms).
        others = [
            load_postmortem(a, r, root, scan_body=False)
            for a, r in files
            if r not in wanted and _names_any(a, root, factors)
        ]
    finally:
        gc.enable()
    histories = index(pm for pm in [*mine, *others] if pm.meta is not None and pm.meta.status != "draft")
    found = recurrences(histories)
    notes = [n for pm in mine for n in pattern_notes(pm, histories, found)]
    if fmt == "github":
        return "".join(
            f"::notice file={_prop(n.path)},line={n.line},col={n.column},title=earlier incidents::{_data(n.message)}\n"
            for n in notes
        )
    return "".join(f"{clean(n.path)}:{n.line}:{n.column}: note: {clean(n.message)}\n" for n in notes)


def _names_any(abs_path: str, root: str, needles: set[bytes]) -> bool:
    from ..load.files import read_file

    raw, _ = read_file(abs_path, root)
    return raw is not None and any(n in raw for n in needles)


def _changes(project: Project, args: argparse.Namespace) -> Changes:
    base = args.changed or default_base(project.root)
    config = Path(args.config).resolve() if args.config else find_config(Path.cwd())
    context = [*project.context_files, *([config] if config else [])]
    return classify(project, changed_paths(project.root, base), context)
