"""The support bundle: one zip with what a helper needs to understand a problem, and no secret.

Versions, settings, the connection (no key), job configurations, the last runs with their
requests and error summaries, the execution / audit / connection logs and the app log. Every
file's text passes one Scrubber (scrub.py) on its way into the zip: the API key and the SMTP
password never, emails and names only with `include_personal_data`.
"""

from __future__ import annotations

import csv
import getpass
import io
import json
import os
import platform
import sys
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from pxdesk import __version__
from pxdesk.core.config.job_config import load_job_config
from pxdesk.core.logs import queries
from pxdesk.core.logs.csv_export import cell
from pxdesk.core.paths import AppPaths
from pxdesk.core.secrets import SecretStore
from pxdesk.core.store.base import now_ms
from pxdesk.core.store.enums import AuditAttribute
from pxdesk.core.store.models import AuditLog, Connection, ConnectionLog, ExecutionRun, Job
from pxdesk.core.store.rows import dict_rows
from pxdesk.core.store.settings import (
    ADMIN_EMAIL,
    ADMIN_NAME,
    SMTP_FROM,
    SMTP_PASSWORD_REF,
    SMTP_USER,
    WINDOW_GEOMETRY_SETTING,
    all_settings,
)
from pxdesk.core.support.scrub import EMAIL_MASK, NAME_MASK, VALUE_MASK, Scrubber

DEFAULT_RUNS = 20
AUDIT_ROWS = 500
CONNECTION_ROWS = 200
# The newest part of the app log only: a helper reads the last hours, not 12 MB.
APP_LOG_BYTES = 2_000_000
# Settings that hold a person (masked unless personal data is kept); no secret is a setting.
PERSONAL_SETTINGS = (ADMIN_NAME, ADMIN_EMAIL, SMTP_USER, SMTP_FROM)
_PACKAGES = ("PySide6", "peewee", "httpx", "APScheduler", "keyring", "platformdirs")


@dataclass(frozen=True)
class BundleResult:
    """What the bundle holds, for the one line the CLI and the window say."""

    path: Path
    files: int
    runs: int
    personal_data: bool

    def summary(self) -> str:
        kept = "personal data kept" if self.personal_data else "personal data removed"
        return (f"Support bundle saved to {self.path}: {self.files} files, the last "
                f"{self.runs} run(s), secrets and {kept}")


def versions(qt_version: str | None = None) -> dict[str, str]:
    """App, Python, Qt, OS, libraries. `qt_version` is the running Qt (the window knows it);
    without it (the CLI, which loads no Qt) the PySide6 wheels' version, whose Qt it ships."""
    found = {"pxdesk": __version__, "python": sys.version.split()[0],
             "os": platform.platform(), "machine": platform.machine()}
    for name in _PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    found["qt"] = qt_version or f"{found['PySide6']} (as shipped with PySide6)"
    return found


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()


def _json_text(value: Any) -> str:
    # ensure_ascii off: an escaped address (\u0040) would slip past the scrubber.
    return json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n"


def _known_secrets(secrets: SecretStore) -> list[str | None]:
    """The API key and the SMTP password, read to be removed; a keyring that fails is no
    secret to remove (the bundle is still made)."""
    refs = [conn.key_ref for conn in Connection.select()]
    refs.append(str(all_settings().get(SMTP_PASSWORD_REF) or ""))
    found: list[str | None] = []
    for ref in filter(None, refs):
        try:
            found.append(secrets.get(ref))
        except Exception:  # any keyring backend error: then there is nothing to remove
            found.append(None)
    return found


class _Bundle:
    """Writes scrubbed texts into an open zip."""

    def __init__(self, archive: zipfile.ZipFile, scrub: Scrubber) -> None:
        self._zip = archive
        self._scrub = scrub
        self.files = 0

    def add(self, name: str, text: str) -> None:
        self._zip.writestr(name, self._scrub.text(text))
        self.files += 1


def _settings(keep_personal: bool) -> dict[str, Any]:
    values = all_settings()
    values.pop(WINDOW_GEOMETRY_SETTING, None)  # a screen position helps nobody
    if not keep_personal:
        for key in PERSONAL_SETTINGS:
            if values.get(key):
                values[key] = EMAIL_MASK if "@" in str(values[key]) else NAME_MASK
    return values


def _connection(secrets: SecretStore) -> list[dict[str, Any]]:
    return [{"name": c.name, "region": c.region, "base_url": c.base_url,
             "multi_instance": bool(c.multi_instance), "key_stored": bool(c.key_ref),
             "secret_backend": secrets.backend_name, "last_test_at": c.last_test_at,
             "last_test_ok": c.last_test_ok, "last_test_message": c.last_test_message}
            for c in Connection.select()]


def _add_logs(bundle: _Bundle, run_ids: list[int], scrub: Scrubber) -> None:
    runs = [queries.format_row(queries.EXECUTION, row, export=True) for row in dict_rows(
        ExecutionRun.select().where(ExecutionRun.id.in_(run_ids)).order_by(ExecutionRun.id.desc()))]
    bundle.add("logs/execution_log.csv", _csv_text(queries.EXECUTION_HEADER, runs))
    for model, kind, limit in ((AuditLog, queries.AUDIT, AUDIT_ROWS),
                               (ConnectionLog, queries.CONNECTION, CONNECTION_ROWS)):
        rows = []
        for row in dict_rows(model.select().order_by(model.id.desc()).limit(limit)):
            if not scrub.keep_personal:
                row["user"] = NAME_MASK if row["user"] else ""  # the login that made the change
                if row.get("attribute") == AuditAttribute.RECORD:  # a synced key value changed
                    row["old_value"] = row["new_value"] = VALUE_MASK
            rows.append(queries.format_row(kind, row, export=True))
        bundle.add(f"logs/{kind}_log.csv", _csv_text(queries.HEADERS[kind], rows))


def _add_runs(bundle: _Bundle, run_ids: list[int], scrub: Scrubber) -> None:
    """Per run: its PX requests and what failed (reasons and counts, no source record;
    reasons without the values they quote unless personal data is kept)."""
    for run_id in run_ids:
        bundle.add(f"runs/{run_id}/requests.csv",
                   _csv_text(queries.REQUEST_HEADER, queries.request_rows(run_id, UTC)))
        summary: Counter[str] = Counter()
        for reason, count in queries.error_summary(run_id):
            summary[scrub.values(reason)] += count
        bundle.add(f"runs/{run_id}/error_summary.csv",
                   _csv_text(("Reason", "Count"), summary.most_common()))


def _app_log_tail(log_dir: Path) -> str | None:
    path = log_dir / "pxdesk.log"
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - APP_LOG_BYTES))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return None


def write_support_bundle(target: Path, paths: AppPaths, secrets: SecretStore, *,
                         runs: int = DEFAULT_RUNS, include_personal_data: bool = False,
                         qt_version: str | None = None,
                         clock: Callable[[], int] = now_ms) -> BundleResult:
    """Write the bundle to `target` (a .zip), whole or not at all: it is built next to it and
    renamed, so a failure never leaves half a bundle under the admin's name."""
    settings = all_settings()
    scrub = Scrubber(_known_secrets(secrets), names=(str(settings.get(ADMIN_NAME) or ""),),
                     logins=(getpass.getuser(),), keep_personal=include_personal_data)
    run_ids = [r.id for r in ExecutionRun.select(ExecutionRun.id)
               .order_by(ExecutionRun.id.desc()).limit(max(0, runs))]
    partial = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            bundle = _Bundle(archive, scrub)
            created = datetime.fromtimestamp(clock() / 1000, UTC).isoformat(timespec="seconds")
            bundle.add("versions.json", _json_text({"created": created, **versions(qt_version)}))
            bundle.add("settings.json", _json_text(_settings(include_personal_data)))
            bundle.add("connection.json", _json_text(_connection(secrets)))
            for job in Job.select().order_by(Job.kind):
                bundle.add(f"jobs/{job.kind}.json", _json_text(load_job_config(job).to_dict()))
            _add_logs(bundle, run_ids, scrub)
            _add_runs(bundle, run_ids, scrub)
            log = _app_log_tail(paths.log_dir)
            if log is not None:
                bundle.add("app.log", log)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BundleResult(target, bundle.files, len(run_ids), include_personal_data)
