"""Start at login: the Linux autostart entry for real, the plist and Run key as content."""

from __future__ import annotations

import os
import plistlib
import stat
from pathlib import Path

import pytest

from pxdesk.core.autostart import (
    Autostart,
    command_argv,
    desktop_exec,
    home_of,
    installed_command,
    launch_agent_plist,
    login_argv,
)
from pxdesk.core.errors import ConfigError
from pxdesk.core.paths import AppPaths


def test_linux_enable_writes_xdg_autostart_entry_and_disable_removes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    autostart = Autostart(platform="linux")
    assert not autostart.is_enabled()
    autostart.enable("/opt/px desk/bin/pxdesk")
    entry = tmp_path / "cfg" / "autostart" / "pxdesk.desktop"
    assert autostart.entry_path == entry and autostart.is_enabled()
    lines = entry.read_text().splitlines()
    assert lines[0] == "[Desktop Entry]"
    assert 'Exec="/opt/px desk/bin/pxdesk" --minimized' in lines
    assert "Type=Application" in lines and "Icon=pxdesk" in lines
    autostart.enable(["/usr/bin/pxdesk", "--minimized"])  # replaces, flag not doubled
    assert "Exec=/usr/bin/pxdesk --minimized" in entry.read_text().splitlines()
    autostart.disable()
    assert not entry.exists() and not autostart.is_enabled()
    autostart.disable()  # idempotent


def test_entry_switched_off_by_the_session_is_not_enabled(tmp_path: Path) -> None:
    autostart = Autostart(platform="linux", config_home=tmp_path)
    autostart.enable("/usr/bin/pxdesk")
    text = autostart.entry_path.read_text()
    autostart.entry_path.write_text(text.replace("X-GNOME-Autostart-enabled=true",
                                                 "X-GNOME-Autostart-enabled=false"))
    assert not autostart.is_enabled()


def test_exec_quoting_follows_the_desktop_entry_spec() -> None:
    exec_line = desktop_exec(["/a b/py$thon", "-m", "pxdesk", "100%", "--minimized"])
    assert exec_line == r'"/a b/py\\$thon" -m pxdesk 100%% --minimized'
    # a literal backslash inside quotes is written as four backslashes in the file
    assert desktop_exec([r"C:\x y"]) == r'"C:\\\\x y"'
    assert desktop_exec(["/usr/bin/pxdesk"]) == "/usr/bin/pxdesk"


def test_launch_agent_plist_content(tmp_path: Path) -> None:
    text = launch_agent_plist(command_argv(["/Applications/pxdesk.app/Contents/MacOS/pxdesk"]))
    assert text.startswith("<?xml") and "<key>RunAtLoad</key>" in text
    data = plistlib.loads(text.encode())
    assert data == {"Label": "com.pxdesk.app", "RunAtLoad": True, "ProcessType": "Interactive",
                    "ProgramArguments": ["/Applications/pxdesk.app/Contents/MacOS/pxdesk",
                                         "--minimized"]}
    mac = Autostart(platform="darwin", launch_agents_dir=tmp_path)
    mac.enable("/Applications/pxdesk.app/Contents/MacOS/pxdesk")
    assert mac.entry_path == tmp_path / "com.pxdesk.app.plist"
    assert mac.entry_path.read_text() == text and mac.is_enabled()


class FakeRunKey:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


def test_windows_run_key_value() -> None:
    key = FakeRunKey()
    windows = Autostart(platform="win32", run_key=key)
    windows.enable(r"C:\Program Files\pxdesk\pxdesk.exe")
    assert key.values == {"pxdesk": '"C:\\Program Files\\pxdesk\\pxdesk.exe" --minimized'}
    assert windows.is_enabled()
    windows.disable()
    assert not windows.is_enabled()


def test_empty_command_is_refused() -> None:
    with pytest.raises(ConfigError):
        command_argv([])


def _executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_installed_command_prefers_the_gui_script_beside_the_interpreter(tmp_path: Path) -> None:
    python = _executable(tmp_path / "venv" / "bin" / "python")
    assert installed_command(str(python), "linux") == [str(python), "-m", "pxdesk"]
    script = _executable(tmp_path / "venv" / "bin" / "pxdesk")
    assert installed_command(str(python), "linux") == [str(script)]


def test_installed_command_never_picks_a_pxdesk_elsewhere_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = _executable(tmp_path / "other" / "pxdesk")
    monkeypatch.setenv("PATH", str(other.parent) + os.pathsep + os.environ.get("PATH", ""))
    python = _executable(tmp_path / "venv" / "bin" / "python")
    assert installed_command(str(python), "linux") == [str(python), "-m", "pxdesk"]


def test_windows_fallback_uses_pythonw_so_no_console_opens(tmp_path: Path) -> None:
    python = _executable(tmp_path / "py" / "python.exe")
    pythonw = _executable(tmp_path / "py" / "pythonw.exe")
    assert installed_command(str(python), "win32") == [str(pythonw), "-m", "pxdesk"]


def test_login_argv_writes_a_custom_home_and_the_minimized_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PXDESK_HOME", raising=False)
    python = _executable(tmp_path / "bin" / "python")
    home = tmp_path / "px home"
    assert home_of(AppPaths.resolve(home)) == home.resolve()
    assert login_argv(AppPaths.resolve(home), executable=str(python)) == [
        str(python), "-m", "pxdesk", "--home", str(home.resolve()), "--minimized"]
    assert home_of(AppPaths.resolve()) is None, "the platform's folders need no --home"
    assert login_argv(AppPaths.resolve(), executable=str(python))[3:] == ["--minimized"]
    monkeypatch.setenv("PXDESK_HOME", str(home))  # the login session will not have it
    assert "--home" in login_argv(AppPaths.resolve(), executable=str(python))
