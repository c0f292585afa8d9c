"""The connection log: one row per change to the PX connection; the API key only ever masked."""

from __future__ import annotations

from pxdesk.core.store.base import now_ms
from pxdesk.core.store.models import ConnectionLog

API_KEY_ATTRIBUTE = "API Key"


def log_connection_change(
    connection_name: str, user: str, action: str, attribute: str, old: str | None,
    new: str | None, *, at: int | None = None,
) -> ConnectionLog:
    """Record one change. Callers pass `mask(key)` for the key; as a second guard, a value of
    the "API Key" attribute that is not already masked is refused rather than stored."""
    if attribute == API_KEY_ATTRIBUTE:
        for value in (old, new):
            if value and not value.startswith("****"):
                raise ValueError("The API key must be masked before it is logged")
    return ConnectionLog.create(
        connection_name=connection_name, user=user, action=action,
        at=now_ms() if at is None else at, attribute=attribute, old_value=old, new_value=new,
    )


def connection_entries() -> list[ConnectionLog]:
    """Every row in the order written."""
    return list(ConnectionLog.select().order_by(ConnectionLog.at, ConnectionLog.id))
