"""A text field re-filled with another provider's saved value (``OrderedInput.show_text``).

Re-filling is showing, not typing: nothing is announced (no save follows), the field looks as
if it had just been built with the value, and one the user is typing in keeps the cursor.
"""

from __future__ import annotations

from tests.tui.conftest import sync
from textual import on
from textual.app import App, ComposeResult
from textual.widgets import Input

from ddwizard.tui.widgets.inputs import OrderedInput

LONG = "Custody agreement, schedule 4, clause 12.3 (segregation of client assets)"


class _TwoFields(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.changes: list[str] = []

    def compose(self) -> ComposeResult:
        yield OrderedInput(id="typing")
        yield OrderedInput(id="other")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.changes.append(event.value)


@sync
async def test_a_field_without_the_focus_is_refilled_as_if_just_built() -> None:
    app = _TwoFields()
    async with app.run_test(size=(40, 6)) as pilot:
        other = app.query_one("#other", OrderedInput)
        app.query_one("#typing", OrderedInput).focus()
        await pilot.pause()
        other.show_text(LONG)
        await pilot.pause()
        assert other.value == LONG
        assert other.cursor_position == len(LONG)  # as a field built with it
        assert other.scroll_x == 0  # its start is what shows
        other.show_text("SOC-2")
        await pilot.pause()
        assert (other.value, other.cursor_position, other.scroll_x) == ("SOC-2", 5, 0)
        assert app.changes == []  # shown, not typed: nothing to save
        assert not other.has_class("-valid") and not other.has_class("-invalid")


@sync
async def test_the_focused_field_keeps_the_cursor_where_the_user_left_it() -> None:
    app = _TwoFields()
    async with app.run_test(size=(40, 6)) as pilot:
        typing = app.query_one("#typing", OrderedInput)
        typing.focus()
        await pilot.press(*"abcdef", "left", "left")
        await pilot.pause()
        app.changes.clear()
        typing.show_text("abcdefgh")
        await pilot.pause()
        assert typing.value == "abcdefgh"
        assert typing.cursor_position == 4  # not moved to the end under the user's hands
        assert app.changes == []
        await pilot.press("x")
        await pilot.pause()
        assert typing.value == "abcdxefgh"
