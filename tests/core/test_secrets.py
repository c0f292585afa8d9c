"""Secrets: fallback file when no keyring backend, 0600, masking, delete."""

from __future__ import annotations

import stat
from pathlib import Path

import keyring.errors
from keyring.backend import KeyringBackend

from pxdesk.core.secrets import FALLBACK_NAME, SecretStore, mask


class MemoryKeyring(KeyringBackend):
    """A real keyring backend kept in memory, standing in for Secret Service."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


def test_fallback_file_is_private_and_round_trips(tmp_path: Path) -> None:
    store = SecretStore(tmp_path / "secrets.json")
    assert store.backend_name == FALLBACK_NAME
    ref = store.put("super-secret-key-1234")
    assert store.get(ref) == "super-secret-key-1234"
    mode = stat.S_IMODE((tmp_path / "secrets.json").stat().st_mode)
    assert mode == 0o600
    store.delete(ref)
    assert store.get(ref) is None


def test_keyring_backend_used_when_available(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    store = SecretStore(tmp_path / "secrets.json", backend=backend)
    ref = store.put("abc-key-9876", ref="connection-1")
    assert backend.items[("pxdesk", "connection-1")] == "abc-key-9876"
    assert not (tmp_path / "secrets.json").exists()
    assert store.get(ref) == "abc-key-9876"
    store.delete(ref)
    store.delete(ref)  # deleting twice is harmless
    assert store.get(ref) is None


def test_repr_and_mask_never_show_the_secret(tmp_path: Path) -> None:
    store = SecretStore(tmp_path / "secrets.json")
    store.put("my-very-secret-key-42")
    assert "secret" not in repr(store).replace("SecretStore", "")
    assert mask("my-very-secret-key-42") == "****y-42"
    assert mask("short") == "****"
    assert mask(None) == ""
