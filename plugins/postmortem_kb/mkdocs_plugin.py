"""The entry point's old name (pyproject.toml); the plugin lives in `postmortem_kb.mkdocs.plugin`."""

from .mkdocs.plugin import PostmortemKBPlugin as PostmortemKBPlugin
