"""`pxdesk-cli install-desktop-entry`: add pxdesk to the current user's application menu.

Freedesktop only (Linux, BSD): copies the packaged .desktop template, with Exec= pointing at
this installation's `pxdesk`, and the icons into $XDG_DATA_HOME (default ~/.local/share).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from pxdesk.assets import APP_ICON_PNG, APP_ICON_SVG, DESKTOP_TEMPLATE, asset_bytes
from pxdesk.cli.output import EXIT_OK, print_error
from pxdesk.core.autostart import desktop_exec

ICON_SIZES = (16, 32, 48, 64, 128, 256)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "install-desktop-entry",
        help="add pxdesk to this user's application menu (Linux desktops)",
        description="Install pxdesk.desktop and its icons under $XDG_DATA_HOME "
                    "(default ~/.local/share) for the current user.",
    )
    parser.add_argument("--exec", dest="exec_path", metavar="PATH",
                        help="the pxdesk program to launch (default: this installation's)")
    parser.add_argument("--remove", action="store_true", help="remove what was installed")
    parser.set_defaults(handler=run)


def data_home() -> Path:
    value = os.environ.get("XDG_DATA_HOME")
    return Path(value) if value and Path(value).is_absolute() else Path.home() / ".local/share"


def pxdesk_command() -> list[str]:
    """This installation's `pxdesk`: next to the running Python, else on PATH, else -m."""
    bin_dir = Path(sys.executable).parent
    for name in ("pxdesk", "pxdesk.exe"):
        candidate = bin_dir / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return [str(candidate)]
    found = shutil.which("pxdesk")
    return [found] if found else [sys.executable, "-m", "pxdesk"]


def desktop_entry_text(argv: Sequence[str]) -> str:
    """The packaged template with Exec= (and TryExec=) set to `argv`."""
    lines = asset_bytes(DESKTOP_TEMPLATE).decode("utf-8").splitlines()
    out = []
    for line in lines:
        if line.startswith("Exec="):
            line = f"Exec={desktop_exec(argv)}"
        elif line.startswith("TryExec="):
            line = f"TryExec={argv[0]}"  # TryExec is a plain path, not a command line
        out.append(line)
    return "\n".join(out) + "\n"


def _icon_files(icons_dir: Path) -> dict[Path, str]:
    """Installed icon path -> packaged asset name."""
    files = {icons_dir / "scalable" / "apps" / "pxdesk.svg": APP_ICON_SVG}
    for size in ICON_SIZES:
        asset = APP_ICON_PNG if size == 256 else f"pxdesk-{size}.png"
        files[icons_dir / f"{size}x{size}" / "apps" / "pxdesk.png"] = asset
    return files


def installed_paths(home: Path) -> list[Path]:
    return [home / "applications" / "pxdesk.desktop",
            *_icon_files(home / "icons" / "hicolor")]


def install(home: Path, argv: Sequence[str]) -> list[Path]:
    """Write the entry and the icons; returns every file written."""
    entry = home / "applications" / "pxdesk.desktop"
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text(desktop_entry_text(argv), encoding="utf-8")
    written = [entry]
    for path, asset in _icon_files(home / "icons" / "hicolor").items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(asset_bytes(asset))
        written.append(path)
    return written


def remove(home: Path) -> list[Path]:
    removed = [path for path in installed_paths(home) if path.exists()]
    for path in removed:
        path.unlink()
    return removed


def run(args: argparse.Namespace) -> int:
    if sys.platform in ("win32", "darwin"):
        return print_error("desktop entries are for Linux desktops; on Windows and macOS "
                           "use the installer's shortcut.")
    home = data_home()
    if args.remove:
        for path in remove(home):
            print(f"removed {path}")
        return EXIT_OK
    argv = [args.exec_path] if args.exec_path else pxdesk_command()
    for path in install(home, argv):
        print(f"installed {path}")
    print(f"pxdesk will start with: {' '.join(argv)}")
    return EXIT_OK
