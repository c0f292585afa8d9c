"""CLI tests reuse the engine fixtures (simulator, connection, jobs)."""

from tests.core.engine.conftest import connect, engine, sim  # noqa: F401
