"""PX's certificate is verified against the operating system's trust store (truststore), so a
corporate TLS-inspecting proxy whose root the admin's machine trusts works; never unverified."""

from __future__ import annotations

import ssl

import truststore

from pxdesk.core.px.client import PxClient


def test_px_certificates_are_verified_by_the_system_trust_store() -> None:
    with PxClient("https://api-eu.aptrinsic.com/v1", "key") as client:
        context = client._http._transport._pool._ssl_context  # what httpx hands to each socket
    assert isinstance(context, truststore.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
