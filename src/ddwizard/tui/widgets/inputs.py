"""The answer widgets, adjusted so the keyboard never reorders, guesses or hides a choice.

- ``OrderedInput``: Textual's Input inserts printable keys in its own key handler but runs its
  editing keys (backspace, arrows, home, end, delete, enter) as bindings, which first travel
  up to the app and back (Textual issue 6605). In a fast burst a backspace then lands after
  letters typed later (``b a backspace c`` became ``bac`` minus the wrong letter). Here every
  key the input binds itself is run inline, in arrival order. Nothing is selected on focus,
  so one stray key after a jump cannot overwrite a saved answer.
- ``YesNoChoice``: yes / no / unknown in one widget. Enter never answers an unanswered
  question with the highlighted first option: it chooses only what the user pointed at
  (arrows), or keeps the saved answer and moves on. ``y``, ``n`` and ``u`` answer directly.
- ``TickList``: a multiple choice where only space (or a click) ticks; Enter moves on.
- Ticked and chosen states are drawn with a symbol, not only a colour.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.validation import ValidationResult
from textual.widget import Widget
from textual.widgets import Input, SelectionList
from textual.widgets.input import Selection

from ddwizard.tui.widgets.sizing import SizedInPlace

TICKED = "✓"
UNTICKED = " "
CHOSEN = "●"
NOT_CHOSEN = "○"


TYPING_KEYS = frozenset(
    {"backspace", "delete", "left", "right", "home", "end", "enter", "tab", "shift+tab"}
)
"""Keys that edit or move between fields: they keep their order with the typed text."""


def forward_if_unfocused(widget: Widget, event: events.Key) -> bool:
    """Send on a key that reached ``widget`` after the focus left it; True if it was sent.

    Textual hands every key of a fast burst to the widget focused when the key is read, so
    in ``tab tab n o t e`` on a choice all six keys queue up at the choice: the tabs still
    move the focus (the app's binding follows it), but the letters were lost there. They go
    on to the widget that has the focus now, in the order they were typed.
    """
    if not (event.is_printable or event.key in TYPING_KEYS):
        return False
    focused = widget.screen.focused
    if focused is None or focused is widget or widget in focused.ancestors:
        return False  # still ours, or bubbling up from a part of it (a drop-down's list)
    event.stop()
    event.prevent_default()
    focused.post_message(events.Key(event.key, event.character))
    return True


def follow_focus(widget: Widget, event: events.Key) -> bool:
    """For a choice widget: send on a key that arrived after the focus left it, and move the
    focus for Tab / shift+Tab at once. True when the key was dealt with."""
    return forward_if_unfocused(widget, event) or tab_at_once(widget, event)


def tab_at_once(widget: Widget, event: events.Key) -> bool:
    """Tab / shift+Tab moves the focus now, not when the key has bubbled up to the app's
    binding after the rest of the burst was already read here: the keys typed after it
    follow it. True when the key was one of them."""
    if event.key not in ("tab", "shift+tab"):
        return False
    event.stop()
    event.prevent_default()
    if event.key == "tab":
        widget.screen.focus_next()
    else:
        widget.screen.focus_previous()
    return True


class OrderedInput(SizedInPlace, Input):
    """An Input that handles its own editing keys in the order they arrive."""

    DEFAULT_CSS = """
    OrderedInput { overflow-x: hidden; }
    """
    """Text longer than the field still scrolls with the cursor; without a (zero-width)
    scrollbar to show or hide, re-filling a field for another provider needs no layout pass."""

    HOLD_AFTER_ENTER = 0.5
    """Seconds keys typed right after Enter wait for the focus to move on."""
    _refilling = False
    """True while ``show_text`` re-fills the input."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)
        self._held: list[events.Key] | None = None

    def show_text(self, text: str) -> None:
        """Show ``text`` (a saved value, another provider's) without announcing a change.

        An input without the focus is re-filled as if it had just been built with ``text``:
        cursor at the end, scrolled to the start. Textual would also place the terminal's
        cursor and scroll to the input's cursor, which looks up where the input is on
        screen; for a section still hidden that lays out the whole screen once more.
        """
        if self.value == text:
            return  # the same text: nothing to repaint
        with self.prevent(Input.Changed):
            if self.has_focus:
                self.value = text
                return
            self._refilling = True
            try:
                self.value = text
                self.selection = Selection.cursor(len(text))
            finally:
                self._refilling = False
            if self.scroll_x:
                self.scroll_x = 0

    def _watch_selection(self, selection: Selection) -> None:
        if not self._refilling:
            super()._watch_selection(selection)

    def validate(self, value: str) -> ValidationResult | None:
        # Answers are checked by the form (``value_problem``), not by Input validators; without
        # validators Textual would still set a -valid class, restyling the input when first
        # re-filled.
        if not self.validators:
            return None
        return super().validate(value)

    async def _on_key(self, event: events.Key) -> None:
        if self._reroute(event) or tab_at_once(self, event):
            return
        if event.is_printable:
            return  # Input's own handler inserts it inline (next in the MRO)
        action = self._inline_action(event.key)
        if action is None:
            return  # not an editing key: travels on to the screen's and app's bindings
        event.stop()
        event.prevent_default()  # the base handlers (and the binding round trip) are skipped
        self._restart_blink()
        await self.run_action(action)
        if event.key == "enter":
            # The answer moves on once Enter is handled: keys typed meanwhile wait for it.
            self._held = []
            self.set_timer(self.HOLD_AFTER_ENTER, self._release)

    def _reroute(self, event: events.Key) -> bool:
        """Keys that reached this input after the focus left it go where the focus is now;
        keys typed right after Enter wait until the focus has moved on."""
        if not (event.is_printable or event.key in TYPING_KEYS):
            return False  # other keys bubble to the bindings, which follow the focus anyway
        if self._held is not None:
            event.stop()
            event.prevent_default()
            self._held.append(event)
            if self.screen.focused is not self:
                self._release()
            return True
        return forward_if_unfocused(self, event)

    def _on_blur(self, event: events.Blur) -> None:
        if self._held is not None:
            self.call_later(self._release)

    def _release(self) -> None:
        held, self._held = self._held, None
        if not held:
            return
        target = self.screen.focused or self
        for key in held:
            target.post_message(events.Key(key.key, key.character))

    def _inline_action(self, key: str) -> str | None:
        for binding in self._bindings.key_to_bindings.get(key, ()):
            if not binding.priority:
                return binding.action
        return None


class TickList(SizedInPlace, SelectionList[str]):
    """Multiple choice: space ticks the highlighted choice, Enter moves on (never ticks)."""

    class Done(Message):
        """Enter: the user is done with this list."""

    async def _on_key(self, event: events.Key) -> None:
        if follow_focus(self, event):
            return
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Done())

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        index = self.scroll_offset.y + y
        if index >= self.option_count:
            return strip
        segments = list(strip)
        if len(segments) < 2:
            return strip
        ticked = self.get_option_at_index(index).value in self._selected
        inner = segments[1]
        segments[1] = Segment(TICKED if ticked else UNTICKED, inner.style, inner.control)
        return Strip(segments, strip.cell_length)


class YesNoChoice(SizedInPlace, Widget, can_focus=True):
    """Yes / No / Unknown in ONE widget: ``● Yes  ○ No  ○ Unknown``.

    One widget instead of a RadioSet and three RadioButtons (four to lay out on every section
    change, on the questions people answer most). The chosen option has ``●``, the others
    ``○``; the option under the cursor is highlighted while focused.

    It never records the highlighted option on its own: ← → (or ↑ ↓) move the cursor, space
    chooses what is under it, and Enter chooses the option the user moved to; on an answered
    question with the cursor on the answer Enter keeps it and moves on; on an unanswered
    question where the user pointed at nothing it only says how to answer. y, n and u choose
    yes, no and unknown directly. Keys are handled right here, inline (answering is the hot
    path).
    """

    DEFAULT_CSS = """
    YesNoChoice { width: auto; height: 1; }
    YesNoChoice:focus { background: $boost; }
    YesNoChoice:disabled { opacity: 0.6; }
    """

    OPTIONS: tuple[tuple[str, str], ...] = (("yes", "Yes"), ("no", "No"), ("unknown", "Unknown"))
    LETTERS: Mapping[str, str] = {"y": "yes", "n": "no", "u": "unknown"}
    GAP = "  "

    class Changed(Message):
        """The user chose ``value`` (not sent by ``show_value``)."""

        def __init__(self, choice: YesNoChoice, value: str) -> None:
            super().__init__()
            self.choice = choice
            self.value = value

        @property
        def control(self) -> YesNoChoice:
            return self.choice

    class Keep(Message):
        """Enter (or the key of the saved answer) on the saved answer: keep it, move on."""

    class NeedsChoice(Message):
        """Enter with nothing chosen and nothing pointed at."""

    def __init__(
        self, value: str | None = None, *, classes: str | None = None, disabled: bool = False
    ) -> None:
        super().__init__(classes=classes, disabled=disabled)
        self.value: str | None = None
        self.cursor = 0
        self._pointed = False
        self.show_value(value)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.OPTIONS)

    def render(self) -> Text:
        text = Text()
        highlight = self.has_focus and not self.disabled
        for index, (name, label) in enumerate(self.OPTIONS):
            if index:
                text.append(self.GAP)
            chosen = name == self.value
            style = "reverse" if highlight and index == self.cursor else ""
            if chosen:
                style = f"bold {style}".strip()
            text.append(f"{CHOSEN if chosen else NOT_CHOSEN} {label}", style=style)
        return text

    def show_value(self, value: str | None) -> None:
        """Show ``value`` as chosen (or nothing) without announcing a change."""
        self.value = value if value in self.names else None
        self.cursor = self.names.index(self.value) if self.value is not None else 0
        self.refresh()

    def _on_focus(self, event: events.Focus) -> None:
        self._pointed = False
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self.refresh()

    async def _on_key(self, event: events.Key) -> None:
        if self.disabled or follow_focus(self, event):
            return
        key = event.key
        step = {"left": -1, "up": -1, "right": 1, "down": 1}.get(key)
        direct = self.LETTERS.get(key)
        if step is None and direct is None and key not in ("enter", "space"):
            return  # travels on to the screen's and app's bindings
        event.stop()
        event.prevent_default()
        if step is not None:
            self._pointed = True
            self.cursor = (self.cursor + step) % len(self.OPTIONS)
            self.refresh()
        elif direct is not None:
            self.choose(direct)
        elif key == "enter" and not self._pointed:
            if self.value is None:
                self.post_message(self.NeedsChoice())
            else:
                self.post_message(self.Keep())
        else:
            self.choose(self.names[self.cursor])

    def choose(self, name: str) -> None:
        """Choose ``name`` as the user would (the saved answer again keeps it)."""
        if name == self.value:
            self.post_message(self.Keep())
            return
        self.value = name
        self.cursor = self.names.index(name)
        self.refresh()
        self.post_message(self.Changed(self, name))

    def on_click(self, event: events.Click) -> None:
        if self.disabled:
            return
        x = event.x
        for index, (name, label) in enumerate(self.OPTIONS):
            width = len(label) + 2
            if 0 <= x < width:
                self.cursor = index
                self.choose(name)
                return
            x -= width + len(self.GAP)


class EvidencePicker(SizedInPlace, Widget, can_focus=True):
    """What an answer rests on, in one line: ``Evidence ◂ document seen ▸``.

    One widget instead of a drop-down (six widgets per diligence question to lay out on every
    section change). ← → step through the kinds; a letter picks one directly; Enter moves on.
    Nothing is chosen until the user does.
    """

    DEFAULT_CSS = """
    EvidencePicker { width: auto; min-width: 22; height: 1; padding: 0 1; }
    EvidencePicker:focus { background: $block-cursor-background; color: $block-cursor-foreground; }
    EvidencePicker:disabled { opacity: 0.6; }
    """

    class Changed(Message):
        def __init__(self, picker: EvidencePicker, value: str | None) -> None:
            super().__init__()
            self.picker = picker
            self.value = value

        @property
        def control(self) -> EvidencePicker:
            return self.picker

    class Done(Message):
        """Enter: move on to the next field."""

    value: reactive[str | None] = reactive(None)

    def __init__(
        self,
        options: Mapping[str, str],
        value: str | None = None,
        *,
        letters: Mapping[str, str] | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(classes=classes, disabled=disabled)
        self.options = dict(options)
        self.letters = dict(letters or {})
        """A key that picks an option directly (``d`` for a document seen)."""
        self.set_reactive(EvidencePicker.value, value)

    def render(self) -> Text:
        text = Text("Evidence ", style="dim")
        if self.value is None:
            text.append("◂ choose ▸", style="italic")
        else:
            text.append(f"◂ {self.options.get(self.value, self.value)} ▸")
        return text

    def watch_value(self, value: str | None) -> None:
        self.post_message(self.Changed(self, value))

    def show_value(self, value: str | None) -> None:
        """Show ``value`` without announcing a change."""
        self.set_reactive(EvidencePicker.value, value)
        self.refresh()

    async def _on_key(self, event: events.Key) -> None:
        if follow_focus(self, event):
            return
        keys = list(self.options)
        key = event.key
        if key in ("left", "right"):
            step = 1 if key == "right" else -1
            if self.value in keys:
                self.value = keys[(keys.index(self.value) + step) % len(keys)]
            else:
                self.value = keys[0] if step > 0 else keys[-1]
        elif key == "enter":
            self.post_message(self.Done())
        elif key in self.letters:
            self.value = self.letters[key]
        else:
            return
        event.stop()
        event.prevent_default()
