"""pmkb: the command line face. Parses arguments, calls the core, prints."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import subprocess
import sys
import unicodedata
from datetime import date, datetime
from pathlib import Path

from . import __version__
from .changed import ChangedError, Changes, changed_paths, classify, default_base, judged
from .check import Checker, PathError, check_project, expand_paths, relative
from .config import ConfigError, Project, find_config, load_project
from .formats import FORMATS
from .load.corpus import load_corpus
from .load.schema import json_schema
from .rules.registry import select

EXAMPLES = """\
examples:
  pmkb check                                  check the whole knowledge base
  pmkb check postmortems/2024/*.md --today 2024-06-01
  pmkb check --format github                  annotations for a pull request
  pmkb check --changed origin/main            only what this branch changed
  pmkb check --format sarif > pmkb.sarif      for code scanning
  pmkb check --select PM3 --ignore counterfactual
  pmkb new "Customer comms stopped" --service notifications --severity SEV2
  pmkb schema > templates/postmortem.schema.json
  pmkb report remediation --format csv > open-actions.csv
  pmkb graph --format graphml > factors.graphml
"""


def _today(value: str | None, project: Project | None = None) -> date:
    if value:
        return date.fromisoformat(value)
    if project is not None and project.settings.today:
        return project.settings.today
    return date.today()  # the edge: the only place the wall clock is read


def _date_arg(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None
    return value


def _started_arg(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date and time: {value!r} (use 2024-03-14T13:52+00:00)") from None
    if when.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{value!r} has no time zone (add it: {value}+00:00)")
    return when


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pmkb",
        description="postmortem-kb: check, scaffold and report on blameless postmortems.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"pmkb {__version__}")
    p.add_argument("--config", "-c", help="mkdocs.yml to read (default: nearest one upwards)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    c = sub.add_parser(
        "check",
        help="check postmortems against the templates and the policy",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    c.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: the whole knowledge base)")
    c.add_argument("--format", choices=sorted(FORMATS), default="text")
    c.add_argument("--today", type=_date_arg, help="the date to check against (default: today)")
    c.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="RULES",
        help="only these rules (codes, names or prefixes, comma-separated)",
    )
    c.add_argument("--ignore", action="append", default=[], metavar="RULES", help="skip these rules")
    c.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    c.add_argument("--jobs", "-j", type=int, default=None, metavar="N", help="worker processes (default: one per CPU)")
    c.add_argument(
        "--no-cache", action="store_true", help="check every file afresh; neither read nor write .cache/pmkb"
    )
    c.add_argument(
        "--changed",
        nargs="?",
        const="",
        metavar="BASE",
        help="only what changed since the merge-base with BASE (default: origin/HEAD, origin/main or main); "
        "date-dependent rules judge only the changed postmortems",
    )

    n = sub.add_parser("new", help="start a postmortem from a template")
    n.add_argument("title", help="what happened, in one line (it also names the file and the id)")
    n.add_argument(
        "--service",
        action="append",
        required=True,
        help="affected service (repeatable); an id from the service catalog (postmortems/services.yml) when there is one",
    )
    n.add_argument("--severity", required=True, help="one of the configured severities (default SEV1..SEV4)")
    n.add_argument("--team", action="append", default=[], help="owning team (repeatable)")
    n.add_argument("--author", action="append", default=[], help="default: git config user.name")
    n.add_argument(
        "--template",
        default="standard",
        help="the template in templates/ to start from (default: standard; lightweight for minor incidents)",
    )
    n.add_argument("--date", type=_date_arg, help="incident start date (default: today)")
    n.add_argument(
        "--started",
        type=_started_arg,
        metavar="DATETIME",
        help="when the impact began, with its time zone (2024-03-14T13:52+00:00): fills `started` and dates the file and id",
    )
    n.add_argument("--today", type=_date_arg, help="the filing date (default: today)")

    sub.add_parser("schema", help="print the JSON Schema of the front matter")

    r = sub.add_parser("report", help="reports: remediation")
    r.add_argument("which", choices=["remediation"])
    r.add_argument("--format", choices=["md", "csv", "json"], default="md")
    r.add_argument("--today", type=_date_arg)

    b = sub.add_parser("build", help="build the site (mkdocs build), or the public site with --public")
    b.add_argument("--public", action="store_true", help="build the public site from mkdocs-public.yml")
    b.add_argument("--strict", action="store_true", help="fail on error findings (and MkDocs warnings)")
    b.add_argument("--site-dir", "-d", help="where to write the site")

    comp = sub.add_parser("completion", help="print a shell completion script (bash or zsh)")
    comp.add_argument("shell", choices=["bash", "zsh"])

    g = sub.add_parser("graph", help="export the contributing-factors graph")
    g.add_argument("--format", choices=["graphml", "json"], default="json")

    im = sub.add_parser("import", help="bring existing free-form Markdown postmortems in")
    im.add_argument("sources", nargs="+", metavar="SRC", help="Markdown files or folders of them")
    im.add_argument("--into", metavar="DIR", help="where to write <year>/<id>.md (default: the postmortems folder)")
    im.add_argument("--dry-run", action="store_true", help="say what would be written; write nothing")
    im.add_argument("--template", default="standard", help="the template to map sections onto")
    im.add_argument(
        "--status",
        choices=["archived", "draft"],
        default="archived",
        help="archived (default): history, checked for format and safety only; draft: to be brought up to the template",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    if args.command == "completion":
        return cmd_completion(None, args)
    try:
        project = load_project(args.config)
    except ConfigError as err:
        print(f"pmkb: configuration error: {err}", file=sys.stderr)
        return 2
    try:
        return COMMANDS[args.command](project, args)
    except ConfigError as err:
        print(f"pmkb: configuration error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


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
    from .analyse.recurrence import index, pattern_notes, recurrences
    from .formats.github import _data, _prop
    from .formats.text import clean
    from .load.corpus import corpus_files, load_postmortem

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
    from .load.files import read_file

    raw, _ = read_file(abs_path, root)
    return raw is not None and any(n in raw for n in needles)


def _changes(project: Project, args: argparse.Namespace) -> Changes:
    base = args.changed or default_base(project.root)
    config = Path(args.config).resolve() if args.config else find_config(Path.cwd())
    context = [*project.context_files, *([config] if config else [])]
    return classify(project, changed_paths(project.root, base), context)


def _git_user() -> str | None:
    try:
        out = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _unknown_services(project: Project, services: list[str]) -> str:
    """The refusal for service ids the catalog does not know ("" when all are known, or
    when there is no catalog: then any id goes, as `pmkb check` lets it)."""
    from .load.corpus import load_shell
    from .suggest import did_you_mean

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


def cmd_new(project: Project, args: argparse.Namespace) -> int:
    from .load.files import inside
    from .load.templates import load_templates
    from .scaffold import scaffold, write_new

    templates = load_templates(project.templates_dir, project.root)
    if args.template not in templates:
        print(
            f"pmkb: no template {args.template!r} in {project.settings.templates_dir}/ (have: {', '.join(sorted(templates))})",
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


def _one_line(value: str) -> str:
    """A command-line value as front matter can hold it: one line, no control characters
    (YAML refuses most of them), bytes a non-UTF-8 terminal sent as U+FFFD."""
    value = "".join(ch if not 0xD800 <= ord(ch) <= 0xDFFF else "\ufffd" for ch in value)
    value = "".join(ch for ch in value if ch.isprintable() or ch.isspace() or unicodedata.category(ch) == "Cf")
    return " ".join(value.replace("\ufeff", "").split())


def path_parent(project: Project, day: date) -> Path:
    return project.docs_dir / str(day.year)


def cmd_schema(project: Project, args: argparse.Namespace) -> int:
    from .load.taxonomy import load_taxonomy

    taxonomy, _ = load_taxonomy(project.taxonomy_path, project.settings.taxonomy)
    print(json.dumps(json_schema(project.settings.severities, list(taxonomy.factors)), indent=2))
    return 0


def cmd_report(project: Project, args: argparse.Namespace) -> int:
    from .analyse.remediation import remediation
    from .render.reports import remediation_csv, remediation_json, remediation_md

    corpus = load_corpus(project)
    report = remediation(corpus, _today(args.today, project), project.settings.policy.stale_action_grace_days)
    render = {"md": remediation_md, "csv": remediation_csv, "json": remediation_json}[args.format]
    sys.stdout.write(render(report))
    return 0


def cmd_graph(project: Project, args: argparse.Namespace) -> int:
    from .analyse.graph import build_graph, to_graphml, to_json

    corpus = load_corpus(project)
    graph = build_graph(corpus)
    sys.stdout.write(to_graphml(graph) if args.format == "graphml" else json.dumps(to_json(graph), indent=2) + "\n")
    return 0


def cmd_build(project: Project, args: argparse.Namespace) -> int:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    config_file = project.root / ("mkdocs-public.yml" if args.public else "mkdocs.yml")
    if not config_file.is_file():
        print(f"pmkb: {config_file.name} not found next to mkdocs.yml", file=sys.stderr)
        return 2
    from .rules.public import RefusalLedger

    options = {"site_dir": args.site_dir} if args.site_dir else {}
    with RefusalLedger() as ledger:
        try:
            config = load_config(config_file=str(config_file), strict=args.strict, **options)
            config.plugins.on_startup(command="build", dirty=False)
            build(config)
        except MkDocsException as err:
            print(f"pmkb: {err}", file=sys.stderr)
            return 1
        except SystemExit as err:  # MkDocs aborts strict builds this way
            return int(err.code or 1)
        finally:
            with contextlib.suppress(Exception):
                config.plugins.on_shutdown()
        refused = ledger.paths()
    print(f"Built {config.site_dir}")
    if refused:
        # The rest of the public site is built, but a report customers expect is missing:
        # whoever publishes must hear of it, so the command fails.
        print(
            f"pmkb: {len(refused)} postmortem(s) left out of the public site for public-leak findings: {', '.join(refused)}",
            file=sys.stderr,
        )
        return 1
    return 0


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """Completion from the parser itself, so it never drifts from the commands."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    cases = []
    for name, p in sorted(sub.choices.items()):
        words = sorted(o for a in p._actions for o in a.option_strings)
        for a in p._actions:
            if a.choices and not a.option_strings and not isinstance(a, argparse._SubParsersAction):
                words += [str(c) for c in a.choices]
        cases.append(f'    {name}) opts="{" ".join(words)}" ;;')
    top = " ".join(sorted(sub.choices)) + " --config --help --version"
    script = f"""# pmkb completion ({shell}). Add to your shell's rc file:  eval "$(pmkb completion {shell})"
_pmkb() {{
  local cur cmd opts
  cur="${{COMP_WORDS[COMP_CWORD]}}"
  cmd="${{COMP_WORDS[1]}}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "{top}" -- "$cur") ); return
  fi
  case "$cmd" in
{chr(10).join(cases)}
    *) opts="" ;;
  esac
  if [[ "$cur" == -* || -z "$cur" && -n "$opts" && "$opts" != -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") $(compgen -W "$opts" -- "$cur") )
  fi
}}
"""
    if shell == "zsh":
        script += "autoload -U +X bashcompinit && bashcompinit\n"
    return script + "complete -o default -F _pmkb pmkb\n"


def cmd_completion(project: Project | None, args: argparse.Namespace) -> int:
    sys.stdout.write(completion_script(_parser(), args.shell))
    return 0


def cmd_import(project: Project, args: argparse.Namespace) -> int:
    from .importer import Options, run, template_sections
    from .load.taxonomy import load_taxonomy
    from .load.templates import load_templates

    templates = load_templates(project.templates_dir)
    if args.template not in templates:
        print(
            f"pmkb: no template {args.template!r} in {project.settings.templates_dir}/ (have: {', '.join(sorted(templates)) or 'none'})",
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
        from .importer.sources import collect
        from .progress import progress

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
                f"Next: fill in the TODOs; `pmkb check {relative(project, into)}` says what each postmortem still needs."
            )
        else:
            print(
                "Next: the TODOs mark what the originals did not say; set `status: draft` on one to bring it up to the template."
            )
    return 1 if counts["failed"] else 0


COMMANDS = {
    "check": cmd_check,
    "new": cmd_new,
    "schema": cmd_schema,
    "report": cmd_report,
    "graph": cmd_graph,
    "build": cmd_build,
    "completion": cmd_completion,
    "import": cmd_import,
}

if __name__ == "__main__":
    sys.exit(main())
