"""Folder resolution: explicit home beats $PXDESK_HOME beats the platform folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from pxdesk.core.paths import AppPaths


def test_explicit_home_wins_over_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PXDESK_HOME", str(tmp_path / "env"))
    paths = AppPaths.resolve(tmp_path / "arg")
    assert paths.data_dir == (tmp_path / "arg" / "data").resolve()
    assert paths.db_path.parent == paths.data_dir


def test_env_home_used_when_no_argument(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PXDESK_HOME", str(tmp_path / "env"))
    paths = AppPaths.resolve()
    assert paths.config_dir == (tmp_path / "env" / "config").resolve()
    assert paths.log_dir == (tmp_path / "env" / "logs").resolve()


def test_platform_folders_without_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PXDESK_HOME", raising=False)
    paths = AppPaths.resolve()
    assert "pxdesk" in paths.data_dir.parts
    assert paths.data_dir != paths.config_dir


def test_ensure_creates_every_folder(tmp_path: Path) -> None:
    paths = AppPaths.resolve(tmp_path / "h").ensure()
    for folder in (paths.data_dir, paths.config_dir, paths.log_dir, paths.runs_dir):
        assert folder.is_dir()
