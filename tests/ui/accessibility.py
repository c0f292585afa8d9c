"""Accessibility checks for a shown widget tree: every control a screen reader can land on has
a name, and Tab visits the controls in reading order."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QScrollBar,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

CONTROLS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox, QComboBox, QAbstractButton,
            QAbstractItemView, QTabWidget, QAbstractSlider)
# Parts of a composite control: the control itself carries the name.
_COMPOSITES = (QAbstractSpinBox, QComboBox, QTabBar)  # a tab bar's scroll arrows are its own parts


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


def same_named_controls(root: QWidget) -> list[str]:
    """Names that more than one visible control of `root` answers to: a screen reader
    cannot tell them apart."""
    buddies = buddy_texts(root)
    names = [accessible_name(w, buddies) for w in root.findChildren(QWidget)
             if is_control(w) and w.isVisibleTo(root)]
    return sorted({name for name in names if name and names.count(name) > 1})


def name_problems(root: QWidget) -> list[str]:
    """What a screen reader user would miss in `root`: unnamed controls, names shared."""
    shared = [f"{name!r} names several controls" for name in same_named_controls(root)]
    return [*unnamed_controls(root), *shared]


def tab_stops(first: QWidget, *, limit: int = 200) -> list[QWidget]:
    """The widgets Tab lands on, pressing Tab on the focused widget from `first` until focus
    comes back to a widget it visited (a table that moves between its cells on Tab counts
    once)."""
    first.setFocus(Qt.FocusReason.TabFocusReason)
    stops = [first]
    for _ in range(limit):
        widget = QApplication.focusWidget()
        assert widget is not None, "focus left the window"
        QTest.keyClick(widget, Qt.Key.Key_Tab)
        landed = QApplication.focusWidget()
        if landed is None or landed is widget:
            continue
        if landed in stops:
            return stops
        stops.append(landed)
    raise AssertionError(f"Tab never came back to {describe(first)}")


def unreached_controls(root: QWidget, stops: list[QWidget]) -> list[str]:
    """Controls Tab should reach but did not: visible, enabled, taking Tab focus. Tab enters
    a radio group once (arrows move within it), and a table counts as reached when one of
    its cell widgets was."""
    def expected(widget: QWidget) -> bool:
        return bool(is_control(widget) and widget.isVisibleTo(root) and widget.isEnabled()
                    and widget.focusPolicy() & Qt.FocusPolicy.TabFocus)

    def reached(widget: QWidget) -> bool:
        return any(stop is widget or widget.isAncestorOf(stop) for stop in stops)

    def group_reached(radio: QRadioButton) -> bool:
        group = radio.group()
        if group is not None:
            return any(reached(button) for button in group.buttons())
        parent = radio.parentWidget()
        return parent is not None and any(
            reached(r) for r in parent.findChildren(QRadioButton) if r.autoExclusive())

    return [describe(w) for w in root.findChildren(QWidget) if expected(w) and not (
        reached(w) or (isinstance(w, QRadioButton) and group_reached(w)))]


def _area(widget: QWidget, root: QWidget) -> QRect:
    return QRect(widget.mapTo(root, QPoint(0, 0)), widget.size())


def out_of_reading_order(stops: list[QWidget], root: QWidget) -> list[str]:
    """Each Tab move that goes against reading order: to a widget on the same line but to
    the left, or higher up and not in a column further right (a form's next column starts
    at its top again)."""
    wrong = []
    for before, after in pairwise(stops):
        a, b = _area(before, root), _area(after, root)
        same_line = a.top() <= b.bottom() and b.top() <= a.bottom()
        next_column = b.left() >= a.right()
        backwards = b.left() < a.left() if same_line else (
            b.top() < a.top() and not next_column)
        if backwards:
            wrong.append(f"{describe(before)} -> {describe(after)}")
    return wrong
