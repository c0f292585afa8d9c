"""Copy as curl: the key is a shell variable, method, URL and body as logged."""

from __future__ import annotations

import shlex

from pxdesk.core.logs.curl import curl_command
from pxdesk.core.px.client import API_KEY_HEADER


def test_curl_has_the_method_url_and_the_key_as_a_variable() -> None:
    command = curl_command("get", "https://api.aptrinsic.com/v1/users?pageSize=1000&scrollId=a+b=")
    args = shlex.split(command)  # what the shell passes to curl (the variable unexpanded here)
    assert args[:3] == ["curl", "-X", "GET"]
    assert f"{API_KEY_HEADER}: $PX_API_KEY" in args
    assert args[-1] == "https://api.aptrinsic.com/v1/users?pageSize=1000&scrollId=a+b="
    assert f'"{API_KEY_HEADER}: $PX_API_KEY"' in command  # double quotes: the shell expands it


def test_curl_never_carries_a_credential_parameter() -> None:
    command = curl_command("GET", "https://px.test/v1/users?api_key=LEAK&pageSize=1")
    assert "LEAK" not in command and "pageSize=1" in command


def test_curl_sends_a_logged_body_quoted_for_the_shell() -> None:
    command = curl_command("POST", "https://px.test/v1/x", body='{"name": "O\'Brien"}')
    args = shlex.split(command)
    assert args[args.index("--data-raw") + 1] == '{"name": "O\'Brien"}'
    assert "Content-Type: application/json" in args
