"""A throw-away PostgreSQL cluster for tests and benchmarks: initdb in a temp folder, listening
on a Unix socket in that folder only (never TCP), fsync off; `stop` removes it.

    python tests/pgcluster.py start [FOLDER]   # prints the cluster's base URL
    python tests/pgcluster.py stop FOLDER
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SUPERUSER = "pxdesk"
# initdb and postgres refuse to run as root: as root, the cluster belongs to this user.
_SERVICE_USERS = ("postgres", "nobody")


def find_bin(name: str) -> str | None:
    """A PostgreSQL server binary on PATH, else in Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def available() -> bool:
    return find_bin("initdb") is not None and find_bin("pg_ctl") is not None


def _as_owner(folder: Path) -> list[str]:
    if os.geteuid() != 0:
        return []
    for user in _SERVICE_USERS:
        try:
            shutil.chown(folder, user)
        except LookupError:
            continue
        return ["runuser", "-u", user, "--"]
    raise RuntimeError("running as root and no 'postgres' or 'nobody' user to own the cluster")


def base_url(folder: Path) -> str:
    """The URL of the cluster's maintenance database (append ?… options as needed)."""
    return f"postgresql://{SUPERUSER}@/postgres?host={folder}"


def database_url(folder: Path, name: str) -> str:
    return f"postgresql://{SUPERUSER}@/{name}?host={folder}"


def start(folder: Path | None = None) -> Path:
    """initdb and start a cluster in `folder` (a new temp folder by default); returns it."""
    initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    # A short path: a Unix socket path may not exceed ~107 bytes.
    folder = folder or Path(tempfile.mkdtemp(prefix="pxpg", dir="/tmp"))
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    prefix = _as_owner(folder)
    data = folder / "data"
    subprocess.run([*prefix, initdb, "-D", str(data), "-U", SUPERUSER, "--auth=trust",
                    "-E", "UTF8", "--locale=C", "--no-sync"],
                   check=True, capture_output=True)
    options = (f"-k {folder} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c max_connections=200")
    subprocess.run([*prefix, pg_ctl, "-D", str(data), "-o", options, "-l",
                    str(folder / "server.log"), "-w", "start"], check=True, capture_output=True)
    return folder


def stop(folder: Path) -> None:
    """Stop the cluster (fast: open connections are cut) and delete its folder."""
    pg_ctl = find_bin("pg_ctl")
    if pg_ctl is not None and (folder / "data").exists():
        subprocess.run([*_as_owner(folder), pg_ctl, "-D", str(folder / "data"), "-m", "fast",
                        "-w", "stop"], check=False, capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "start":
        print(base_url(start(Path(sys.argv[2]) if len(sys.argv) > 2 else None)))
    elif len(sys.argv) == 3 and sys.argv[1] == "stop":
        stop(Path(sys.argv[2]))
    else:
        sys.exit(__doc__)
