"""Secret storage: the OS keyring, or a private file when this machine has no keyring backend.

The database keeps only a *reference* (``key_ref``) to a secret. The fallback file
(``config/secrets.json``, mode 0600) exists for headless servers and CI where no Secret Service,
Keychain or Credential Locker runs; ``SecretStore.backend_name`` says which one is in use so the
UI and ``pxdesk-cli connection show`` can tell the admin.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from pathlib import Path

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

SERVICE = "pxdesk"
FALLBACK_NAME = "file (no OS keyring found)"


def mask(secret: str | None) -> str:
    """How a secret is shown anywhere: only its last four characters."""
    if not secret:
        return ""
    return "****" + secret[-4:] if len(secret) > 8 else "****"


def _usable(backend: KeyringBackend) -> bool:
    return getattr(backend, "priority", 0) > 0 and "fail" not in type(backend).__module__


class SecretStore:
    """Stores secrets under opaque references; never logs or returns them in reprs."""

    def __init__(self, fallback_path: Path, backend: KeyringBackend | None = None) -> None:
        self._fallback_path = fallback_path
        candidate = backend if backend is not None else keyring.get_keyring()
        self._backend: KeyringBackend | None = candidate if _usable(candidate) else None

    def __repr__(self) -> str:
        return f"SecretStore(backend={self.backend_name!r})"

    @property
    def backend_name(self) -> str:
        if self._backend is None:
            return FALLBACK_NAME
        return type(self._backend).__name__

    def put(self, secret: str, ref: str | None = None) -> str:
        """Save ``secret`` and return its reference (a new one unless ``ref`` is given)."""
        ref = ref or f"connection-{uuid.uuid4()}"
        if self._backend is not None:
            self._backend.set_password(SERVICE, ref, secret)
        else:
            data = self._read_file()
            data[ref] = secret
            self._write_file(data)
        return ref

    def get(self, ref: str) -> str | None:
        if self._backend is not None:
            return self._backend.get_password(SERVICE, ref)
        return self._read_file().get(ref)

    def delete(self, ref: str) -> None:
        if self._backend is not None:
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                self._backend.delete_password(SERVICE, ref)
            return
        data = self._read_file()
        if data.pop(ref, None) is not None:
            self._write_file(data)

    def _read_file(self) -> dict[str, str]:
        try:
            loaded = json.loads(self._fallback_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}

    def _write_file(self, data: dict[str, str]) -> None:
        self._fallback_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._fallback_path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(tmp, self._fallback_path)
