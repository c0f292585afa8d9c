"""A logged PX request as a curl command an admin can paste into a shell or a support ticket."""

from __future__ import annotations

import shlex

from pxdesk.core.logs.queries import redact_url
from pxdesk.core.px.client import API_KEY_HEADER

# The shell expands this when the command runs, so the key never sits in the clipboard.
KEY_VARIABLE = "$PX_API_KEY"


def curl_command(method: str, url: str, body: str | None = None) -> str:
    """`curl` repeating a request as logged: method, URL (credential parameters redacted), the
    key header as the client sends it with `$PX_API_KEY` as its value, and the body if any."""
    parts = ["curl", "-X", shlex.quote(method.upper()),
             "-H", shlex.quote("Accept: application/json"),
             # Double quotes: the shell must expand the variable; the header name needs none.
             "-H", f'"{API_KEY_HEADER}: {KEY_VARIABLE}"']
    if body:
        parts += ["-H", shlex.quote("Content-Type: application/json"),
                  "--data-raw", shlex.quote(body)]
    parts.append(shlex.quote(redact_url(url)))
    return " ".join(parts)
