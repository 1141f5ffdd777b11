"""Coming back to the question being worked on gives the focus back to the field that had it.

Leaving the diligence screen from a document reference (F7 to export, F4 to look at the
results) and coming back used to focus the question's answer instead: the next letters typed
for the reference went to the yes/no control, where ``y``, ``n`` or ``u`` change the answer.
"""

from __future__ import annotations

from typing import Any

from ddwizard.tui.factory import make_app
from ddwizard.tui.screens.questions import QuestionsScreen
from ddwizard.tui.services import Services
from ddwizard.tui.widgets.inputs import OrderedInput

from .conftest import demo_session, read_session, settle, sync


def diligence_ready(app: Any) -> bool:
    screen = app.screen
    return (
        isinstance(screen, QuestionsScreen)
        and screen.mode == "diligence"
        and bool(screen._fields)
        and app.focused is not None
    )


@sync
async def test_back_on_the_screen_typing_continues_in_the_same_field(services: Services) -> None:
    handle = demo_session(services, "Focus return")
    app = make_app(services, handle=handle)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f5")
        assert await settle(pilot, lambda: diligence_ready(app))
        screen = app.screen
        assert isinstance(screen, QuestionsScreen)
        field = next(f for f in screen._fields if f.display and f.answer is not None)
        reference = field.query_one(".reference", OrderedInput)
        screen.set_focus(reference)
        await pilot.press(*"ref")
        expected = reference.value
        assert expected.endswith("ref")
        answer_before = field.answer.value if field.answer else None

        for away in ("f7", "f4"):
            await pilot.press(away)
            assert await settle(pilot, lambda: not isinstance(app.screen, QuestionsScreen))
            await pilot.press("f5")
            assert await settle(pilot, lambda: app.focused is reference)
            await pilot.press(*"yn")
            expected += "yn"
            want = expected
            assert await settle(pilot, lambda: reference.value == want)  # noqa: B023

        await pilot.press("f4")  # leaving saves what was typed
        assert await settle(pilot, lambda: not isinstance(app.screen, QuestionsScreen))
    saved = read_session(handle.path)["diligence"][screen.provider][field.question.id]
    assert saved["reference"] == expected
    assert saved["value"] == answer_before  # the letters never reached the answer
