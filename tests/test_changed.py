"""`pmkb check --changed BASE` fails only the pull request at fault, tested in a real git
repository: a branch is judged on the postmortems it changes; the rules that depend on
today's date judge only those; a change to the taxonomy or a template checks every
postmortem again for the rest; the scheduled run (no --changed) judges everything. The
example workflows run these same commands."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

STALE = {
    "summary": "Add a reconnect test to the release checklist",
    "owner": "Tomás Ortega",
    "due": date(2024, 4, 30),
    "status": "open",
    "tracker": "https://tracker.example.com/MSG-772",
    "kind": "process",
}
TODAY = "2024-06-01"  # after the stale action's due date


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def repo(kb):
    """main: one postmortem with an action gone stale; then a branch `pr` off main."""
    kb.write(meta={"id": "2024-03-14-old", "actions": [STALE]})
    git(kb.root, "init", "-q", "-b", "main")
    git(kb.root, "add", "-A")
    git(kb.root, "commit", "-q", "-m", "main")
    git(kb.root, "checkout", "-q", "-b", "pr")
    return kb


def rules_by_path(kb, *args: str) -> tuple[int, dict[str, set[str]]]:
    code, out = kb.run("check", "--format", "json", "--today", TODAY, *args)
    assert code in (0, 1), kb.stderr
    found: dict[str, set[str]] = {}
    for f in json.loads(out):
        found.setdefault(f["path"], set()).add(f["rule"])
    return code, found


def test_the_scheduled_run_sees_the_stale_action(repo):
    code, found = rules_by_path(repo)
    assert (code, found) == (1, {"postmortems/2024/2024-03-14-old.md": {"stale-action"}})


def test_a_pull_request_that_adds_a_clean_postmortem_passes_despite_old_stale_actions(repo):
    repo.write(meta={"id": "2024-03-14-new"}, sections={})
    code, found = rules_by_path(repo, "--changed", "main")
    assert (code, found) == (0, {})


def test_a_pull_request_answers_for_its_own_postmortem(repo):
    repo.write(meta={"id": "2024-03-14-new", "actions": [STALE]}, sections={"Lessons learned": "It was human error."})
    code, found = rules_by_path(repo, "--changed", "main")
    assert code == 1
    assert set(found) == {"postmortems/2024/2024-03-14-new.md"}
    assert {"blame-language", "stale-action"} <= found["postmortems/2024/2024-03-14-new.md"]


def test_an_uncommitted_edit_counts_as_changed(repo):
    path = repo.root / "postmortems/2024/2024-03-14-old.md"
    path.write_text(path.read_text().replace("It exposed", "It was human error. It exposed"))
    code, found = rules_by_path(repo, "--changed", "main")
    assert (code, found) == (1, {"postmortems/2024/2024-03-14-old.md": {"stale-action", "blame-language"}})


def test_a_taxonomy_change_checks_every_postmortem_but_not_for_date_rules(repo):
    taxonomy = repo.root / "postmortems/factors.yml"
    doc = yaml.safe_load(taxonomy.read_text())
    doc["factors"] = [f for f in doc["factors"] if f["id"] != "alerting-gap"]  # the old postmortem uses it
    taxonomy.write_text(yaml.safe_dump(doc, sort_keys=False))
    git(repo.root, "commit", "-qam", "retire a factor")
    code, found = rules_by_path(repo, "--changed", "main")
    assert (code, found) == (1, {"postmortems/2024/2024-03-14-old.md": {"unknown-factor"}})


def test_nothing_changed_is_a_clean_pass_that_says_so(repo):
    (repo.root / "README.txt").write_text("not a postmortem\n")
    code, out = repo.run("check", "--format", "json", "--today", TODAY, "--changed", "main")
    assert (code, json.loads(out)) == (0, [])
    assert "no postmortem changed" in repo.stderr


def test_an_unknown_base_is_a_usage_error(repo):
    code, _ = repo.run("check", "--today", TODAY, "--changed", "no-such-branch")
    assert code == 2
    assert "no merge-base with 'no-such-branch'" in repo.stderr


def test_the_default_base_is_main_when_there_is_no_remote(repo):
    repo.write(meta={"id": "2024-03-14-new"}, sections={"Lessons learned": "It was human error."})
    code, found = rules_by_path(repo, "--changed")
    assert (code, set(found)) == (1, {"postmortems/2024/2024-03-14-new.md"})


# ---- the example workflows, run against the same repository ----------------------------


def workflow_commands(name: str) -> list[str]:
    """The `pmkb` command lines of an example GitHub workflow, in order."""
    doc = yaml.safe_load((ROOT / "examples" / "github" / name).read_text())
    lines = []
    for job in doc["jobs"].values():
        for step in job["steps"]:
            for line in str(step.get("run", "")).splitlines():
                if line.strip().startswith("pmkb "):
                    lines.append(line.strip())
    return lines


def run_line(root: Path, line: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """One workflow line, `pmkb` being this environment's, in `root` (the checkout)."""
    pmkb = str(Path(sys.executable).parent / "pmkb")
    command = line.split("|")[0].split(">")[0].split("||")[0]  # the pmkb part; pipes are the runner's
    argv = [pmkb if a == "pmkb" else a for a in shlex.split(command)]
    return subprocess.run([*argv, "--today", TODAY], cwd=root, capture_output=True, text=True, env=env, timeout=120)


def test_the_pull_request_workflow_fails_only_the_pull_request_at_fault(repo):
    env = {**os.environ, "GITHUB_BASE_REF": "main"}
    lines = [line for line in workflow_commands("pmkb-pull-request.yml") if line.startswith("pmkb check")]
    assert lines and all("--changed" in line for line in lines)
    # an innocent pull request passes though main holds a stale action
    repo.write(meta={"id": "2024-03-14-new"}, sections={})
    assert (
        run_line(
            repo.root, lines[0].replace("${{ github.base_ref }}", "main").replace("origin/main", "main"), env
        ).returncode
        == 0
    )
    # a guilty one fails, with an annotation on its own file
    repo.write(meta={"id": "2024-03-14-guilty"}, sections={"Lessons learned": "It was human error."})
    proc = run_line(repo.root, lines[0].replace("${{ github.base_ref }}", "main").replace("origin/main", "main"), env)
    assert proc.returncode == 1
    assert re.search(r"^::error file=postmortems/2024/2024-03-14-guilty\.md,line=\d+", proc.stdout, re.M), proc.stdout


def test_the_scheduled_workflow_fails_red_and_lists_stale_actions_by_owner(repo, tmp_path):
    lines = workflow_commands("pmkb-stale-actions.yml")
    summary = tmp_path / "summary.md"
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary)}
    results = {line: run_line(repo.root, line, env) for line in lines}
    checks = [p for line, p in results.items() if line.startswith("pmkb check")]
    assert checks and all(p.returncode == 1 for p in checks)  # red: the stale action
    reports = [p.stdout for line, p in results.items() if line.startswith("pmkb report remediation --format md")]
    assert reports and "Tomás Ortega" in reports[0] and "Add a reconnect test" in reports[0]
