"""pmkb: the command line face. Parses arguments, calls the core, prints.

`main` (the `pmkb` console script, `postmortem_kb.cli:main`) picks the command; each
command is a module of this package: parser (every option), check, new, importing,
reports (schema, report, graph), build, completion. Their public names are re-exported
here, where they have always been imported from.
"""

from __future__ import annotations

import sys

from ..config import ConfigError, load_project
from .build import cmd_build
from .check import NOTES_FOR_AT_MOST, cmd_check
from .completion import cmd_completion, completion_script
from .importing import cmd_import
from .new import cmd_new, path_parent
from .parser import EXAMPLES, _parser
from .reports import cmd_graph, cmd_report, cmd_schema

__all__ = [
    "COMMANDS",
    "EXAMPLES",
    "NOTES_FOR_AT_MOST",
    "cmd_build",
    "cmd_check",
    "cmd_completion",
    "cmd_graph",
    "cmd_import",
    "cmd_new",
    "cmd_report",
    "cmd_schema",
    "completion_script",
    "main",
    "path_parent",
]


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
