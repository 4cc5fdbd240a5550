"""Two builds of the same knowledge base write the same files (MkDocs' own date stamps aside)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from site_helpers import assert_built, build_site, copy_kb

# MkDocs stamps the build date into the sitemap; nothing else may differ.
STAMPED = {"sitemap.xml", "sitemap.xml.gz"}


def _digests(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file() and p.name not in STAMPED
    }


def test_two_builds_are_identical(tmp_path):
    root = copy_kb(tmp_path)
    assert_built(build_site(root, tmp_path / "a"))
    assert_built(build_site(root, tmp_path / "b"))
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def test_file_order_on_disk_does_not_change_the_site(tmp_path):
    first = copy_kb(tmp_path / "one")
    second = copy_kb(tmp_path / "two")
    # Recreate the second copy's postmortems in reverse order: new inodes, new directory order.
    files = sorted((second / "postmortems").glob("20*/*.md"), reverse=True)
    saved = [(p, p.read_bytes()) for p in files]
    for p, _ in saved:
        p.unlink()
    for p, data in saved:
        p.write_bytes(data)
        os.utime(p, (1, 1))
    assert_built(build_site(first, tmp_path / "a"))
    assert_built(build_site(second, tmp_path / "b"))
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert a == b


def test_a_link_to_a_file_outside_the_repository_is_not_published(tmp_path):
    root = copy_kb(tmp_path)
    secret = tmp_path / "secret.md"
    secret.write_text("# Payroll\n\nconfidential-marker-7731\n", encoding="utf-8")
    (root / "postmortems" / "2024" / "leak.md").symlink_to(secret)
    result = build_site(root, tmp_path / "site")
    assert "outside the repository" in result.stderr
    assert "assets/javascripts" not in result.stderr  # the theme's own files are not links of ours
    assert (tmp_path / "site" / "assets" / "pmkb" / "pmkb.css").is_file()
    assert list((tmp_path / "site" / "assets" / "stylesheets").glob("main.*.min.css"))
    for page in (tmp_path / "site").rglob("*"):
        if page.is_file() and page.suffix in {".html", ".json", ".md", ".xml"}:
            assert "confidential-marker-7731" not in page.read_text(encoding="utf-8", errors="replace"), page


def test_a_folder_linked_from_outside_the_repository_is_not_published(tmp_path):
    root = copy_kb(tmp_path)
    outside = tmp_path / "elsewhere" / "2019"
    outside.mkdir(parents=True)
    (outside / "notes.md").write_text("# Notes\n\nconfidential-marker-9042\n", encoding="utf-8")
    (root / "postmortems" / "archive").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    build_site(root, tmp_path / "site")
    for page in (tmp_path / "site").rglob("*"):
        if page.is_file() and page.suffix in {".html", ".json", ".md", ".xml"}:
            assert "confidential-marker-9042" not in page.read_text(encoding="utf-8", errors="replace"), page
