"""`pmkb build`: build the site, or the public site, through MkDocs; fails when a
postmortem was left out of the public site, so whoever publishes hears of it."""

from __future__ import annotations

import argparse
import contextlib
import sys

from ..config import Project


def cmd_build(project: Project, args: argparse.Namespace) -> int:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    config_file = project.root / ("mkdocs-public.yml" if args.public else "mkdocs.yml")
    if not config_file.is_file():
        print(f"pmkb: {config_file.name} not found next to mkdocs.yml", file=sys.stderr)
        return 2
    from ..rules.public import RefusalLedger

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
            f"pmkb: {len(refused)} postmortem(s) left out of the public site for public-leak findings: "
            f"{', '.join(refused)}",
            file=sys.stderr,
        )
        return 1
    return 0
