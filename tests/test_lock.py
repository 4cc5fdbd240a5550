"""Everything Python comes from uv.lock: the environment the tests run in is exactly the
lock's list, and a missing or stale lock stops `make setup` with one line saying what to
run, never a silent install of other versions."""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
UV = Path(sys.prefix) / "bin" / "uv"

pytestmark = pytest.mark.skipif(not UV.is_file(), reason="not running in the project's .venv (make setup)")


def locked() -> dict[str, str]:
    """name -> version of every package the lock installs here (this interpreter, all
    extras and groups), read from `uv export` of the committed lock."""
    out = subprocess.run(
        [
            str(UV),
            "export",
            "--frozen",
            "--all-extras",
            "--all-groups",
            "--no-emit-project",
            "--no-hashes",
            "--format",
            "requirements.txt",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    wanted = {}
    for line in out.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        spec, _, marker = line.partition(";")
        name, _, version = spec.strip().partition("==")
        if marker.strip() and not Marker(marker.strip()).evaluate():
            continue
        wanted[canonicalize_name(name)] = version
    return wanted


def installed() -> dict[str, str]:
    return {
        canonicalize_name(d.metadata["Name"]): d.version
        for d in importlib.metadata.distributions(path=[p for p in sys.path if p.startswith(sys.prefix)])
    }


def test_the_environment_holds_exactly_what_the_lock_lists():
    have = installed()
    assert have.pop("postmortem-kb") == "0.1.0"  # the project itself, installed editable
    want = locked()
    assert want, "uv export listed nothing"
    assert {"mkdocs", "mkdocs-material", "pyyaml", "pytest", "ruff", "uv", "pip"} <= want.keys()
    assert have == want


def test_requirements_uv_txt_pins_the_installer_the_lock_pins():
    """`make setup` bootstraps uv (and pip) from requirements/uv.txt: the same versions,
    with hashes, that uv.lock holds, so `make lock` cannot leave them apart."""
    text = (ROOT / "requirements" / "uv.txt").read_text()
    pins = dict(re.findall(r"^([a-z0-9-]+)==(\S+)", text, re.M))
    want = locked()
    assert pins == {"pip": want["pip"], "uv": want["uv"]}
    assert text.count("--hash=sha256:") >= 2


def _make_lock_check(tmp_path: Path, edit=None) -> subprocess.CompletedProcess[str]:
    for name in ("Makefile", "pyproject.toml", "uv.lock"):
        shutil.copy2(ROOT / name, tmp_path / name)
    if edit:
        edit(tmp_path)
    env = {**os.environ, "UV_OFFLINE": "1", "UV_CACHE_DIR": str(tmp_path / "uv-cache")}
    # -o: take the installer as built, whatever the copied files' times say
    return subprocess.run(
        ["make", "--no-print-directory", "-s", "-o", str(UV), "lock-check", f"UV={UV}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_the_committed_lock_is_current(tmp_path):
    proc = _make_lock_check(tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_a_stale_lock_stops_setup_with_one_line_naming_the_command(tmp_path):
    def add_dependency(folder: Path) -> None:
        pyproject = folder / "pyproject.toml"
        text = pyproject.read_text()
        pyproject.write_text(text.replace('"Jinja2>=', '"rapidfuzz>=3,<4",\n  "Jinja2>=', 1))

    proc = _make_lock_check(tmp_path, add_dependency)
    assert proc.returncode != 0
    ours = [line for line in proc.stderr.splitlines() if not line.startswith("make")]
    assert ours == ["uv.lock is out of date with pyproject.toml: run 'make lock' to refresh it"]


def test_a_missing_lock_stops_setup_with_one_line_naming_the_command(tmp_path):
    proc = _make_lock_check(tmp_path, lambda folder: (folder / "uv.lock").unlink())
    assert proc.returncode != 0
    ours = [line for line in proc.stderr.splitlines() if not line.startswith("make")]
    assert ours == ["uv.lock is missing: run 'make lock' to create it"]


EXAMPLES = sorted((ROOT / "examples").rglob("*.yml"))


@pytest.mark.parametrize("workflow", EXAMPLES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_example_ci_installs_from_the_same_lock(workflow):
    """Forks copy these workflows: they install what the project's tests passed with,
    never whatever pip resolves that day."""
    text = workflow.read_text()
    assert "--require-hashes --no-deps -r requirements/uv.txt" in text
    assert "uv sync --frozen" in text
    assert not re.search(r"pip install[^\n]*(?<![-\w])\.(\s|$|\[)", text), "pip install . resolves afresh"
