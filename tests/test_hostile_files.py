"""Hostile files (issue #13): what a pull request can put in the postmortems folder, the
playbook or `.cache/` besides postmortems.

The site publishes only what a knowledge base needs (Markdown, PNG/JPEG/GIF/WebP/AVIF
images, the data files); a symbolic link only when it leads to a regular, non-hidden file
inside its own folder; nothing in the place of the theme's or the site's own files. Every
refused file is a finding of `pmkb check` and of `mkdocs build` (so `--strict` fails).
The tool never writes through a link (its caches), and `pmkb import` never blocks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import material
import pytest
from conftest import KB
from site_helpers import TODAY, build_site, copy_kb

from postmortem_kb.load.publishable import RESERVED_FILES, RESERVED_FOLDERS, site_files

SECRET = "SECRET_TOKEN=hunter2-do-not-publish"
BUNDLE = next(
    p.name for p in (Path(material.__file__).parent / "templates" / "assets" / "javascripts").glob("bundle.*.min.js")
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def findings(root: Path) -> list[dict]:
    kb = KB(root)
    code, out = kb.run("check", "--format", "json", "--today", TODAY.isoformat(), "--no-cache")
    assert code in (0, 1) and "Traceback" not in kb.stderr, kb.stderr
    return json.loads(out)


def refused(found: list[dict]) -> dict[str, str]:
    """path -> code of the PM6xx findings."""
    return {f["path"]: f["code"] for f in found if f["code"].startswith("PM6")}


def site_text(site: Path) -> str:
    """Every byte the built site holds, as text."""
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in site.rglob("*") if p.is_file())


def plant(root: Path) -> dict[str, str]:
    """Every attack of this class in one knowledge base: name under postmortems/ -> expected code."""
    docs = root / "postmortems"
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text(f"[core]\n\t{SECRET}\n", encoding="utf-8")
    (root / ".env").write_text(SECRET + "\n", encoding="utf-8")
    outside = root.parent / "outside"
    outside.mkdir()
    (outside / "secret.png").write_text(SECRET, encoding="utf-8")
    (docs / "gitdir").symlink_to("../.git", target_is_directory=True)  # the attack as reported
    (docs / "gitcfg.txt").symlink_to("../.git/config")
    (docs / "env.txt").symlink_to("../.env")
    (docs / "cfg.png").symlink_to("../.git/config")  # variant: an allowed name, inside the repository
    (docs / "far.png").symlink_to(outside / "secret.png")  # variant: out of the repository
    (docs / ".hidden").mkdir()
    (docs / ".hidden" / "key.png").write_text(SECRET, encoding="utf-8")
    (docs / "hid.png").symlink_to(".hidden/key.png")  # variant: inside the folder, to a hidden file
    (docs / "2024" / "elsewhere.md").symlink_to(
        "../../templates/standard.md"
    )  # variant: a page from outside postmortems/
    (docs / "evil.html").write_text("<script>alert(document.cookie)</script>", encoding="utf-8")
    (docs / "2024" / "diagram.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', encoding="utf-8"
    )
    (docs / "notes.markdown").write_text(
        "<script>alert(2)</script>\n", encoding="utf-8"
    )  # a page the checker never reads
    (docs / "2024" / "draft.MD").write_text(
        "<script>alert(2)</script>\n", encoding="utf-8"
    )  # variant: the loader reads `.md` only
    os.mkfifo(docs / "pipe.png")  # copying it would wait for a writer forever
    (docs / "assets" / "javascripts").mkdir(parents=True)
    (docs / "assets" / "javascripts" / BUNDLE).write_text("alert('every page')", encoding="utf-8")
    (docs / "assets" / "images").mkdir()
    (docs / "assets" / "images" / "favicon.png").write_bytes(PNG)  # variant: an allowed type in the theme's place
    (docs / "assets" / "pmkb").mkdir()
    (docs / "assets" / "pmkb" / "pmkb.css").write_text("body{display:none}", encoding="utf-8")
    (docs / "search").mkdir()
    (docs / "search" / "search_index.json").write_text('{"docs":[]}', encoding="utf-8")
    (docs / "sitemap.xml").write_text("<urlset/>", encoding="utf-8")
    (docs / "404.html").write_text("<script>alert(3)</script>", encoding="utf-8")
    (docs / "loop").symlink_to("..", target_is_directory=True)  # MkDocs walked the repository 40 deep
    (docs / "self").symlink_to(".", target_is_directory=True)  # variant: a loop inside the folder
    (docs / "gone.png").symlink_to("nowhere.png")
    (
        docs / "remediation.csv"
    ).mkdir()  # variant: a folder in the place of a site file (the build stopped: "Is a directory")
    (docs / "remediation.csv" / "a.png").write_bytes(PNG)
    (docs / "catalog").mkdir()  # variant: a page in the place of a generated one
    (docs / "catalog" / "index.md").write_text("# Not the catalog\n", encoding="utf-8")
    (docs / "2024" / "chart.png").write_bytes(PNG)  # variant: an image where a page makes a folder
    (docs / "2024" / "chart.png.md").write_text("# chart\n", encoding="utf-8")
    return {
        "gitdir": "PM602",
        "gitcfg.txt": "PM602",
        "env.txt": "PM602",
        "cfg.png": "PM602",
        "far.png": "PM602",
        "hid.png": "PM602",
        "2024/elsewhere.md": "PM602",
        "evil.html": "PM601",
        "2024/diagram.svg": "PM601",
        "notes.markdown": "PM601",
        "2024/draft.MD": "PM601",
        "pipe.png": "PM601",
        f"assets/javascripts/{BUNDLE}": "PM603",
        "assets/images/favicon.png": "PM603",
        "assets/pmkb/pmkb.css": "PM603",
        "search/search_index.json": "PM603",
        "sitemap.xml": "PM603",
        "404.html": "PM603",
        "loop": "PM602",
        "self": "PM602",
        "gone.png": "PM602",
        "remediation.csv/a.png": "PM603",
        "catalog/index.md": "PM603",
        "2024/chart.png": "PM603",
    }


def allowed(root: Path) -> None:
    """What a knowledge base does publish from its folder: nothing of it is refused."""
    docs = root / "postmortems"
    (docs / "2024" / "timeline.png").write_bytes(PNG)
    (docs / "2024" / "PHOTO.JPG").write_bytes(b"\xff\xd8\xff\xe0")
    (docs / "2024" / "same.png").symlink_to("timeline.png")  # a link inside the folder, to a regular file
    (docs / "services.yml").write_text("services: []\n", encoding="utf-8")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, dict[str, str], list[dict], subprocess.CompletedProcess, float]:
    root = copy_kb(tmp_path_factory.mktemp("hostile-files"))
    expected = plant(root)
    allowed(root)
    found = findings(root)
    started = time.monotonic()
    built = build_site(root, root / "site")
    took = time.monotonic() - started
    return root, expected, found, built, took


def test_every_refused_file_is_a_finding_of_check_at_line_1(hostile):
    _, expected, found, _, _ = hostile
    assert refused(found) == {f"postmortems/{name}": code for name, code in expected.items()}
    for f in found:
        if f["code"].startswith("PM6"):
            assert (f["line"], f["column"], f["severity"]) == (1, 1, "error")


def test_what_a_knowledge_base_needs_is_published(hostile):
    root, _, found, built, _ = hostile
    site = root / "site"
    assert built.returncode == 0, built.stderr
    assert (site / "2024" / "timeline.png").read_bytes() == PNG
    assert (site / "2024" / "same.png").read_bytes() == PNG
    assert (site / "2024" / "PHOTO.JPG").is_file()
    # The catalogs are read by the loader and shown as service and factor pages, not
    # published raw (nor refused: they are the knowledge base's own files).
    assert not (site / "services.yml").exists()
    assert not (site / "factors.yml").exists()
    assert not [
        f
        for f in found
        if f["path"].startswith(
            ("postmortems/2024/timeline", "postmortems/2024/same", "postmortems/2024/PHOTO", "postmortems/services")
        )
    ]


def test_the_build_reports_each_refused_file_and_publishes_none(hostile):
    root, expected, _, built, took = hostile
    site = root / "site"
    assert "Traceback" not in built.stderr
    for name, code in expected.items():
        assert f"postmortems/{name}:1:1: {code}" in built.stderr, name
    for name in expected:
        if not name.startswith(("assets/", "search/", "sitemap", "404")):
            assert not os.path.lexists(site / name), name
    assert not (site / "elsewhere").exists() and not (site / "2024" / "elsewhere").exists()
    assert not (site / "loop").exists() and not (site / "self").exists()
    # The theme's and the site's own files are theirs, not the pull request's.
    assert (site / "assets" / "javascripts" / BUNDLE).read_bytes() == (
        Path(material.__file__).parent / "templates" / "assets" / "javascripts" / BUNDLE
    ).read_bytes()
    assert (site / "assets" / "images" / "favicon.png").read_bytes() != PNG
    assert b"display:none" not in (site / "assets" / "pmkb" / "pmkb.css").read_bytes()
    assert (site / "404.html").read_text(encoding="utf-8").count("alert(3)") == 0
    text = site_text(site)
    assert SECRET not in text
    assert "alert(document.cookie)" not in text and "alert('every page')" not in text
    assert took < 60  # the loop made MkDocs walk the repository for 36 s, then crash
    assert "Not the catalog" not in (site / "catalog" / "index.html").read_text(encoding="utf-8")


def test_the_site_has_nothing_at_its_top_that_the_survey_does_not_reserve(hostile):
    """The reserved places (load.publishable) keep up with what the theme and the plugin
    write: a built site's top holds only them, year folders and the data files."""
    root, _, _, _, _ = hostile
    tops = {p.name for p in (root / "site").iterdir()}
    assert tops - RESERVED_FOLDERS - RESERVED_FILES - {"services.yml"} == {n for n in tops if n.isdigit()}


def test_strict_build_fails_on_a_refused_file_alone(tmp_path):
    root = copy_kb(tmp_path)
    for year in (root / "postmortems").glob("[0-9]*"):  # no postmortems: nothing else to warn about
        shutil.rmtree(year)
    assert build_site(root, root / "site", strict=True).returncode == 0
    (root / "postmortems" / "evil.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    built = build_site(root, root / "site2", strict=True)
    assert built.returncode == 1
    assert "postmortems/evil.html:1:1: PM601 [unpublishable-file]" in built.stderr


def test_the_public_site_publishes_no_link_and_does_not_walk_one(tmp_path):
    root = copy_kb(tmp_path)
    (root / ".env").write_text(SECRET, encoding="utf-8")
    (root / "postmortems" / "env.txt").symlink_to("../.env")
    (root / "postmortems" / "loop").symlink_to("..", target_is_directory=True)
    (root / "mkdocs-public.yml").write_text(
        (Path(__file__).parents[1] / "mkdocs-public.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "postmortem_kb.cli",
            "--config",
            str(root / "mkdocs.yml"),
            "build",
            "--public",
            "--site-dir",
            str(root / "public"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=ENV,
    )
    took = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and took < 60  # was past 120 s and 650 MB
    assert "postmortems/loop:1:1: PM602" in proc.stderr and "postmortems/env.txt:1:1: PM602" in proc.stderr
    assert not os.path.lexists(root / "public" / "env.txt") and not os.path.lexists(root / "public" / "loop")
    assert SECRET not in site_text(root / "public")


def test_the_playbook_publishes_no_link_out_of_it(tmp_path):
    root = copy_kb(tmp_path)
    (root / ".env").write_text(SECRET, encoding="utf-8")
    (root / "ops-playbook" / "leak.md").symlink_to("../.env")  # a page that would show the file
    (root / "ops-playbook" / "x.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    found = refused(findings(root))
    assert found == {"ops-playbook/leak.md": "PM602", "ops-playbook/x.html": "PM601"}
    built = build_site(root, root / "site")
    assert built.returncode == 0, built.stderr
    assert "ops-playbook/leak.md:1:1: PM602" in built.stderr
    assert not (root / "site" / "playbook" / "leak").exists() and not (root / "site" / "playbook" / "x.html").exists()
    assert SECRET not in site_text(root / "site")


def test_the_survey_follows_no_link_to_a_folder(tmp_path):
    docs = tmp_path / "postmortems"
    (docs / "2024").mkdir(parents=True)
    (docs / "2024" / "a.md").write_text("x", encoding="utf-8")
    (docs / "up").symlink_to("..", target_is_directory=True)
    (docs / "2024" / "again").symlink_to("..", target_is_directory=True)  # inside the folder, a loop
    found = site_files(docs, tmp_path, "factors.yml")
    assert found.files == ["2024/a.md"]
    assert sorted(r.path for r in found.refused) == ["2024/again", "up"]


# ---- the tool's own writes: never through a link ------------------------------------------------


def test_check_never_writes_its_cache_through_a_link(kb, tmp_path):
    kb.write()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (kb / ".cache").mkdir()
    (kb / ".cache" / "pmkb").symlink_to(elsewhere, target_is_directory=True)  # the attack: a committed link
    code, _ = kb.check("-j", "1")
    assert code == 0
    assert list(elsewhere.iterdir()) == []
    assert "the check cache is not written" in kb.stderr and "symbolic link" in kb.stderr


def test_a_link_in_place_of_the_cache_file_is_replaced_not_followed(kb, tmp_path):
    kb.write()
    target = tmp_path / "victim.txt"
    target.write_text("precious", encoding="utf-8")
    (kb / ".cache" / "pmkb").mkdir(parents=True)
    (kb / ".cache" / "pmkb" / "check.json").symlink_to(target)
    code, _ = kb.check("-j", "1")
    assert code == 0
    assert target.read_text(encoding="utf-8") == "precious"
    cache = kb / ".cache" / "pmkb" / "check.json"
    assert not cache.is_symlink() and json.loads(cache.read_text(encoding="utf-8"))["version"] == 1


def test_a_cache_file_linked_to_a_device_is_not_read(kb):
    kb.write()
    (kb / ".cache" / "pmkb").mkdir(parents=True)
    (kb / ".cache" / "pmkb" / "check.json").symlink_to("/dev/zero")  # reading it would never end
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "postmortem_kb.cli",
            "--config",
            str(kb.config),
            "check",
            "--today",
            TODAY.isoformat(),
            "-j",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr


SERVE_BUILD = """
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
config = load_config(config_file=sys.argv[1], site_dir=sys.argv[2])
config.plugins.on_startup(command="serve", dirty=True)
build(config, dirty=True)
config.plugins.on_shutdown()
"""


def serve_build(root: Path) -> subprocess.CompletedProcess:
    """One rebuild as `mkdocs serve --dirty` runs it (generated files written to .cache)."""
    return subprocess.run(
        [sys.executable, "-c", SERVE_BUILD, str(root / "mkdocs.yml"), str(root / "served")],
        capture_output=True,
        text=True,
        timeout=300,
        env=ENV,
    )


@pytest.mark.parametrize("where", [".cache", ".cache/plugin/postmortem-kb/pages/services"])
def test_serving_never_writes_generated_pages_through_a_linked_folder(tmp_path, where):
    root = copy_kb(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = root / where
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(elsewhere, target_is_directory=True)
    proc = serve_build(root)
    assert proc.returncode == 0, proc.stderr
    assert list(elsewhere.iterdir()) == []
    assert (root / "served" / "services" / "index.html").is_file()  # the pages are built all the same
    assert (root / "served" / "remediation.csv").is_file()


def test_serving_replaces_a_planted_link_to_a_file_instead_of_overwriting_its_target(tmp_path):
    root = copy_kb(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    pages = root / ".cache" / "plugin" / "postmortem-kb" / "pages"
    (pages / "assets" / "pmkb").mkdir(parents=True)
    for name in ("remediation.csv", "catalog.md", "assets/pmkb/graph.json"):  # a download, a page, an asset
        (pages / name).symlink_to(victim)
    proc = serve_build(root)
    assert proc.returncode == 0, proc.stderr
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not (pages / "remediation.csv").is_symlink() and "precious" not in (
        root / "served" / "remediation.csv"
    ).read_text(encoding="utf-8")


# ---- pmkb import never blocks ----------------------------------------------------------------------


def test_import_skips_a_fifo_and_a_device_and_imports_the_rest(kb, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    legacy = Path(__file__).parent / "legacy" / "2018-11-02-search-index-stale.md"
    (src / legacy.name).write_bytes(legacy.read_bytes())
    os.mkfifo(src / "2020-01-01-pipe.md")  # opening it to read would wait forever
    (src / "2020-01-02-zero.md").symlink_to("/dev/zero")  # reading it never ends (2.6 GB before)
    (src / "2020-01-03-urandom.md").symlink_to("/dev/urandom")
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "postmortem_kb.cli", "--config", str(kb.config), "import", str(src)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert time.monotonic() - started < 60
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    for name in ("2020-01-01-pipe.md", "2020-01-02-zero.md", "2020-01-03-urandom.md"):
        assert f"skipped {src / name}: unreadable (not a regular file: a FIFO, socket or device)" in lines
    assert any(line.startswith(f"imported {src / legacy.name} -> ") for line in lines)


def test_a_postmortems_folder_replaced_by_a_link_out_of_the_repository_is_neither_read_nor_published(tmp_path):
    root = copy_kb(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "notes.md").write_text(f"# Notes\n\n{SECRET}\n", encoding="utf-8")
    (elsewhere / "photo.png").write_text(SECRET, encoding="utf-8")
    for name in ("postmortems", "ops-playbook"):
        os.rename(root / name, tmp_path / f"{name}-moved")
        (root / name).symlink_to(elsewhere, target_is_directory=True)
    kb = KB(root)
    code, out = kb.run("check", "--format", "json", "--today", TODAY.isoformat(), "--no-cache")
    found = json.loads(out)
    assert code == 1 and "Traceback" not in kb.stderr
    assert [f["path"] for f in found if f["code"] == "PM602"] == ["../elsewhere", "ops-playbook"]
    assert not [f for f in found if "notes.md" in f["path"]]  # not read
    built = build_site(root, root / "site")
    assert "Traceback" not in built.stderr
    assert SECRET not in site_text(root / "site")
