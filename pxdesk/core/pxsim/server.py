"""HTTP/1.1 plumbing for the simulator: a quiet threaded server on 127.0.0.1 with keep-alive."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pxdesk.core.pxsim.api import PxApi, Response, error


@dataclass(frozen=True)
class SimRequest:
    """One request as the simulator saw it; ``status`` 0 means the connection was dropped."""

    method: str
    path: str
    query: list[tuple[str, str]]
    status: int


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pxsim/1.0"
    sys_version = ""
    server: SimHttpServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: tests and benchmarks must not spam stderr."""

    def _dispatch(self) -> None:
        raw_length = self.headers.get("Content-Length") or "0"
        length = int(raw_length) if raw_length.isdigit() else 0
        if length > 0:  # unread bodies would corrupt the next request on this connection
            self.rfile.read(length)
        split = urlsplit(self.path)
        query = parse_qsl(split.query, keep_blank_values=True)
        try:
            response = self.server.api.handle(
                self.command, split.path, query, self.headers.get("X-APTRINSIC-API-KEY"))
        except Exception:  # a simulator bug must still answer, not hang the client
            response = error(500, "Internal simulator error")
        self.server.record(SimRequest(self.command, split.path, query, response.status))
        if response.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if response.cut:
            self._send_cut(response)
            return
        self._send(response)
        if response.after is not None:
            # prefetching is an optimisation: if it fails, the next request renders the page
            with contextlib.suppress(Exception):
                response.after()

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)
        self.wfile.flush()

    def _send_cut(self, response: Response) -> None:
        """Announce the whole body, send half of it, then close: a transfer cut mid-body."""
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body[: len(response.body) // 2])
        self.wfile.flush()
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    do_GET = _dispatch  # noqa: N815 - http.server's naming
    do_POST = _dispatch  # noqa: N815
    do_PUT = _dispatch  # noqa: N815
    do_PATCH = _dispatch  # noqa: N815
    do_DELETE = _dispatch  # noqa: N815


class SimHttpServer(ThreadingHTTPServer):
    """Tracks open connections so ``close`` ends idle keep-alive threads at once."""

    daemon_threads = True
    block_on_close = False

    def __init__(
        self, port: int, api: PxApi, record: Callable[[SimRequest], None]
    ) -> None:
        self.api = api
        self.record = record
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up mid-response are normal here; stay quiet."""

    def close(self) -> None:
        self.server_close()
        with self._conns_lock:
            conns = list(self._conns)
            self._conns.clear()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
