"""The log file never receives a key or a password, whoever logs it."""

from __future__ import annotations

import logging
from pathlib import Path

from pxdesk.core.applog import redact, setup_logging


def test_redact_masks_header_and_password() -> None:
    assert "abc123" not in redact("headers {'X-APTRINSIC-API-KEY': 'abc123'}")
    assert "hunter2" not in redact("password=hunter2 user=bob")
    assert "user=bob" in redact("password=hunter2 user=bob")


def test_log_file_is_redacted(tmp_path: Path) -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        log_file = setup_logging(tmp_path)
        logging.getLogger("thirdparty").warning("sending X-APTRINSIC-API-KEY: %s", "k-777-secret")
        for handler in root.handlers:
            handler.flush()
        text = log_file.read_text(encoding="utf-8")
        assert "sending X-APTRINSIC-API-KEY" in text
        assert "k-777-secret" not in text
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
                handler.close()


def test_rotated_log_files_are_private_too(tmp_path: Path) -> None:
    import os
    import stat

    root = logging.getLogger()
    before = list(root.handlers)
    old_umask = os.umask(0o022)
    try:
        log_file = setup_logging(tmp_path / "logs")
        handler = next(h for h in root.handlers if h not in before)
        handler.doRollover()
        assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
        assert stat.S_IMODE((tmp_path / "logs" / "pxdesk.log.1").stat().st_mode) == 0o600
    finally:
        os.umask(old_umask)
        for h in list(root.handlers):
            if h not in before:
                root.removeHandler(h)
                h.close()
