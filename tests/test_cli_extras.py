"""The CLI's comforts: completion, help with examples, config errors that name the key, progress."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest

from postmortem_kb.cli import main
from postmortem_kb.progress import progress


def run_main(*args: str, capsys) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completion_completes_commands_and_their_options(capsys, tmp_path):
    code, script, _ = run_main("completion", "bash", capsys=capsys)
    assert code == 0
    (tmp_path / "c.sh").write_text(script, encoding="utf-8")

    def complete(*words: str) -> list[str]:
        line = " ".join(f"'{w}'" for w in ("pmkb", *words))
        cmd = (
            f"source {tmp_path / 'c.sh'}; COMP_WORDS=({line}); COMP_CWORD={len(words)}; _pmkb; printf '%s\\n' "
            f'"${{COMPREPLY[@]}}"'
        )
        return subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, cwd=tmp_path).stdout.split()

    assert complete("ch") == ["check"]
    assert set(complete("re")) == {"report"}
    assert complete("check", "--fo") == ["--format"]
    assert "--today" in complete("check", "--")
    assert "remediation" in complete("report", "")


def test_zsh_completion_uses_bashcompinit(capsys):
    code, script, _ = run_main("completion", "zsh", capsys=capsys)
    assert code == 0 and "bashcompinit" in script and "complete -o default -F _pmkb pmkb" in script


def test_help_shows_examples(capsys):
    code, out, _ = run_main("check", "--help", capsys=capsys)
    assert code == 0
    assert "examples:" in out and "pmkb check --format github" in out


def test_a_configuration_error_names_the_key_in_mkdocs_yml(kb, capsys):
    kb.set_plugin_config(policy={"postmortem_due_hourz": 12})
    code, _, err = run_main("--config", str(kb.config), "check", "--today", "2024-03-20", capsys=capsys)
    assert code == 2
    assert "plugins.postmortem-kb.policy.postmortem_due_hourz" in err


def test_a_wrongly_typed_policy_value_names_the_key(kb, capsys):
    kb.set_plugin_config(policy={"min_contributing_factors": "two"})
    code, _, err = run_main("--config", str(kb.config), "check", "--today", "2024-03-20", capsys=capsys)
    assert code == 2
    assert "plugins.postmortem-kb.policy.min_contributing_factors" in err and "integer" in err


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_only_on_a_terminal():
    tty, pipe = _Tty(), io.StringIO()
    assert list(progress(range(5), 5, "import", stream=tty, min_seconds=0)) == [0, 1, 2, 3, 4]
    assert list(progress(range(5), 5, "import", stream=pipe, min_seconds=0)) == [0, 1, 2, 3, 4]
    assert "import [" in tty.getvalue() and "5/5" in tty.getvalue()
    assert pipe.getvalue() == ""


def test_colours_only_on_a_terminal(kb, capsys):
    kb.write(sections={"Summary": "It was human error."})
    code, out, _ = run_main("--config", str(kb.config), "check", "--today", "2024-03-20", capsys=capsys)
    assert code == 1 and "\x1b[" not in out  # captured output is not a terminal
    code, out, _ = run_main(
        "--config", str(kb.config), "check", "--today", "2024-03-20", "--color", "always", capsys=capsys
    )
    assert "\x1b[31mPM301" in out


NEW = ("new", "Payments broke", "--severity", "SEV2", "--author", "A", "--date", "2024-03-14", "--today", "2024-03-15")


def test_new_refuses_a_service_the_catalog_does_not_know_with_a_did_you_mean(kb):
    from conftest import ROOT

    shutil.copy(ROOT / "postmortems" / "services.yml", kb / "postmortems" / "services.yml")
    code, _ = kb.run(*NEW, "--service", "paymnts")
    assert code == 2
    assert "unknown service 'paymnts'; did you mean 'payments-gateway'?" in kb.stderr
    assert not list((kb / "postmortems").glob("2024/*.md"))  # nothing written
    code, _ = kb.run(*NEW, "--service", "payments-gateway")
    assert code == 0, kb.stderr


def test_new_takes_any_service_without_a_catalog(kb):
    code, _ = kb.run(*NEW, "--service", "paymnts")
    assert code == 0, kb.stderr


def test_new_help_explains_every_argument(capsys):
    code, out, _ = run_main("new", "--help", capsys=capsys)
    assert code == 0
    for needle in (
        "what happened, in one line",
        "one of the configured severities",
        "the template in templates/",
        "owning team",
    ):
        assert needle in " ".join(out.split()), needle
