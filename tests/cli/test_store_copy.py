"""`pxdesk-cli store copy`: a store copied SQLite -> PostgreSQL -> SQLite (or the reverse in a
PostgreSQL session) exports exactly what the original exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pxdesk.cli import main
from pxdesk.core.store.copy import copy_store
from pxdesk.core.store.store_url import parse_store_url
from pxdesk.core.sync.engine import SyncEngine
from tests.core.engine.conftest import COMPANY_JOB, PERSON_JOB

OBJECTS = ("company", "person", "company-person", "company-instance")


def _exports(home: Path, store: str, folder: Path, capsys: pytest.CaptureFixture[str],
             ) -> dict[str, str]:
    """Every export a user can take of a store, by name."""
    folder.mkdir()
    texts: dict[str, str] = {}

    def cli(name: str, *args: str) -> None:
        assert main(["--home", str(home), "--store", store, *args]) == 0, name
        texts[name] = capsys.readouterr().out

    for obj in OBJECTS:
        target = folder / f"{obj}.csv"
        cli(obj, "data", "export", obj, "--csv", str(target))
        texts[f"{obj}.csv"] = target.read_text(encoding="utf-8")
    for log in ("execution", "audit", "connection"):
        cli(f"logs {log}", "logs", log, "--csv", "-")
    for job in (COMPANY_JOB, PERSON_JOB):
        cli(f"jobs show {job}", "jobs", "show", job)
        cli(f"jobs history {job}", "jobs", "history", job)
    cli("adoption", "adoption", "--json", "--as-of", "2026-01-15")
    cli("connection", "connection", "show")
    return texts


def test_copy_there_and_back_exports_the_same(connect: Any, context: Any, home: Path,
                                              tmp_path: Path, postgres_url: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    connect(multi_instance=True)
    engine = SyncEngine(context.secrets, runs_dir=context.paths.runs_dir, page_size=50)
    assert engine.run_job(PERSON_JOB).counts.success > 0  # Company Sync runs first
    original = context.store.url
    # SQLite -> PostgreSQL -> SQLite; in a PostgreSQL session PostgreSQL -> SQLite -> PG.
    middle = postgres_url if not context.store.is_postgres else f"sqlite:///{tmp_path}/mid.db"
    last = f"sqlite:///{tmp_path}/last.sqlite3" if not context.store.is_postgres else None
    context.close()
    capsys.readouterr()
    before = _exports(home, original, tmp_path / "before", capsys)
    assert before["company.csv"].count("\n") > 2 and before["person.csv"].count("\n") > 2

    assert main(["--home", str(home), "--store", original, "store", "copy", "--to", middle]) == 0
    assert "Copied" in capsys.readouterr().out
    assert _exports(home, middle, tmp_path / "middle", capsys) == before
    if last is not None:
        assert main(["--home", str(home), "--store", middle, "store", "copy", "--to", last]) == 0
        capsys.readouterr()
        assert _exports(home, last, tmp_path / "last", capsys) == before


def test_copy_refuses_a_store_that_has_data(context: Any, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    used = tmp_path / "used.sqlite3"
    used.write_bytes(b"x")
    assert main(["store", "copy", "--to", f"sqlite:///{used}"]) == 1
    assert "already exists" in capsys.readouterr().err
    with pytest.raises(Exception, match="already"):
        copy_store(context.db, parse_store_url(context.store.url))


def test_copied_ids_count_on(context: Any, postgres_url: str, tmp_path: Path) -> None:
    """After a copy, a new row gets the next id on the target (its sequence moved on)."""
    from pxdesk.core.store.db import open_store
    from pxdesk.core.store.models import ConnectionLog

    ConnectionLog.create(connection_name="PX", action="Create", at=1)
    target = postgres_url if not context.store.is_postgres else f"sqlite:///{tmp_path}/t.db"
    copy_store(context.db, parse_store_url(target))
    context.close()
    open_store(parse_store_url(target))
    row = ConnectionLog.create(connection_name="PX", action="Edit", at=2)
    assert row.id == 2
