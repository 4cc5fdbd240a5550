"""The MkDocs face: `plugin.py` holds the plugin's events and nothing else; the helpers
beside it do the work, one job each, and only `plugin.py` and `docs_files.py` (MkDocs's
list of the site's files) import MkDocs. MkDocs 1.x is frozen and MkDocs 2 drops
plugins: what does not touch MkDocs's own objects stays usable by another host.

(Inside this package `mkdocs` still means the real MkDocs: imports are absolute.)
"""
