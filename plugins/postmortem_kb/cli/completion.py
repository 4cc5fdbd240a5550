"""`pmkb completion`: a bash or zsh completion script, generated from the argument parser."""

from __future__ import annotations

import argparse
import sys

from ..config import Project
from .parser import _parser


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
