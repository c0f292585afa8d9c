"""Config history: every saved change to a job or the connection is a numbered version.

A version holds the whole configuration as its JSON export gives it (a job: the `jobs export`
text; the connection: name, location and Multi Instance; never the API key), so a diff is a
diff of two exports and a restore reproduces the export exactly. The services write versions
in the transaction of the change; a restore is a save like any other, numbered next.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pxdesk.core.config.changes import Change
from pxdesk.core.config.job_config import JobConfig
from pxdesk.core.errors import ConfigError
from pxdesk.core.store.base import now_ms
from pxdesk.core.store.config_versions import ConfigVersion
from pxdesk.core.store.models import Connection, Job

JOB, CONNECTION = "job", "connection"
CREATE, EDIT, RESTORE, BASELINE = "Create", "Edit", "Restore", "Baseline"
# What the connection's version holds, in export order, with the connection log's words.
CONNECTION_FIELDS = (("name", "Connection Name"), ("region", "Region"),
                     ("base_url", "Base URL"), ("multi_instance", "Multi Instance"))


@dataclass(frozen=True)
class Version:
    """One saved configuration: who saved it, when, what changed, and the export text."""

    number: int
    at: int
    user: str
    action: str
    summary: str
    config: str


def export_text(config: JobConfig) -> str:
    """A job's JSON export: indented, stable key order, no secret (jobs hold none)."""
    return json.dumps(config.to_dict(), indent=2, ensure_ascii=False) + "\n"


def connection_settings(conn: Connection) -> dict[str, Any]:
    """What a connection version holds: everything the admin sets except the API key."""
    return {"name": conn.name, "region": conn.region, "base_url": conn.base_url,
            "multi_instance": bool(conn.multi_instance)}


def connection_text(conn: Connection) -> str:
    return json.dumps(connection_settings(conn), indent=2, ensure_ascii=False) + "\n"


def change_summary(changes: Sequence[Change], restored_from: int | None = None) -> str:
    """e.g. "3 changes: Mapping (2), Schedule"; a restore says which version it brought back."""
    counts = Counter(c.attribute for c in changes)
    parts = ", ".join(f"{name} ({n})" if n > 1 else name for name, n in counts.items())
    text = f"{len(changes)} change{'s' if len(changes) != 1 else ''}: {parts}"
    return f"restored version {restored_from}; {text}" if restored_from is not None else text


def connection_summary(old: dict[str, Any] | None, new: dict[str, Any],
                       restored_from: int | None = None) -> str:
    """The connection fields that differ, in the connection log's words."""
    if old is None:
        return "created"
    changed = [label for key, label in CONNECTION_FIELDS if old.get(key) != new.get(key)]
    text = f"{len(changed)} change{'s' if len(changed) != 1 else ''}: {', '.join(changed)}"
    return f"restored version {restored_from}; {text}" if restored_from is not None else text


def _query(conn_id: int | None, job_id: int | None) -> Any:
    if job_id is not None:
        return ConfigVersion.select().where((ConfigVersion.subject == JOB)
                                            & (ConfigVersion.job == job_id))
    return ConfigVersion.select().where((ConfigVersion.subject == CONNECTION)
                                        & (ConfigVersion.connection == conn_id))


def _add(conn_id: int | None, job_id: int | None, text: str, user: str, action: str,
         summary: str, at: int) -> Version:
    last = _query(conn_id, job_id).order_by(ConfigVersion.number.desc()).first()
    number = 1 if last is None else int(last.number) + 1
    ConfigVersion.create(subject=JOB if job_id is not None else CONNECTION,
                         connection=conn_id, job=job_id, number=number, at=at, user=user,
                         action=action, summary=summary, config=text)
    return Version(number, at, user, action, summary, text)


def _record(conn_id: int | None, job_id: int | None, old_text: str | None, new_text: str,
            user: str, summary: str, restored_from: int | None) -> Version:
    """The new version; a subject saved before history began first gets its old config as a
    baseline version, so the first change can be diffed and undone too."""
    at = now_ms()
    if old_text is not None and not _query(conn_id, job_id).exists():
        _add(conn_id, job_id, old_text, "", BASELINE, "the configuration when history began", at)
    action = CREATE if old_text is None else RESTORE if restored_from is not None else EDIT
    return _add(conn_id, job_id, new_text, user, action, summary, at)


def record_job_version(job: Job, old: JobConfig | None, new: JobConfig,
                       changes: Sequence[Change], user: str,
                       restored_from: int | None = None) -> Version:
    """In the caller's transaction: the job's configuration after a change as a new version."""
    return _record(None, int(job.id), None if old is None else export_text(old),
                   export_text(new), user, change_summary(changes, restored_from),
                   restored_from)


def record_connection_version(conn: Connection, old: dict[str, Any] | None, user: str,
                              restored_from: int | None = None) -> Version | None:
    """In the caller's transaction: a new version when the connection's settings changed
    (None when they did not, e.g. only the key changed: the key is in no version)."""
    new = connection_settings(conn)
    if old == new:
        return None
    old_text = None if old is None else json.dumps(old, indent=2, ensure_ascii=False) + "\n"
    return _record(int(conn.id), None, old_text, connection_text(conn), user,
                   connection_summary(old, new, restored_from), restored_from)


def _version(row: ConfigVersion) -> Version:
    return Version(int(row.number), int(row.at), str(row.user), str(row.action),
                   str(row.summary), str(row.config))


def job_versions(job: Job) -> list[Version]:
    """The job's versions, newest first."""
    return [_version(r) for r in _query(None, int(job.id)).order_by(
        ConfigVersion.number.desc())]


def connection_versions(conn: Connection) -> list[Version]:
    """The connection's versions, newest first."""
    return [_version(r) for r in _query(int(conn.id), None).order_by(
        ConfigVersion.number.desc())]


def find_version(versions: Sequence[Version], number: int, what: str) -> Version:
    """The version numbered `number`, or a ConfigError naming the ones there are."""
    for version in versions:
        if version.number == number:
            return version
    known = f"1 to {versions[0].number}" if versions else "none yet: every save from now on " \
                                                          "is kept"
    raise ConfigError(f"{what} has no version {number} (versions: {known})", field="version")


def version_diff(old: Version, new: Version) -> list[str]:
    """Unified diff lines (no line ends) of two versions' exports; empty when they are equal."""
    return [line.rstrip("\n") for line in difflib.unified_diff(
        old.config.splitlines(keepends=True), new.config.splitlines(keepends=True),
        fromfile=f"version {old.number}", tofile=f"version {new.number}")]
