"""`pmkb new`: start a postmortem from a template, refusing what `pmkb check` would fail
(an unknown template, severity or service) before any file is written."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import unicodedata
from datetime import date
from pathlib import Path

from ..check import relative
from ..config import Project
from .parser import _today


def cmd_new(project: Project, args: argparse.Namespace) -> int:
    from ..load.files import inside
    from ..load.templates import load_templates
    from ..scaffold import scaffold, write_new

    templates = load_templates(project.templates_dir, project.root)
    if args.template not in templates:
        print(
            f"pmkb: no template {args.template!r} in {project.settings.templates_dir}/ "
            f"(have: {', '.join(sorted(templates))})",
            file=sys.stderr,
        )
        return 2
    if args.severity not in project.settings.severities:
        print(
            f"pmkb: unknown severity {args.severity!r}; use one of {', '.join(project.settings.severities)}",
            file=sys.stderr,
        )
        return 2
    unknown = _unknown_services(project, args.service)
    if unknown:
        print(unknown, file=sys.stderr)
        return 2
    today = _today(args.today, project)
    if args.started and args.date and args.started.date().isoformat() != args.date:
        print(f"pmkb: --date {args.date} and --started {args.started.isoformat()} disagree; give one", file=sys.stderr)
        return 2
    day = args.started.date() if args.started else date.fromisoformat(args.date) if args.date else today
    authors = args.author or [_git_user() or "TODO"]
    path, text = scaffold(
        docs_dir=project.docs_dir,
        template=templates[args.template],
        title=_one_line(args.title),
        services=[_one_line(s) for s in args.service],
        severity=args.severity,
        teams=[_one_line(t) for t in args.team],
        authors=[_one_line(a) for a in authors],
        day=day,
        today=today,
        started=args.started,
        schema_path=os.path.relpath(project.templates_dir / "postmortem.schema.json", path_parent(project, day)),
    )
    if not inside(os.path.dirname(path), project.docs_dir):  # e.g. the year folder links elsewhere
        print(
            f"pmkb: {relative(project, path.parent)} leads outside {relative(project, project.docs_dir)}/; not written",
            file=sys.stderr,
        )
        return 2
    if not write_new(path, text):
        print(f"pmkb: {relative(project, path)} already exists; not overwritten", file=sys.stderr)
        return 1
    print(f"Created {relative(project, path)}")
    print("Fill in the TODOs and each section, then run: pmkb check " + relative(project, path))
    return 0


def _git_user() -> str | None:
    try:
        out = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _unknown_services(project: Project, services: list[str]) -> str:
    """The refusal for service ids the catalog does not know ("" when all are known, or
    when there is no catalog: then any id goes, as `pmkb check` lets it)."""
    from ..load.corpus import load_shell
    from ..suggest import did_you_mean

    catalog = load_shell(project).taxonomy.services
    if catalog is None:
        return ""
    known = catalog.services
    bad = [s for s in dict.fromkeys(services) if s not in known]
    if not bad:
        return ""
    candidates = {k: [v.name, v.owner or ""] for k, v in known.items()}
    lines = []
    for sid in bad:
        close = did_you_mean(sid, candidates)
        lines.append(
            f"pmkb: unknown service {sid!r}"
            + (f"; did you mean {close!r}?" if close else "")
            + f" (services are listed in {catalog.path})"
        )
    return "\n".join(lines)


def _one_line(value: str) -> str:
    """A command-line value as front matter can hold it: one line, no control characters
    (YAML refuses most of them), bytes a non-UTF-8 terminal sent as U+FFFD."""
    value = "".join(ch if not 0xD800 <= ord(ch) <= 0xDFFF else "\ufffd" for ch in value)
    value = "".join(ch for ch in value if ch.isprintable() or ch.isspace() or unicodedata.category(ch) == "Cf")
    return " ".join(value.replace("\ufeff", "").split())


def path_parent(project: Project, day: date) -> Path:
    return project.docs_dir / str(day.year)
