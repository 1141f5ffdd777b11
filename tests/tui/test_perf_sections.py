"""Once every section's form is built it is exempt from Python's full garbage collections
(which walk every long-lived object and cost a quarter of a second per key on a built
diligence screen), and released again when its screen goes away."""

from __future__ import annotations

import gc

from ddwizard.tui.factory import make_app
from ddwizard.tui.screens.questions import QuestionsScreen
from ddwizard.tui.services import Services

from .conftest import SIZE, demo_session, sync


@sync
async def test_built_forms_are_frozen_and_unfrozen_when_their_screen_goes(
    services: Services,
) -> None:
    gc.unfreeze()
    app = make_app(services, handle=demo_session(services, "Frozen forms"))
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            assert isinstance(screen, QuestionsScreen)
            for _ in range(300):
                await pilot.pause(0.02)
                if len(screen._views) == len(screen.questionnaire.sections):
                    break
            await pilot.pause(0.2)  # the next build step finds nothing left and freezes
            assert gc.get_freeze_count() > 0
            section = screen.section_id
            await pilot.press("pagedown")
            await pilot.pause()
            assert screen.section_id != section  # still works on the frozen forms
        assert gc.get_freeze_count() == 0  # the screens were unmounted: their forms freed
    finally:
        gc.unfreeze()
