"""Weights of the six criteria: a live sum that must reach 100, and a reset to the default.

Valid weights are saved as soon as they sum to 100; leaving with any other sum is refused
with a message, so the saved weights are never half-edited. On a final review the weights are
shown read-only: reset and save are refused with the app's one read-only message, and the
screen never says "saved" or "reset" for something it did not write.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, Input, Static

from ddwizard.core.answers import WEIGHTS_QUESTION
from ddwizard.core.questionnaire import CRITERIA, CRITERION_LABELS, DEFAULT_WEIGHTS
from ddwizard.core.sessions.session import Position
from ddwizard.tui.screens.base import WizardScreen
from ddwizard.tui.widgets.footer import WizardFooter
from ddwizard.tui.widgets.inputs import OrderedInput


class WeightsScreen(WizardScreen):
    CSS_PATH = "weights.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "reset", "Reset to default", priority=True),
        Binding("escape", "back", "Back to mandate"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="weights"):
            yield Static(Text("Scoring weights", style="bold"), classes="panel-title")
            yield Static(
                "How much each criterion counts in the ranking. Whole numbers that sum to 100. "
                "The default is the seed methodology: Liquidity 30, Security 25, Coverage 15, "
                "Costs 15, UX 10, Support 5.",
                classes="hint",
            )
            current = self.app.session.sheet().weights
            for criterion in CRITERIA:
                with Horizontal(classes="weight-row"):
                    yield Static(CRITERION_LABELS[criterion], classes="weight-label")
                    yield OrderedInput(
                        str(current[criterion]),
                        type="integer",
                        id=f"w-{criterion}",
                        compact=True,
                        classes="weight",
                        disabled=self.app.read_only,
                    )
                    yield Static("", id=f"bar-{criterion}", classes="bar")
            yield Static("", id="sum")
        yield WizardFooter()

    def on_mount(self) -> None:
        self.query_one(f"#w-{CRITERIA[0]}", Input).focus()
        self._update()
        self.app.save_position(self._position())

    def _position(self) -> Position:
        return Position(screen="weights", question=WEIGHTS_QUESTION)

    def values(self) -> dict[str, int] | None:
        out: dict[str, int] = {}
        for criterion in CRITERIA:
            raw = self.query_one(f"#w-{criterion}", Input).value.strip()
            try:
                out[criterion] = int(raw or "0")
            except ValueError:
                return None
        return out

    def _update(self) -> dict[str, int] | None:
        values = self.values()
        total = sum(values.values()) if values else None
        label = self.query_one("#sum", Static)
        if values is None:
            label.update(Text("Weights must be whole numbers.", style="bold red"))
        elif any(v < 0 or v > 100 for v in values.values()):
            label.update(Text("Each weight must be from 0 to 100.", style="bold red"))
            values = None
        elif total != 100:
            label.update(
                Text(f"Sum: {total} / 100  (needs {100 - (total or 0):+d})", style="bold red")
            )
            values = None
        else:
            label.update(Text("Sum: 100 / 100  ✓ " + self._saved_state(values), style="bold green"))
        for criterion in CRITERIA:
            raw = self.query_one(f"#w-{criterion}", Input).value.strip()
            width = int(raw) // 2 if raw.isdigit() and int(raw) <= 100 else 0
            self.query_one(f"#bar-{criterion}", Static).update(Text("█" * width, style="cyan"))
        return values

    def _saved_state(self, values: dict[str, int]) -> str:
        """What the session holds for these weights, in words (never claims an unsaved save)."""
        session = self.app.session
        if values != session.sheet().weights:
            return "(not saved)"
        if self.app.read_only:
            return "(final review: read-only)"
        if WEIGHTS_QUESTION in session.answers:
            return "saved"
        return "(the default methodology)"

    @on(Input.Changed, ".weight")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        values = self._update()
        if values is not None and values != self.app.session.sheet().weights:
            self._store(values)
            self._update()

    @on(Input.Submitted, ".weight")
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def _store(self, values: dict[str, int]) -> bool:
        """Save ``values``; False (and nothing claimed) when refused or it failed."""
        handle = self.app.handle
        if handle is None or self.app.refuse_if_read_only():
            return False
        return self.app.apply(handle.set_weights, values)

    def action_reset(self) -> None:
        if self.app.refuse_if_read_only():
            return
        if not self._store(dict(DEFAULT_WEIGHTS)):
            return
        for criterion in CRITERIA:
            self.query_one(f"#w-{criterion}", Input).value = str(DEFAULT_WEIGHTS[criterion])
        self._update()
        self.app.notify("Weights reset to the default methodology.")

    def action_save(self) -> None:
        if self.app.refuse_if_read_only():
            return
        values = self._update()
        if values is None:
            self.app.notify("Weights must sum to 100 before they can be saved.", severity="error")
            return
        if (
            values != self.app.session.sheet().weights
            or WEIGHTS_QUESTION not in self.app.session.answers
        ) and not self._store(values):
            return
        self.app.notify("Weights saved.")

    def can_leave(self) -> bool:
        if self.app.read_only:
            return True  # nothing here can have changed
        if self._update() is None:
            self.app.notify(
                "Weights must sum to 100 before you leave (ctrl+r resets to the default).",
                title="Cannot leave",
                severity="error",
            )
            return False
        return True

    def action_back(self) -> None:
        if not self.can_leave():
            return
        self.app.go("mandate", position=Position(screen="mandate", question=WEIGHTS_QUESTION))
