"""Network reachability for the scheduler's catch-ups, from QNetworkInformation when available."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QNetworkInformation

log = logging.getLogger(__name__)

OFFLINE = (QNetworkInformation.Reachability.Disconnected, QNetworkInformation.Reachability.Local)


class NetworkWatch(QObject):
    """`is_online()` is False only when the OS says we are offline; unknown counts as online
    (just try: a failed catch-up is retried). `online` fires when the network comes back."""

    online = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._info: QNetworkInformation | None = None
        try:
            if QNetworkInformation.loadBackendByFeatures(
                    QNetworkInformation.Feature.Reachability):
                self._info = QNetworkInformation.instance()
        except (RuntimeError, AttributeError) as exc:  # old Qt or a broken backend
            log.info("No network reachability backend: %s", exc)
        if self._info is not None:
            self._info.reachabilityChanged.connect(self._on_info_reachability_changed)
            log.info("Network reachability from the %s backend", self._info.backendName())

    def is_online(self) -> bool:
        return self._info is None or self._info.reachability() not in OFFLINE

    @Slot(QNetworkInformation.Reachability)
    def _on_info_reachability_changed(self, reachability: QNetworkInformation.Reachability) -> None:
        if reachability not in OFFLINE:
            self.online.emit()
