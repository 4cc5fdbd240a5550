"""Rendering: Jinja2 templates → Markdown pages (with escaped HTML blocks for data)."""
