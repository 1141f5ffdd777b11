"""Notes on every answer state, evidence right after a diligence answer, 80x24, the palette.

Driven by keys through Pilot and checked against the session file on disk.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.tui.conftest import MANDATE, read_session, sync
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, SelectionList
from textual.widgets._footer import FooterKey

from ddwizard.tui.factory import make_app
from ddwizard.tui.screens.questions import QuestionsScreen
from ddwizard.tui.services import Services
from ddwizard.tui.widgets.footer import WizardFooter
from ddwizard.tui.widgets.inputs import EvidencePicker
from ddwizard.tui.widgets.question import EMPTY_CHOICE, QuestionField, field_id

NARROW = (80, 24)


def field(app: Any, qid: str) -> QuestionField:
    found: QuestionField = app.screen.query_one(f"#{field_id(qid)}", QuestionField)
    return found


async def settle(pilot: Pilot[None], rounds: int = 5) -> None:
    for _ in range(rounds):
        await pilot.pause()


async def show(pilot: Pilot[None], qid: str) -> QuestionField:
    screen = pilot.app.screen
    assert isinstance(screen, QuestionsScreen)
    screen.show_section(screen._section_of(qid) or "", focus=qid)
    await settle(pilot)
    return field(pilot.app, qid)


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_no_licence_requirement_is_a_documented_answer_with_its_note(
    services: Services,
) -> None:
    handle = services.store.create("Licences", services.qset, services.catalog)
    app = make_app(services, handle=handle)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        licences = await show(pilot, "reg.licence_required_in")
        ticks = licences.value_widget
        assert isinstance(ticks, SelectionList)
        # a note typed before answering is kept and saved with the answer
        note = licences.query_one(".note", Input)
        note.focus()
        await pilot.press(*"no local licence needed", "tab")
        await settle(pilot)
        assert "reg.licence_required_in" not in read_session(handle.path)["answers"]
        ticks.focus()
        await pilot.press("space")  # tick the first jurisdiction
        await settle(pilot)
        saved = read_session(handle.path)["answers"]["reg.licence_required_in"]
        assert saved["value"] == ["us"] and saved["note"] == "no local licence needed"
        await pilot.press("space")  # untick it: the question has no answer, the note stays
        await settle(pilot)
        assert "reg.licence_required_in" not in read_session(handle.path)["answers"]
        assert note.value == "no local licence needed"
        # "No specific licence required": the empty answer, with its note
        ticks.highlighted = ticks.option_count - 1
        assert ticks.get_option_at_index(ticks.option_count - 1).value == EMPTY_CHOICE
        await pilot.press("space")
        await settle(pilot)
        saved = read_session(handle.path)["answers"]["reg.licence_required_in"]
        assert saved["value"] == [] and saved["note"] == "no local licence needed"
        ticks.highlighted = 0
        await pilot.press("space")  # a jurisdiction replaces "none"
        await settle(pilot)
        assert read_session(handle.path)["answers"]["reg.licence_required_in"]["value"] == ["us"]
        assert EMPTY_CHOICE not in ticks.selected


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_after_a_diligence_answer_its_evidence_has_the_focus(services: Services) -> None:
    handle = services.store.create("Evidence", services.qset, services.catalog)
    for qid, value in MANDATE.items():
        handle.set_answer(qid, value)
    handle.set_shortlist(["bitgo"])
    app = make_app(services, handle=handle)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        legal = field(app, "dd.legal_entity_identified")
        assert app.focused is legal.value_widget
        await pilot.press("y")
        await settle(pilot)
        evidence = legal.query_one(".evidence", EvidencePicker)
        assert app.focused is evidence
        await pilot.press("d")  # a document seen
        await settle(pilot)
        assert evidence.value == "seen_doc"
        saved = read_session(handle.path)["diligence"]["bitgo"]["dd.legal_entity_identified"]
        assert saved["value"] == "yes" and saved["evidence"] == "seen_doc"
        # the reference field is not clipped at 80 columns
        reference = legal.query_one(".reference", Input)
        assert reference.region.width >= 30
        # an event date (enforcement) is labelled as such
        enforcement = field(app, "dd.enforcement_actions")
        assert "event date" in enforcement.query_one(".docdate", Input).placeholder


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_narrow_footer_keeps_f1_and_the_screen_keys(services: Services) -> None:
    handle = services.store.create("Narrow", services.qset, services.catalog)
    app = make_app(services, handle=handle)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot, 8)
        keys = [(k.key, k.description) for k in app.screen.query(FooterKey)]
        assert keys[0] == ("f1", "all keys")
        assert ("pagedown", "Next section") in keys
        assert not any(key in ("f2", "f3", "f4", "f5", "f6", "f7", "f9") for key, _ in keys)
        footer = app.screen.query_one(WizardFooter)
        assert sum(k.region.width for k in footer.query(FooterKey)) <= footer.region.width
        await pilot.resize_terminal(200, 40)
        await settle(pilot, 8)
        wide = [k.key for k in app.screen.query(FooterKey)]
        assert "f2" in wide  # wide enough: the screen keys are shown too


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_the_palette_jumps_to_a_question_by_its_text_and_lists_keys_once(
    services: Services,
) -> None:
    handle = services.store.create("Palette", services.qset, services.catalog)
    app = make_app(services, handle=handle)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert titles.count("Keys") == 1
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"qualified custodian")
        for _ in range(40):
            await pilot.pause(0.05)
            if "qualified" in app.export_screenshot().lower().split("qualified custodian", 1)[-1]:
                break
        await pilot.press("enter")
        await settle(pilot, 8)
        screen = app.screen
        assert isinstance(screen, QuestionsScreen)
        assert screen.focused_question == "reg.qualified_custodian"
        assert app.focused is field(app, "reg.qualified_custodian").value_widget


def test_an_event_date_is_a_fact_not_stale_evidence(services: Services) -> None:
    """The diligence questionnaire marks event questions (date_kind: event); the rules read it."""
    from datetime import date

    from ddwizard.core.matching import evaluate

    handle = services.store.create("Events", services.qset, services.catalog)
    for qid, value in MANDATE.items():
        handle.set_answer(qid, value)
    handle.set_shortlist(["bitgo"])
    old = date(2023, 3, 1)
    handle.set_diligence(
        "bitgo", "dd.enforcement_actions", "yes", evidence="seen_doc", document_date=old
    )
    handle.set_diligence("bitgo", "dd.soc2_type2", "yes", evidence="seen_doc", document_date=old)
    assert services.qset.question("dd.enforcement_actions").date_kind == "event"
    evaluation = evaluate(
        services.qset, services.catalog, handle.session.sheet(), today=date(2026, 11, 30)
    )
    stale = {
        f.question_id for f in evaluation.findings_for("bitgo") if f.source == "stale_evidence"
    }
    assert stale == {"dd.soc2_type2"}
