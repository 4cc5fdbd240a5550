"""`pmkb import`: bring existing free-form Markdown postmortems in, one line of outcome per
source file and a count at the end."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..check import relative
from ..config import Project


def cmd_import(project: Project, args: argparse.Namespace) -> int:
    from ..importer import Options, run, template_sections
    from ..load.taxonomy import load_taxonomy
    from ..load.templates import load_templates

    templates = load_templates(project.templates_dir)
    if args.template not in templates:
        print(
            f"pmkb: no template {args.template!r} in {project.settings.templates_dir}/ "
            f"(have: {', '.join(sorted(templates)) or 'none'})",
            file=sys.stderr,
        )
        return 2
    into = Path(args.into) if args.into else project.docs_dir
    if into.exists() and not into.is_dir():
        print(f"pmkb: --into {args.into} is not a folder", file=sys.stderr)
        return 2
    taxonomy, _ = load_taxonomy(project.taxonomy_path, project.settings.taxonomy)
    options = Options(
        template=args.template,
        status=args.status,
        sections=template_sections(templates[args.template]),
        severities=tuple(project.settings.severities),
        factor_ids=frozenset(taxonomy.factors),
    )
    schema = project.templates_dir / "postmortem.schema.json"
    counts = {"imported": 0, "exists": 0, "failed": 0}
    outcomes = run(
        args.sources,
        into,
        options,
        dry_run=args.dry_run,
        show=lambda p: relative(project, p),
        schema_path=lambda dest: os.path.relpath(schema, dest.parent.resolve()) if schema.is_file() else None,
    )
    if not sys.stdout.isatty():
        # The report goes to a file or a pipe: show progress on the terminal instead.
        from ..importer.sources import collect
        from ..progress import progress

        outcomes = progress(outcomes, len(list(collect(args.sources))), "importing")
    for outcome in outcomes:
        counts[outcome.status] += 1
        print(outcome.line, flush=True)
    done = "would be imported" if args.dry_run else "imported"
    print(
        f"{counts['imported']} {done}, {counts['exists']} already there, {counts['failed']} failed"
        + (" (dry run: nothing written)" if args.dry_run else "")
    )
    if counts["imported"] and not args.dry_run:
        if args.status == "draft":
            print(
                f"Next: fill in the TODOs; `pmkb check {relative(project, into)}` "
                "says what each postmortem still needs."
            )
        else:
            print(
                "Next: the TODOs mark what the originals did not say; "
                "set `status: draft` on one to bring it up to the template."
            )
    return 1 if counts["failed"] else 0
