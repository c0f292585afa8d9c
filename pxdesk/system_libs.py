"""Before Qt starts: the system libraries its Linux (xcb) platform plugin loads.

Qt 6.5+ aborts the process when `libxcb-cursor0` is missing, with a message that names no
package. A stock Ubuntu desktop lacks it, so the first launch would die; this check turns that
into one line that says what to install.
"""

from __future__ import annotations

import ctypes.util
from collections.abc import Callable, Mapping

# library (as ctypes.util.find_library names it) -> the Debian/Ubuntu package that has it
XCB_LIBRARIES = {"xcb-cursor": "libxcb-cursor0", "xkbcommon-x11": "libxkbcommon-x11-0"}


def _uses_xcb(platform: str, env: Mapping[str, str]) -> bool:
    if not platform.startswith("linux"):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.startswith("xcb")
    # Qt picks wayland on a Wayland session when it can, else xcb on an X display.
    wayland = env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland"
    return bool(env.get("DISPLAY")) and not wayland


def missing_system_libraries(platform: str, env: Mapping[str, str],
                             find: Callable[[str], str | None] = ctypes.util.find_library,
                             ) -> str | None:
    """One line naming the packages to install, or None when nothing is missing."""
    if not _uses_xcb(platform, env):
        return None
    missing = [package for library, package in XCB_LIBRARIES.items() if find(library) is None]
    if not missing:
        return None
    return (f"pxdesk needs system libraries Qt uses on X11: install them with "
            f"`sudo apt install {' '.join(missing)}` (Debian/Ubuntu; on Fedora: "
            f"`sudo dnf install xcb-util-cursor libxkbcommon-x11`), then start pxdesk again.")
