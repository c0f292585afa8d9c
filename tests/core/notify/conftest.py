"""Fixtures of the notification tests: a fresh store, and real aiosmtpd servers on 127.0.0.1."""

from __future__ import annotations

import socket
import ssl
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from peewee import SqliteDatabase

from pxdesk.core.store.db import close_database, open_database

USER = "mailer"
PASSWORD = "s3cr3t-Pa55word!"


@pytest.fixture
def store_db(tmp_path: Path) -> Iterator[SqliteDatabase]:
    db = open_database(tmp_path / "data" / "pxdesk.sqlite3", backup_dir=tmp_path / "backups")
    yield db
    close_database()


@dataclass
class Inbox:
    """What the test server received: envelopes and parsed messages."""

    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER
              and auth_data.password.decode() == PASSWORD)
        if ok:
            self.logins.append(USER)
        return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    port: int
    inbox: Inbox
    client_context: ssl.SSLContext | None = None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made once per session."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30,
    )
    return cert, key


@pytest.fixture
def smtp_factory(tls_files: tuple[Path, Path]) -> Iterator[Callable[[str], SmtpServer]]:
    """Start a server for a security mode ("none", "starttls", "ssl"); all stop at teardown."""
    controllers: list[Controller] = []

    def start(security: str) -> SmtpServer:
        inbox, port = Inbox(), _free_port()
        kwargs: dict[str, Any] = {"authenticator": inbox.authenticate}
        client_context = None
        if security != "none":
            server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            server_context.load_cert_chain(*tls_files)
            client_context = ssl.create_default_context(cafile=str(tls_files[0]))
            if security == "ssl":
                # aiosmtpd only counts STARTTLS as TLS for AUTH; SMTPS is encrypted from byte 1.
                kwargs.update(ssl_context=server_context, auth_require_tls=False)
            else:
                kwargs.update(tls_context=server_context, require_starttls=True)
        else:
            kwargs["auth_require_tls"] = False
        controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=10,
                                **kwargs)
        controller.start()
        controllers.append(controller)
        return SmtpServer(port=port, inbox=inbox, client_context=client_context)

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def smtp_server(smtp_factory: Callable[[str], SmtpServer]) -> SmtpServer:
    return smtp_factory("none")
