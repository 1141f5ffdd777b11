"""The drop-down of a choice question (``ChoiceSelect``).

A Select set up after its overlay is gone must not end the app: seen under load, a section
composed off-screen received its Select's Mount after the overlay had been removed, and
Textual raised ``NoMatches`` from inside the Select. Its current value is one widget that
draws the label and the arrow: it must show what the three widgets it replaces showed.
"""

from __future__ import annotations

import pytest
from rich.text import Text
from tests.tui.conftest import sync
from textual.app import App, ComposeResult
from textual.css.query import NoMatches
from textual.widgets import Select
from textual.widgets._select import SelectOverlay

from ddwizard.tui.widgets.question import ChoiceSelect, FormSelectCurrent

OPTIONS = [("Daily", "daily"), ("Monthly", "monthly")]


class _OneSelect(App[None]):
    def __init__(self, select: Select[str]) -> None:
        super().__init__()
        self.select = select

    def compose(self) -> ComposeResult:
        yield self.select


@pytest.mark.parametrize("cls", [Select, ChoiceSelect])
@sync
async def test_setting_up_a_select_without_its_overlay(cls: type[Select[str]]) -> None:
    app = _OneSelect(cls(OPTIONS, compact=True))
    async with app.run_test() as pilot:
        await app.select.query_one(SelectOverlay).remove()
        await pilot.pause()
        if cls is Select:  # the upstream widget fails: the test can tell the difference
            with pytest.raises(NoMatches):
                app.select.set_options(OPTIONS)
        else:
            app.select.set_options(OPTIONS)
            app.select.value = "monthly"
            await pilot.pause()
            assert app.select.value == "monthly"


def _lines(app: App[None]) -> list[str]:
    current = app.screen.query_one(FormSelectCurrent)
    return [strip.text.rstrip() for strip in current.render_lines(current.size.region)]


@sync
async def test_the_current_value_shows_the_prompt_the_choice_and_which_way_the_list_opens() -> None:
    long = "Held by a regulated sub-custodian under a tri-party agreement with the client"
    options = [(Text("Daily"), "daily"), (Text(long), "long")]
    app = _OneSelect(ChoiceSelect(options, prompt="Choose…", compact=True))
    async with app.run_test(size=(60, 20)) as pilot:
        app.select.styles.width = 40
        await pilot.pause()
        width = app.screen.query_one(FormSelectCurrent).content_size.width
        assert width > 30
        assert _lines(app) == ["Choose…".ljust(width - 2) + " ▼"]
        app.select.value = "daily"
        await pilot.pause()
        assert _lines(app) == ["Daily".ljust(width - 2) + " ▼"]
        app.select.value = "long"  # longer than the field: wrapped, nothing cut off
        await pilot.pause()
        lines = _lines(app)
        assert len(lines) == 3 and lines[0].endswith(" ▼")
        assert " ".join(line.removesuffix(" ▼").strip() for line in lines) == long
        app.select.focus()
        await pilot.press("enter")  # the list opens: the arrow points up
        await pilot.pause()
        assert app.select.expanded and _lines(app)[0].endswith(" ▲")
        await pilot.press("escape")
        await pilot.pause()
        assert not app.select.expanded and _lines(app)[0].endswith(" ▼")
