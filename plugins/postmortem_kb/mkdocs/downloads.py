"""The site's downloads (CSV, JSON, the feed) as files in a folder of their own: a full
build's child writes them in the temporary folder while MkDocs converts the pages, and
serving writes them beside its generated pages; MkDocs copies them into the site."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..load.files import read_inside, write_inside
from ..render.site import Site
from .report import log

DOWNLOADS_PREFIX = "pmkb-downloads-"  # then the building process's id, "-", a random part
MAX_GENERATED_BYTES = 512 * 1024 * 1024  # a generated file read back to compare; bounded all the same


def new_folder() -> Path:
    """A folder of this process in the temporary folder, which `reap_downloads` removes
    once the process is gone."""
    return Path(tempfile.mkdtemp(prefix=f"{DOWNLOADS_PREFIX}{os.getpid()}-"))


def reap_downloads(tmp: Path) -> list[Path]:
    """Remove the download folders of builds whose process is gone (killed before
    on_post_build could clean up); a running build's folder, or one that is not ours to
    remove, is left alone. Returns what was removed."""
    removed = []
    for folder in tmp.glob(DOWNLOADS_PREFIX + "*-*"):
        pid = folder.name[len(DOWNLOADS_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or not folder.is_dir() or folder.is_symlink():
            continue
        if hasattr(os, "getuid") and folder.lstat().st_uid != os.getuid():
            continue  # another user's: not ours to remove
        try:
            os.kill(int(pid), 0)
            continue  # still running (or another user's: not ours to judge)
        except ProcessLookupError:
            pass
        except (PermissionError, OverflowError, ValueError):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            removed.append(folder)
    return removed


def write_downloads(site: Site, folder: Path) -> None:
    """The site's downloads as files in `folder`; one whose bytes did not change is left
    alone (serving copies only what is newer than the site's copy)."""
    for src, content in site.downloads().items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        if read_inside(folder, src, MAX_GENERATED_BYTES) != data:
            why = write_inside(folder, src, data)  # never through a link (see Serving.cache_dir)
            if why is not None:
                log.warning("download %s cannot be written to %s: %s", src, folder, why)
