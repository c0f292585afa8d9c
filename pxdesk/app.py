"""Wires the context, engine, runner, scheduler, tray, demo simulator and main window; no rules."""

from __future__ import annotations

import getpass
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.base import BaseScheduler
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QWidget

from pxdesk.core.autostart import Autostart, login_argv
from pxdesk.core.background import wait_detached
from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.config.settings_service import needs_admin_email
from pxdesk.core.context import AppContext
from pxdesk.core.logs.request_budget import count_request_outside_run
from pxdesk.core.logs.retention import apply_retention_setting
from pxdesk.core.notify.email import SmtpSettings, load_smtp_settings
from pxdesk.core.notify.notifier import RunNotifier
from pxdesk.core.notify.stale_notifier import StaleNotifier
from pxdesk.core.px.client import PxClient
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.schedule.dispatch import ScheduleDispatcher
from pxdesk.core.schedule.stale_watch import StaleWatch
from pxdesk.core.store.settings import (
    ADMIN_EMAIL,
    ADMIN_NAME,
    DEMO_SETTING,
    WINDOW_GEOMETRY_SETTING,
    get_setting,
    set_setting,
)
from pxdesk.core.sync.child_engine import ChildEngine
from pxdesk.core.sync.engine import SyncEngine
from pxdesk.core.sync.results import RunOutcome
from pxdesk.core.workers import JobRunner, RunListener
from pxdesk.ui.main_window import MainWindow
from pxdesk.ui.network_watch import NetworkWatch
from pxdesk.ui.run_mailer import RunMailer
from pxdesk.ui.store_watch import StoreWatch
from pxdesk.ui.support_bundle import SupportBundleCommand
from pxdesk.ui.tray import TrayController, tray_available
from pxdesk.ui.tray_session import TraySession
from pxdesk.ui.views.admin_email_dialog import AdminEmailDialog
from pxdesk.ui.views.adoption_view import AdoptionView
from pxdesk.ui.views.connectors_view import ConnectorsView
from pxdesk.ui.views.data_view import DataView
from pxdesk.ui.views.logs_view import LogsView
from pxdesk.ui.views.settings_dialog import SettingsDialog
from pxdesk.ui.widgets import ask_yes_no
from pxdesk.ui.wizards.job_wizard import JobWizard

log = logging.getLogger("pxdesk")
DEMO_ACCOUNTS = 200
DEMO_USERS = 5000


@dataclass
class AppOptions:
    """Start-up choices and the edges tests replace (None = the real thing)."""

    minimized: bool = False  # start in the tray (shown anyway where there is no tray)
    tray_available: Callable[[], bool] = tray_available
    notify_run: Callable[[int], object] | None = None  # RunNotifier.notify_run (blocking SMTP)
    network_online: Callable[[], bool] | None = None  # NetworkWatch.is_online
    scheduler_backend: BaseScheduler | None = None
    now: Callable[[], datetime] | None = None
    # The desktop start asks for the Admin email on a first launch; tests opt in.
    ask_admin_email: bool = False


class PxdeskApp(QObject, RunListener):
    """Owns the long-lived objects of one desktop session and connects their signals."""

    def __init__(self, context: AppContext, qapp: QApplication,
                 options: AppOptions | None = None) -> None:
        super().__init__()
        self.context = context
        self.qapp = qapp
        self.options = options or AppOptions()
        self._started = False
        self.user = str(get_setting(ADMIN_NAME) or "") or getpass.getuser()
        self.engine = SyncEngine(context.secrets, user=self.user, runs_dir=context.paths.runs_dir)
        closed = self.engine.close_interrupted_runs()
        apply_retention_setting(context.paths.runs_dir)
        if closed:
            log.info("closed %d run(s) interrupted by an earlier stop", closed)
        self.connections = ConnectionService(context.secrets, user=self.user)
        # Runs go to child processes: a sync in this process would share the GIL with the
        # GUI thread, which then stalls behind its JSON parsing and SQL (docs/decisions.md).
        self.sync_children = ChildEngine(context.paths, context.store, user=self.user,
                                         local=self.engine)
        self.runner = JobRunner(self._engine_for_worker, context.db, self)
        self.simulator: PxSimulator | None = None
        self._force_quit = False
        self.admin_email_dialog: AdminEmailDialog | None = None
        self._restart_demo_simulator()
        self.window = MainWindow()
        self.window.restore_saved_geometry(get_setting(WINDOW_GEOMETRY_SETTING, None))
        self.connectors = ConnectorsView(self.connections, self.runner, context.db,
                                         self._make_job_wizard, self.window,
                                         dry_runner=self.engine.dry_run)
        self.data_view = DataView(self.window)
        self.adoption_view = AdoptionView(self.window)
        self.logs_view = LogsView(context.paths.runs_dir, self.window)
        self._build_scheduling()
        # Runs of other pxdesk processes on this store (headless scheduler, CLI, machines)
        self.store_watch = StoreWatch(self, is_own=self.runner.started_here)
        self.store_watch.changed.connect(self.connectors.refresh)
        self.store_watch.run_seen.connect(self.logs_view.on_run_started)
        self.window.add_tab(self.connectors, "Connectors")
        self.window.add_tab(self.data_view, "Data")
        self.window.add_tab(self.adoption_view, "Adoption")
        self.window.add_tab(self.logs_view, "Logs")
        self.window.set_close_guard(self._confirm_close)
        self.window.quit_action.triggered.connect(self.quit)
        self.window.settings_action.triggered.connect(self._on_settings_action_triggered)
        self.support_bundle = SupportBundleCommand(context, self.window)
        self.window.support_bundle_action.triggered.connect(self.support_bundle.start)
        self.support_bundle.reported.connect(self.window.statusBar().showMessage)
        self.window.close_requested.connect(self._on_window_close_requested)
        self.connectors.demo_requested.connect(self._on_connectors_demo_requested)
        self.connectors.connection_changed.connect(self._on_connectors_connection_changed)
        self._build_tray()
        self._subscribe_to_runs()

    def _build_scheduling(self) -> None:
        opts = self.options
        self.network: NetworkWatch | None = None
        online = opts.network_online
        if online is None:
            self.network = NetworkWatch(self)
            online = self.network.is_online
        self.dispatcher = ScheduleDispatcher(
            self.runner, self, is_locked=self.engine.is_running,
            running_where=self.engine.running_where, network_online=online,
            now=opts.now, backend=opts.scheduler_backend)
        if self.network is not None:
            self.network.online.connect(self.dispatcher.retry_pending)
        notifier = RunNotifier(self._smtp_settings, self.context.paths.runs_dir)
        self.mailer = RunMailer(opts.notify_run or notifier.notify_run, self.context.db, self)
        self.connectors.connection_changed.connect(self.dispatcher.reload)
        notifier = StaleNotifier(self._smtp_settings, clock=self._now_ms)
        self.stale_watch = StaleWatch(notifier.check, self.context.db, self)
        self.stale_watch.checked.connect(self.connectors.jobs_model.set_stale_check)

    def _build_tray(self) -> None:
        tray = TrayController() if self.options.tray_available() else None
        self.session = TraySession(self.window, self.runner, self.dispatcher, self.logs_view,
                                   tray, self, tray_available=self.options.tray_available)
        self.session.quit_requested.connect(self.quit)
        self.stale_watch.checked.connect(self.session.on_stale_checked)
        if tray is not None:  # the app outlives its window; it quits through close_requested
            self.qapp.setQuitOnLastWindowClosed(False)

    def _subscribe_to_runs(self) -> None:
        """Every listener of the runner, in one place (RunListener says what each hears)."""
        for listener in (self.connectors, self.logs_view, self.window.run_status, self.session,
                         self.mailer, self.dispatcher, self.adoption_view, self.stale_watch,
                         self):
            self.runner.subscribe(listener)

    def _smtp_settings(self) -> SmtpSettings:
        return load_smtp_settings(self.context.secrets)

    def _engine_for_worker(self) -> ChildEngine:
        return self.sync_children

    def _make_job_wizard(self, job_name: str, parent: QWidget) -> JobWizard:
        wizard = JobWizard(job_name, user=self.user, db=self.context.db,
                           client_factory=self._make_px_client, parent=parent,
                           dry_runner=self.engine.dry_run)
        wizard.accepted.connect(self.dispatcher.reload)  # the schedule may have changed
        wizard.accepted.connect(self.stale_watch.check_now)  # and its stale-data alerts
        return wizard

    def _now_ms(self) -> int:
        """The session's clock (tests inject `AppOptions.now`) as epoch ms."""
        now = self.options.now() if self.options.now is not None else datetime.now(UTC)
        return int(now.timestamp() * 1000)

    def _make_px_client(self) -> PxClient:
        """A client on the stored connection, for the mapping picker's attribute list (in no
        run's request log, so counted apart for today's request budget)."""
        return self.engine.make_client(count_request_outside_run)

    def show(self) -> None:
        """Start scheduling (once) and show the window, or only the tray icon if minimized."""
        first = not self._started
        if first:
            self._started = True
            self.dispatcher.start()
            self.stale_watch.start()
            self.store_watch.start()
        self.session.start(minimized=self.options.minimized)
        if first and self.options.ask_admin_email and needs_admin_email():
            self._ask_admin_email()

    def _ask_admin_email(self) -> None:
        """Once, beside the window (never blocking it): who gets the run notifications."""
        dialog = AdminEmailDialog(self.user, self.window)
        dialog.setModal(False)
        dialog.accepted.connect(self._on_admin_email_dialog_accepted)
        self.admin_email_dialog = dialog
        dialog.show()

    def activate(self) -> None:
        """A second launch asked for us: bring the window forward."""
        log.info("a second launch asked to show the window")
        self.session.open_window()

    def quit(self, *, ask: bool = True) -> None:
        """Close the window for good (asking if runs are going on, unless `ask` is False)."""
        self._force_quit = not ask
        self.window.quit()  # the close guard asks; close_requested then shuts down

    def quit_now(self) -> None:
        """From SIGTERM / Ctrl+C: no questions, runs are cancelled cleanly."""
        self.quit(ask=False)

    # ---- slots ------------------------------------------------------------------------

    def _confirm_close(self) -> bool:
        running = self.runner.running_jobs()
        if not running or self._force_quit:
            return True
        return ask_yes_no(
            self.window, "Imports are running",
            f"{', '.join(running)} still running. Cancel and quit? The runs end as Cancelled "
            "at the next page; what was written stays consistent.")

    def _on_window_close_requested(self) -> None:
        set_setting(WINDOW_GEOMETRY_SETTING, self.window.saved_geometry())
        self.dispatcher.shutdown()
        self.store_watch.stop()
        self.stale_watch.stop()
        self.runner.cancel_all_and_wait()
        self.mailer.wait()
        wait_detached()  # loads left by dialogs closed while PX was slow
        self.session.dispose()
        if self.simulator is not None:
            self.simulator.stop()
            self.simulator = None
        self.qapp.quit()

    def _on_settings_action_triggered(self) -> None:
        # Start at login must reopen this same home (--home), minimized to the tray.
        SettingsDialog(self.context.secrets, self.window, autostart=Autostart(),
                       login_argv=login_argv(self.context.paths)).exec()

    def _on_admin_email_dialog_accepted(self) -> None:
        address = str(get_setting(ADMIN_EMAIL) or "")
        self.window.statusBar().showMessage(f"Notifications go to {address}", 10_000)

    def on_run_finished(self, job_name: str, outcome: RunOutcome) -> None:
        """The status bar says how it went; the Data tab shows what it wrote."""
        self.window.statusBar().showMessage(f"{job_name}: {outcome.status}", 10_000)
        self.data_view.refresh()

    def _on_connectors_connection_changed(self) -> None:
        if self.connections.get() is None and self.simulator is not None:
            self.simulator.stop()
            self.simulator = None
        self.data_view.refresh()

    # ---- demo simulator -----------------------------------------------------------------

    def _start_simulator(self, port: int = 0) -> PxSimulator:
        if self.simulator is None:
            self.simulator = PxSimulator(accounts=DEMO_ACCOUNTS, users=DEMO_USERS,
                                         port=port).start()
            log.info("demo PX simulator at %s", self.simulator.base_url)
        return self.simulator

    def _restart_demo_simulator(self) -> None:
        """After a restart the demo connection still points at the simulator's port."""
        demo = get_setting(DEMO_SETTING, None)
        conn = self.connections.get()
        if not isinstance(demo, dict) or conn is None:
            return
        url = f"http://127.0.0.1:{demo.get('port')}/v1"
        if conn.base_url == url:
            try:
                self._start_simulator(int(demo["port"]))
            except OSError as exc:
                log.warning("cannot restart the demo simulator on %s: %s", url, exc)

    def _on_connectors_demo_requested(self) -> None:
        sim = self._start_simulator()
        set_setting(DEMO_SETTING, {"port": sim.port})
        self.connectors.open_connection_wizard(
            {"name": "PX Simulator", "api_key": sim.api_key, "base_url": sim.base_url})
