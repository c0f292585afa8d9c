"""``serve`` through ``python -m pxdesk.core.pxsim``: URL first, then a clean SIGTERM stop."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx

from pxdesk.core.pxsim import (
    DEFAULT_ACCOUNTS,
    DEFAULT_API_KEY,
    DEFAULT_SEED,
    DEFAULT_USERS,
    PxSimulator,
)


def test_defaults() -> None:
    assert (DEFAULT_ACCOUNTS, DEFAULT_USERS, DEFAULT_API_KEY, DEFAULT_SEED) == (
        200, 5000, "pxsim-demo-key", 1)
    sim = PxSimulator(users=10)
    assert sim.api_key == DEFAULT_API_KEY and sim.account_count == DEFAULT_ACCOUNTS


def test_serve_prints_url_first_and_stops_on_sigterm() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pxdesk.core.pxsim", "--users", "40", "--accounts", "4",
         "--api-key", "cli-key", "--seed", "3"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().rstrip("\n")
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        hint = proc.stdout.readline()
        assert "cli-key" in hint and "40" in hint
        response = httpx.get(f"{url}/users", headers={"X-APTRINSIC-API-KEY": "cli-key"})
        assert response.json()["totalHits"] == 40
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert proc.stderr is not None and proc.stderr.read() == ""  # no request logging
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
