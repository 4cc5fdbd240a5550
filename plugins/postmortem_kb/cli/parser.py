"""The argument parser of `pmkb`: every command and option, and the value types checked
before any command runs (dates, a start time with its time zone)."""

from __future__ import annotations

import argparse
from datetime import date, datetime

from .. import __version__
from ..config import Project
from ..formats import FORMATS

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
    # In this order: it is the order `pmkb --help` lists the commands in.
    _add_check(sub)
    _add_new(sub)
    _add_outputs(sub)
    _add_import(sub)
    return p


Subparsers = argparse._SubParsersAction  # what `add_subparsers` returns


def _add_check(sub: Subparsers) -> None:
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


def _add_new(sub: Subparsers) -> None:
    n = sub.add_parser("new", help="start a postmortem from a template")
    n.add_argument("title", help="what happened, in one line (it also names the file and the id)")
    n.add_argument(
        "--service",
        action="append",
        required=True,
        help="affected service (repeatable); "
        "an id from the service catalog (postmortems/services.yml) when there is one",
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
        help="when the impact began, with its time zone (2024-03-14T13:52+00:00): "
        "fills `started` and dates the file and id",
    )
    n.add_argument("--today", type=_date_arg, help="the filing date (default: today)")


def _add_outputs(sub: Subparsers) -> None:
    """The commands that print or build what the knowledge base holds."""
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


def _add_import(sub: Subparsers) -> None:
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
