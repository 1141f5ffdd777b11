"""A section change or a provider switch lays the screen out once or twice, not three or
four times.

Every layout pass re-arranges and repaints the whole questions screen (30-50 ms of CPU on a
diligence section), so each extra one counts against the 100 ms a section change may take.
The first showing of a section may need a second, small one. The passes that used to follow
came from: every widget of a section shown for the first time recording its first size as a
change needing another layout (``widgets/sizing.py``), Textual repainting the whole screen when
the focus moves, a vertical scrollbar appearing in the questions pane, a section intro above
the pane changing its height, the help panel's scrollbar and content height, provider tabs
relabelled, and input fields showing or hiding a zero-width scrollbar when re-filled for
another provider.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets._tabs import Underline

from ddwizard.tui.factory import make_app
from ddwizard.tui.screens.questions import QuestionsScreen
from ddwizard.tui.services import Services
from ddwizard.tui.widgets.provider_tab import ProviderTab

from .conftest import demo_session, settle, sync

WIDE = (140, 45)


def all_built(app: Any, mode: str) -> bool:
    screen = app.screen
    return (
        isinstance(screen, QuestionsScreen)
        and screen.mode == mode
        and len(screen._views) == len(screen.questionnaire.sections)
    )


async def quiet(pilot: Any) -> None:
    """Until nothing waits to be laid out or painted (three checks in a row)."""
    calm = 0
    for _ in range(200):
        await pilot.pause(0.02)
        screen = pilot.app.screen
        busy = screen._layout_required or screen._dirty_widgets or screen._repaint_required
        calm = 0 if busy else calm + 1
        if calm >= 3:
            return


async def mandate_built(pilot: Any) -> QuestionsScreen:
    """The mandate screen once every section is built and nothing is left to do."""
    app = pilot.app
    assert await settle(pilot, lambda: all_built(app, "mandate"), seconds=20)
    screen = app.screen
    assert isinstance(screen, QuestionsScreen)
    assert await settle(pilot, lambda: screen._warming is None, seconds=5)
    await quiet(pilot)
    return screen


async def layout_passes(pilot: Any, key: str) -> int:
    screen = pilot.app.screen
    passes = 0
    original = screen._refresh_layout

    def counted(*args: Any, **kwargs: Any) -> None:
        nonlocal passes
        passes += 1
        original(*args, **kwargs)

    screen._refresh_layout = counted
    try:
        await pilot.press(key)
        await quiet(pilot)
    finally:
        del screen._refresh_layout
    return passes


@sync
async def test_section_changes_and_provider_switches_lay_out_at_most_twice(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEXTUAL_ANIMATIONS", raising=False)  # the user's choice wins
    app = make_app(services, handle=demo_session(services, "Layout passes"))
    async with app.run_test(size=WIDE) as pilot:
        screen = await mandate_built(pilot)
        mandate_first = screen.section_id
        assert await layout_passes(pilot, "pagedown") <= 2  # first showing
        assert screen.section_id != mandate_first
        assert await layout_passes(pilot, "pageup") == 1  # shown before
        assert screen.section_id == mandate_first

        await pilot.press("f5")
        assert await settle(pilot, lambda: all_built(app, "diligence"), seconds=20)
        await quiet(pilot)
        diligence = app.screen
        assert isinstance(diligence, QuestionsScreen)
        section, provider = diligence.section_id, diligence.provider
        assert await layout_passes(pilot, "pagedown") <= 2
        assert diligence.section_id != section
        diligence.action_next_provider()
        await pilot.pause(0.05)
        # nothing slides after a switch (an animated underline repaints every frame)
        underline = diligence.query_one(Underline)
        assert not app.animator.is_being_animated(underline, "highlight_start")
        await quiet(pilot)
        provider = diligence.provider
        assert await layout_passes(pilot, "ctrl+o") == 1  # re-filled forms: one pass
        assert diligence.provider != provider
        tabs = {t.id: str(t.label) for t in diligence.query(ProviderTab)}
        assert tabs[f"p-{diligence.provider}"].startswith("▸")
        assert not tabs[f"p-{provider}"].startswith("▸")
        # the underline is under the new tab at once, not one repaint later
        diligence.action_next_provider()
        active = diligence.query_one(f"#p-{diligence.provider}", ProviderTab)
        span = active.virtual_region.shrink(active.styles.gutter).column_span
        assert span[1] > span[0]
        assert (underline.highlight_start, underline.highlight_end) == span


@sync
async def test_moving_the_focus_does_not_repaint_the_whole_screen(services: Services) -> None:
    app = make_app(services, handle=demo_session(services, "Focus repaint"))
    async with app.run_test(size=WIDE) as pilot:
        screen = await mandate_built(pilot)
        target = next(w for w in screen._fields[1].focusables())
        screen.set_focus(target)
        assert app.focused is target
        # Textual's default marks the whole screen for repainting on every focus change
        assert not screen._repaint_required


@sync
async def test_sections_are_laid_out_out_of_sight_before_they_are_first_shown(
    services: Services,
) -> None:
    app = make_app(services, handle=demo_session(services, "Warm sections"))
    async with app.run_test(size=WIDE) as pilot:
        screen = await mandate_built(pilot)
        hidden = [v for v in screen._views.values() if v is not screen._view]
        assert hidden
        for view in hidden:  # put back as built: hidden, in the flow, focusable when shown
            assert not view.display and not view.warming
            inline = view.styles.inline
            assert not any(inline.has_rule(r) for r in ("position", "offset", "width", "height"))
        # The next section was already laid out: showing it gives its fields no new size.
        upcoming = screen._views[screen._navigable()[1]]
        before = {f.question.id: f._size for f in upcoming.fields if f.display}
        assert before and all(before.values())
        await pilot.press("pagedown")
        await quiet(pilot)
        assert screen._view is upcoming
        assert {f.question.id: f._size for f in upcoming.fields if f.display} == before

        # While laid out out of sight, a section is below the screen and out of the focus
        # chain; it is hidden again afterwards.
        other = next(v for v in screen._views.values() if v is not screen._view)
        screen._warm(other)
        other.display = True
        assert await settle(pilot, lambda: bool(other.size), seconds=5)
        assert other.region.y >= app.size.height
        chain = screen.focus_chain
        assert chain and not any(other in w.ancestors for w in chain)
        await pilot.press("tab", "tab", "tab")
        assert app.focused is not None and other not in app.focused.ancestors
        screen._end_warming()
        await quiet(pilot)
        assert not other.display and not other.styles.inline.has_rule("position")
