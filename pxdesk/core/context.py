"""The explicit context every entry point builds once: folders, the open store, the secrets."""

from __future__ import annotations

import os
from dataclasses import dataclass
from types import TracebackType

from peewee import Database

from pxdesk.core.paths import AppPaths
from pxdesk.core.secrets import SecretStore
from pxdesk.core.store.db import close_database, open_store
from pxdesk.core.store.store_url import StoreUrl, resolve_store_url


@dataclass
class AppContext:
    """What the GUI, the CLI and the scheduler share; passed to constructors, never global."""

    paths: AppPaths
    db: Database
    secrets: SecretStore
    store: StoreUrl

    def close(self) -> None:
        close_database()

    def __enter__(self) -> AppContext:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()  # on an error too: the next command (or test) finds the store closed


def open_context(home: str | os.PathLike[str] | None = None, store: str | None = None,
                 ) -> AppContext:
    """Resolve folders (``home`` > $PXDESK_HOME > platform) and the store (``store`` >
    $PXDESK_STORE > the SQLite file in the home), open and migrate the store.

    Use it as ``with open_context(home) as ctx:`` so the store is closed however the block ends.
    """
    paths = AppPaths.resolve(home).ensure()
    url = resolve_store_url(store, paths.db_path)
    db = open_store(url, backup_dir=paths.backup_dir)
    return AppContext(paths=paths, db=db, secrets=SecretStore(paths.secrets_path), store=url)
