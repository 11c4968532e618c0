"""The plan's Command tab: a preset (GitHub Actions, Vault, Kubernetes, …) and its fields, or a
command of the user's own with how it reads the key, and an optional restart command. Each
choice has its own page of fields, two to a row. Enter in any field adds the command to the
places; it never starts the rotation."""

from __future__ import annotations

import shlex

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ....rotation.presets import PRESETS
from ....rotation.targets import DEFAULT_VARIABLE, CommandTarget, Delivery
from ...common.forms import enter_acts
from .widgets import label, tone

GENERIC = ""  # the preset choice for "a command of your own"
DELIVERIES = ((Delivery.RAW, "the key alone on its standard input"),
              (Delivery.ENV_LINE, "a NAME=VALUE line on its standard input"),
              (Delivery.ENV, "the key in its environment variable NAME"))
GENERIC_ABOUT = ("Run with no shell; the key never appears in its command line. It must be safe to run twice: a "
                 "rotation cut short runs it again.")


class CommandForm(QWidget):
    add_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 2)
        top = QHBoxLayout()
        self.preset = QComboBox()
        self.preset.setAccessibleName("Command preset")
        where = QLabel("&Where:")
        where.setBuddy(self.preset)
        top.addWidget(where)
        top.addWidget(self.preset, 1)
        self.add_button = QPushButton("Add &command")
        self.add_button.clicked.connect(self.add_requested.emit)
        top.addWidget(self.add_button)
        layout.addLayout(top)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages)
        self.about = label()
        self.about.setAccessibleName("About this command")
        layout.addWidget(self.about)
        self.page_fields: dict[str, dict[str, QLineEdit]] = {}
        self.delivery = QComboBox()
        self.delivery.setAccessibleName("How the command reads the key")
        for value, words in DELIVERIES:
            self.delivery.addItem(words, value)
        for preset in PRESETS.values():
            self.preset.addItem(preset.title, preset.name)
            self._page(preset.name, [(f.key, f.label + ("" if f.required or f.default else " (optional)"),
                                      f.hint or f.default, f.default) for f in preset.fields])
        self.preset.addItem("A command of your own", GENERIC)
        self._page(GENERIC, [("command", "Command", "secret-tool store --label=App service my-app username api", ""),
                             ("variable", "Variable NAME", DEFAULT_VARIABLE, DEFAULT_VARIABLE),
                             ("verify", "Verify with", "optional: a command that must succeed afterwards", "")],
                   extra=("It gets", self.delivery))
        self.preset.currentIndexChanged.connect(self._chosen)
        self._chosen()

    def _page(self, name: str, fields: list[tuple[str, str, str, str]],
              extra: tuple[str, QWidget] | None = None) -> None:
        page = QWidget()
        grid = QGridLayout(page)
        grid.setContentsMargins(0, 0, 0, 0)
        found: dict[str, QLineEdit] = {}
        cells: list[tuple[str, QWidget]] = []
        for key, text, placeholder, value in fields:
            field = QLineEdit(value)
            field.setPlaceholderText(placeholder)
            field.setAccessibleName(text)
            field.setProperty("initial", value)
            enter_acts(field, self.add_requested.emit)  # Enter adds the command; it never starts the rotation
            found[key] = field
            cells.append((text, field))
        if extra is not None:
            cells.insert(1, extra)
        restart = QLineEdit()
        restart.setPlaceholderText("optional, e.g. systemctl --user restart app")
        restart.setAccessibleName("Restart with")
        restart.setProperty("initial", "")
        enter_acts(restart, self.add_requested.emit)
        found["restart"] = restart
        cells.append(("Restart with", restart))
        row = column = 0
        for text, widget in cells:
            span = widget is restart or (name == GENERIC and widget is found["command"])  # a whole command line
            if span and column:
                row, column = row + 1, 0
            grid.addWidget(QLabel(f"{text}:"), row, column * 2)
            grid.addWidget(widget, row, column * 2 + 1, 1, 3 if span else 1)
            row, column = (row + 1, 0) if span or column else (row, 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.page_fields[name] = found
        self.pages.addWidget(page)

    @property
    def preset_name(self) -> str:
        return str(self.preset.currentData())

    @property
    def fields(self) -> dict[str, QLineEdit]:
        """The fields of the chosen preset (or of the command of your own)."""
        return self.page_fields[self.preset_name]

    def _chosen(self) -> None:
        self.pages.setCurrentIndex(self.preset.currentIndex())
        preset = PRESETS.get(self.preset_name)
        about = GENERIC_ABOUT if preset is None else f"Before the rotation starts: {preset.checks}."
        if preset is not None and preset.warning:
            about = f"⚠ {preset.warning} {about}"
        self.about.setText(about)
        self.about.setStyleSheet(f"color: {tone(self, 'wait')};" if "⚠" in about else "")

    def target(self) -> CommandTarget:
        """The command target the form describes; ValueError with words for the user."""
        values = {key: field.text().strip() for key, field in self.fields.items()}
        restart = tuple(shlex.split(values.pop("restart")))
        preset = PRESETS.get(self.preset_name)
        if preset is not None:
            return preset.target({k: v for k, v in values.items() if v}, restart=restart)
        argv = tuple(shlex.split(values["command"]))
        if not argv:
            raise ValueError("Type the command to run, for example: secret-tool store --label=App service my-app "
                             "username api")
        return CommandTarget(argv, Delivery(self.delivery.currentData()), values["variable"] or DEFAULT_VARIABLE,
                             verify=tuple(shlex.split(values["verify"])), restart=restart)

    def clear(self) -> None:
        """Back to the fields' first values, for the next command."""
        for field in self.fields.values():
            field.setText(str(field.property("initial") or ""))


__all__ = ["CommandForm"]
