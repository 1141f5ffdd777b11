"""Keys pressed faster than the screen settles: quit right after answering, provider tabs.

The keys are handed to the driver back to back, as a fast typist's terminal would deliver
them, so quit can arrive before the answer's own messages have been handled.
"""

from __future__ import annotations

import pytest
from tests.tui.conftest import MANDATE, SIZE, read_session, sync
from textual import events
from textual.widgets import Tabs

from ddwizard.tui.factory import make_app
from ddwizard.tui.screens.questions import QuestionsScreen
from ddwizard.tui.services import Services
from ddwizard.tui.widgets.inputs import YesNoChoice
from ddwizard.tui.widgets.question import QuestionField, field_id


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_quit_right_after_answering_saves_the_answer_and_the_next_position(
    services: Services,
) -> None:
    handle = services.store.create("Quick quit", services.qset, services.catalog)
    path = handle.path
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("pagedown")  # regulatory: yes/no questions
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionsScreen)
        shown = [f for f in screen._fields if f.display and isinstance(f.value_widget, YesNoChoice)]
        first = shown[0]
        following = [f for f in screen._fields if f.display]
        expected_next = following[following.index(first) + 1].question.id
        first.focus_value()
        await pilot.pause()
        assert screen.focused_question == first.question.id
        driver = app._driver
        assert driver is not None
        for key, char in (("y", "y"), ("ctrl+q", "\x11")):
            event = events.Key(key, char)
            event.set_sender(app)
            driver.send_message(event)
        for _ in range(100):
            if handle.closed:
                break
            await pilot.pause(0.01)
    assert handle.closed
    saved = read_session(path)
    assert saved["answers"][first.question.id]["value"] == "yes"
    assert saved["position"]["section"] == "regulatory"
    assert saved["position"]["question"] == expected_next


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_arrow_keys_on_the_provider_tabs_switch_the_provider(services: Services) -> None:
    handle = services.store.create("Tabs", services.qset, services.catalog)
    for qid, value in MANDATE.items():
        handle.set_answer(qid, value)
    handle.set_shortlist(["bitgo", "coinbase-prime"])
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionsScreen) and screen.provider == "bitgo"
        tabs = screen.query_one("#providers", Tabs)
        assert tabs.can_focus
        await pilot.press("shift+tab", "shift+tab")  # back past the question list to the tabs
        await pilot.pause()
        assert app.focused is tabs
        await pilot.press("right")
        await pilot.pause()
        await pilot.pause()
        assert screen.provider == "coinbase-prime"
        assert tabs.active == "p-coinbase-prime"
        assert app.focused is tabs  # still on the tabs: the next arrow goes on
        await pilot.press("right")  # wraps round to the first provider
        await pilot.pause()
        await pilot.pause()
        assert screen.provider == "bitgo"
        # ctrl+o still switches, and a question of the new provider can be answered.
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.pause()
        assert screen.provider == "coinbase-prime"
        target = screen.query_one(f"#{field_id('dd.legal_entity_identified')}", QuestionField)
        target.focus_value()
        await pilot.pause()
        await pilot.press("y")  # "Yes"
        await pilot.pause()
        saved = read_session(handle.path)
        assert saved["diligence"]["coinbase-prime"]["dd.legal_entity_identified"]["value"] == "yes"
        assert "dd.legal_entity_identified" not in saved["diligence"].get("bitgo", {})
