"""Home (lazy loading, errors), weights, help and the command palette, through Pilot."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.tui.conftest import SIZE, demo_session, read_session, sync
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import DEFAULT_WEIGHTS, QuestionnaireSet
from ddwizard.core.sessions.session import Position
from ddwizard.tui.app import DdwizardApp
from ddwizard.tui.factory import make_app
from ddwizard.tui.screens.help import HelpScreen
from ddwizard.tui.screens.questions import QuestionsScreen
from ddwizard.tui.screens.review import ReviewScreen
from ddwizard.tui.screens.weights import WeightsScreen
from ddwizard.tui.services import Services


def lazy_services(repo_root: Path, sessions: Path, providers: Path | None = None) -> Services:
    return Services(
        sessions_dir=sessions,
        questionnaires_dir=repo_root / "questionnaires",
        providers_dir=providers or repo_root / "providers",
        templates_dir=repo_root / "report_templates",
    )


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_home_loads_data_after_first_paint_and_resumes(
    repo_root: Path, tmp_path: Path
) -> None:
    sessions = tmp_path / "sessions"
    Services.load(sessions, lazy_services(repo_root, sessions).folders).store.create(
        "Lazy review", *_data(repo_root)
    ).close()
    services = lazy_services(repo_root, sessions)
    assert not services.loaded
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.id == "new-name"
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert services.loaded
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        assert table.get_row_at(0)[0].plain == "Lazy review"
        table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionsScreen)
        assert app.handle is not None and app.handle.session.name == "Lazy review"


def _data(repo_root: Path) -> tuple[QuestionnaireSet, ProviderCatalog]:
    from ddwizard.core.loading import load_providers, load_questionnaires

    return load_questionnaires(repo_root / "questionnaires"), load_providers(
        repo_root / "providers"
    )


@sync
async def test_home_reports_bad_provider_data_without_crashing(
    repo_root: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "providers"
    broken.mkdir()
    (broken / "bad.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    services = lazy_services(repo_root, tmp_path / "sessions", providers=broken)
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        message = ""
        for _ in range(200):  # the load fails in a worker; its error lands on the screen
            await pilot.pause(0.05)
            message = str(app.screen.query_one("#no-sessions", Static).content)
            if "bad.yaml" in message:
                break
        assert "bad.yaml" in message
        assert app.is_running


@sync
async def test_home_starts_a_new_review_on_the_first_question(services: Services) -> None:
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"Gamma review", "tab", "ctrl+a", "ctrl+k", *"J. Doe", "enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionsScreen)
        assert app.handle is not None
        assert app.handle.session.name == "Gamma review"
        assert app.handle.session.preparer == "J. Doe"
        assert app.screen.focused_question == "client.entity_name"


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_weights_live_sum_blocks_leaving_and_resets(services: Services) -> None:
    handle = services.store.create("Weights review", services.qset, services.catalog)
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, WeightsScreen)
        await pilot.press("end", "backspace", "backspace", *"40")  # liquidity 40: sum 110
        await pilot.pause()
        assert "110" in str(screen.query_one("#sum", Static).content)
        await pilot.press("f4")  # refused: the sum is not 100
        await pilot.pause()
        assert app.screen is screen
        assert "priorities.weights" not in read_session(handle.path)["answers"]
        await pilot.press("tab", "end", "backspace", "backspace", "1", "5")  # security 15: 100
        await pilot.pause()
        saved = read_session(handle.path)["answers"]["priorities.weights"]["value"]
        assert saved["liquidity"] == 40 and saved["security"] == 15
        assert sum(saved.values()) == 100
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert read_session(handle.path)["answers"]["priorities.weights"]["value"] == dict(
            DEFAULT_WEIGHTS
        )
        await pilot.press("escape")
        await pilot.pause()
        back = app.screen
        assert isinstance(back, QuestionsScreen)
        assert back.focused_question == "priorities.weights"


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_help_lists_the_keys_of_the_screen(services: Services) -> None:
    handle = services.store.create("Help review", services.qset, services.catalog)
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one(Static).content)
        for description in ("Next section", "Prev section", "Weights", "Results", "Review"):
            assert description in text
        assert "Next provider" not in text  # a diligence key, hidden on the mandate
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QuestionsScreen)


def test_command_palette_lists_screen_actions(services: Services) -> None:
    handle = services.store.create("Palette review", services.qset, services.catalog)
    app = DdwizardApp(services, handle=handle)
    titles: list[str] = []

    async def scenario() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            titles.extend(c.title for c in app.get_system_commands(app.screen))

    import asyncio

    asyncio.run(scenario())
    for title in ("Go to Results", "Go to Diligence", "Go to Export", "Next section", "Home"):
        assert title in titles
    assert "Next provider" not in titles


@sync
async def test_changed_question_asks_to_keep_the_answer(
    services: Services, repo_root: Path, tmp_path: Path
) -> None:
    from ddwizard.core.loading import load_questionnaires

    handle = services.store.create("Changed review", services.qset, services.catalog)
    handle.set_answer("client.entity_name", "Acme Fund LP")
    path = handle.path
    handle.close()
    changed = tmp_path / "questionnaires"
    shutil.copytree(repo_root / "questionnaires", changed)
    selection = changed / "selection.yaml"
    old_prompt = "prompt: What is the legal name of the institution that will hold the custody"
    text = selection.read_text(encoding="utf-8")
    assert old_prompt in text
    selection.write_text(
        text.replace(
            old_prompt,
            "prompt: What is the full legal name of the institution that will hold the custody",
        ),
        encoding="utf-8",
    )
    services.qset = load_questionnaires(changed)
    reopened = services.store.open(path, services.qset, services.catalog)
    assert reopened.session.answers["client.entity_name"].needs_reconfirmation
    app = make_app(services, handle=reopened)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionsScreen)
        assert screen.focused_question == "client.entity_name"
        prompt = str(screen.focused_field().query_one(".prompt", Static).content)  # type: ignore[union-attr]
        assert "ctrl+y keeps the answer" in prompt
        await pilot.press("f6")  # the Review lists it by the question's words
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        flagged = next(i for i in review.items if i.kind == "reconfirm")
        assert "“What is the full legal name of the institution" in flagged.label.plain
        review.jump(review.items.index(flagged))
        for _ in range(4):
            await pilot.pause()
        assert isinstance(app.screen, QuestionsScreen)
        await pilot.press("ctrl+y")
        await pilot.pause()
        saved = read_session(path)["answers"]["client.entity_name"]
        assert saved["value"] == "Acme Fund LP"
        assert not saved.get("needs_reconfirmation")
        assert any(e["action"] == "answer_confirmed" for e in read_session(path)["audit"])


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_home_start_label_starts_a_review_by_mouse(services: Services) -> None:
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"Mouse review")
        await pilot.click("#start")
        await pilot.pause()
        assert isinstance(app.screen, QuestionsScreen)
        assert app.handle is not None and app.handle.session.name == "Mouse review"


FLAGGED_CASES = [
    # (question, answer, section, prompt in the questionnaire): one per kind of widget
    ("client.entity_type", "pension_endowment", "client", "What kind of institution is it?"),
    ("client.regions", ["eu", "uk"], "client", "In which regions must the custodian be able"),
    (
        "reg.qualified_custodian",
        "yes",
        "regulatory",
        "Must the custodian be a qualified custodian?",
    ),
    ("client.aum_usd_m", 250, "client", "Roughly how much would you hold in custody"),
]


@pytest.mark.parametrize(("qid", "value", "section", "prompt"), FLAGGED_CASES)
@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_a_flagged_answer_is_not_reconfirmed_or_skipped_by_showing_it(
    services: Services,
    repo_root: Path,
    tmp_path: Path,
    qid: str,
    value: object,
    section: str,
    prompt: str,
) -> None:
    """A widget announces the value it is built with; that is not the user choosing it."""
    from ddwizard.core.loading import load_questionnaires

    handle = services.store.create("Flagged answer", services.qset, services.catalog)
    handle.set_answer("client.entity_name", "Acme Fund LP")
    handle.set_answer(qid, value)
    handle.set_position(Position(screen="mandate", section=section, question=qid))
    path = handle.path
    handle.close()
    changed = tmp_path / "questionnaires"
    shutil.copytree(repo_root / "questionnaires", changed)
    selection = changed / "selection.yaml"
    text = selection.read_text(encoding="utf-8")
    assert f"prompt: {prompt}" in text
    selection.write_text(
        text.replace(f"prompt: {prompt}", f"prompt: (reworded) {prompt}"), encoding="utf-8"
    )
    services.qset = load_questionnaires(changed)
    reopened = services.store.open(path, services.qset, services.catalog)
    assert reopened.session.answers[qid].needs_reconfirmation
    app = make_app(services, handle=reopened)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(4):
            await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionsScreen)
        assert screen.focused_question == qid  # not moved on
    saved = read_session(path)["answers"][qid]
    assert saved["needs_reconfirmation"] is True  # only ctrl+y or a new answer confirms it


@sync
async def test_home_shows_the_review_name_with_its_answers_file_title(
    services: Services,
) -> None:
    """`ddwizard answer Kestrel --answers demo.yaml`: the list shows "Kestrel", the name to
    resume it by, and the file's title beside it (it used to show only the title)."""
    handle = demo_session(services, "Kestrel review")
    title = handle.session.title
    handle.close()
    assert title and title != "Kestrel review"
    app = make_app(services)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.get_row_at(0)[0].plain == f"Kestrel review ({title})"


@sync
async def test_a_final_review_shows_weights_read_only_and_claims_nothing(
    services: Services,
) -> None:
    from ddwizard.tui.app import READ_ONLY_MESSAGE

    handle = services.store.create("Final weights", services.qset, services.catalog)
    handle.set_weights(
        {"liquidity": 20, "security": 35, "coverage": 15, "costs": 15, "ux": 10, "support": 5}
    )
    handle.set_position(Position(screen="weights"))
    handle.set_status("final")
    before = read_session(handle.path)
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, WeightsScreen)
        assert all(field.disabled for field in screen.query(Input))
        await pilot.press("ctrl+r", "ctrl+s")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert messages.count(READ_ONLY_MESSAGE) == 2
        assert not any("reset" in m or "saved" in m.lower() for m in messages)
        assert screen.query_one("#w-liquidity", Input).value == "20"  # nothing changed
        total = str(screen.query_one("#sum", Static).content)
        assert "read-only" in total and "saved" not in total
        await pilot.press("f4")  # leaving is never refused: nothing can have changed
        await pilot.pause()
        assert not isinstance(app.screen, WeightsScreen)
    after = read_session(handle.path)
    for key in ("answers", "status", "audit"):
        assert after[key] == before[key]


@sync
async def test_escape_codes_in_session_text_never_reach_the_terminal(
    services: Services,
) -> None:
    services.store.create("Plain name", services.qset, services.catalog).close()
    # A file whose very name holds a title-changing and a screen-clearing code (text inside
    # sessions is refused on reading; a file name is not): listed, shown escaped.
    evil = services.store.root / "Evil\x1b]0;PWNED\x07 review\x1b[2J.json"
    evil.write_text("{not json", encoding="utf-8")
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#sessions", DataTable)
        cells = [cell.plain for row in range(table.row_count) for cell in table.get_row_at(row)]
        assert any("Evil\\x1b]0;PWNED\\x07 review\\x1b[2J" in cell for cell in cells)
        assert not any("\x1b" in cell or "\x07" in cell for cell in cells)
        assert "\x1b" not in app.export_screenshot()


def test_shown_escapes_every_control_character_and_keeps_text() -> None:
    from ddwizard.tui.display import shown, shown_line

    assert shown("Zürich fund — café\nline two\ttab") == "Zürich fund — café\nline two\ttab"
    assert shown("a\x00b\x1bc\x7fd\x9be\u202ef") == "a\\x00b\\x1bc\\x7fd\\x9be\\u202ef"
    assert shown_line("one\ntwo\tthree\r") == "one\\x0atwo\\x09three\\x0d"


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_every_main_screen_is_declared_once_and_reachable(services: Services) -> None:
    from ddwizard.tui.app import SCREENS
    from ddwizard.tui.screens.base import WizardScreen

    keys = {b.key: b.action for b in DdwizardApp.BINDINGS if isinstance(b, Binding)}
    handle = demo_session(services, "Registry")
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        for entry in SCREENS.values():
            assert keys[entry.key] == f"go('{entry.name}')"
            await pilot.press(entry.key)
            await pilot.pause()
            assert isinstance(app.screen, WizardScreen)
            assert app.main_screen is app.screen
            assert app.screen.is_current
        app.flush_position()
        assert app.session.position.screen == "export"
