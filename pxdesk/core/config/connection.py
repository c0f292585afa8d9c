"""The one PX connection: create (with its two jobs), test, edit, delete; every change logged.

The API key goes to the SecretStore; the database keeps only its reference and a masked hint,
and the connection log only ever shows `mask(key)`.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pxdesk.core.config.defaults import (
    CONNECTION_CUSTOM_FIELDS,
    SOURCES,
    TARGETS,
    company_config,
    default_job_name,
    person_config,
)
from pxdesk.core.config.history import (
    Version,
    connection_settings,
    connection_versions,
    find_version,
    record_connection_version,
    version_diff,
)
from pxdesk.core.config.job_config import load_job_config
from pxdesk.core.config.job_service import apply_config, audit_config
from pxdesk.core.config.settings_service import default_recipients
from pxdesk.core.errors import ConfigError, NetworkError, PxError
from pxdesk.core.inputs import MAX_CONNECTION_NAME, check_text
from pxdesk.core.logs.connection_log import API_KEY_ATTRIBUTE, log_connection_change
from pxdesk.core.logs.request_budget import count_request_outside_run
from pxdesk.core.px.client import PxClient
from pxdesk.core.px.regions import resolve_base_url
from pxdesk.core.schedule.rules import machine_timezone
from pxdesk.core.secrets import SecretStore, mask
from pxdesk.core.store.base import database
from pxdesk.core.store.custom_fields import ensure_custom_field
from pxdesk.core.store.enums import JobKind, Region
from pxdesk.core.store.models import Connection, ExecutionRun, Job, now_ms
from pxdesk.core.store.settings import (
    DEFAULT_TIMEZONE,
    get_setting,
    person_resolution_key,
)

ClientFactory = Callable[..., PxClient]  # (base_url, api_key, **options)
TEST_CLIENT_OPTIONS: dict[str, Any] = {"max_retries": 1, "timeout": 15.0}


@dataclass(frozen=True)
class TestResult:
    """Outcome of Test Connection; `message` is what the admin reads (never the key)."""

    ok: bool
    message: str
    users: int | None = None

    __test__ = False  # not a pytest test class


@dataclass(frozen=True)
class DeleteSummary:
    """What deleting the connection removed; run logs stay (they keep the job names)."""

    connection_name: str
    jobs: list[str]
    runs_kept: int


# The operating system's words for the usual "cannot reach" causes, as the admin reads them.
_OS_ERROR_RE = re.compile(r"connection failed \(\[(?:Errno|WinError) -?\d+\] ([^)]*)\)")
_PLAIN_CAUSES = {
    "name or service not known": "the host name is unknown (check the base URL)",
    "nodename nor servname provided, or not known": "the host name is unknown (check the base "
                                                    "URL)",
    "getaddrinfo failed": "the host name is unknown (check the base URL)",
    "temporary failure in name resolution": "the host name could not be looked up (DNS)",
    "connection refused": "the connection was refused (nothing answers on that port)",
    "network is unreachable": "the network is unreachable",
    "no route to host": "there is no route to that host",
}


def plain_network_message(message: str) -> str:
    """The PX client's one-line NetworkError with the OS's "[Errno -2] Name or service not
    known" put in words (a Test Connection result is read by an admin, not a developer)."""
    def plain(match: re.Match[str]) -> str:
        cause = match.group(1).strip()
        return _PLAIN_CAUSES.get(cause.lower().rstrip("."), f"the connection failed ({cause})")

    return _OS_ERROR_RE.sub(plain, message)


def _where(region: str | None, base_url: str | None) -> str:
    return base_url or Region.label_of(region or "")


def _check_key(api_key: str | None) -> str:
    key = (api_key or "").strip()
    if not key:
        raise ConfigError("Enter the PX API key (PX > Administration > REST API)",
                          field="api_key")
    if not key.isascii() or not key.isprintable():
        raise ConfigError("The PX API key contains characters a key cannot have: paste it again",
                          field="api_key")
    return key


def _location(region: str | None, base_url: str | None) -> tuple[str | None, str | None]:
    """Validated (region, base_url): exactly one is set; the region lower-case."""
    resolve_base_url(region, base_url)  # ConfigError says what is wrong
    if region and region.strip():
        return region.strip().lower(), None
    return None, (base_url or "").strip().rstrip("/")


class ConnectionService:
    """Lifecycle of the PX connection for one admin `user` (written into the logs)."""

    def __init__(self, secrets: SecretStore, *, user: str,
                 client_factory: ClientFactory = PxClient,
                 clock: Callable[[], int] = now_ms) -> None:
        self._secrets = secrets
        self.user = user
        self._client_factory = client_factory
        self._clock = clock

    def get(self) -> Connection | None:
        return Connection.get_or_none()

    def _require(self) -> Connection:
        conn = self.get()
        if conn is None:
            raise ConfigError("There is no PX connection yet: create it first", field="name")
        return conn

    def _log(self, name: str, action: str, attribute: str, old: str | None,
             new: str | None) -> None:
        log_connection_change(name, self.user, action, attribute, old, new, at=self._clock())

    # ---- create -------------------------------------------------------------------------

    def create(self, name: str, api_key: str, *, region: str | None = None,
               base_url: str | None = None, multi_instance: bool = False) -> Connection:
        """Save the connection, its custom fields and its two jobs, all or nothing."""
        existing = self.get()
        if existing is not None:
            raise ConfigError(f"Only one PX connection can exist; edit or delete "
                              f"'{existing.name}'", field="name")
        name = self._check_name(name)
        region, base_url = _location(region, base_url)
        key = _check_key(api_key)
        ref = self._secrets.put(key)
        try:
            with database().atomic():
                conn = Connection.create(
                    name=name, region=region, base_url=base_url, multi_instance=multi_instance,
                    key_ref=ref, key_hint=mask(key), created_at=self._clock(),
                    modified_at=self._clock())
                for obj, label, ftype in CONNECTION_CUSTOM_FIELDS:
                    ensure_custom_field(obj, label, ftype, self.user)
                self._create_jobs(conn)
                self._log(name, "Create", "Connection", None, name)
                self._log(name, "Create", "Region / Base URL", None, _where(region, base_url))
                self._log(name, "Create", "Multi Instance", None, str(multi_instance))
                self._log(name, "Create", API_KEY_ATTRIBUTE, None, mask(key))
                record_connection_version(conn, None, self.user)
        except BaseException:
            self._secrets.delete(ref)
            raise
        return conn

    def _check_name(self, name: str) -> str:
        name = (name or "").strip()
        if not name:
            raise ConfigError("Enter a connection name", field="name")
        return check_text(name, "The connection name", "name", max_len=MAX_CONNECTION_NAME)

    def _create_jobs(self, conn: Connection) -> None:
        recipients = default_recipients()
        zone = get_setting(DEFAULT_TIMEZONE) or machine_timezone()
        configs = [company_config(conn.name, recipients, zone),
                   person_config(conn.name, recipients, zone, person_resolution_key())]
        for config in configs:
            clash = Job.get_or_none(Job.name == config.name)
            if clash is not None:
                raise ConfigError(f"A job named '{config.name}' already exists: choose another "
                                  "connection name", field="name")
            job = Job.create(connection=conn, kind=config.kind, name=config.name,
                             source_object=SOURCES[JobKind(config.kind)],
                             target_object=TARGETS[JobKind(config.kind)])
            apply_config(job, config)
            audit_config(job, None, load_job_config(job), self.user)

    # ---- test ---------------------------------------------------------------------------

    def test(self, api_key: str | None = None, *, region: str | None = None,
             base_url: str | None = None) -> TestResult:
        """Call PX once. With no arguments: the saved connection, and the result is saved.
        A missing argument falls back to the saved connection's value (edit wizard)."""
        saved = api_key is None and region is None and base_url is None
        conn = self.get()
        try:
            key = api_key if api_key is not None else self.api_key()
            if region is None and base_url is None:
                if conn is None:
                    raise ConfigError("Choose a PX region or a base URL", field="region")
                region, base_url = conn.region, conn.base_url
            url = resolve_base_url(region, base_url)
            with self._test_client(url, _check_key(key)) as client:
                users = client.test_connection()
            result = TestResult(True, f"Connected: {users:,} users visible", users)
        except NetworkError as exc:
            result = TestResult(False, plain_network_message(str(exc)))
        except (PxError, ConfigError) as exc:
            result = TestResult(False, str(exc))
        if saved and conn is not None:
            self.record_test(result)
        return result

    def record_test(self, result: TestResult) -> None:
        """The connection card's "Last test": a test of the saved connection, or the wizard's
        test of exactly what it then saved."""
        conn = self._require()
        conn.last_test_at = self._clock()
        conn.last_test_ok = result.ok
        conn.last_test_message = result.message
        conn.save()

    def _test_client(self, url: str, key: str) -> PxClient:
        """Test Connection answers fast: one retry, not the run's patient back-off. Its
        requests count against today's request budget (they are in no run's log)."""
        if self._client_factory is PxClient:
            return PxClient(url, key, on_request=count_request_outside_run,
                            **TEST_CLIENT_OPTIONS)
        return self._client_factory(url, key, on_request=count_request_outside_run)

    # ---- edit ---------------------------------------------------------------------------

    def edit(self, *, name: str | None = None, api_key: str | None = None,
             region: str | None = None, base_url: str | None = None,
             multi_instance: bool | None = None,
             restored_from: int | None = None) -> Connection:
        """Change what is given (None = keep); region or base URL replaces the location.
        A change of the settings (not of the key alone) is saved as a new version."""
        conn = self._require()
        old_name = conn.name
        settings_before = connection_settings(conn)
        with database().atomic():
            if name is not None and self._check_name(name) != conn.name:
                conn.name = self._check_name(name)
                self._log(conn.name, "Edit", "Connection Name", old_name, conn.name)
                self._rename_jobs(old_name, conn.name)
            if region is not None or base_url is not None:
                new_region, new_url = _location(region, base_url)
                before = _where(conn.region, conn.base_url)
                if (new_region, new_url) != (conn.region, conn.base_url):
                    conn.region, conn.base_url = new_region, new_url
                    self._log(conn.name, "Edit", "Region / Base URL", before,
                              _where(new_region, new_url))
            if multi_instance is not None and bool(multi_instance) != bool(conn.multi_instance):
                self._log(conn.name, "Edit", "Multi Instance", str(bool(conn.multi_instance)),
                          str(bool(multi_instance)))
                conn.multi_instance = bool(multi_instance)
            if api_key is not None:
                self._replace_key(conn, _check_key(api_key))
            conn.modified_at = self._clock()
            conn.save()
            record_connection_version(conn, settings_before, self.user, restored_from)
        return conn

    # ---- history ------------------------------------------------------------------------

    def history(self) -> list[Version]:
        """The connection's saved versions, newest first (the API key is in none)."""
        return connection_versions(self._require())

    def diff(self, old: int, new: int) -> list[str]:
        versions = self.history()
        return version_diff(find_version(versions, old, "The connection"),
                            find_version(versions, new, "The connection"))

    def restore(self, number: int) -> Version | None:
        """Apply version `number` again through `edit` (validated, logged, renaming default
        job names, a new version); the key stays. None when it is current already."""
        version = find_version(self.history(), number, "The connection")
        data = json.loads(version.config)
        if data == connection_settings(self._require()):
            return None
        location: dict[str, str] = {"region": data["region"]} if data["region"] else \
            {"base_url": data["base_url"]}
        with database().atomic():
            self.edit(name=data["name"], multi_instance=bool(data["multi_instance"]),
                      restored_from=number, **location)
            conn = self._require()
            latest = self.history()[0]
            self._log(conn.name, "Restore", "Configuration Version", f"version {number}",
                      f"saved as version {latest.number}")
        return latest

    def _replace_key(self, conn: Connection, key: str) -> None:
        old_hint = conn.key_hint or "****"
        self._secrets.put(key, conn.key_ref)  # same reference: the db row need not change
        conn.key_hint = mask(key)
        conn.last_test_at = conn.last_test_ok = conn.last_test_message = None
        self._log(conn.name, "Edit", API_KEY_ATTRIBUTE, old_hint, conn.key_hint)

    def _rename_jobs(self, old: str, new: str) -> None:
        """Jobs still carrying their default name follow the connection's new name."""
        for job in Job.select().order_by(Job.kind):
            if job.name != default_job_name(job.kind, old):
                continue  # the admin renamed it: keep the admin's name
            target = default_job_name(job.kind, new)
            if Job.select().where((Job.name == target) & (Job.id != job.id)).exists():
                continue
            before = load_job_config(job)
            apply_config(job, dataclasses.replace(before, name=target))
            audit_config(job, before, load_job_config(job), self.user)

    # ---- delete -------------------------------------------------------------------------

    def describe_delete(self) -> str:
        """The sentence shown before asking to delete."""
        conn = self._require()
        jobs = [j.name for j in Job.select().where(Job.connection == conn).order_by(Job.kind)]
        runs = ExecutionRun.select().where(ExecutionRun.job.in_(
            Job.select(Job.id).where(Job.connection == conn))).count()
        return (f"Delete the PX connection '{conn.name}'? This removes its API key, the jobs "
                f"{' and '.join(repr(j) for j in jobs) or '(none)'} with their mappings, "
                f"filters and schedules. The synced records, the custom fields and the logs "
                f"({runs} runs, audit and connection log) stay.")

    def delete(self) -> DeleteSummary:
        conn = self._require()
        jobs = list(Job.select().where(Job.connection == conn).order_by(Job.kind))
        runs = ExecutionRun.select().where(
            ExecutionRun.job.in_([j.id for j in jobs])).count() if jobs else 0
        with database().atomic():
            self._log(conn.name, "Delete", "Connection", conn.name, None)
            conn.delete_instance()  # jobs and their configuration cascade; runs keep job_name
        self._secrets.delete(conn.key_ref)
        return DeleteSummary(conn.name, [j.name for j in jobs], runs)

    # ---- key and client -----------------------------------------------------------------

    def api_key(self) -> str:
        conn = self._require()
        key = self._secrets.get(conn.key_ref)
        if not key:
            raise ConfigError(f"The API key of '{conn.name}' is missing from the "
                              f"{self._secrets.backend_name} secret store: edit the connection "
                              "and enter the key again", field="api_key")
        return key

    def client(self, **kwargs: object) -> PxClient:
        """A new client for the saved connection (the caller closes it)."""
        conn = self._require()
        url = resolve_base_url(conn.region, conn.base_url)
        return self._client_factory(url, self.api_key(), **kwargs)

