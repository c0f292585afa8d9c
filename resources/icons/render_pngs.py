"""Render resources/icons/pxdesk.svg to the hicolor PNG sizes and the packaged runtime assets.

Run from the repository root after editing the SVG:
    QT_QPA_PLATFORM=offscreen .venv/bin/python resources/icons/render_pngs.py
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 32, 48, 64, 128, 256)
HERE = Path(__file__).resolve().parent
SVG = HERE / "pxdesk.svg"
ASSETS = HERE.parent.parent / "pxdesk" / "assets"


def render(renderer: QSvgRenderer, size: int, target: Path) -> None:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    target.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(target), "PNG"):
        raise OSError(f"cannot write {target}")


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"invalid SVG: {SVG}", file=sys.stderr)
        return 1
    for size in SIZES:
        render(renderer, size, HERE / "hicolor" / f"{size}x{size}" / "apps" / "pxdesk.png")
    scalable = HERE / "hicolor" / "scalable" / "apps" / "pxdesk.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SVG, scalable)
    shutil.copyfile(SVG, ASSETS / "pxdesk.svg")
    render(renderer, 256, ASSETS / "pxdesk.png")  # the runtime icon (tray, windows)
    for size in SIZES[:-1]:  # so `pxdesk-cli install-desktop-entry` works from a wheel
        render(renderer, size, ASSETS / f"pxdesk-{size}.png")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
