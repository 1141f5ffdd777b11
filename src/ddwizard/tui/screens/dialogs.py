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
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static, TextArea

from ddwizard.tui.display import shown

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 76; max-width: 98%; height: auto; max-height: 98%;
    border: thick $warning; background: $surface; padding: 0 1; }}
{name} .buttons {{ height: auto; margin-top: 1; align-horizontal: right; }}
{name} Button {{ margin-left: 2; }}
{name} TextArea {{ height: 5; }}
{name} .problem {{ color: $error; height: auto; display: none; }}
{name} .problem.-shown {{ display: block; }}
"""


T = TypeVar("T")


class _WordsDialog(ModalScreen[T | None], Generic[T]):
    """Common frame: a question, fields, a problem line, Cancel (Escape) and OK (ctrl+s)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "OK", priority=True),
    ]

    def show_problem(self, problem: str | None) -> None:
        label = self.query_one(".problem", Static)
        label.update(Text(shown(problem or "")))
        label.set_class(bool(problem), "-shown")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        raise NotImplementedError

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

    def __init__(self, question: str, accept: Callable[[str], str | None]) -> None:
        super().__init__()
        self.question = question
        self.accept = accept

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question))
            yield Static(Text("Reason (recorded in the audit trail):", style="bold"))
            yield Input(id="reason", placeholder="e.g. the committee asked for changes")
            yield Static("", classes="problem")
            with Horizontal(classes="buttons"):
                yield Button("Cancel (Esc)", id="cancel")
                yield Button("OK (Enter)", id="ok", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def action_submit(self) -> None:
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
        intro = Text("This review cannot be marked final as it stands:\n", style="bold")
        for reason in self.reasons:
            intro.append(f"  • {shown(reason)}\n", style="")
        intro.append(
            "\nA reviewer other than the preparer"
            + (f" ({shown(self.preparer)})" if self.preparer else "")
            + " may override, with a written rationale. Both are recorded in the audit trail "
            "and the memo's sign-off block.",
            style="",
        )
        with Vertical():
            yield Static(intro)
            yield Static(Text("Reviewer (your name):", style="bold"))
            yield Input(id="reviewer", placeholder="the second person signing off")
            yield Static(Text("Rationale:", style="bold"))
            yield TextArea(id="rationale", soft_wrap=True, tab_behavior="focus")
            yield Static("", classes="problem")
            with Horizontal(classes="buttons"):
                yield Button("Cancel (Esc)", id="cancel")
                yield Button("Override and mark final (ctrl+s)", id="ok", variant="error")

    def on_mount(self) -> None:
        self.query_one("#reviewer", Input).focus()

    @on(Input.Submitted, "#reviewer")
    def _next(self) -> None:
        self.query_one("#rationale", TextArea).focus()

    def action_submit(self) -> None:
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
