"""Where the site's static files (stylesheet and scripts) are read from."""

from __future__ import annotations

from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "assets"
