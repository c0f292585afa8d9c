"""Accessibility checks for a shown widget tree: every control a screen reader can land on has
a name."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

CONTROLS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox, QComboBox, QAbstractButton,
            QAbstractItemView, QTabWidget, QAbstractSlider)
# Parts of a composite control: the control itself carries the name.
_COMPOSITES = (QAbstractSpinBox, QComboBox)


def is_control(widget: QWidget) -> bool:
    """A widget the admin operates (not a scroll bar, header or the tab bar of a tab widget,
    nor the line edit inside a spin box or an editable combo box)."""
    if not isinstance(widget, CONTROLS) or isinstance(widget, QScrollBar | QHeaderView):
        return False
    if isinstance(widget, QTabBar) and isinstance(widget.parent(), QTabWidget):
        return False
    if widget.objectName().startswith("qt_"):  # Qt's own parts (a table's corner button)
        return False
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, _COMPOSITES):
            return False
        parent = parent.parentWidget()
    return True


def _own_text(widget: QWidget) -> str:
    if isinstance(widget, QAbstractButton):
        return widget.text().replace("&", "").strip()
    return ""


def buddy_texts(root: QWidget) -> dict[int, str]:
    """id(control) -> the text of a label whose buddy it is (the screen reader's name)."""
    found: dict[int, str] = {}
    for label in [root, *root.findChildren(QLabel)]:
        if isinstance(label, QLabel) and label.buddy() is not None:
            text = label.text().replace("&", "").strip()
            if text:
                found[id(label.buddy())] = text
    return found


def describe(widget: QWidget) -> str:
    """The control as a developer finds it: the attribute that holds it, else its class and
    object name, with what it shows (placeholder, tooltip)."""
    where = type(widget).__name__
    parent = widget.parentWidget()
    while parent is not None:
        for attribute, value in getattr(parent, "__dict__", {}).items():
            if value is widget:
                return f"{type(parent).__name__}.{attribute} ({where})"
        parent = parent.parentWidget()
    hint = widget.objectName() or getattr(widget, "placeholderText", lambda: "")() \
        or widget.toolTip()
    return f"{where} {hint!r}" if hint else where


def accessible_name(widget: QWidget, buddies: dict[int, str]) -> str:
    """What a screen reader announces: the accessible name, else a buddy label's text, else a
    button's own text."""
    return (widget.accessibleName().strip() or buddies.get(id(widget), "")
            or _own_text(widget))


def unnamed_controls(root: QWidget) -> list[str]:
    """Every control visible in `root` that has neither an accessible name nor a buddy label
    (nor, for a button, a text of its own)."""
    buddies = buddy_texts(root)
    controls = [w for w in [root, *root.findChildren(QWidget)]
                if is_control(w) and w.isVisibleTo(root)]
    return [describe(w) for w in controls if not accessible_name(w, buddies)]
