"""CLI tests reuse the engine fixtures (simulator, connection, jobs)."""

from pathlib import Path

import pytest

from pxdesk.cli import main
from pxdesk.core.pxsim import PxSimulator
from tests.core.engine.conftest import connect, engine, sim  # noqa: F401


@pytest.fixture
def created(home: Path, sim: PxSimulator, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
            capsys: pytest.CaptureFixture[str]) -> Path:
    """A home with the connection created through `pxdesk-cli connection create`."""
    monkeypatch.setenv("PXDESK_API_KEY", sim.api_key)
    assert main(["--home", str(home), "connection", "create", "--name", "PX",
                 "--base-url", sim.base_url]) == 0
    capsys.readouterr()
    return home
