"""One pxdesk per user and home: a second launch asks the first to show itself, then exits."""

from __future__ import annotations

import getpass
import hashlib
import logging
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from pxdesk.core.paths import HOME_ENV, AppPaths

log = logging.getLogger(__name__)

ACTIVATE = b"activate\n"
CONNECT_TIMEOUT_MS = 1000
WRITE_TIMEOUT_MS = 1000


def instance_name(home: str | os.PathLike[str] | None = None) -> str:
    """A socket name unique to the user and the data folder, so test homes never collide."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    chosen = home if home is not None else os.environ.get(HOME_ENV) or None
    folder = Path(chosen).expanduser().resolve() if chosen else AppPaths.resolve().data_dir
    digest = hashlib.sha256(f"{user}\0{folder}".encode()).hexdigest()[:16]
    return f"pxdesk-{digest}"


class SingleInstance(QObject):
    """Owns the local server of the first process; `claim()` tells a launch if it is first."""

    activation_requested = Signal()

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or instance_name()
        self._server: QLocalServer | None = None

    def claim(self) -> bool:
        """True if this process is the first; else tell the first one to activate, False."""
        if self._server is not None:
            return True
        if self._activate_running():
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            # Nobody answered, so a socket left by a crashed process is stale: remove, retry.
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                problem = server.errorString()
                server.deleteLater()
                if self._activate_running():  # another launch won the race
                    return False
                # Cannot listen (permissions?): run unguarded rather than refuse to start.
                log.warning("Single-instance socket %s unavailable: %s", self.name, problem)
                return True
        server.newConnection.connect(self._on_server_new_connection)
        self._server = server
        return True

    def release(self) -> None:
        """Stop listening (on quit), so the next launch starts at once."""
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None

    def _activate_running(self) -> bool:
        socket = QLocalSocket(self)
        try:
            socket.connectToServer(self.name)
            if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
                return False
            socket.write(ACTIVATE)
            socket.waitForBytesWritten(WRITE_TIMEOUT_MS)
            socket.disconnectFromServer()
            if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
                socket.waitForDisconnected(WRITE_TIMEOUT_MS)
            return True
        finally:
            socket.deleteLater()

    def _on_server_new_connection(self) -> None:
        server = self._server
        while server is not None and server.hasPendingConnections():
            connection = server.nextPendingConnection()
            connection.readyRead.connect(self._on_connection_ready_read)
            connection.disconnected.connect(connection.deleteLater)
            if connection.bytesAvailable():
                self._read(connection)

    def _on_connection_ready_read(self) -> None:
        sender = self.sender()
        if isinstance(sender, QLocalSocket):
            self._read(sender)

    def _read(self, connection: QLocalSocket) -> None:
        data = bytes(connection.readAll().data())
        if ACTIVATE.strip() in data:
            self.activation_requested.emit()
