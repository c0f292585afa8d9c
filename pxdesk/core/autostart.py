"""Start at login: an XDG autostart entry (Linux), a LaunchAgent (macOS), a Run key (Windows).

Every launch at login passes ``--minimized`` so pxdesk starts in the tray. Paths and the
registry are injectable so tests never touch the real session.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from pxdesk.core.errors import ConfigError
from pxdesk.core.paths import AppPaths

MINIMIZED_FLAG = "--minimized"
DESKTOP_FILE = "pxdesk.desktop"
AGENT_LABEL = "com.pxdesk.app"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "pxdesk"
_EXEC_RESERVED = set(' \t\n"\'\\><~|&;$*?#()`')


def command_argv(exe_command: str | Sequence[str]) -> list[str]:
    """The login command: a string is one program path (never shell-split), plus --minimized."""
    argv = [exe_command] if isinstance(exe_command, str) else [str(a) for a in exe_command]
    if not argv or not argv[0]:
        raise ConfigError("Start at login needs the pxdesk command.")
    return argv if MINIMIZED_FLAG in argv else [*argv, MINIMIZED_FLAG]


def installed_command(executable: str | None = None, platform: str | None = None) -> list[str]:
    """How to start this pxdesk: its gui-script beside the interpreter, else ``python -m pxdesk``.

    Only the interpreter's own folder (and its Scripts folder on Windows) is searched, so a
    different pxdesk elsewhere on PATH is never picked up.
    """
    exe = Path(executable or sys.executable)  # not resolved: a venv's python is a symlink
    search = os.pathsep.join([str(exe.parent), str(exe.parent / "Scripts")])
    script = shutil.which("pxdesk", path=search)
    if script:
        return [str(Path(script).absolute())]
    if (platform or sys.platform) == "win32" and exe.with_name("pythonw.exe").is_file():
        exe = exe.with_name("pythonw.exe")  # no console window at login
    return [str(exe), "-m", "pxdesk"]


def home_of(paths: AppPaths) -> Path | None:
    """The --home folder these paths were resolved from; None for the platform's folders."""
    root = paths.data_dir.parent
    return root if AppPaths.resolve(root) == paths else None


def login_argv(paths: AppPaths | None = None, *, executable: str | None = None,
               platform: str | None = None) -> list[str]:
    """The command to write for Start at login: the same pxdesk, same home, in the tray.

    A home given by --home or $PXDESK_HOME is written as --home: the login session has
    neither the command line nor the environment variable.
    """
    argv = installed_command(executable, platform)
    home = home_of(paths) if paths is not None else None
    if home is not None:
        argv += ["--home", str(home)]
    return [*argv, MINIMIZED_FLAG]


def desktop_exec(argv: Sequence[str]) -> str:
    """An Exec= value per the Desktop Entry spec: quote reserved characters, double every %.

    Quoting escapes " ` $ \\ with a backslash; the file's string escaping then doubles every
    backslash (so a literal backslash in a quoted argument is written as four).
    """
    parts = []
    for arg in argv:
        if any(c in _EXEC_RESERVED for c in arg) or not arg:
            escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
            arg = f'"{escaped}"'
        parts.append(arg.replace("%", "%%").replace("\\", "\\\\"))
    return " ".join(parts)


def autostart_entry(argv: Sequence[str]) -> str:
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Name=pxdesk",
        "Comment=Gainsight PX connector, started in the tray at login",
        f"Exec={desktop_exec(argv)}",
        "Icon=pxdesk",
        "Terminal=false",
        "Hidden=false",
        "X-GNOME-Autostart-enabled=true",
        "",
    ])


def launch_agent_plist(argv: Sequence[str]) -> str:
    """The LaunchAgent that starts pxdesk once at login (no KeepAlive: quitting is respected)."""
    data = {"Label": AGENT_LABEL, "ProgramArguments": list(argv), "RunAtLoad": True,
            "ProcessType": "Interactive"}
    return plistlib.dumps(data, sort_keys=True).decode("utf-8")


class RunKey(Protocol):
    """The HKCU Run key, or a stand-in."""

    def get(self, name: str) -> str | None: ...
    def set(self, name: str, value: str) -> None: ...
    def delete(self, name: str) -> None: ...


class WindowsRunKey:
    """HKCU\\...\\CurrentVersion\\Run through winreg (imported only on Windows)."""

    def get(self, name: str) -> str | None:
        if sys.platform != "win32":  # also tells mypy to read winreg's Windows stubs
            raise OSError("the Run key is in the Windows registry")
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                value, _kind = winreg.QueryValueEx(key, name)
        except FileNotFoundError:
            return None
        return str(value)

    def set(self, name: str, value: str) -> None:
        if sys.platform != "win32":  # also tells mypy to read winreg's Windows stubs
            raise OSError("the Run key is in the Windows registry")
        import winreg

        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)

    def delete(self, name: str) -> None:
        if sys.platform != "win32":  # also tells mypy to read winreg's Windows stubs
            raise OSError("the Run key is in the Windows registry")
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0,
                                winreg.KEY_SET_VALUE) as key:
                winreg.DeleteValue(key, name)
        except FileNotFoundError:
            pass


def _xdg_config_home() -> Path:
    value = os.environ.get("XDG_CONFIG_HOME")
    return Path(value) if value and Path(value).is_absolute() else Path.home() / ".config"


class Autostart:
    """Enable, disable and query "Start at login" for one platform."""

    def __init__(
        self, *, platform: str | None = None, config_home: Path | None = None,
        launch_agents_dir: Path | None = None, run_key: RunKey | None = None,
    ) -> None:
        self.platform = platform or sys.platform
        self._config_home = config_home
        self._launch_agents_dir = launch_agents_dir
        self._run_key = run_key

    @property
    def entry_path(self) -> Path:
        """The file that makes pxdesk start at login (Linux / macOS)."""
        if self.platform == "darwin":
            folder = self._launch_agents_dir or Path.home() / "Library" / "LaunchAgents"
            return folder / f"{AGENT_LABEL}.plist"
        return (self._config_home or _xdg_config_home()) / "autostart" / DESKTOP_FILE

    def _registry(self) -> RunKey:
        return self._run_key if self._run_key is not None else WindowsRunKey()

    def enable(self, exe_command: str | Sequence[str]) -> None:
        argv = command_argv(exe_command)
        if self.platform == "win32":
            self._registry().set(RUN_VALUE, subprocess.list2cmdline(argv))
            return
        text = launch_agent_plist(argv) if self.platform == "darwin" else autostart_entry(argv)
        path = self.entry_path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)  # never leave a half-written entry the session would run

    def disable(self) -> None:
        if self.platform == "win32":
            self._registry().delete(RUN_VALUE)
            return
        self.entry_path.unlink(missing_ok=True)

    def is_enabled(self) -> bool:
        if self.platform == "win32":
            return bool(self._registry().get(RUN_VALUE))
        path = self.entry_path
        if not path.is_file():
            return False
        if self.platform == "darwin":
            return True
        lines = {line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()}
        # The session's own settings dialog may switch the entry off instead of deleting it.
        return "hidden=true" not in lines and "x-gnome-autostart-enabled=false" not in lines


def enable(exe_command: str | Sequence[str]) -> None:
    Autostart().enable(exe_command)


def disable() -> None:
    Autostart().disable()


def is_enabled() -> bool:
    return Autostart().is_enabled()
