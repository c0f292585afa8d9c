"""Desktop entry point: paths -> logging -> excepthook -> store -> QApplication -> app."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pxdesk import APP_NAME, __version__

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication

log = logging.getLogger("pxdesk")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pxdesk", description="pxdesk desktop app")
    parser.add_argument("--home", help="keep all data, config and logs under this folder")
    parser.add_argument("--minimized", action="store_true",
                        help="start in the system tray (the window opens where there is none)")
    parser.add_argument("--version", action="version", version=f"pxdesk {__version__}")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from pxdesk.system_libs import missing_system_libraries

    missing = missing_system_libraries(sys.platform, os.environ)
    if missing:  # Qt would abort with a message that names no package
        print(f"pxdesk: {missing}", file=sys.stderr)
        return 1
    # Qt is imported here, not at module import, so `pxdesk --version` stays instant.
    from PySide6.QtWidgets import QApplication, QMessageBox

    from pxdesk.app import AppOptions, PxdeskApp
    from pxdesk.core.applog import setup_logging
    from pxdesk.core.context import open_context
    from pxdesk.core.errors import PxdeskError
    from pxdesk.core.paths import AppPaths
    from pxdesk.core.store.errors import store_errors
    from pxdesk.ui.crash_dialog import install_excepthook
    from pxdesk.ui.single_instance import SingleInstance, instance_name

    paths = AppPaths.resolve(args.home)
    try:
        with store_errors(paths.db_path):  # folders we may not create: one line, no traceback
            setup_logging(paths.ensure().log_dir)
    except PxdeskError as exc:
        print(f"pxdesk: {exc}", file=sys.stderr)
        return 1
    install_excepthook()
    qapp = QApplication.instance() or QApplication([sys.argv[0], *sys.argv[1:]])
    qapp.setApplicationName(APP_NAME)
    qapp.setApplicationVersion(__version__)
    # Before the store opens: a second launch only asks the first to come forward.
    instance = SingleInstance(instance_name(args.home))
    if not instance.claim():
        log.info("pxdesk already runs for this home; asked it to show its window")
        return 0
    try:
        context = open_context(args.home)
    except PxdeskError as exc:  # damaged, busy or forbidden store: what to do, not a crash report
        log.error("cannot open the store: %s", exc)
        print(f"pxdesk: {exc}", file=sys.stderr)
        QMessageBox.critical(None, "pxdesk cannot start", str(exc))
        instance.release()
        return 1
    with context:
        options = AppOptions(minimized=args.minimized, ask_admin_email=True)
        app = PxdeskApp(context, qapp, options)  # type: ignore[arg-type]
        instance.activation_requested.connect(app.activate)
        _quit_on_signals(qapp, app.quit_now)
        app.show()
        log.info("pxdesk %s started; store at %s", __version__, context.paths.db_path)
        try:
            return qapp.exec()
        finally:
            instance.release()
            log.info("pxdesk stopped")


def _quit_on_signals(qapp: QCoreApplication, quit_app: Callable[[], None]) -> None:
    """Ctrl+C in a terminal or SIGTERM from the session quits cleanly instead of killing us.

    Python runs signal handlers only between bytecodes, so a idle timer wakes the interpreter.
    """
    from PySide6.QtCore import QTimer

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: quit_app())
    timer = QTimer(qapp)  # parented: lives as long as the application
    timer.setInterval(250)
    timer.timeout.connect(lambda: None)
    timer.start()


if __name__ == "__main__":
    sys.exit(main())
