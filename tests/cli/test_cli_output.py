"""pxdesk-cli output and store handling: one store per command, closed on exit, and a reader
that leaves early (`| head`) ends the command quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pxdesk.cli import main
from pxdesk.cli.output import EXIT_BROKEN_PIPE
from pxdesk.core import context as context_module
from pxdesk.core.context import open_context
from pxdesk.core.store.base import database_proxy
from pxdesk.core.store.models import ConnectionLog


def test_a_command_opens_the_store_once_and_closes_it(home: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[object] = []
    real_open = context_module.open_store

    def counting_open(url, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(url)
        return real_open(url, **kwargs)

    monkeypatch.setattr(context_module, "open_store", counting_open)
    assert main(["--home", str(home), "logs", "connection", "--csv", "-"]) == 0
    assert len(opened) == 1
    assert database_proxy.obj is None


def test_the_context_closes_the_store_when_its_block_fails(home: Path) -> None:
    with pytest.raises(RuntimeError), open_context(home) as ctx:
        assert database_proxy.obj is ctx.db
        raise RuntimeError("a command failed")
    assert database_proxy.obj is None


def test_logs_into_a_pipe_closed_early_end_without_a_traceback(home: Path) -> None:
    with open_context(home):
        ConnectionLog.insert_many(
            [{"connection_name": "PX", "action": "Created", "attribute": f"field {i}",
              "new_value": "x" * 60} for i in range(5000)]).execute()
    code = "import sys; from pxdesk.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, "-c", code, "--home", str(home), "logs",
                             "connection"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline()  # the header: then the reader leaves, like `head -1`
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == EXIT_BROKEN_PIPE
    assert stderr == ""
