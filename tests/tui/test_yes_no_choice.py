"""The one-widget yes / no / unknown control: what each key does and how a state is drawn."""

from __future__ import annotations

from tests.tui.conftest import sync
from textual.app import App, ComposeResult
from textual.message import Message

from ddwizard.tui.widgets.inputs import YesNoChoice


class Host(App[None]):
    def __init__(self, value: str | None) -> None:
        super().__init__()
        self.value = value
        self.seen: list[str] = []

    def compose(self) -> ComposeResult:
        yield YesNoChoice(self.value)

    def on_yes_no_choice_changed(self, event: YesNoChoice.Changed) -> None:
        self.seen.append(f"changed:{event.value}")

    def on_yes_no_choice_keep(self, event: Message) -> None:
        self.seen.append("keep")

    def on_yes_no_choice_needs_choice(self, event: Message) -> None:
        self.seen.append("needs-choice")


@sync
async def test_enter_never_answers_and_keys_choose() -> None:
    app = Host(None)
    async with app.run_test() as pilot:
        choice = app.query_one(YesNoChoice)
        choice.focus()
        await pilot.press("enter")  # nothing pointed at: only how to answer
        await pilot.pause()
        assert app.seen == ["needs-choice"] and choice.value is None
        await pilot.press("right", "space")
        await pilot.press("u")
        await pilot.press("u")  # the saved answer again: kept, not re-chosen
        await pilot.press("left", "enter")  # pointed at: chosen
        await pilot.pause()
        assert app.seen == ["needs-choice", "changed:no", "changed:unknown", "keep", "changed:no"]
        assert str(choice.render()) == "○ Yes  ● No  ○ Unknown"


@sync
async def test_show_value_is_silent_and_drawn_with_symbols() -> None:
    app = Host("yes")
    async with app.run_test() as pilot:
        choice = app.query_one(YesNoChoice)
        assert str(choice.render()) == "● Yes  ○ No  ○ Unknown"
        choice.show_value("unknown")
        choice.focus()
        await pilot.press("enter")  # unpointed Enter on an answered question keeps it
        await pilot.click(YesNoChoice, offset=(8, 0))  # on "○ No"
        await pilot.pause()
        assert app.seen == ["keep", "changed:no"]
        assert str(choice.render()) == "○ Yes  ● No  ○ Unknown"


@sync
async def test_disabled_takes_no_keys() -> None:
    app = Host("no")
    async with app.run_test() as pilot:
        choice = app.query_one(YesNoChoice)
        choice.disabled = True
        await pilot.press("y", "enter")
        await pilot.pause()
        assert app.seen == [] and choice.value == "no"
