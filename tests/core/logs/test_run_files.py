"""Run files: a full disk shows while the run can still report it; NUL bytes never reach a
CSV; every CSV cell stays safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import errno
import io
from pathlib import Path

import pytest

from pxdesk.core.logs import run_files as run_files_module
from pxdesk.core.logs.csv_export import cell, write_csv
from pxdesk.core.logs.run_files import RunFiles


class FullDiskStream(io.StringIO):
    """A file on a full disk: every flush fails with ENOSPC, as the OS reports it."""

    def flush(self) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_fails_open_and_never_close(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(run_files_module, "open_csv", lambda path: FullDiskStream())
    files = RunFiles(tmp_path, 7)
    with pytest.raises(OSError) as caught:
        files.open()  # the headers are flushed at once: an empty run reports it too
    assert caught.value.errno == errno.ENOSPC
    files.close()  # in the run's clean-up: the failure was reported already


@pytest.mark.parametrize(("raw", "shown"), [
    ("Ann\x00e", "Anne"),
    ("\x00=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),  # stripped, then neutralised
    ("\x00\x00", ""),
])
def test_nul_bytes_are_stripped_from_cells(raw: str, shown: str) -> None:
    assert cell(raw) == shown


def test_run_files_and_exports_hold_no_nul_byte(tmp_path: Path) -> None:
    with RunFiles(tmp_path, 7) as files:
        files.add_error("id\x001", "email", "a\x00@x.io", "bad\x00 email", '{"email":"a"}')
        files.add_success("id\x002", "gsid", "Inserted")
    export = tmp_path / "log.csv"
    write_csv(export, ["Reason"], [["-\x00-"]], bom=True)
    for path in (files.error_path, files.success_path, export):
        assert b"\x00" not in path.read_bytes()
    with files.error_path.open(encoding="utf-8", newline="") as stream:
        row = list(csv.reader(stream))[1]
    assert row[:4] == ["id1", "email", "a@x.io", "bad email"]
