"""`pxdesk-cli ... | head -1` through a real pipe: every command that prints a lot stops
quietly (exit 141, nothing on stderr) when its reader leaves, never with a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pxdesk.cli import main
from pxdesk.cli.output import EXIT_BROKEN_PIPE
from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.context import open_context
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.pxsim.data import FIXED_ANCHOR_MS
from pxdesk.core.store.models import ConnectionLog
from tests.core.engine.conftest import PERSON_JOB, mark_upsert_key

ROOT = Path(__file__).resolve().parents[2]
CLI = "import sys; from pxdesk.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with 800 companies and 4,000 people synced and a long connection log: each big
    command below prints far more than a pipe holds (64 KiB)."""
    home = tmp_path_factory.mktemp("broken-pipe") / "home"
    with PxSimulator(accounts=800, users=4000, anchor_ms=FIXED_ANCHOR_MS) as sim:
        with open_context(home) as ctx:
            ConnectionService(ctx.secrets, user="tester").create(
                "PX", sim.api_key, base_url=sim.base_url)
            mark_upsert_key()
            ConnectionLog.insert_many(
                [{"connection_name": "PX", "action": "Created", "attribute": f"field {i}",
                  "new_value": "x" * 60} for i in range(5000)]).execute()
        assert main(["--home", str(home), "run", PERSON_JOB, "--no-email"]) == 3
    return home


def _cli(home: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PXDESK_HOME", None)
    env.pop("PYTHONUNBUFFERED", None)  # a user's shell buffers stdout into a pipe: test that
    return subprocess.Popen([sys.executable, "-c", CLI, "--home", str(home), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


BIG = [
    ["logs", "connection"],
    ["logs", "connection", "--csv", "-"],
    ["data", "export", "company", "--csv", "-"],
    ["data", "export", "person", "--csv", "-"],
    ["adoption"],
    ["adoption", "--json"],
]
SMALL = [["jobs", "list"], ["adoption", "--csv", "-"], ["logs", "execution"], ["logs", "audit"]]


@pytest.mark.parametrize("args", BIG + SMALL, ids=" ".join)
def test_head_1_leaves_no_traceback(synced: Path, args: list[str]) -> None:
    """`pxdesk-cli ARGS | head -1`, the two processes joined by a real pipe."""
    cli = _cli(synced, *args)
    assert cli.stdout is not None and cli.stderr is not None
    head = subprocess.Popen(["head", "-1"], stdin=cli.stdout, stdout=subprocess.PIPE)
    cli.stdout.close()  # head holds the only read end: when it exits, the pipe is broken
    first, _ = head.communicate(timeout=60)
    stderr = cli.stderr.read().decode()
    code = cli.wait(timeout=60)
    assert first.strip()
    assert stderr == ""
    # what fits in the pipe may all be written before head leaves: then nothing breaks
    assert code == EXIT_BROKEN_PIPE if args in BIG else code in (0, EXIT_BROKEN_PIPE)


@pytest.mark.parametrize("args", [["jobs", "list"], ["logs", "audit"]], ids=" ".join)
def test_a_reader_gone_before_the_first_byte_is_quiet_too(synced: Path, args: list[str]) -> None:
    """Small output sits in Python's buffer until exit: the pipe breaks at that last flush,
    which the command flushes itself rather than leave to the interpreter's shutdown."""
    cli = _cli(synced, *args)
    assert cli.stdout is not None and cli.stderr is not None
    cli.stdout.close()  # like `| true`: the reader is gone before anything is written
    stderr = cli.stderr.read().decode()
    assert (cli.wait(timeout=60), stderr) == (EXIT_BROKEN_PIPE, "")
