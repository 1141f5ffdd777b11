"""One question on screen: prompt, the input that fits its type, inline problem, note.

A field never saves by itself: it validates what is typed (``value_problem`` and the free-text
rules of ``core/text.py``) and hands a valid value to its ``FieldSaver`` (the screen), which
writes it through the session handle. Typed text is saved after a short pause, on Enter, on
leaving the field and on ``flush()``, so one answer is one audit event rather than one per
keystroke. Moving on is asked for with a message (``QuestionField.Advance``): the screen
decides what comes next.

How each answer type is shown, read back and re-shown is declared once, in ``VALUE_KINDS``.
A field can be re-loaded with another answer (``load``), so a screen builds a section's form
once and reuses it for every provider.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, TypeVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.events import DescendantBlur
from textual.geometry import Size
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Input, Select, SelectionList, Static
from textual.widgets._select import SelectCurrent, SelectOverlay

from ddwizard.core.answers import EVIDENCE_LABELS, Answer, document_date_problem
from ddwizard.core.questionnaire import (
    CRITERIA,
    CRITERION_LABELS,
    DEFAULT_WEIGHTS,
    AnswerType,
    Question,
    coerce_value,
    value_problem,
)
from ddwizard.core.text import MAX_NOTE_LENGTH, MAX_REFERENCE_LENGTH, free_text_problem
from ddwizard.tui.display import shown, shown_line
from ddwizard.tui.widgets.inputs import (
    EvidencePicker,
    OrderedInput,
    TickList,
    YesNoChoice,
    follow_focus,
)
from ddwizard.tui.widgets.sizing import FormRow, FormText, SizedInPlace

PartT = TypeVar("PartT", bound=Widget)

SAVE_DELAY = 0.6
"""Seconds of typing pause after which a text answer is saved."""
HOW_TO_ANSWER_YN = "choose with ← → and space, or press y, n or u"
EVIDENCE_KEYS = {"d": "seen_doc", "c": "provider_claim", "s": "public_source", "n": "none"}
"""Letters that pick the evidence directly: document, claim, source, none."""
NOTE_WAITS = "the note is saved with the answer: answer the question to keep it"


def field_id(question_id: str) -> str:
    """A widget id for a question id (widget ids cannot contain dots)."""
    return "q-" + question_id.replace(".", "--")


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


# --- answer types: one row each (widget, how a saved value is re-shown) ------------------------


def _compose_yn(q: Question, value: Any, read_only: bool) -> ComposeResult:
    yield YesNoChoice(
        value if isinstance(value, str) else None, classes="value yn", disabled=read_only
    )


def _show_yn(widget: Widget, q: Question, value: Any) -> None:
    assert isinstance(widget, YesNoChoice)
    widget.show_value(value if isinstance(value, str) else None)


class FormSelectCurrent(SizedInPlace, SelectCurrent):
    """A drop-down's current value: its label and arrow drawn by this one widget.

    Textual 8.2.8 composes it of a label and two arrows (one hidden), three more widgets to
    lay out, restyle on focus and paint for every choice question on every section change.
    Here they are one line of text (wrapped when the label is longer than the field).
    """

    ARROW_GAP = 2
    """Columns kept for the arrow at the end of the first line."""

    def compose(self) -> ComposeResult:
        return iter(())

    def update(self, label: Any) -> None:
        self.label = label
        self.has_value = label is not Select.NULL
        width, height = self.content_size
        # A layout pass only when the label takes another number of lines.
        self.refresh(layout=not width or len(self._lines(width)) != height)

    def _lines(self, width: int) -> list[Text]:
        label = self.label
        if isinstance(label, Text):
            text = label.copy()
        elif isinstance(label, str):
            text = Text(label)
        else:  # nothing chosen (the blank entry)
            text = Text(self.placeholder, style="dim")
        inner = max(1, width - self.ARROW_GAP)
        return list(text.wrap(self.app.console, inner, overflow="fold")) or [Text()]

    def render(self) -> Text:
        width = self.content_size.width
        select = self.parent
        expanded = isinstance(select, Select) and select.expanded
        lines = self._lines(width)
        first = lines[0]
        first.pad_right(max(0, width - self.ARROW_GAP - first.cell_len))
        first.append(" " + ("▲" if expanded else "▼"), style="dim")
        return Text("\n").join(lines)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width)) if width else 0


class ChoiceSelect(SizedInPlace, Select[str]):
    """A ``Select`` that tolerates being set up while its children are gone.

    Sections are composed off-screen and conditional questions come and go; under load a
    Select can receive its Mount (or a value) after its overlay was already removed, and
    Textual 8.2.8 then raises ``NoMatches`` from inside the Select, which ends the app.
    There is nothing to show in that case, so nothing is done.
    """

    async def _on_key(self, event: events.Key) -> None:
        follow_focus(self, event)  # keys of a burst that moved the focus on

    def compose(self) -> ComposeResult:
        # as Textual 8.2.8's Select composes, with the current value sized in place
        yield FormSelectCurrent(self.prompt)
        yield SelectOverlay(type_to_search=self._type_to_search).data_bind(compact=Select.compact)

    def _setup_options_renderables(self) -> None:
        with contextlib.suppress(NoMatches):
            super()._setup_options_renderables()

    def _watch_value(self, value: Any) -> None:
        with contextlib.suppress(NoMatches):
            super()._watch_value(value)

    def _watch_expanded(self, expanded: bool) -> None:
        with contextlib.suppress(NoMatches):
            super()._watch_expanded(expanded)
            self.query_one(FormSelectCurrent).refresh()  # its arrow points the other way


def _compose_single(q: Question, value: Any, read_only: bool) -> ComposeResult:
    yield ChoiceSelect(
        [(Text(shown_line(c.label)), c.id) for c in q.choices],
        value=value if value in q.choice_ids else Select.NULL,
        prompt="Choose… (enter opens the list)",
        compact=True,
        classes="value single",
        disabled=read_only,
    )


def _show_single(widget: Widget, q: Question, value: Any) -> None:
    assert isinstance(widget, Select)
    with widget.prevent(Select.Changed):
        widget.value = value if value in q.choice_ids else Select.NULL


EMPTY_CHOICE = "-empty-"
"""The tick-list entry that records an empty answer (``Question.empty_label``)."""


def _compose_multi(q: Question, value: Any, read_only: bool) -> ComposeResult:
    chosen = set(value or ())
    options = [(Text(shown_line(c.label)), c.id, c.id in chosen) for c in q.choices]
    if q.empty_label is not None:
        label = Text(shown_line(q.empty_label), style="italic")
        options.append((label, EMPTY_CHOICE, value == []))
    yield TickList(*options, compact=True, classes="value multi", disabled=read_only)


def _show_multi(widget: Widget, q: Question, value: Any) -> None:
    assert isinstance(widget, TickList)
    chosen = set(value or ())
    if value == [] and q.empty_label is not None:
        chosen = {EMPTY_CHOICE}
    with widget.prevent(SelectionList.SelectedChanged, SelectionList.SelectionToggled):
        widget.deselect_all()
        for choice in (*q.choice_ids, EMPTY_CHOICE):
            if choice in chosen:
                widget.select(choice)


def _compose_weights(q: Question, value: Any, read_only: bool) -> ComposeResult:
    with FormRow(classes="weights-row"):
        yield Button("Edit weights (F3)", classes="value weights", compact=True, disabled=read_only)
        yield FormText(weights_summary(value), classes="weights-summary")


def _show_weights(widget: Widget, q: Question, value: Any) -> None:
    parent = widget.parent
    if parent is not None:
        parent.query_one(".weights-summary", Static).update(weights_summary(value))


def _compose_typed(q: Question, value: Any, read_only: bool) -> ComposeResult:
    field = OrderedInput(
        value="" if value is None else display_value(value),
        placeholder=_placeholder(q),
        compact=True,
        classes=f"value {q.type.value}",
        disabled=read_only,
    )
    if not q.unit:
        yield field  # no row around it: fewer widgets to lay out on every section change
        return
    with FormRow(classes="input-row"):
        yield field
        yield FormText(Text(shown_line(q.unit), style="dim"), classes="unit")


def _show_typed(widget: Widget, q: Question, value: Any) -> None:
    assert isinstance(widget, OrderedInput)
    widget.show_text("" if value is None else display_value(value))


@dataclass(frozen=True)
class ValueKind:
    """How one answer type is put on screen and re-shown from a saved value."""

    compose: Callable[[Question, Any, bool], ComposeResult]
    show: Callable[[Widget, Question, Any], None]
    typed: bool = False
    """Typed as text (saved after a pause, checked as typed)."""


VALUE_KINDS: Mapping[AnswerType, ValueKind] = {
    AnswerType.YN: ValueKind(_compose_yn, _show_yn),
    AnswerType.SINGLE: ValueKind(_compose_single, _show_single),
    AnswerType.MULTI: ValueKind(_compose_multi, _show_multi),
    AnswerType.WEIGHTS: ValueKind(_compose_weights, _show_weights),
    AnswerType.NUMBER: ValueKind(_compose_typed, _show_typed, typed=True),
    AnswerType.TEXT: ValueKind(_compose_typed, _show_typed, typed=True),
    AnswerType.DATE: ValueKind(_compose_typed, _show_typed, typed=True),
}


class QuestionField(SizedInPlace, Vertical):
    """Prompt, value widget, inline problem, and the note (plus evidence for diligence)."""

    DEFAULT_CSS = """
    QuestionField { height: auto; margin: 0 0 1 0; padding: 0 1; }
    QuestionField .problem.-hint { color: $text-warning; text-style: none; }
    """

    class Advance(Message):
        """Move on from this question (the screen decides where to)."""

        def __init__(self, field: QuestionField, *, answered: bool, queued: bool) -> None:
            super().__init__()
            self.field = field
            self.answered = answered
            """A choice was just made (a diligence question then offers its evidence)."""
            self.queued = queued
            """Wait until the focus settles (a Select gives itself the focus back first)."""

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
        self.kind = VALUE_KINDS[question.type]
        self._save_timers: dict[str, Timer] = {}
        self._pending: dict[str, str] = {}
        self._parts: dict[str, Widget] = {}

    # --- composition -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        q = self.question
        yield FormText(self._prompt(), classes="prompt")
        yield from self.kind.compose(q, self._current(), self.read_only)
        problem = FormText("", classes="problem")
        problem.display = False
        yield problem
        answer = self.answer
        if self.diligence:
            # Evidence is recorded with an answer: shown once the question is answered.
            with FormRow(classes="extras") as extras:
                extras.display = answer is not None
                yield EvidencePicker(
                    EVIDENCE_LABELS,
                    answer.evidence if answer else None,
                    letters=EVIDENCE_KEYS,
                    classes="evidence",
                    disabled=self.read_only,
                )
                yield OrderedInput(
                    value=_date_text(answer),
                    placeholder="event date YYYY-MM-DD"
                    if q.date_kind == "event"
                    else "doc date YYYY-MM-DD",
                    compact=True,
                    classes="docdate",
                    disabled=self.read_only,
                )
            reference = OrderedInput(
                value=(answer.reference or "") if answer else "",
                placeholder="document reference",
                compact=True,
                classes="reference",
                disabled=self.read_only,
            )
            reference.display = answer is not None
            yield reference
        yield OrderedInput(
            value=(answer.note or "") if answer else "",
            placeholder="note (optional)",
            compact=True,
            classes="note",
            disabled=self.read_only,
        )

    def _prompt(self) -> Text:
        q = self.question
        prompt = Text(shown(q.prompt), style="bold")
        if q.required:
            prompt.append(" *", style="bold red")
        prompt.append(f"  {q.id}", style="dim")
        if self.answer is not None and self.answer.needs_reconfirmation:
            prompt.append("\nThe question changed since this answer: ", style="bold magenta")
            prompt.append("ctrl+y keeps the answer, or change it.", style="magenta")
        return prompt

    @property
    def value_widget(self) -> Widget:
        return self._part(".value", Widget)

    def focus_value(self, attempts: int = 5) -> None:
        """Focus the answer and bring the whole question into view (no scroll animation)."""
        self._focus(".value", attempts)

    def focus_evidence(self) -> None:
        self._focus(".evidence", 5)

    def _focus(self, selector: str, attempts: int) -> None:
        try:
            if not self.is_attached:
                raise NoMatches
            widget = self.query_one(selector)
        except NoMatches:
            if attempts > 0:  # not mounted or composed yet: try again after the next refresh
                self.app.call_after_refresh(self._focus, selector, attempts - 1)
            return
        if widget.focusable:
            # At once, not queued behind other messages (Widget.focus waits a turn).
            self.screen.set_focus(widget, scroll_visible=False)
            self.call_after_refresh(self.scroll_visible, animate=False)

    def load(self, answer: Answer | None) -> None:
        """Show ``answer`` (another provider's, or changed elsewhere) without saving anything."""
        for what in list(self._pending):
            self._cancel(what)
        self.answer = answer
        if not self.is_mounted:
            return  # composed from self.answer when it mounts
        prompt = self._prompt()
        label = self._part(".prompt", Static)
        if label.content != prompt:  # only a re-confirmation notice changes it
            label.update(prompt)
        self.kind.show(self.value_widget, self.question, self._current())
        if self.diligence:
            self._part(".evidence", EvidencePicker).show_value(answer.evidence if answer else None)
            self._set_text(".docdate", _date_text(answer))
            self._set_text(".reference", (answer.reference or "") if answer else "")
        self._set_text(".note", (answer.note or "") if answer else "")
        self._show_extras()
        self.show_problem(None)

    def _set_text(self, selector: str, text: str) -> None:
        self._part(selector, OrderedInput).show_text(text)

    def _part(self, selector: str, kind: type[PartT]) -> PartT:
        """One of this question's widgets (composed once, looked up once)."""
        widget = self._parts.get(selector)
        if widget is None:
            widget = self._parts[selector] = self.query_one(selector, kind)
        assert isinstance(widget, kind)
        return widget

    # --- value events --------------------------------------------------------------------

    def _current(self) -> Any:
        return None if self.answer is None else self.answer.value

    @property
    def needs_reconfirmation(self) -> bool:
        return self.answer is not None and self.answer.needs_reconfirmation

    def _save(self, value: Any) -> bool:
        """Save ``value`` unless it is the saved answer; whether anything was saved."""
        if value == self._current() and not self.needs_reconfirmation:
            return False
        return self.saver.save_value(self, value)

    def _move_on(self, *, answered: bool, queued: bool = False) -> None:
        self.post_message(self.Advance(self, answered=answered, queued=queued))

    @on(YesNoChoice.Changed, ".value")
    def _yn_changed(self, event: YesNoChoice.Changed) -> None:
        event.stop()
        if event.value == self._current() and not self.needs_reconfirmation:
            return  # shown, not chosen
        if self._save(event.value):
            if self._chosen_here():
                self._move_on(answered=True)
        elif event.value != self._current():
            # Not saved (a final review refuses edits): show what is saved, not the choice.
            _show_yn(event.choice, self.question, self._current())

    @on(YesNoChoice.Keep)
    def _yn_kept(self, event: YesNoChoice.Keep) -> None:
        event.stop()
        if self.needs_reconfirmation:
            self._save(self._current())
        self._move_on(answered=False)

    @on(YesNoChoice.NeedsChoice)
    def _yn_needs_choice(self, event: YesNoChoice.NeedsChoice) -> None:
        event.stop()
        self.show_hint(HOW_TO_ANSWER_YN)

    def _chosen_here(self) -> bool:
        widget = self.value_widget
        return widget.has_focus or widget.has_focus_within

    @on(Select.Changed, ".value")
    def _single_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value == self._current():
            # The same option chosen again sends nothing; ctrl+y keeps a flagged answer.
            return
        if event.value == Select.NULL:
            if self.answer is not None:
                self.saver.clear_value(self)
            return
        if self._save(event.value) and self._chosen_here():
            self._move_on(answered=True, queued=True)

    @on(SelectionList.SelectedChanged, ".value")
    def _multi_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
        ticked = set(event.selection_list.selected)
        chosen = [c for c in self.question.choice_ids if c in ticked]
        if EMPTY_CHOICE in ticked:
            # "None of these" and a choice exclude each other: the one just ticked wins.
            if chosen and self._current() == []:
                ticked.discard(EMPTY_CHOICE)
            else:
                chosen = []
            _show_multi(self.value_widget, self.question, chosen if chosen else [])
            self._save(chosen)
        elif chosen:
            self._save(chosen)
        elif self.answer is not None:
            self.saver.clear_value(self)
            if self.note_text().strip():
                self.show_hint(NOTE_WAITS)

    @on(TickList.Done)
    def _multi_done(self, event: TickList.Done) -> None:
        event.stop()
        self._move_on(answered=False)

    @on(Button.Pressed, ".weights")
    def _open_weights(self, event: Button.Pressed) -> None:
        event.stop()
        self.app.call_later(self.app.run_action, "go('weights')")

    @on(Input.Changed, ".value")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._check_typed(event.value)
        saved = "" if self._current() is None else display_value(self._current())
        if event.value == saved:
            # The text the input was built with, or typing undone: nothing to save, and a
            # flagged answer stays flagged (ctrl+y keeps it).
            self._cancel("value")
            return
        self._schedule("value", event.value)

    @on(Input.Submitted, ".value")
    def _typed_enter(self, event: Input.Submitted) -> None:
        event.stop()
        self.flush()
        if not self._problem_text():
            self._move_on(answered=False)

    def _typed_problem(self, raw: str) -> str | None:
        if not raw.strip():
            return "this answer is required" if self.question.required else None
        if self.question.type == AnswerType.TEXT:
            problem = free_text_problem(raw, max_len=self.question.max_length)
            if problem:
                return problem
        return value_problem(self.question, raw)

    def _check_typed(self, raw: str) -> str | None:
        problem = self._typed_problem(raw)
        self.show_problem(problem)
        return problem

    def _commit_typed(self, raw: str) -> None:
        if not raw.strip():
            if self.answer is not None:
                self.saver.clear_value(self)
            return
        if self._typed_problem(raw):
            return
        self._save(coerce_value(self.question, raw))

    # --- note and evidence ---------------------------------------------------------------

    @on(Input.Changed, ".note")
    def _note_typed(self, event: Input.Changed) -> None:
        event.stop()
        problem = free_text_problem(event.value, max_len=MAX_NOTE_LENGTH, multiline=True)
        self.show_problem(f"note: {problem}" if problem else None)
        if not problem:
            self._schedule("note", event.value)

    @on(Input.Submitted, ".note")
    def _note_enter(self, event: Input.Submitted) -> None:
        event.stop()
        self.flush()
        self._move_on(answered=False)

    @on(EvidencePicker.Changed, ".evidence")
    def _evidence_changed(self, event: EvidencePicker.Changed) -> None:
        event.stop()
        current = self.answer.evidence if self.answer else None
        if event.value != current:
            self.saver.save_extras(self)

    @on(EvidencePicker.Done)
    def _evidence_done(self, event: EvidencePicker.Done) -> None:
        event.stop()
        self.screen.focus_next()

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
        problem = free_text_problem(event.value, max_len=MAX_REFERENCE_LENGTH)
        self.show_problem(f"reference: {problem}" if problem else None)
        saved = (self.answer.reference or "") if self.answer else ""
        if not problem and event.value.strip() != saved:
            self._schedule("extras", event.value)

    @on(Input.Submitted, ".docdate,.reference")
    def _extras_enter(self, event: Input.Submitted) -> None:
        event.stop()
        self.flush()
        self.screen.focus_next()

    def extras(self) -> dict[str, Any] | None:
        """Evidence, document date and reference as typed; None if one of them is not valid."""
        if not self.diligence:
            return None
        evidence = self._part(".evidence", EvidencePicker).value
        raw_date = self._part(".docdate", Input).value.strip()
        reference = self._part(".reference", Input).value.strip()
        doc_date, problem = parse_document_date(raw_date, self.saver.today())
        if problem or free_text_problem(reference, max_len=MAX_REFERENCE_LENGTH):
            return None
        return {
            "evidence": evidence,
            "document_date": doc_date,
            "reference": reference or None,
        }

    def note_text(self) -> str:
        """The note as typed, if it may be saved ('' otherwise)."""
        note = self._part(".note", Input).value
        if free_text_problem(note, max_len=MAX_NOTE_LENGTH, multiline=True):
            return ""
        return note

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
        label = self._part(".problem", Static)
        return "" if label.has_class("-hint") else str(label.content)

    def show_problem(self, problem: str | None) -> None:
        label = self._part(".problem", Static)
        if not problem and not label.display and not self.has_class("-invalid"):
            return  # nothing shown and nothing to show
        label.update(Text(shown(problem or ""), style="bold red"))
        label.display = bool(problem)
        label.remove_class("-hint")
        self.set_class(bool(problem), "-invalid")

    def show_hint(self, hint: str) -> None:
        """How to answer (not a problem with what was typed)."""
        label = self._part(".problem", Static)
        label.update(Text(hint))
        label.display = True
        label.add_class("-hint")
        self.remove_class("-invalid")

    def _show_extras(self) -> None:
        if self.diligence:
            answered = self.answer is not None
            for selector in (".extras", ".reference"):
                widget = self._part(selector, Widget)
                if widget.display != answered:
                    widget.display = answered

    def refresh_answer(self, answer: Answer | None) -> None:
        """Take the saved answer (after a save, or when a weights edit lands)."""
        self.answer = answer
        self._show_extras()
        if self.question.type == AnswerType.WEIGHTS:
            _show_weights(self.value_widget, self.question, answer.value if answer else None)
        if answer is not None:
            # What was wrong or missing before it was answered no longer is.
            self.show_problem(self._remaining_problem())

    def _remaining_problem(self) -> str | None:
        if self.kind.typed:
            problem = self._typed_problem(self._part(".value", Input).value)
            if problem:
                return problem
        if self.diligence:
            raw = self._part(".docdate", Input).value.strip()
            return parse_document_date(raw, self.saver.today())[1]
        return None

    def focusables(self) -> Iterator[Widget]:
        yield from (w for w in self.query("*") if w.focusable)


def weights_summary(value: Any) -> Text:
    weights = value if isinstance(value, dict) else DEFAULT_WEIGHTS
    text = Text(" · ".join(f"{CRITERION_LABELS[c]} {weights.get(c, 0)}" for c in CRITERIA))
    if not isinstance(value, dict):
        text.append("  (default)", style="dim")
    return text


def display_value(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _date_text(answer: Answer | None) -> str:
    return answer.document_date.isoformat() if answer and answer.document_date else ""


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
