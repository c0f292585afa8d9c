"""Base of the job wizard pages: load/store a JobConfig and show validation issues by field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from PySide6.QtWidgets import QLabel, QWidget, QWizardPage

from pxdesk.core.config.stages import Stage
from pxdesk.core.config.validation import ConfigIssue
from pxdesk.ui import widgets


class StagePage(QWizardPage):
    """One stage. Subclasses set STAGE (its issues and its title) and implement
    `load(config)` and `store(config) -> config`."""

    STAGE: ClassVar[Stage]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.STAGE.label)
        self._field_labels: dict[str, QLabel] = {}
        self.issues_label = widgets.error_label(self)
        self.issues_label.setObjectName("issues_label")

    def error_label(self, field: str) -> QLabel:
        """A label shown next to `field`'s widget; issues of that field appear in it."""
        label = widgets.error_label(self)
        label.setVisible(False)
        self._field_labels[field] = label
        return label

    def _label_for(self, field: str) -> QLabel | None:
        """Exact field, else its prefix ('mappings[2].target_field' -> 'mappings')."""
        if field in self._field_labels:
            return self._field_labels[field]
        for key, label in self._field_labels.items():
            if field.startswith(key):
                return label
        return None

    def show_issues(self, issues: Sequence[ConfigIssue]) -> None:
        for label in self._field_labels.values():
            label.clear()
            label.setVisible(False)
        loose: list[str] = []
        for issue in issues:
            label = self._label_for(issue.field)
            if label is None:
                loose.append(issue.message)
            else:
                text = label.text()
                label.setText(f"{text}\n{issue.message}" if text else issue.message)
                label.setVisible(True)
        self.issues_label.setText("\n".join(loose))

    def issue_texts(self) -> list[str]:
        """Every message currently shown on this page (tests and screenshots read these)."""
        shown = [lbl.text() for lbl in self._field_labels.values() if lbl.text()]
        return [*shown, *filter(None, [self.issues_label.text()])]

    def load(self, config: Any) -> None:
        raise NotImplementedError

    def store(self, config: Any) -> Any:
        raise NotImplementedError

    def validatePage(self) -> bool:
        wizard = self.wizard()
        check = getattr(wizard, "validate_stage", None)
        return True if check is None else bool(check(self))
