"""Application logging: a rotating file in the log folder, and a redaction filter for secrets."""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path
from typing import Any

from pxdesk.core.paths import PRIVATE_FILE_MODE

# Values that must never reach a log file, whatever a third-party library prints.
_SECRET_PATTERNS = (
    re.compile(r"(X-APTRINSIC-API-KEY['\"]?\s*[:=]\s*['\"]?)[^'\"\s,}]+", re.IGNORECASE),
    re.compile(r"(password['\"]?\s*[:=]\s*['\"]?)[^'\"\s,}]+", re.IGNORECASE),
)


def redact(text: str) -> str:
    """Replace anything that looks like a key or password assignment with a mask."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(r"\1****", text)
    return text


class RedactingFilter(logging.Filter):
    """Last line of defence: rewrites a record's message if it carries a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Every log file it opens (the first and each after a rollover) is owner-only: logs name
    jobs, hosts and record ids."""

    def _open(self) -> Any:
        stream = super()._open()
        os.chmod(self.baseFilename, PRIVATE_FILE_MODE)
        return stream


def setup_logging(log_dir: Path, *, level: int = logging.INFO, console: bool = False) -> Path:
    """Log to ``log_dir/pxdesk.log`` (rotated, 5 x 2 MB); returns the file path."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "pxdesk.log"
    root = logging.getLogger()
    root.setLevel(level)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = [
        _PrivateRotatingFileHandler(
            log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    ]
    if console:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
    # httpx logs every request at INFO; keep it at WARNING so URLs do not flood the file.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return log_file
