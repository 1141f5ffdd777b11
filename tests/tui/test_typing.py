"""What is typed is what is saved, and the keyboard never answers for the user.

Keys are handed to the driver back to back, without waiting in between, as a fast typist's
terminal delivers them: editing keys (backspace, arrows, home) must take effect in the order
they were typed, in every text-like field (text, number, date, note, document date and
reference), and keys typed while a screen is still being built reach its first question.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.tui.conftest import MANDATE, SIZE, read_session, sync
from tests.tui.conftest import settle as wait_for  # this file's settle counts rounds
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static

from ddwizard.core.sessions.store import SessionHandle
from ddwizard.tui.factory import make_app
from ddwizard.tui.screens.questions import QuestionsScreen
from ddwizard.tui.services import Services
from ddwizard.tui.widgets.inputs import CHOSEN, NOT_CHOSEN, TICKED, OrderedInput
from ddwizard.tui.widgets.question import QuestionField, field_id

CHARACTERS = {"backspace": "\x7f", "home": None, "end": None, "left": None, "enter": "\r"}


def burst(app: Any, *keys: str) -> None:
    """Queue ``keys`` on the driver at once, without letting the app run in between."""
    driver = app._driver
    assert driver is not None
    for key in keys:
        char = CHARACTERS.get(key, key if len(key) == 1 else None)
        name = {"-": "minus"}.get(key, key)
        event = events.Key(name, char)
        event.set_sender(app)
        driver.send_message(event)


def bitgo_review(services: Services, name: str) -> SessionHandle:
    """A review with the test mandate, BitGo shortlisted and its SOC 2 answered (document)."""
    handle = services.store.create(name, services.qset, services.catalog)
    for qid, value in MANDATE.items():
        handle.set_answer(qid, value)
    handle.set_shortlist(["bitgo"])
    handle.set_diligence("bitgo", "dd.soc2_type2", "yes", evidence="seen_doc")
    return handle


async def bitgo_soc2(pilot: Pilot[None]) -> tuple[QuestionsScreen, QuestionField]:
    """On ``bitgo_review``'s diligence screen (F5), its SOC 2 question shown and focused."""
    await pilot.press("f5")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, QuestionsScreen) and screen.provider == "bitgo"
    screen.show_section(screen._section_of("dd.soc2_type2") or "", focus="dd.soc2_type2")
    await settle(pilot)
    return screen, field(pilot.app, "dd.soc2_type2")


async def settle(pilot: Pilot[None], rounds: int = 6) -> None:
    for _ in range(rounds):
        await pilot.pause()


def field(app: Any, qid: str) -> QuestionField:
    found: QuestionField = app.screen.query_one(f"#{field_id(qid)}", QuestionField)
    return found


async def typed_into(pilot: Pilot[None], widget: Input, *keys: str) -> str:
    app = pilot.app
    app.screen.set_focus(widget)
    await pilot.pause()
    burst(app, *keys)
    await settle(pilot)
    return widget.value


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_a_burst_with_backspace_keeps_its_order_in_every_mandate_field(
    services: Services,
) -> None:
    handle = services.store.create("Burst", services.qset, services.catalog)
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        name = field(app, "client.entity_name")
        value = name.value_widget
        assert isinstance(value, OrderedInput)
        assert await typed_into(pilot, value, "b", "a", "backspace", "c") == "bc"
        assert await typed_into(pilot, value, "home", "x", "end", "y") == "xbcy"
        note = name.query_one(".note", Input)
        assert await typed_into(pilot, note, "b", "a", "backspace", "c") == "bc"
        aum = field(app, "client.aum_usd_m").value_widget
        assert isinstance(aum, Input)
        assert await typed_into(pilot, aum, "1", "2", "a", "backspace", "5") == "125"
        await pilot.press("tab")
        await settle(pilot)
        saved = read_session(handle.path)["answers"]
        assert saved["client.entity_name"]["value"] == "xbcy"
        assert saved["client.entity_name"]["note"] == "bc"
        assert saved["client.aum_usd_m"]["value"] == 125


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_a_burst_keeps_its_order_in_the_date_and_evidence_fields(services: Services) -> None:
    handle = bitgo_review(services, "Burst dd")
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        _, soc2 = await bitgo_soc2(pilot)
        docdate = soc2.query_one(".docdate", Input)
        keys = [*"2026-01-0", "5", "backspace", "3"]
        assert await typed_into(pilot, docdate, *keys) == "2026-01-03"
        reference = soc2.query_one(".reference", Input)
        assert await typed_into(pilot, reference, "b", "a", "backspace", "c") == "bc"
        await pilot.press("tab")
        await settle(pilot)
        saved = read_session(handle.path)["diligence"]["bitgo"]["dd.soc2_type2"]
        assert saved["document_date"] == "2026-01-03"
        assert saved["reference"] == "bc"


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_keys_typed_while_the_screen_is_built_reach_the_first_question(
    services: Services,
) -> None:
    handle = services.store.create("Ahead", services.qset, services.catalog)
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "A", "c", "x", "backspace", "m", "e")  # before the first paint

        def typed() -> bool:  # the screen is built in a worker: a loaded machine takes longer
            screen = app.screen
            return isinstance(screen, QuestionsScreen) and screen.focused is not None

        await wait_for(pilot, typed)
        await settle(pilot, 10)
        assert isinstance(app.screen, QuestionsScreen)
        name = field(app, "client.entity_name")
        assert app.focused is name.value_widget
        assert name.value_widget.value == "Acme"  # type: ignore[attr-defined]


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_a_jump_to_an_answered_name_does_not_select_it(services: Services) -> None:
    handle = services.store.create("Jump", services.qset, services.catalog)
    handle.set_answer("client.entity_name", "Meridian Digital Assets")
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3", "f2")
        await settle(pilot)
        name = field(app, "client.entity_name")
        assert app.focused is name.value_widget
        await pilot.press("x", "tab")  # one stray key adds a letter, it does not replace all
        await settle(pilot)
        saved = read_session(handle.path)["answers"]["client.entity_name"]["value"]
        assert saved == "Meridian Digital Assetsx"


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_enter_never_answers_or_unticks(services: Services) -> None:
    handle = services.store.create("Enter", services.qset, services.catalog)
    handle.set_answer("client.regions", ["us", "eu"])
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        regions = field(app, "client.regions")
        regions.focus_value()
        await settle(pilot)
        await pilot.press("enter")  # moves on, unticks nothing
        await settle(pilot)
        assert read_session(handle.path)["answers"]["client.regions"]["value"] == ["us", "eu"]
        assert app.focused is not regions.value_widget
        # ticked rows carry a symbol, not only a colour
        assert TICKED in "".join(s.text for s in regions.value_widget.render_line(0))
        await pilot.press("pagedown")
        await settle(pilot)
        qc = field(app, "reg.qualified_custodian")
        assert app.focused is qc.value_widget
        await pilot.press("enter")
        await settle(pilot)
        assert "reg.qualified_custodian" not in read_session(handle.path)["answers"]
        assert "press y, n or u" in str(qc.query_one(".problem", Static).content)
        assert NOT_CHOSEN in app.export_screenshot() and CHOSEN not in app.export_screenshot()
        await pilot.press("right", "enter")  # pointed at "No", then chose it
        await settle(pilot)
        assert read_session(handle.path)["answers"]["reg.qualified_custodian"]["value"] == "no"
        assert not qc.query_one(".problem", Static).display  # the hint went with the answer
        qc.focus_value()
        await settle(pilot)
        await pilot.press("enter")  # answered: Enter keeps the answer and moves on
        await settle(pilot)
        assert read_session(handle.path)["answers"]["reg.qualified_custodian"]["value"] == "no"
        assert app.focused is not qc.value_widget


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_a_burst_across_fields_lands_each_key_in_its_field(services: Services) -> None:
    """Tab and Enter inside a burst move on before the keys typed after them are inserted."""
    handle = bitgo_review(services, "Across")
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        _, soc2 = await bitgo_soc2(pilot)
        docdate = soc2.query_one(".docdate", Input)
        app.screen.set_focus(docdate)
        await pilot.pause()
        # date, Enter (moves to the reference), reference, Tab (moves to the note), note
        burst(app, *"2026-02-01", "enter", "r", "x", "backspace", "1", "tab", "o", "k")
        await settle(pilot, 10)
        assert docdate.value == "2026-02-01"
        assert soc2.query_one(".reference", Input).value == "r1"
        assert soc2.query_one(".note", Input).value == "ok"
        await pilot.press("tab")
        await settle(pilot)
        saved = read_session(handle.path)["diligence"]["bitgo"]["dd.soc2_type2"]
        assert (saved["document_date"], saved["reference"], saved["note"]) == (
            "2026-02-01",
            "r1",
            "ok",
        )


@sync
async def test_a_burst_starting_on_a_choice_reaches_the_field_the_tabs_lead_to(
    services: Services,
) -> None:
    """Tab on a yes/no control, a drop-down or the evidence picker moves the focus at once,
    and the letters typed after it in the same burst go to the field it lands on."""
    handle = bitgo_review(services, "From a choice")
    handle.set_diligence("bitgo", "dd.wallet_model", "segregated_per_client", evidence="seen_doc")
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        screen, soc2 = await bitgo_soc2(pilot)
        screen.set_focus(soc2.value_widget)
        await pilot.pause()
        burst(app, "tab", "tab", "tab", "tab", *"Seen", "backspace", "n")
        await settle(pilot, 10)
        assert soc2.query_one(".note", Input).value == "Seen"
        # evidence picker -> date -> reference
        screen.set_focus(soc2.query_one(".evidence"))
        await pilot.pause()
        burst(app, "tab", "tab", *"SOC-2")
        await settle(pilot, 10)
        assert soc2.query_one(".reference", Input).value == "SOC-2"
        # a drop-down -> evidence -> date -> reference
        screen.show_section(screen._section_of("dd.wallet_model") or "", focus="dd.wallet_model")
        await settle(pilot)
        wallet = field(app, "dd.wallet_model")
        screen.set_focus(wallet.value_widget)
        await pilot.pause()
        burst(app, "tab", "tab", "tab", *"Custody agreement")
        await settle(pilot, 10)
        assert wallet.query_one(".reference", Input).value == "Custody agreement"
        assert wallet.answer is not None and wallet.answer.value == "segregated_per_client"
        await pilot.press("f4")  # leaving saves what was typed
        await settle(pilot)
    saved = read_session(handle.path)["diligence"]["bitgo"]
    assert saved["dd.soc2_type2"]["note"] == "Seen"
    assert saved["dd.soc2_type2"]["reference"] == "SOC-2"
    assert saved["dd.wallet_model"]["reference"] == "Custody agreement"
