"""Where pxdesk keeps its data, config and logs: platformdirs, overridable by PXDESK_HOME."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from pxdesk import APP_NAME

HOME_ENV = "PXDESK_HOME"


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
        for folder in (self.data_dir, self.config_dir, self.log_dir, self.runs_dir):
            folder.mkdir(parents=True, exist_ok=True)
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
