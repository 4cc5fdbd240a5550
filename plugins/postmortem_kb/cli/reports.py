"""`pmkb schema`, `pmkb report` and `pmkb graph`: print what the knowledge base holds, in
the format asked for; nothing is checked or written."""

from __future__ import annotations

import argparse
import json
import sys

from ..config import Project
from ..load.corpus import load_corpus
from ..load.schema import json_schema
from .parser import _today


def cmd_schema(project: Project, args: argparse.Namespace) -> int:
    from ..load.taxonomy import load_taxonomy

    taxonomy, _ = load_taxonomy(project.taxonomy_path, project.settings.taxonomy)
    print(json.dumps(json_schema(project.settings.severities, list(taxonomy.factors)), indent=2))
    return 0


def cmd_report(project: Project, args: argparse.Namespace) -> int:
    from ..analyse.remediation import remediation
    from ..render.reports import remediation_csv, remediation_json, remediation_md

    corpus = load_corpus(project)
    report = remediation(corpus, _today(args.today, project), project.settings.policy.stale_action_grace_days)
    render = {"md": remediation_md, "csv": remediation_csv, "json": remediation_json}[args.format]
    sys.stdout.write(render(report))
    return 0


def cmd_graph(project: Project, args: argparse.Namespace) -> int:
    from ..analyse.graph import build_graph, to_graphml, to_json

    corpus = load_corpus(project)
    graph = build_graph(corpus)
    sys.stdout.write(to_graphml(graph) if args.format == "graphml" else json.dumps(to_json(graph), indent=2) + "\n")
    return 0
