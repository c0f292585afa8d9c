"""Icons and templates loaded at run time; they ship inside the package (package data)."""

from __future__ import annotations

from importlib.resources import files

APP_ICON_SVG = "pxdesk.svg"
APP_ICON_PNG = "pxdesk.png"
DESKTOP_TEMPLATE = "pxdesk.desktop"


def asset_bytes(name: str) -> bytes:
    """The content of a packaged asset, read through importlib so a wheel or zip works too."""
    return files(__name__).joinpath(name).read_bytes()
