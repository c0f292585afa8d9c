"""The explicit context every entry point builds once: folders, the open store, the secrets."""

from __future__ import annotations

import os
from dataclasses import dataclass
from types import TracebackType

from peewee import SqliteDatabase

from pxdesk.core.paths import AppPaths
from pxdesk.core.secrets import SecretStore
from pxdesk.core.store.db import close_database, open_database


@dataclass
class AppContext:
    """What the GUI, the CLI and the scheduler share; passed to constructors, never global."""

    paths: AppPaths
    db: SqliteDatabase
    secrets: SecretStore

    def close(self) -> None:
        close_database()

    def __enter__(self) -> AppContext:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()  # on an error too: the next command (or test) finds the store closed


def open_context(home: str | os.PathLike[str] | None = None) -> AppContext:
    """Resolve folders (``home`` > $PXDESK_HOME > platform), open and migrate the store.

    Use it as ``with open_context(home) as ctx:`` so the store is closed however the block ends.
    """
    paths = AppPaths.resolve(home).ensure()
    db = open_database(paths.db_path, backup_dir=paths.backup_dir)
    return AppContext(paths=paths, db=db, secrets=SecretStore(paths.secrets_path))
