"""One question on screen: prompt, the input that fits its type, inline problem, note.

A field never saves by itself: it validates what is typed (``value_problem``) and hands a
valid value to its ``FieldSaver`` (the screen), which writes it through the session handle.
Typed text is saved after a short pause, on Enter, on leaving the field and on ``flush()``,
so one answer is one audit event rather than one per keystroke.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.events import DescendantBlur, Key
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Input, RadioButton, RadioSet, Select, SelectionList, Static

from ddwizard.core.answers import EVIDENCE_LABELS, Answer, document_date_problem
from ddwizard.core.questionnaire import (
    CRITERIA,
    CRITERION_LABELS,
    DEFAULT_WEIGHTS,
    YN_VALUES,
    AnswerType,
    Question,
    coerce_value,
    value_problem,
)

SAVE_DELAY = 0.6
"""Seconds of typing pause after which a text answer is saved."""
YN_LABELS = {"yes": "Yes", "no": "No", "unknown": "Unknown"}


def field_id(question_id: str) -> str:
    """A widget id for a question id (widget ids cannot contain dots)."""
    return "q-" + question_id.replace(".", "--")


class AnswerRadioSet(RadioSet):
    """Yes / No / Unknown, where Enter and space choose right here.

    A stock RadioSet lets the key travel up through every container to the app's binding
    table before choosing; answering is the hot path, so the choice is made at once.
    """

    async def _on_key(self, event: Key) -> None:
        if event.key in ("enter", "space") and not self.disabled:
            event.stop()
            event.prevent_default()  # the base classes' key handling is skipped
            self.action_toggle_button()


class FieldSaver(Protocol):
    def save_value(self, field: QuestionField, value: Any) -> bool: ...
    def clear_value(self, field: QuestionField) -> None: ...
    def save_note(self, field: QuestionField, note: str) -> None: ...
    def save_extras(self, field: QuestionField) -> None: ...
    def today(self) -> date: ...


def parse_document_date(raw: str, today: date) -> tuple[date | None, str | None]:
    """The typed document date and, if it cannot be saved, why (core rule for future dates)."""
    if not raw:
        return None, None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return None, f"document date: expected YYYY-MM-DD, got {raw!r}"
    return value, document_date_problem(value, today)


class QuestionField(Vertical):
    """Prompt, value widget, inline problem, and the note (plus evidence for diligence)."""

    DEFAULT_CSS = """
    QuestionField { height: auto; margin: 0 0 1 0; padding: 0 1; }
    """

    def __init__(
        self,
        question: Question,
        answer: Answer | None,
        saver: FieldSaver,
        *,
        diligence: bool = False,
        read_only: bool = False,
    ) -> None:
        super().__init__(id=field_id(question.id), classes="question")
        self.question = question
        self.answer = answer
        self.saver = saver
        self.diligence = diligence
        self.read_only = read_only
        self._save_timers: dict[str, Timer] = {}
        self._pending: dict[str, str] = {}

    # --- composition -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        q = self.question
        prompt = Text(q.prompt, style="bold")
        if q.required:
            prompt.append(" *", style="bold red")
        prompt.append(f"  {q.id}", style="dim")
        if self.answer is not None and self.answer.needs_reconfirmation:
            prompt.append("\nThe question changed since this answer: ", style="bold magenta")
            prompt.append("ctrl+y keeps the answer, or change it.", style="magenta")
        yield Static(prompt, classes="prompt")
        yield from self._value_widgets()
        yield Static("", classes="problem")
        if self.diligence:
            answer = self.answer
            with Horizontal(classes="extras"):
                yield Select(
                    [(Text(label), key) for key, label in EVIDENCE_LABELS.items()],
                    value=answer.evidence if answer and answer.evidence else Select.NULL,
                    prompt="Evidence…",
                    compact=True,
                    classes="evidence",
                    disabled=self.read_only,
                )
                yield Input(
                    value=answer.document_date.isoformat()
                    if answer and answer.document_date
                    else "",
                    placeholder="doc date YYYY-MM-DD",
                    compact=True,
                    classes="docdate",
                    disabled=self.read_only,
                )
                yield Input(
                    value=answer.reference or "" if answer else "",
                    placeholder="reference",
                    compact=True,
                    classes="reference",
                    disabled=self.read_only,
                )
        yield Input(
            value=(self.answer.note or "") if self.answer else "",
            placeholder="note (optional)",
            compact=True,
            classes="note",
            disabled=self.read_only,
        )

    def _value_widgets(self) -> ComposeResult:
        q = self.question
        value = self.answer.value if self.answer else None
        ro = self.read_only
        if q.type == AnswerType.YN:
            with AnswerRadioSet(classes="value yn", disabled=ro):
                for key in YN_VALUES:
                    yield RadioButton(YN_LABELS[key], value=value == key, name=key)
        elif q.type == AnswerType.SINGLE:
            yield Select(
                [(Text(c.label), c.id) for c in q.choices],
                value=value if value in q.choice_ids else Select.NULL,
                prompt="Choose…",
                compact=True,
                classes="value single",
                disabled=ro,
            )
        elif q.type == AnswerType.MULTI:
            chosen = set(value or ())
            yield SelectionList[str](
                *[(Text(c.label), c.id, c.id in chosen) for c in q.choices],
                compact=True,
                classes="value multi",
                disabled=ro,
            )
        elif q.type == AnswerType.WEIGHTS:
            with Horizontal(classes="weights-row"):
                yield Button(
                    "Edit weights (F3)", classes="value weights", compact=True, disabled=ro
                )
                yield Static(weights_summary(value), classes="weights-summary")
        else:
            with Horizontal(classes="input-row"):
                yield Input(
                    value="" if value is None else _display(value),
                    placeholder=_placeholder(q),
                    compact=True,
                    classes=f"value {q.type.value}",
                    disabled=ro,
                )
                if q.unit:
                    yield Static(Text(q.unit, style="dim"), classes="unit")

    @property
    def value_widget(self) -> Widget:
        return self.query_one(".value")

    def focus_value(self, attempts: int = 5) -> None:
        """Focus the answer and bring the whole question into view (no scroll animation)."""
        if not self.is_attached:
            return  # replaced by another section meanwhile
        try:
            widget = self.value_widget
        except NoMatches:
            if attempts > 0:  # mounted but not composed yet: try again after the next refresh
                self.call_after_refresh(self.focus_value, attempts - 1)
            return
        if widget.focusable:
            # At once, not queued behind other messages (Widget.focus waits a turn).
            self.screen.set_focus(widget, scroll_visible=False)
            self.call_after_refresh(self.scroll_visible, animate=False)

    # --- value events --------------------------------------------------------------------

    def _current(self) -> Any:
        return None if self.answer is None else self.answer.value

    @property
    def needs_reconfirmation(self) -> bool:
        return self.answer is not None and self.answer.needs_reconfirmation

    def _save(self, value: Any) -> None:
        if value == self._current() and not self.needs_reconfirmation:
            return
        self.saver.save_value(self, value)

    @on(RadioSet.Changed, ".value")
    def _yn_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self._save(event.pressed.name)
        self._advance_if_chosen_by_user(at_once=True)

    def _advance_if_chosen_by_user(self, *, at_once: bool = False) -> None:
        """A choice made with the keyboard moves on to the next question.

        A Select's move is queued on the app, after the focus the Select gives itself back
        when its list closes; a yes/no choice moves on at once.
        """
        widget = self.value_widget
        if (widget.has_focus or widget.has_focus_within) and self.answer is not None:
            if at_once:
                self.advance()
                return
            request = getattr(self.screen, "request_advance", None)
            if callable(request):
                request(self)  # the screen also runs it on flush (quit right after Enter)
            else:
                self.app.call_later(self.advance)

    @on(Select.Changed, ".value")
    def _single_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value == self._current():
            # A Select announces the value it was built with when it mounts; that is not a
            # choice (it must neither re-confirm a flagged answer nor move the focus on). The
            # same option chosen again sends nothing; ctrl+y keeps a flagged answer.
            return
        if event.value == Select.NULL:
            if self.answer is not None:
                self.saver.clear_value(self)
            return
        self._save(event.value)
        self._advance_if_chosen_by_user()

    @on(SelectionList.SelectedChanged, ".value")
    def _multi_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
        chosen = [c for c in self.question.choice_ids if c in event.selection_list.selected]
        if not chosen:
            if self.answer is not None:
                self.saver.clear_value(self)
            return
        self._save(chosen)

    @on(Button.Pressed, ".weights")
    def _open_weights(self, event: Button.Pressed) -> None:
        event.stop()
        self.app.call_later(self.app.run_action, "go('weights')")

    @on(Input.Changed, ".value")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._check_typed(event.value)
        saved = "" if self._current() is None else _display(self._current())
        if event.value == saved:
            # The text the input was built with (it announces it when mounted), or typing
            # undone: nothing to save, and a flagged answer stays flagged (ctrl+y keeps it).
            self._cancel("value")
            return
        self._schedule("value", event.value)

    @on(Input.Submitted, ".value")
    def _typed_enter(self, event: Input.Submitted) -> None:
        event.stop()
        self.flush()
        if not self._problem_text():
            self.advance()

    def _check_typed(self, raw: str) -> str | None:
        problem = None if not raw.strip() else value_problem(self.question, raw)
        if not raw.strip() and self.question.required:
            problem = "this answer is required"
        self.show_problem(problem)
        return problem

    def _commit_typed(self, raw: str) -> None:
        if not raw.strip():
            if self.answer is not None:
                self.saver.clear_value(self)
            return
        if value_problem(self.question, raw):
            return
        self._save(coerce_value(self.question, raw))

    # --- note and evidence ---------------------------------------------------------------

    @on(Input.Changed, ".note")
    def _note_typed(self, event: Input.Changed) -> None:
        event.stop()
        self._schedule("note", event.value)

    @on(Input.Submitted, ".note")
    def _note_enter(self, event: Input.Submitted) -> None:
        event.stop()
        self.flush()
        self.advance()

    def advance(self) -> None:
        """Move to the next shown question's answer (the screen decides what is next)."""
        advance = getattr(self.screen, "advance_from", None)
        if callable(advance):
            advance(self)
        else:
            self.screen.focus_next()

    @on(Select.Changed, ".evidence")
    def _evidence_changed(self, event: Select.Changed) -> None:
        event.stop()
        current = self.answer.evidence if self.answer else None
        new = None if event.value == Select.NULL else event.value
        if new != current:
            self.saver.save_extras(self)

    @on(Input.Changed, ".docdate")
    def _docdate_typed(self, event: Input.Changed) -> None:
        event.stop()
        raw = event.value.strip()
        _, problem = parse_document_date(raw, self.saver.today())
        self.show_problem(problem)
        saved = self.answer.document_date if self.answer else None
        if raw != (saved.isoformat() if saved else ""):
            self._schedule("extras", raw)

    @on(Input.Changed, ".reference")
    def _reference_typed(self, event: Input.Changed) -> None:
        event.stop()
        saved = (self.answer.reference or "") if self.answer else ""
        if event.value.strip() != saved:
            self._schedule("extras", event.value)

    @on(Input.Submitted, ".docdate,.reference")
    def _extras_enter(self, event: Input.Submitted) -> None:
        event.stop()
        self.flush()
        self.screen.focus_next()

    def extras(self) -> dict[str, Any] | None:
        """Evidence, document date and reference as typed; None if the date is not valid."""
        evidence = self.query_one(".evidence", Select).value
        raw_date = self.query_one(".docdate", Input).value.strip()
        reference = self.query_one(".reference", Input).value.strip()
        doc_date, problem = parse_document_date(raw_date, self.saver.today())
        if problem:
            return None
        return {
            "evidence": None if evidence == Select.NULL else evidence,
            "document_date": doc_date,
            "reference": reference or None,
        }

    def note_text(self) -> str:
        return self.query_one(".note", Input).value

    # --- saving typed text ---------------------------------------------------------------

    def _schedule(self, what: str, raw: str) -> None:
        self._pending[what] = raw
        timer = self._save_timers.pop(what, None)
        if timer is not None:
            timer.stop()
        self._save_timers[what] = self.set_timer(SAVE_DELAY, lambda: self._commit(what))

    def _cancel(self, what: str) -> None:
        self._pending.pop(what, None)
        timer = self._save_timers.pop(what, None)
        if timer is not None:
            timer.stop()

    def _commit(self, what: str) -> None:
        self._save_timers.pop(what, None)
        if what not in self._pending:
            return
        raw = self._pending.pop(what)
        if what == "value":
            self._commit_typed(raw)
        elif what == "note":
            current = (self.answer.note or "") if self.answer else ""
            if raw.strip() != current:
                self.saver.save_note(self, raw.strip())
        elif what == "extras":
            self.saver.save_extras(self)

    def flush(self) -> None:
        """Save whatever is still waiting for the typing pause."""
        for what in list(self._pending):
            timer = self._save_timers.pop(what, None)
            if timer is not None:
                timer.stop()
            self._commit(what)

    def on_descendant_blur(self, event: DescendantBlur) -> None:
        self.flush()

    # --- display ---------------------------------------------------------------------

    def _problem_text(self) -> str:
        return str(self.query_one(".problem", Static).content)

    def show_problem(self, problem: str | None) -> None:
        label = self.query_one(".problem", Static)
        label.update(Text(problem or "", style="bold red"))
        label.display = bool(problem)
        self.set_class(bool(problem), "-invalid")

    def refresh_answer(self, answer: Answer | None) -> None:
        """Take the saved answer (after a save, or when a weights edit lands)."""
        self.answer = answer
        if self.question.type == AnswerType.WEIGHTS:
            self.query_one(".weights-summary", Static).update(
                weights_summary(answer.value if answer else None)
            )


def weights_summary(value: Any) -> Text:
    weights = value if isinstance(value, dict) else DEFAULT_WEIGHTS
    text = Text(" · ".join(f"{CRITERION_LABELS[c]} {weights.get(c, 0)}" for c in CRITERIA))
    if not isinstance(value, dict):
        text.append("  (default)", style="dim")
    return text


def _display(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _placeholder(q: Question) -> str:
    if q.type == AnswerType.DATE:
        return "YYYY-MM-DD"
    if q.type == AnswerType.NUMBER:
        if q.min is not None and q.max is not None:
            return f"number {q.min:g} to {q.max:g}"
        if q.min is not None:
            return f"number, at least {q.min:g}"
        if q.max is not None:
            return f"number, at most {q.max:g}"
        return "number"
    return "type your answer"
