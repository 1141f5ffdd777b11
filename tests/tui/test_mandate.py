"""The mandate screen driven by keys through Pilot, checked against the session file on disk."""

from __future__ import annotations

from typing import Any

import pytest
from tests.tui.conftest import SIZE, read_session, settle, sync
from textual.widgets import Input, Select, Static

from ddwizard.tui.factory import make_app
from ddwizard.tui.screens.questions import QuestionsScreen
from ddwizard.tui.services import Services
from ddwizard.tui.widgets.inputs import YesNoChoice
from ddwizard.tui.widgets.question import QuestionField, field_id


def field(app: Any, qid: str) -> QuestionField:
    found: QuestionField = app.screen.query_one(f"#{field_id(qid)}", QuestionField)
    return found


@sync
async def test_new_review_starts_on_first_question_and_saves_the_typed_answer(
    services: Services,
) -> None:
    handle = services.store.create("Review A", services.qset, services.catalog, preparer="P")
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, QuestionsScreen)
        assert app.focused is field(app, "client.entity_name").value_widget
        await pilot.press(*"Acme Fund LP", "enter")
        await pilot.pause()
        saved = read_session(handle.path)
        assert saved["answers"]["client.entity_name"]["value"] == "Acme Fund LP"
        # Enter moves on to the next question's answer, not to the note.
        assert app.focused is field(app, "client.entity_type").value_widget


@sync
async def test_conditional_question_appears_and_disappears(services: Services) -> None:
    handle = services.store.create("Review B", services.qset, services.catalog)
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        sec = field(app, "client.sec_registered_adviser")
        assert not sec.display
        entity = field(app, "client.entity_type").query_one(Select)
        entity.value = "us_adviser_fund"
        await pilot.pause()
        assert sec.display
        assert (
            read_session(handle.path)["answers"]["client.entity_type"]["value"] == "us_adviser_fund"
        )
        entity.value = "bank"
        await pilot.pause()
        assert not sec.display


@sync
async def test_inline_validation_rejects_negative_aum(services: Services) -> None:
    handle = services.store.create("Review C", services.qset, services.catalog)
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        aum = field(app, "client.aum_usd_m")
        aum.focus_value()
        await pilot.press("minus", "5", "enter")
        await pilot.pause()
        problem = aum.query_one(".problem", Static)
        assert problem.display
        assert "at least 0" in str(problem.content)
        assert "client.aum_usd_m" not in read_session(handle.path)["answers"]
        await pilot.press("backspace", "backspace", *"250", "tab")
        assert await settle(pilot, lambda: not problem.display)
        assert read_session(handle.path)["answers"]["client.aum_usd_m"]["value"] == 250


@sync
async def test_every_change_is_saved_at_once(services: Services) -> None:
    handle = services.store.create("Review D", services.qset, services.catalog)
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("pagedown")  # regulatory section
        await pilot.pause()
        qc = field(app, "reg.qualified_custodian")
        assert app.focused is qc.value_widget
        assert isinstance(qc.value_widget, YesNoChoice)
        await pilot.press("enter")  # nothing chosen: Enter only says how to answer
        await pilot.pause()
        assert "reg.qualified_custodian" not in read_session(handle.path)["answers"]
        assert app.focused is qc.value_widget
        assert "press y, n or u" in str(qc.query_one(".problem", Static).content)
        await pilot.press("space")  # the highlighted first button: yes; the choice moves on
        await pilot.pause()
        assert read_session(handle.path)["answers"]["reg.qualified_custodian"]["value"] == "yes"
        assert not qc.query_one(".problem", Static).display
        assert app.focused is not qc.value_widget
        qc.focus_value()
        await pilot.pause()
        await pilot.press("right", "enter")  # no
        await pilot.pause()
        saved = read_session(handle.path)
        assert saved["answers"]["reg.qualified_custodian"]["value"] == "no"
        changes = [e for e in saved["audit"] if e.get("target") == "reg.qualified_custodian"]
        assert [e["new"] for e in changes][-2:] == ["yes", "no"]


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_quit_and_resume_lands_on_the_same_question(services: Services) -> None:
    handle = services.store.create("Review E", services.qset, services.catalog)
    path = handle.path
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("pagedown", "pagedown")  # assets section
        await pilot.pause()
        await pilot.press("tab", "tab")  # second question of the section
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionsScreen)
        section, question = screen.section_id, screen.focused_question
        assert section == "assets"
        assert question is not None and question != "assets.required"
        await pilot.press("ctrl+q")
    assert handle.closed
    reopened = services.store.open(path, services.qset, services.catalog)
    app2 = make_app(services, handle=reopened)
    async with app2.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app2.screen
        assert isinstance(screen, QuestionsScreen)
        assert screen.section_id == section
        assert screen.focused_question == question
        assert app2.focused is field(app2, question).value_widget


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_note_and_name_with_markup_are_shown_literally(services: Services) -> None:
    name = "[link=file:///etc/passwd]y[/link] review"
    handle = services.store.create(name, services.qset, services.catalog)
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        entity = field(app, "client.entity_name")
        await pilot.press(*"[bold]x[/bold]", "tab")  # answer, then the note
        await pilot.pause()
        assert app.focused is entity.query_one(".note", Input)
        await pilot.press(*"[bold]x[/bold] note", "enter")
        await pilot.pause()
        saved = read_session(handle.path)["answers"]["client.entity_name"]
        assert saved == {**saved, "value": "[bold]x[/bold]", "note": "[bold]x[/bold] note"}
        screenshot = app.export_screenshot()
        assert "[link=file:///etc/passwd]y[/link]" in screenshot
        assert "[bold]x[/bold]" in screenshot
        await pilot.press("f9")  # home: the recent sessions table shows the name as typed
        for _ in range(20):  # (names are cut to fit the table: its start is enough)
            await pilot.pause(0.05)
            if "[link=file:///" in app.export_screenshot():
                break
        assert "[link=file:///" in app.export_screenshot()


@sync
async def test_choosing_from_a_list_with_keys_saves_and_moves_on(services: Services) -> None:
    handle = services.store.create("Review F", services.qset, services.catalog)
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        entity = field(app, "client.entity_type")
        entity.focus_value()
        await pilot.pause()
        await pilot.press("enter", "down", "enter")  # open, first choice, choose
        await pilot.pause()
        await pilot.pause()
        saved = read_session(handle.path)["answers"]["client.entity_type"]["value"]
        assert saved == "us_adviser_fund"
        # The revealed question is next, and has the focus.
        assert app.focused is field(app, "client.sec_registered_adviser").value_widget
