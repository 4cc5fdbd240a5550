"""The floor for `pmkb check`: the least any checker must do on a knowledge base.

    python bench/floor.py POSTMORTEMS_DIR

Reads every Markdown file, parses its front matter with yaml.CSafeLoader and finds its
`## ` headings; prints the number of files, front matters and headings. No rules, no
validation: what is left when checking costs nothing.
"""

from __future__ import annotations

import os
import sys

import yaml


def floor(docs_dir: str) -> tuple[int, int, int]:
    files = front_matters = headings = 0
    for folder, dirs, names in os.walk(docs_dir):
        dirs.sort()
        for name in sorted(names):
            if not name.endswith(".md"):
                continue
            files += 1
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                lines = fh.read().splitlines()
            body = 0
            if lines and lines[0].rstrip() == "---":
                for i in range(1, len(lines)):
                    if lines[i].rstrip() in ("---", "..."):
                        data = yaml.load("\n".join(lines[1:i]), Loader=yaml.CSafeLoader)
                        front_matters += isinstance(data, dict)
                        body = i + 1
                        break
            headings += sum(1 for line in lines[body:] if line.startswith("## "))
    return files, front_matters, headings


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: floor.py POSTMORTEMS_DIR")
    print("files={} front_matters={} headings={}".format(*floor(sys.argv[1])))
