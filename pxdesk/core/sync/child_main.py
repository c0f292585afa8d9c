"""The sync child: runs one job (or job chain) for the desktop and tells it everything.

Started by ChildEngine as ``python -m pxdesk.core.sync.child_main``. A sync in its own process
has its own GIL, so the desktop's GUI thread never waits behind the PX client's JSON parsing
or the writer's SQL. Stdout carries only framed messages (see child_wire); anything else
printed goes to stderr. The run stops at its next page when the desktop asks, or when the
desktop goes away (stdin closes).
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    # Keep the message pipe private before anything else can print to it.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    from pxdesk.core.sync.child_run import serve

    return serve(sys.stdin.buffer, out)


if __name__ == "__main__":
    sys.exit(main())
