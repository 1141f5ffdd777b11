"""Dialogs that ask for written words before a status change (DECISIONS.md §6).

Reopening a final review needs a reason; marking a review final without a supported
recommendation needs an override by a named reviewer who is not the preparer, with a written
rationale. Both go to the audit trail. The dialogs only collect the words: the rules are the
core's (``core/signoff`` and ``SessionHandle.set_status``), which refuse with a message shown
in the dialog, so nothing is recorded half-way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Static, TextArea

from ddwizard.tui.display import shown
from ddwizard.tui.widgets.inputs import OrderedInput

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 76; max-width: 98%; height: auto; max-height: 100%;
    border: thick $warning; background: $surface; padding: 0 1; }}
{name} #reasons {{ height: auto; max-height: 30vh; }}
{name} .label {{ margin-top: 1; }}
{name} .buttons {{ height: auto; margin-top: 1; align-horizontal: right; }}
{name} Button {{ margin-left: 2; }}
{name} TextArea {{ height: 4; }}
{name} .problem {{ color: $error; height: auto; display: none; }}
{name} .problem.-shown {{ display: block; }}
"""


T = TypeVar("T")


class NextFieldInput(OrderedInput):
    """A one-line field whose Enter moves to the next field at once: keys typed after Enter
    in the same burst (already on their way to this field) are handed on to the next field
    in order, so "name Enter rationale" typed fast lands where it was meant to."""

    def __init__(self, *args: Any, next_field: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.next_field = next_field
        self._handing_on: Widget | None = None

    async def _on_key(self, event: events.Key) -> None:
        target = self._handing_on
        if target is not None:
            event.stop()
            event.prevent_default()
            target.post_message(events.Key(event.key, event.character))
            return
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            target = self.screen.query_one(f"#{self.next_field}")
            self._handing_on = target
            target.focus()
            return
        await super()._on_key(event)

    def _on_focus(self, event: events.Focus) -> None:
        self._handing_on = None  # back here on purpose (shift+tab, click): typing is ours
        super()._on_focus(event)


class _WordsDialog(ModalScreen[T | None], Generic[T]):
    """Common frame: a question, fields, a problem line, Cancel (Escape) and OK (ctrl+s)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "OK", priority=True),
    ]
    FIRST_FIELD = ""
    """The field that gets the focus, and the keys typed before it had it."""
    submit: Callable[[], None]
    """Each dialog's own: check its fields, then dismiss with its result or show a problem."""

    def __init__(self) -> None:
        super().__init__()
        self._typed_ahead: list[events.Key] | None = []

    def on_mount(self) -> None:
        first = self.query_one(f"#{self.FIRST_FIELD}")
        first.focus()
        self.call_after_refresh(self._replay_typed_ahead, first)

    def on_key(self, event: events.Key) -> None:
        # Keys typed right after the key that opened the dialog, before its field had the
        # focus: kept for that field instead of being lost.
        if self._typed_ahead is not None and self.focused is None and event.is_printable:
            event.stop()
            self._typed_ahead.append(event)

    def _replay_typed_ahead(self, field: Widget) -> None:
        keys, self._typed_ahead = self._typed_ahead, None
        for key in keys or ():
            field.post_message(events.Key(key.key, key.character))

    def show_problem(self, problem: str | None) -> None:
        label = self.query_one(".problem", Static)
        label.update(Text(shown(problem or "")))
        label.set_class(bool(problem), "-shown")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        """Submit once every key typed before ctrl+s has reached its field: a callback is
        queued behind the keys each field still has to handle, field after field."""
        fields = list(self.query("Input, TextArea"))

        def step(index: int) -> None:
            if index == len(fields):
                self.submit()
            else:
                fields[index].call_later(step, index + 1)

        step(0)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.action_submit()


class ReasonScreen(_WordsDialog[str]):
    """Asks why (e.g. why a final review is reopened); dismisses with the reason or None.

    ``accept`` is tried with the reason: it returns a problem to show (the dialog stays) or
    None (the dialog closes with the reason).
    """

    DEFAULT_CSS = DIALOG_CSS.format(name="ReasonScreen")

    FIRST_FIELD = "reason"

    def __init__(self, question: str, accept: Callable[[str], str | None]) -> None:
        super().__init__()
        self.question = question
        self.accept = accept

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question))
            yield Static(
                Text("Reason (recorded in the audit trail):", style="bold"), classes="label"
            )
            yield OrderedInput(id="reason", placeholder="e.g. the committee asked for changes")
            yield Static("", classes="problem")
            with Horizontal(classes="buttons"):
                yield Button("Cancel (Esc)", id="cancel", compact=True)
                yield Button("OK (Enter)", id="ok", variant="warning", compact=True)

    @on(Input.Submitted, "#reason")
    def submit(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.show_problem("Give the reason: it is recorded with the change.")
            return
        problem = self.accept(reason)
        if problem is not None:
            self.show_problem(problem)
            return
        self.dismiss(reason)


@dataclass(frozen=True)
class Override:
    """A named reviewer's written rationale for signing off without a supported status."""

    reviewer: str
    rationale: str


class SignoffScreen(_WordsDialog[Override]):
    """Why the review cannot simply be final, and the override a second person may give.

    ``accept`` is tried with the override: it returns a problem to show (the dialog stays,
    e.g. the reviewer is the preparer) or None (the dialog closes with the override).
    """

    DEFAULT_CSS = DIALOG_CSS.format(name="SignoffScreen")

    FIRST_FIELD = "reviewer"

    def __init__(
        self,
        reasons: tuple[str, ...],
        preparer: str | None,
        accept: Callable[[Override], str | None],
    ) -> None:
        super().__init__()
        self.reasons = reasons
        self.preparer = preparer
        self.accept = accept

    def compose(self) -> ComposeResult:
        reasons = Text()
        for reason in self.reasons:
            reasons.append(f"• {shown(reason)}\n")
        override = Text(
            "A reviewer other than the preparer"
            + (f" ({shown(self.preparer)})" if self.preparer else "")
            + " may override, with a written rationale. Both are recorded in the audit trail "
            "and the memo's sign-off block."
        )
        with Vertical():
            yield Static(Text("This review cannot be marked final as it stands:", style="bold"))
            with VerticalScroll(id="reasons"):
                yield Static(reasons)
            yield Static(override)
            yield Static(Text("Reviewer (your name):", style="bold"), classes="label")
            yield NextFieldInput(
                id="reviewer",
                placeholder="the second person signing off",
                compact=True,
                next_field="rationale",
            )
            yield Static(Text("Rationale:", style="bold"), classes="label")
            yield TextArea(id="rationale", soft_wrap=True, tab_behavior="focus", compact=True)
            yield Static("", classes="problem")
            with Horizontal(classes="buttons"):
                yield Button("Cancel (Esc)", id="cancel", compact=True)
                yield Button(
                    "Override and mark final (ctrl+s)", id="ok", variant="error", compact=True
                )

    def submit(self) -> None:
        reviewer = self.query_one("#reviewer", Input).value.strip()
        rationale = self.query_one("#rationale", TextArea).text.strip()
        if not reviewer:
            self.show_problem("Name the reviewer who overrides.")
            self.query_one("#reviewer", Input).focus()
            return
        if not rationale:
            self.show_problem("Write the rationale for the override.")
            self.query_one("#rationale", TextArea).focus()
            return
        override = Override(reviewer, rationale)
        problem = self.accept(override)
        if problem is not None:
            self.show_problem(problem)
            return
        self.dismiss(override)
