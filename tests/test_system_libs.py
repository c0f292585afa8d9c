"""A missing system library Qt's Linux (xcb) platform needs is one line that says what to
install, before Qt can abort the process with its own message."""

from __future__ import annotations

from pxdesk.system_libs import missing_system_libraries


def _finder(present: set[str]):  # type: ignore[no-untyped-def]
    return lambda name: f"lib{name}.so" if name in present else None


def test_an_x11_desktop_without_libxcb_cursor_gets_the_package_to_install() -> None:
    hint = missing_system_libraries("linux", {"DISPLAY": ":0"}, _finder({"xkbcommon-x11"}))
    assert hint is not None and "libxcb-cursor0" in hint and "apt install" in hint


def test_nothing_is_said_when_the_libraries_are_there_or_xcb_is_not_used() -> None:
    everything = _finder({"xcb-cursor", "xkbcommon-x11"})
    assert missing_system_libraries("linux", {"DISPLAY": ":0"}, everything) is None
    nothing = _finder(set())
    assert missing_system_libraries("win32", {}, nothing) is None
    assert missing_system_libraries("darwin", {}, nothing) is None
    assert missing_system_libraries(
        "linux", {"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, nothing) is None
    assert missing_system_libraries(
        "linux", {"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, nothing) is None
