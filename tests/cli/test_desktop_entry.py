"""`pxdesk-cli install-desktop-entry` writes the menu entry and icons under $XDG_DATA_HOME."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pxdesk.assets import asset_bytes
from pxdesk.cli import main
from pxdesk.cli.desktop_entry import pxdesk_command

REPO = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(folder))
    return folder


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="freedesktop only")
def test_install_and_remove(data_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["install-desktop-entry", "--exec", "/opt/px desk/pxdesk"]) == 0
    entry = (data_home / "applications" / "pxdesk.desktop").read_text().splitlines()
    assert entry[0] == "[Desktop Entry]"
    assert 'Exec="/opt/px desk/pxdesk"' in entry and "TryExec=/opt/px desk/pxdesk" in entry
    assert "Icon=pxdesk" in entry and "Type=Application" in entry
    hicolor = data_home / "icons" / "hicolor"
    for size in (16, 32, 48, 64, 128, 256):
        png = (hicolor / f"{size}x{size}" / "apps" / "pxdesk.png").read_bytes()
        assert png.startswith(PNG_MAGIC)
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert (width, height) == (size, size)
    assert (hicolor / "scalable" / "apps" / "pxdesk.svg").read_bytes() == asset_bytes(
        "pxdesk.svg")
    assert "installed" in capsys.readouterr().out

    assert main(["install-desktop-entry", "--remove"]) == 0
    assert not (data_home / "applications" / "pxdesk.desktop").exists()
    assert not any(p.is_file() for p in hicolor.rglob("*"))


def test_default_exec_is_this_installations_pxdesk(data_home: Path) -> None:
    argv = pxdesk_command()
    bin_pxdesk = Path(sys.executable).parent / "pxdesk"
    if bin_pxdesk.exists():  # the venv's console script, not whatever is first on PATH
        assert argv == [str(bin_pxdesk)]
    else:
        assert argv[0]


def test_packaged_template_and_icons_match_resources() -> None:
    """The wheel ships copies; they must not drift from the sources in resources/."""
    assert asset_bytes("pxdesk.desktop") == (REPO / "resources" / "pxdesk.desktop").read_bytes()
    assert asset_bytes("pxdesk.svg") == (REPO / "resources" / "icons" / "pxdesk.svg").read_bytes()
    hicolor = REPO / "resources" / "icons" / "hicolor"
    assert asset_bytes("pxdesk.png") == (hicolor / "256x256/apps/pxdesk.png").read_bytes()
    assert asset_bytes("pxdesk-16.png") == (hicolor / "16x16/apps/pxdesk.png").read_bytes()
