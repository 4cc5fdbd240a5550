"""Hostile paths: `pmkb check` reads nothing outside the repository and writes nothing at
all; `pmkb new` writes inside postmortems/ only, whatever the title.

Symbolic links that lead out of the repository (to a postmortem, a folder, the taxonomy,
a template), FIFOs, PATH arguments outside the repository or not paths at all, ids and
slugs with `../`, very long names, and names with characters that URLs, terminals and
GitHub's annotation syntax treat specially.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from conftest import BASE_META, KB, TODAY
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import postmortem_kb
from postmortem_kb.cli import main

FORMATS = ("text", "json", "github", "sarif")
SECRET = "---\nid: 2024-01-01-secret\ntitle: Secret\n---\n\n## Summary\n\nIt was human error.\n"


@pytest.fixture
def outside(tmp_path_factory) -> Path:
    """A folder outside the knowledge base, with a postmortem-looking file in it."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "secret.md").write_text(SECRET, encoding="utf-8")
    (folder / "factors.yml").write_text("factors:\n  - id: secret-factor\n    name: Secret\n", encoding="utf-8")
    return folder


@pytest.fixture
def opened(monkeypatch):
    """Every path the code under test opens, by any of Python's ways to open a file."""
    seen: list[str] = []
    real_open, real_io_open, real_os_open = builtins.open, io.open, os.open

    def spy(real):
        def opener(file, *args, **kwargs):
            if isinstance(file, (str, bytes, os.PathLike)):
                base = kwargs.get("dir_fd")  # a name relative to an open folder (the cache's writes)
                folder = os.readlink(f"/proc/self/fd/{base}") if base is not None else os.getcwd()
                seen.append(os.path.abspath(os.path.join(folder, os.fsdecode(file))))
            return real(file, *args, **kwargs)

        return opener

    monkeypatch.setattr(builtins, "open", spy(real_open))
    monkeypatch.setattr(io, "open", spy(real_io_open))
    monkeypatch.setattr(os, "open", spy(real_os_open))
    return seen


def opened_in(seen: list[str], folder: Path) -> list[str]:
    return [p for p in seen if Path(p).is_relative_to(folder)]


def findings(kb: KB, *args: str) -> tuple[int, list[dict]]:
    code, out = kb.check("--format", "json", "-j", "1", *args)
    assert "Traceback" not in kb.stderr, kb.stderr
    return code, (json.loads(out) if code in (0, 1) else [])


def by_path(found: list[dict], path: str) -> list[tuple[str, int, int]]:
    return [(f["code"], f["line"], f["column"]) for f in found if f["path"] == path]


# ---- symbolic links out of the repository --------------------------------------------------


@pytest.mark.parametrize("how", ["whole corpus", "the link as PATH", "its folder as PATH"])
def test_a_symlinked_postmortem_leading_outside_is_reported_and_not_read(kb, outside, opened, how):
    good = kb.write()
    link = kb / "postmortems" / "2024" / "linked.md"
    link.symlink_to(outside / "secret.md")
    args = {"whole corpus": (), "the link as PATH": (str(link),), "its folder as PATH": (str(link.parent),)}[how]
    code, found = findings(kb, *args)
    assert code == 1
    assert by_path(found, "postmortems/2024/linked.md") == [("PM001", 1, 1)]
    message = next(f["message"] for f in found if f["path"] == "postmortems/2024/linked.md")
    assert "symbolic link" in message and "outside the repository; it was not read" in message
    assert by_path(found, kb.rel(good)) == []  # the rest is checked
    assert opened_in(opened, outside) == []
    assert "secret" not in json.dumps([f for f in found if f["code"] != "PM001"])


def test_a_chain_of_links_that_ends_outside_is_reported(kb, outside, opened):
    hop = kb / "templates" / "hop.txt"
    hop.symlink_to(outside / "secret.md")
    (kb / "postmortems" / "chained.md").symlink_to(hop)
    _, found = findings(kb)
    assert by_path(found, "postmortems/chained.md") == [("PM001", 1, 1)]
    assert opened_in(opened, outside) == []


def test_a_link_to_a_postmortem_inside_the_repository_is_checked_under_its_own_name(kb):
    target = kb.write(sections={"Lessons learned": "It was human error."})
    (kb / "postmortems" / "alias.md").symlink_to(target)
    _, found = findings(kb)
    assert [f["code"] for f in found if f["path"] == "postmortems/alias.md"] == [
        "PM102",
        "PM301",
    ]  # same id, same phrase


def test_a_symlinked_folder_leading_outside_is_not_walked(kb, outside, opened):
    kb.write()
    (kb / "postmortems" / "elsewhere").symlink_to(outside, target_is_directory=True)
    code, found = findings(kb)
    # Not walked, and not published either: the link itself is the one finding.
    assert code == 1 and [(f["path"], f["code"]) for f in found] == [("postmortems/elsewhere", "PM602")]
    assert "outside the repository" in found[0]["message"]
    assert opened_in(opened, outside) == []


def test_a_dangling_link_and_a_fifo_are_findings_and_nothing_blocks(kb):
    kb.write()
    (kb / "postmortems" / "dangling.md").symlink_to(kb / "postmortems" / "gone.md")
    os.mkfifo(kb / "postmortems" / "pipe.md")  # opening it to read would wait for a writer forever
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "postmortem_kb.cli",
            "--config",
            str(kb.config),
            "check",
            "--format",
            "json",
            "--today",
            TODAY,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stderr
    found = json.loads(proc.stdout)
    assert [(f["path"], f["code"], f["line"]) for f in found] == [
        ("postmortems/dangling.md", "PM001", 1),
        ("postmortems/pipe.md", "PM001", 1),
    ]
    assert "cannot read the file" in found[0]["message"]
    assert found[1]["message"] == "not a regular file; it was not read"


def test_a_taxonomy_linked_from_outside_is_reported_and_not_read(kb, outside, opened):
    taxonomy = kb / "postmortems" / "factors.yml"
    taxonomy.unlink()
    taxonomy.symlink_to(outside / "factors.yml")
    kb.write()
    _, found = findings(kb)
    assert [(f["path"], f["code"]) for f in found if f["path"].endswith("factors.yml")] == [
        ("postmortems/factors.yml", "PM001")
    ]
    assert opened_in(opened, outside) == []


def test_a_template_linked_from_outside_is_not_read(kb, outside, opened):
    (kb / "templates" / "elsewhere.md").symlink_to(outside / "secret.md")
    kb.write()
    code, found = findings(kb)
    assert code == 0 and found == []
    assert opened_in(opened, outside) == []


def test_a_language_rule_file_outside_the_repository_is_a_configuration_error(kb, outside, opened):
    (outside / "rules.yml").write_text("rules: []\n", encoding="utf-8")
    kb.set_plugin_config(language_rules=[str(outside / "rules.yml")])
    kb.write()
    opened.clear()  # the test's own writes
    code, _ = kb.check()
    assert code == 2
    assert "outside the repository" in kb.stderr
    assert opened_in(opened, outside) == []


# ---- PATH arguments -------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["absolute", "relative", "dotdot-inside", "folder", "link-to-folder"])
def test_a_path_outside_the_repository_is_a_usage_error_and_is_not_read(kb, outside, opened, monkeypatch, how):
    monkeypatch.chdir(kb.root)
    kb.write()
    if how == "link-to-folder":
        (kb / "postmortems" / "out").symlink_to(outside, target_is_directory=True)
    raw = {
        "absolute": str(outside / "secret.md"),
        "relative": os.path.relpath(outside / "secret.md", kb.root),
        "dotdot-inside": f"postmortems/../{os.path.relpath(outside / 'secret.md', kb.root)}",
        "folder": str(outside),
        "link-to-folder": "postmortems/out",
    }[how]
    code, out = kb.check(raw)
    assert code == 2 and out == ""
    assert "outside the knowledge base" in kb.stderr and "Traceback" not in kb.stderr
    assert opened_in(opened, outside) == []


@pytest.mark.parametrize(
    "raw",
    [
        "x" * 10_000,
        "postmortems/" + "a" * 300 + ".md",
        "post\x00mortems",
        "postmortems/" + "../" * 200 + "nowhere.md",
        "",
    ],
    ids=["10k-characters", "name-over-255-bytes", "nul-byte", "many-dotdots", "empty"],
)
def test_a_path_that_cannot_exist_is_a_usage_error_not_a_traceback(kb, raw):
    kb.write()
    code, out = kb.check(raw)
    assert code == 2 and out == ""
    assert kb.stderr.startswith("pmkb: ") and "Traceback" not in kb.stderr


def test_paths_given_in_any_order_or_twice_give_the_same_output(kb, monkeypatch):
    monkeypatch.chdir(kb.root)
    a = kb.write(sections={"Impact": "It was human error."})
    b = kb.write(meta={"id": "2024-03-15-other"}, sections={"Impact": "He was careless."})
    extra = kb / "templates" / "notes.md"  # outside postmortems/, inside the repository
    extra.write_text("Notes, not a postmortem.\n", encoding="utf-8")
    first = kb.check(kb.rel(a), kb.rel(b), kb.rel(extra))
    assert kb.check(kb.rel(extra), kb.rel(b), kb.rel(a), kb.rel(b), kb.rel(extra)) == first
    assert first[0] == 1 and "in 3 of 3 file(s)" in first[1]


# ---- ids and slugs that try to be paths ------------------------------------------------------


@pytest.mark.parametrize(
    "meta, field_line",
    [
        ({"id": "../../../etc/passwd"}, "id:"),
        ({"id": "/etc/passwd"}, "id:"),
        ({"template": "../../../../etc/passwd"}, "template:"),
        ({"template": "/etc/passwd"}, "template:"),
        ({"related": ["../../secret"]}, "- ../../secret"),
        (
            {
                "contributing_factors": [
                    {"factor": "../secret", "description": "x"},
                    BASE_META["contributing_factors"][1],
                ]
            },
            "- factor: ../secret",
        ),
    ],
    ids=["id-dotdot", "id-absolute", "template-dotdot", "template-absolute", "related", "factor"],
)
def test_ids_and_slugs_with_path_parts_are_schema_findings_and_read_nothing(kb, outside, opened, meta, field_line):
    path = kb.write("2024/slug.md", meta=meta)
    _, found = findings(kb)
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if text.startswith(field_line))
    assert [(f["code"], f["line"]) for f in found if f["path"] == "postmortems/2024/slug.md"] == [("PM101", line)]
    assert "must be a lower-case id" in found[0]["message"]  # the id pattern, in plain words
    allowed = (kb.root, Path(postmortem_kb.__file__).parent, Path(sys.prefix), Path(sys.base_prefix))
    assert not [p for p in opened if not any(Path(p).is_relative_to(a) for a in allowed)]


# ---- names: long, URL-unsafe, terminal-unsafe, not UTF-8 ---------------------------------------


def test_a_long_name_in_deep_folders_is_checked_and_reported_by_its_path(kb):
    folder = "/".join(["d" * 100] * 20)
    name = f"{folder}/{'n' * 240}.md"
    kb.write(name, sections={"Impact": "It was human error."})
    _, found = findings(kb)
    assert [(f["path"], f["code"]) for f in found] == [(f"postmortems/{name}", "PM301")]


URL_UNSAFE = "a b#c?d%e&f;g=h+i,j:k[l]m'n\"o<p>q\\r`s{t}u|v~w😀é.md"


def test_names_with_url_and_annotation_syntax_characters_are_escaped_for_each_format(kb):
    kb.write(URL_UNSAFE, sections={"Impact": "It was human error."})
    path = f"postmortems/{URL_UNSAFE}"
    _, found = findings(kb)
    assert [f["path"] for f in found] == [path]  # JSON: the path as it is
    _, out = kb.check("--format", "sarif")
    uri = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert re.fullmatch(r"[A-Za-z0-9/._~%-]+", uri), uri  # a URI reference: unsafe characters percent-encoded
    assert unquote(uri) == path
    _, out = kb.check("--format", "github")
    file_prop = out.splitlines()[0].split("file=", 1)[1].split(",line=", 1)[0]
    assert "," not in file_prop and ":" not in file_prop and "\n" not in file_prop
    assert file_prop.replace("%3A", ":").replace("%2C", ",").replace("%25", "%") == path
    _, out = kb.check()
    assert out.startswith(f"{path}:")


def test_a_name_with_a_line_break_or_escape_sequence_stays_on_one_line_of_text_output(kb):
    kb.write("evil\n::error file=x::forged\x1b[2J.md", sections={"Impact": "It was human error."})
    code, out = kb.check()
    assert code == 1
    first, _hint, _summary = out.splitlines()
    assert first.startswith("postmortems/evil\\n::error file=x::forged\\x1b[2J.md:")
    assert "\x1b" not in out
    code, out = kb.check("--format", "github")
    assert len(out.splitlines()) == 2  # one annotation and the summary: no forged annotation
    assert "evil%0A%3A%3Aerror file=x%3A%3Aforged" in out


def test_a_file_name_that_is_not_utf8_is_shown_escaped_in_every_format(kb, monkeypatch):
    kb.write()
    raw = os.fsencode(kb / "postmortems") + b"/caf\xe9.md"
    with open(raw, "wb") as fh:
        fh.write(b"no front matter\n")
    for fmt in FORMATS:
        # A real terminal or pipe is strict UTF-8: a lone surrogate from the file name crashed the write.
        stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
        monkeypatch.setattr(sys, "stdout", stream)
        code = main(["--config", str(kb.config), "check", "--format", fmt, "--today", TODAY])
        stream.flush()
        text = stream.buffer.getvalue().decode("utf-8")
        assert code == 1, fmt
        shown = {
            "text": text.split(":", 1)[0],
            "json": json.loads(text)[0]["path"] if fmt == "json" else "",
            "github": text.split("file=", 1)[-1].split(",", 1)[0],
            "sarif": unquote(
                json.loads(text)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            )
            if fmt == "sarif"
            else "",
        }[fmt]
        assert shown == "postmortems/caf\\xe9.md", (fmt, text[:300])


# ---- check writes nothing -----------------------------------------------------------------------


def tree(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            st = os.lstat(os.path.join(folder, name))
            out[os.path.join(folder, name)] = (st.st_size, st.st_mtime_ns)
    return out


def test_check_writes_nothing_but_its_cache_in_any_format_serial_or_parallel(kb, monkeypatch):
    monkeypatch.chdir(kb.root)
    for i in range(210):  # over PARALLEL_FROM: -j 2 forks workers
        kb.write(
            f"2024/pm-{i:03}.md",
            meta={"id": f"2024-03-14-pm-{i:03}"},
            sections={"Impact": "It was human error."} if i % 7 == 0 else None,
        )
    before = tree(kb.root)
    for fmt in FORMATS:
        for jobs in ("1", "2"):
            code, _ = kb.check("--format", fmt, "-j", jobs, "--no-cache")
            assert code == 1
    assert tree(kb.root) == before
    kb.check("-j", "2")
    after = {os.path.relpath(k, kb.root): v for k, v in tree(kb.root).items()}
    assert {k: v for k, v in after.items() if not k.startswith(".cache")} == {
        os.path.relpath(k, kb.root): v for k, v in before.items()
    }
    assert sorted(k for k in after if k.startswith(".cache")) == [".cache", ".cache/pmkb", ".cache/pmkb/check.json"]


# ---- pmkb new writes inside postmortems/ only ----------------------------------------------------

NEW_NAME = re.compile(r"postmortems/2024/2024-03-14-[a-z0-9-]{1,60}\.md")

HOSTILE_TITLES = [
    "../../../../etc/passwd",
    "/etc/passwd",
    "..",
    'a/b\\c:d*e?f"g<h>i|j',
    "CON",
    "\x00\x01\x1b[2J\x7f",
    "line one\nline two\r\n---\nid: injected",
    '" ]: {&a *a !!python/object:os.system}',
    "\u202eevil\u2028\u2029\x85\ufeff",
    "事故 😀",
    "x" * 10_000,
    "caf\udce9",  # a byte a non-UTF-8 terminal passed through
]


@pytest.fixture(scope="module")
def new_kb(tmp_path_factory) -> KB:
    import shutil

    from conftest import ROOT

    root = tmp_path_factory.mktemp("new-kb")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "templates", root / "templates", ignore=shutil.ignore_patterns("site"))
    (root / "postmortems").mkdir()
    shutil.copy(ROOT / "postmortems" / "factors.yml", root / "postmortems" / "factors.yml")
    return KB(root)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
@example(HOSTILE_TITLES[0])
@example(HOSTILE_TITLES[1])
@example(HOSTILE_TITLES[2])
@example(HOSTILE_TITLES[3])
@example(HOSTILE_TITLES[4])
@example(HOSTILE_TITLES[5])
@example(HOSTILE_TITLES[6])
@example(HOSTILE_TITLES[7])
@example(HOSTILE_TITLES[8])
@example(HOSTILE_TITLES[9])
@example(HOSTILE_TITLES[10])
@example(HOSTILE_TITLES[11])
def test_new_with_any_title_writes_one_parseable_file_inside_postmortems(new_kb, title):
    before = set(tree(new_kb.root)) | set(os.listdir(new_kb.root.parent))
    # `--` ends the options: a title may start with `-`.
    code, _ = new_kb.run(
        "new",
        "--service",
        "api",
        "--severity",
        "SEV2",
        "--author",
        "A. Author",
        "--date",
        "2024-03-14",
        "--today",
        "2024-03-15",
        "--",
        title,
    )
    assert code == 0, new_kb.stderr
    created = (set(tree(new_kb.root)) | set(os.listdir(new_kb.root.parent))) - before
    files = [Path(p) for p in created if Path(p).is_file()]
    assert len(files) == 1, created
    path = files[0]
    try:
        rel = path.relative_to(new_kb.root).as_posix()
        assert NEW_NAME.fullmatch(rel), rel
        assert {Path(p) for p in created} <= {path, path.parent}
        text = path.read_text(encoding="utf-8")
        meta = yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))
        shown = meta["title"]
        assert "\n" not in shown and "\r" not in shown and shown == " ".join(shown.split())
        for word in "".join(ch if ch.isalnum() else " " for ch in title).split():
            if word.isascii():
                assert word in shown  # the title is kept, only made one clean line
    finally:
        path.unlink()


def test_new_refuses_a_year_folder_that_links_outside(kb, outside):
    (kb / "postmortems" / "2024").symlink_to(outside, target_is_directory=True)
    before = tree(outside)
    code, _ = kb.run(
        "new",
        "Checkout down",
        "--service",
        "api",
        "--severity",
        "SEV2",
        "--author",
        "A",
        "--date",
        "2024-03-14",
        "--today",
        "2024-03-15",
    )
    assert code == 2
    assert "leads outside postmortems/" in kb.stderr
    assert tree(outside) == before


def test_new_never_writes_through_a_link_in_place_of_the_new_file(kb, outside):
    (kb / "postmortems" / "2024").mkdir()
    (kb / "postmortems" / "2024" / "2024-03-14-checkout-down.md").symlink_to(outside / "planted.md")
    code, _ = kb.run(
        "new",
        "Checkout down",
        "--service",
        "api",
        "--severity",
        "SEV2",
        "--author",
        "A",
        "--date",
        "2024-03-14",
        "--today",
        "2024-03-15",
    )
    assert code == 1 and "already exists" in kb.stderr
    assert not (outside / "planted.md").exists()


def test_the_new_files_that_hostile_titles_make_are_checked_without_crashing(new_kb):
    made = []
    for i, title in enumerate(HOSTILE_TITLES):
        code, _ = new_kb.run(
            "new",
            title,
            "--service",
            "api",
            "--severity",
            "SEV2",
            "--author",
            "A",
            "--date",
            f"2024-03-{i + 1:02}",
            "--today",
            "2024-03-20",
        )
        assert code == 0, new_kb.stderr
        made.append(next((new_kb.root / "postmortems" / "2024").glob(f"2024-03-{i + 1:02}-*.md")))
    code, out = new_kb.check("--format", "json")
    found = json.loads(out)
    # Drafts full of TODOs: findings, but never a YAML error, whatever the title held.
    assert code == 1 and "Traceback" not in new_kb.stderr
    assert not [f for f in found if f["code"] in ("PM001", "PM002", "PM003")]
    for path in made:
        path.unlink()
