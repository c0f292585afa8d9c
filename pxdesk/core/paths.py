"""Where pxdesk keeps its data, config and logs: platformdirs, overridable by PXDESK_HOME."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from pxdesk import APP_NAME

HOME_ENV = "PXDESK_HOME"
# The store, run files and logs hold synced people (emails, names): owner-only, like the
# fallback secret file.
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_dir(folder: Path) -> Path:
    """Create `folder` (and its parents) and make it owner-only, also when it existed."""
    folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    folder.chmod(PRIVATE_DIR_MODE)
    return folder


def private_file(path: Path) -> Path:
    """Create `path` empty if missing and make it owner-only before anything is written."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE))
    path.chmod(PRIVATE_FILE_MODE)
    return path


@dataclass(frozen=True)
class AppPaths:
    """The folders of one pxdesk installation; with a home, everything lives under it."""

    data_dir: Path
    config_dir: Path
    log_dir: Path

    @property
    def db_path(self) -> Path:
        return self.data_dir / "pxdesk.sqlite3"

    @property
    def runs_dir(self) -> Path:
        """Error and success files of runs."""
        return self.data_dir / "runs"

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def secrets_path(self) -> Path:
        """Fallback secret store, used only when no OS keyring backend exists."""
        return self.config_dir / "secrets.json"

    def ensure(self) -> AppPaths:
        """Create the folders, owner-only (an older install's folders are tightened)."""
        for folder in (self.data_dir, self.config_dir, self.log_dir, self.runs_dir):
            private_dir(folder)
        return self

    @classmethod
    def resolve(cls, home: str | os.PathLike[str] | None = None) -> AppPaths:
        """Pick the folders: an explicit home, else $PXDESK_HOME, else the platform's folders."""
        chosen = home if home is not None else os.environ.get(HOME_ENV) or None
        if chosen is not None:
            root = Path(chosen).expanduser().resolve()
            return cls(data_dir=root / "data", config_dir=root / "config", log_dir=root / "logs")
        return cls(
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )
