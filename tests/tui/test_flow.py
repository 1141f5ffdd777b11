"""Results, diligence, review and export, driven through Pilot on a real session."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from tests.tui.conftest import MANDATE, SIZE, demo_session, read_session, settle, sync
from textual.widgets import DataTable, Input, OptionList, ProgressBar, Select, Static

from ddwizard.core.matching import evaluate
from ddwizard.core.sessions.session import Position
from ddwizard.core.sessions.store import SessionHandle
from ddwizard.tui.app import READ_ONLY_MESSAGE
from ddwizard.tui.factory import make_app
from ddwizard.tui.screens.export import ExportScreen
from ddwizard.tui.screens.questions import QuestionsScreen
from ddwizard.tui.screens.results import ResultsScreen
from ddwizard.tui.screens.review import ReviewScreen
from ddwizard.tui.services import Services
from ddwizard.tui.widgets.help_panel import HelpPanel
from ddwizard.tui.widgets.inputs import EvidencePicker
from ddwizard.tui.widgets.question import QuestionField, field_id


def answered_session(services: Services, name: str = "Flow review") -> SessionHandle:
    handle = services.store.create(name, services.qset, services.catalog, preparer="Tester")
    for qid, value in MANDATE.items():
        handle.set_answer(qid, value)
    return handle


def screen_text(app: Any) -> str:
    return str(app.export_screenshot())


def notifications(app: Any) -> list[str]:
    """The messages the app has shown (read, never changed)."""
    return [n.message for n in app._notifications]


def final_session(services: Services, name: str = "Final review") -> SessionHandle:
    """A final review, left on its Review screen."""
    handle = answered_session(services, name)
    handle.set_position(Position(screen="review"))
    handle.set_status("final")
    return handle


@sync
async def test_results_show_ranking_exclusions_and_save_the_shortlist(services: Services) -> None:
    handle = answered_session(services)
    expected = evaluate(services.qset, services.catalog, handle.session.sheet())
    assert expected.eligible and expected.excluded
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        table = screen.query_one(DataTable)
        # Every provider, by tier then score; the excluded ones last (their reasons beside).
        assert [str(k.value) for k in table.rows] == [
            *(
                r.provider_id
                for r in sorted(expected.eligible, key=lambda r: (r.tier.order, r.rank))
            ),
            *(e.provider_id for e in expected.excluded),
        ]
        overview = str(screen.query_one("#overview", Static).content)
        for exclusion in expected.excluded:
            assert services.catalog[exclusion.provider_id].name in overview
            assert exclusion.reasons[0] in overview
        explanation = str(screen.query_one("#explanation", Static).content)
        assert expected.eligible[0].explanation in explanation
        # Default shortlist is the top three; space on the first row takes it off.
        assert screen.shortlist == list(expected.shortlist)
        await pilot.press("space")
        await pilot.pause()
        saved = read_session(handle.path)
        assert saved["shortlist"] == list(expected.shortlist[1:])
        await pilot.press("t")
        await pilot.pause()
        assert read_session(handle.path)["shortlist"] == [
            r.provider_id for r in expected.eligible[:3]
        ]


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_diligence_answer_raises_a_finding(services: Services) -> None:
    handle = answered_session(services)
    handle.set_shortlist(["bitgo", "coinbase-prime"])
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionsScreen) and screen.mode == "diligence"
        assert screen.provider == "bitgo"
        target = screen.query_one(f"#{field_id('dd.legal_entity_identified')}", QuestionField)
        target.focus_value()
        await pilot.pause()
        await pilot.press("right", "enter")  # "No"
        await pilot.pause()
        saved = read_session(handle.path)
        assert saved["diligence"]["bitgo"]["dd.legal_entity_identified"]["value"] == "no"
        findings = app.evaluation().findings_for("bitgo")
        critical = [f for f in findings if f.question_id == "dd.legal_entity_identified"]
        assert critical and critical[0].severity.value == "critical"
        panel = str(screen.query_one(HelpPanel).query_one(".findings", Static).content)
        assert "CRITICAL" in panel and critical[0].message in panel
        # Evidence is recorded with the answer.
        target.query_one(".evidence", EvidencePicker).value = "seen_doc"
        await pilot.pause()
        saved = read_session(handle.path)
        assert saved["diligence"]["bitgo"]["dd.legal_entity_identified"]["evidence"] == "seen_doc"
        # A document date in the future is a typo: shown inline, never saved.
        docdate = target.query_one(".docdate", Input)
        problem = target.query_one(".problem", Static)
        for typed in ("2062-03-31", "2026-03-31"):
            docdate.focus()
            docdate.value = typed
            await pilot.press("enter")
            await pilot.pause()
            saved_date = read_session(handle.path)["diligence"]["bitgo"][
                "dd.legal_entity_identified"
            ]["document_date"]
            if typed.startswith("2062"):
                assert "is in the future" in str(problem.content) and problem.display
                assert saved_date is None
            else:
                assert not problem.display
                assert saved_date == "2026-03-31"
        await pilot.press("ctrl+o")  # next provider
        await pilot.pause()
        assert screen.provider == "coinbase-prime"


@sync
async def test_review_item_jumps_to_its_question(services: Services) -> None:
    handle = answered_session(services)
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        items = screen.items
        assert any(i.kind == "unanswered" for i in items)
        index = next(
            i for i, item in enumerate(items) if item.screen == "mandate" and item.question
        )
        screen.query_one(OptionList).highlighted = index
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        jumped = app.screen
        assert isinstance(jumped, QuestionsScreen)
        assert jumped.focused_question == items[index].question
        assert (
            app.focused
            is jumped.query_one(
                f"#{field_id(items[index].question or '')}", QuestionField
            ).value_widget
        )


@sync
async def test_review_marks_ready_after_confirmation(services: Services) -> None:
    handle = answered_session(services)
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("n")  # cancelled: nothing changes
        await pilot.pause()
        assert read_session(handle.path)["status"] == "in_progress"
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert read_session(handle.path)["status"] == "ready_for_review"


async def _export(services: Services, tmp_path: Path, fmt: str) -> tuple[Path, dict[str, Any]]:
    handle = answered_session(services)
    app = make_app(services, handle=handle)
    out = tmp_path / f"memo.{fmt}"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one("#format", Select).value = fmt
        screen.query_one("#path", Input).value = str(out)
        await pilot.press("ctrl+e")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.last_result is not None
        assert screen.last_result.off_event_loop
        assert str(out) in str(screen.query_one("#export-status", Static).content)
    return out, read_session(handle.path)


@sync
async def test_export_writes_html_memo_and_records_it(services: Services, tmp_path: Path) -> None:
    out, saved = await _export(services, tmp_path, "html")
    assert out.is_file()
    html = out.read_text(encoding="utf-8")
    assert "Acme Fund LP" in html
    events = [e for e in saved["audit"] if e["action"] == "memo_generated"]
    assert events and events[-1]["new"]["path"] == str(out.resolve())


@sync
@pytest.mark.slow  # renders a PDF
async def test_export_writes_pdf_memo(services: Services, tmp_path: Path) -> None:
    out, saved = await _export(services, tmp_path, "pdf")
    assert out.read_bytes().startswith(b"%PDF")
    assert any(e["action"] == "memo_generated" for e in saved["audit"])


@sync
async def test_export_failure_is_reported_not_crashing(services: Services, tmp_path: Path) -> None:
    handle = answered_session(services)
    app = make_app(services, handle=handle)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one("#format", Select).value = "html"
        screen.query_one("#path", Input).value = str(blocker / "memo.html")
        await pilot.press("ctrl+e")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running
        assert screen.last_result is None
        status = str(screen.query_one("#export-status", Static).content)
        assert "Could not write the memo" in status
        assert f"{blocker} is a file" in status  # names what is in the way, not a temp file
    assert not any(e["action"] == "memo_generated" for e in read_session(handle.path)["audit"])


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_review_red_flag_jumps_to_the_provider_question(services: Services) -> None:
    handle = answered_session(services)
    handle.set_shortlist(["bitgo", "coinbase-prime"])
    handle.set_diligence("coinbase-prime", "dd.rehypothecation", "yes")
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        first = screen.items[0]
        assert first.kind == "flag"  # red flags come first
        assert (first.provider, first.question) == ("coinbase-prime", "dd.rehypothecation")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        jumped = app.screen
        assert isinstance(jumped, QuestionsScreen) and jumped.mode == "diligence"
        assert jumped.provider == "coinbase-prime"
        assert jumped.focused_question == "dd.rehypothecation"


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_clicking_a_provider_tab_switches_provider(services: Services) -> None:
    handle = answered_session(services)
    handle.set_shortlist(["bitgo", "coinbase-prime"])
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionsScreen) and screen.provider == "bitgo"
        await pilot.click("#p-coinbase-prime")
        await pilot.pause()
        await pilot.pause()
        assert screen.provider == "coinbase-prime"
        assert "Coinbase" in str(screen.query_one("#section-title", Static).content)


@sync
async def test_export_refuses_a_file_name_of_another_format(
    services: Services, tmp_path: Path
) -> None:
    handle = answered_session(services)
    app = make_app(services, handle=handle)
    out = tmp_path / "memo.docx"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one("#format", Select).value = "pdf"
        screen.query_one("#path", Input).value = str(out)
        await pilot.press("ctrl+e")
        await pilot.pause()
        status = str(screen.query_one("#export-status", Static).content)
        assert "ends in '.docx' but the memo format is PDF; name it .pdf" in status
        assert not screen.query_one("#progress", ProgressBar).display  # refused before rendering
    assert not out.exists()


@sync
async def test_review_lists_red_flags_and_mandate_warnings_most_severe_first(
    services: Services,
) -> None:
    handle = demo_session(services, "Severity order")
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        risks = [i for i in screen.items if i.kind in ("flag", "warning")]
        ranks = [i.severity_rank for i in risks]
        assert ranks == sorted(ranks, reverse=True)
        # the demo has a medium mandate warning and high and low findings: it sits among
        # the mediums, not after the lows
        kinds = [i.kind for i in risks]
        assert "warning" in kinds and kinds[0] == "flag" and kinds[-1] == "flag"
        warning = next(i for i in risks if i.kind == "warning")
        assert warning.label.plain.split(None, 1)[1].startswith("Mandate: ")
        # Enter on it lands on its question, a Select (it used to land on the next one)
        screen.jump(screen.items.index(warning))
        for _ in range(4):
            await pilot.pause()
        jumped = app.screen
        assert isinstance(jumped, QuestionsScreen)
        assert warning.question == "reg.min_standing"
        assert jumped.focused_question == "reg.min_standing"


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_looking_at_answers_writes_nothing(services: Services) -> None:
    """Showing answered questions (typed values, document dates, references) saves nothing."""
    handle = demo_session(services, "Just looking")
    before = read_session(handle.path)
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        for key in ("f2", "pagedown", "f5", "pagedown", "ctrl+o", "pagedown"):
            await pilot.press(key)
            await pilot.pause(0.2)
        await pilot.pause(1.0)  # longer than the typing pause before a save
    after = read_session(handle.path)
    assert after["audit"] == before["audit"]
    assert (after["answers"], after["diligence"]) == (before["answers"], before["diligence"])
    assert after["position"] != before["position"]  # the walk through did happen


@sync
async def test_results_show_what_the_diligence_closed(services: Services) -> None:
    handle = demo_session(services, "Closed items")
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        closed = app.evaluation().confirmed_for("zodia")
        assert closed
        table = screen.query_one("#ranked", DataTable)
        table.move_cursor(row=table.get_row_index("zodia"))
        await pilot.pause()
        shown = str(screen.query_one("#explanation", Static).content)
    assert "Closed by the diligence answers" in shown
    assert closed[0].message in " ".join(shown.split())


@sync
async def test_a_final_review_refuses_shortlist_changes_and_shows_none(services: Services) -> None:
    handle = final_session(services)
    before = handle.path.read_bytes()
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        table = screen.query_one(DataTable)
        marks = [table.get_cell(key, "sl").plain for key in table.rows]
        shortlist = list(screen.shortlist)
        await pilot.press("space", "t", "down", "space")
        await pilot.pause()
        assert screen.shortlist == shortlist
        assert [table.get_cell(key, "sl").plain for key in table.rows] == marks
        assert "read-only" in str(screen.query_one("#recommendation", Static).content)
        await pilot.press("f6")  # leaving does not save the default shortlist either
        await pilot.pause()
        refusals = [m for m in notifications(app) if m == READ_ONLY_MESSAGE]
        assert len(refusals) == 3  # one clear message per refused edit
    assert handle.path.read_bytes() == before


@sync
async def test_reopening_a_final_review_asks_for_the_reason(services: Services) -> None:
    from ddwizard.tui.screens.dialogs import ReasonScreen

    handle = final_session(services)
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("f")  # already final: says how to reopen
        await pilot.pause()
        assert any(m.startswith("Already final. o reopens it") for m in notifications(app))
        await pilot.press("r")  # back to ready for review: a reopening, so it asks why
        await pilot.pause()
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert read_session(handle.path)["status"] == "final"
        await pilot.press("o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ReasonScreen)
        await pilot.press("enter")  # no reason: refused in the dialog, nothing recorded
        await pilot.pause()
        assert app.screen is dialog
        assert "Give the reason" in str(dialog.query_one(".problem", Static).content)
        assert read_session(handle.path)["status"] == "final"
        await pilot.press(*"committee asked for changes", "enter")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert "in progress" in str(review.query_one("#status", Static).content)
    saved = read_session(handle.path)
    assert saved["status"] == "in_progress"
    reopened = [e for e in saved["audit"] if e["action"] == "reopened"]
    assert reopened and reopened[-1]["detail"] == "committee asked for changes"


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_an_excluded_shortlisted_provider_is_marked_not_dropped(services: Services) -> None:
    handle = answered_session(services)
    expected = evaluate(services.qset, services.catalog, handle.session.sheet())
    kept, excluded = expected.eligible[0].provider_id, expected.excluded[0].provider_id
    handle.set_shortlist([kept, excluded])
    name = services.catalog[excluded].name
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        results = app.screen
        assert isinstance(results, ResultsScreen)
        table = results.query_one(DataTable)
        assert table.get_cell(excluded, "sl").plain == "[!]"
        assert table.get_cell(excluded, "tier").plain == "excluded"
        assert f"{name} (excluded)" in str(results.query_one("#recommendation", Static).content)
        table.move_cursor(row=table.get_row_index(excluded))
        await pilot.pause()
        detail = str(results.query_one("#explanation", Static).content)
        assert "excluded" in detail and expected.excluded[0].reasons[0] in detail
        await pilot.press("space")  # takes it off the shortlist
        await pilot.pause()
        assert read_session(handle.path)["shortlist"] == [kept]
        await pilot.press("space")  # and it cannot be put back
        await pilot.pause()
        assert read_session(handle.path)["shortlist"] == [kept]
        assert any("is excluded by the mandate" in m for m in notifications(app))
    handle = services.store.open(handle.path, services.qset, services.catalog)
    handle.set_shortlist([kept, excluded])
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        first = review.items[0]
        assert first.kind == "excluded" and first.provider == excluded
        assert name in first.label.plain
        await pilot.press("enter")  # lands on it in the Results, where it can be taken off
        await pilot.pause()
        results = app.screen
        assert isinstance(results, ResultsScreen)
        assert results.shown_provider == excluded
        await pilot.press("space")
        await pilot.pause()
    assert read_session(handle.path)["shortlist"] == [kept]


@sync
async def test_results_detail_starts_at_the_top_for_each_provider(services: Services) -> None:
    handle = demo_session(services, "Scrolling")
    app = make_app(services, handle=handle)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        details = screen.query_one("#details")
        details.scroll_end(animate=False)
        await pilot.pause()
        assert details.scroll_y > 0
        await pilot.press("down")
        await pilot.pause()
        assert details.scroll_y == 0


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_one_open_items_count_on_review_results_dialogs_and_home(services: Services) -> None:
    from ddwizard.core.results import Evaluation
    from ddwizard.tui.screens.confirm import ConfirmScreen

    handle = answered_session(services, "Counting")  # no diligence yet: plenty is open
    count = len(
        evaluate(services.qset, services.catalog, handle.session.sheet()).shortlist_open_items
    )
    assert count > 0
    app = make_app(services, handle=handle)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        results = str(app.screen.query_one("#recommendation", Static).content)
        assert f"Open items: {count} ({Evaluation.OPEN_ITEMS_MEANING})" in results
        await pilot.press("f6")
        await pilot.pause()
        header = " ".join(str(app.screen.query_one("#status", Static).content).split())
        assert f"open items {count} ({Evaluation.OPEN_ITEMS_MEANING})" in header
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert f"Open items: {count} ({Evaluation.OPEN_ITEMS_MEANING})" in dialog.question
        await pilot.press("n", "f9")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#sessions", DataTable)
        assert table.get_cell(str(handle.path), "open").plain == str(count)


def _hold_memo_job(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Hold the real memo job at its start until the returned event is set: the test uses
    the wizard meanwhile (a fast machine would otherwise finish the PDF before it looks)."""
    from ddwizard.tui.screens import export as export_module

    release = threading.Event()
    real_job = export_module.write_memo_job

    def held_job(*args: Any, **kwargs: Any) -> Any:
        release.wait(timeout=60)
        return real_job(*args, **kwargs)

    monkeypatch.setattr(export_module, "write_memo_job", held_job)
    return release


async def _start_export(pilot: Any, app: Any, out: Path) -> None:
    """From anywhere: the export screen, the memo path typed in, ctrl+e, export under way."""
    await pilot.press("f7")
    await pilot.pause()
    assert isinstance(app.screen, ExportScreen)
    app.screen.query_one("#path", Input).value = str(out)
    await pilot.press("ctrl+e")
    assert await settle(pilot, lambda: app.exporting)


@pytest.mark.slow
@sync
async def test_export_runs_in_the_background_and_a_second_one_is_refused(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handle = answered_session(services)
    out = tmp_path / "memo.pdf"
    release = _hold_memo_job(monkeypatch)
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await _start_export(pilot, app, out)
        job = app.export_job
        await pilot.press("ctrl+e")  # refused politely: the first export goes on
        assert await settle(
            pilot, lambda: any("already being written" in m for m in notifications(app))
        )
        assert app.export_job is job and app.exporting
        # The wizard stays usable while the PDF renders: another screen, keys answered.
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.exporting
        await pilot.press("down", "up")
        assert app.exporting
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert job is not None and job.result is not None and not app.exporting
        await pilot.press("f7")  # back on the export screen: the outcome is shown
        await pilot.pause()
        assert str(out.resolve()) in str(app.screen.query_one("#export-status", Static).content)
    assert out.read_bytes().startswith(b"%PDF")
    events = [e for e in read_session(handle.path)["audit"] if e["action"] == "memo_generated"]
    assert len(events) == 1


@sync
async def test_final_without_a_supported_recommendation_needs_a_second_persons_override(
    services: Services,
) -> None:
    from textual.widgets import TextArea

    from ddwizard.core.results import RecommendationStatus
    from ddwizard.tui.screens.dialogs import SignoffScreen

    handle = answered_session(services, "Sign-off")  # preparer "Tester", no diligence answered
    ev = evaluate(services.qset, services.catalog, handle.session.sheet())
    assert ev.recommendation_status != RecommendationStatus.SUPPORTED
    app = make_app(services, handle=handle)
    async with app.run_test(size=(120, 45)) as pilot:
        await pilot.press("f6", "f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SignoffScreen)
        shown_reasons = " ".join(dialog.reasons)
        assert "not supported" in shown_reasons
        for condition in ev.conditions[:3]:
            assert condition.text in shown_reasons
        await pilot.press("ctrl+s")  # nobody named: refused in the dialog
        await pilot.pause()
        assert "Name the reviewer" in str(dialog.query_one(".problem", Static).content)
        await pilot.press(*"Tester", "enter", *"Diligence waived by the committee", "ctrl+s")
        await pilot.pause()
        assert app.screen is dialog  # the preparer cannot be the second person
        assert "is the preparer" in str(dialog.query_one(".problem", Static).content)
        assert read_session(handle.path)["status"] == "in_progress"
        reviewer = dialog.query_one("#reviewer", Input)
        reviewer.value = "B. Reviewer"
        assert dialog.query_one("#rationale", TextArea).text
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.read_only
    saved = read_session(handle.path)
    assert saved["status"] == "final"
    event = next(e for e in reversed(saved["audit"]) if e["action"] == "status_changed")
    assert "B. Reviewer" in json.dumps(event) and "waived by the committee" in json.dumps(event)


@sync
async def test_cancelling_the_sign_off_changes_nothing(services: Services) -> None:
    from ddwizard.tui.screens.dialogs import SignoffScreen

    handle = answered_session(services, "Sign-off cancelled")
    before = read_session(handle.path)
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6", "f")
        await pilot.pause()
        assert isinstance(app.screen, SignoffScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
    after = read_session(handle.path)
    assert (after["status"], after["audit"]) == (before["status"], before["audit"])


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_status_and_conditions_shown_on_results_and_review(services: Services) -> None:
    from ddwizard.core.results import RecommendationStatus

    handle = demo_session(services, "Conditions")
    ev = evaluate(services.qset, services.catalog, handle.session.sheet())
    assert ev.recommendation and ev.recommendation_status == RecommendationStatus.PROVISIONAL
    assert ev.conditions
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        header = str(app.screen.query_one("#recommendation", Static).content)
        assert "status: provisional" in header and f"{len(ev.conditions)} conditions" in header
        details = " ".join(str(app.screen.query_one("#overview", Static).content).split())
        for condition in ev.conditions:
            assert " ".join(condition.text.split()) in details
        for progress in ev.diligence_progress.values():
            assert f"{progress.answered}/{progress.asked}" in header
        await pilot.press("f6")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        listed = [i for i in review.items if i.kind == "condition"]
        assert [i.label.plain.split(None, 1)[1] for i in listed] == [c.text for c in ev.conditions]
        target = next(i for i in listed if i.screen == "diligence")
        review.jump(review.items.index(target))
        for _ in range(4):
            await pilot.pause()
        jumped = app.screen
        assert isinstance(jumped, QuestionsScreen)
        assert (jumped.provider, jumped.focused_question) == (target.provider, target.question)


@sync
async def test_results_list_every_provider_by_tier_with_what_to_confirm(
    services: Services,
) -> None:
    from ddwizard.core.results import Tier

    handle = demo_session(services, "Tiers")
    ev = evaluate(services.qset, services.catalog, handle.session.sheet())
    conditional = next(r for r in ev.eligible if r.tier == Tier.CONDITIONAL and r.unconfirmed)
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        table = screen.query_one(DataTable)
        tiers = [table.get_cell(key, "tier").plain for key in table.rows]
        order = ["meets", "conditional", "unprofiled", "excluded"]
        assert [order.index(t) for t in tiers] == sorted(order.index(t) for t in tiers)
        for pid in ev.not_profiled:
            assert table.get_cell(pid, "tier").plain == "unprofiled"
        table.move_cursor(row=table.get_row_index(conditional.provider_id))
        await pilot.pause()
        detail = str(screen.query_one("#explanation", Static).content)
        assert "conditional: to confirm" in detail
        for item in conditional.unconfirmed:
            assert (item.to_confirm or item.label) in " ".join(detail.split())
        overview = str(screen.query_one("#overview", Static).content)
        if ev.not_profiled:
            assert "To consider, not profiled" in overview


@sync
async def test_a_session_that_fails_verification_gets_a_memo_only_marked_so(
    services: Services, tmp_path: Path
) -> None:
    handle = answered_session(services, "Hand edited")
    path = handle.path
    handle.close()
    data = json.loads(path.read_text(encoding="utf-8"))
    data["answers"]["client.aum_usd_m"]["value"] = 999  # an edit outside ddwizard
    path.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "memo.html"
    app = make_app(services, handle=services.store.open(path, services.qset, services.catalog))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one("#format", Select).value = "html"
        screen.query_one("#path", Input).value = str(out)
        await pilot.press("ctrl+e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(screen.query_one("#export-status", Static).content)
        assert "does not verify" in status and "ctrl+u" in status
        assert not out.exists()
        await pilot.press("ctrl+u")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.last_result is not None
    assert "INTEGRITY NOT VERIFIED" in out.read_text(encoding="utf-8")


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_the_provider_tab_matches_after_resume_and_ctrl_o_returns_where_left(
    services: Services,
) -> None:
    from textual.widgets import Tabs

    handle = demo_session(services, "Providers")
    shortlist = list(handle.session.shortlist or ())
    assert len(shortlist) >= 2
    handle.set_position(Position(screen="diligence", provider=shortlist[1]))
    app = make_app(services, handle=handle)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(3):
            await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionsScreen)
        assert screen.provider == shortlist[1]
        assert screen.query_one(Tabs).active == f"p-{shortlist[1]}"
        await pilot.press("pagedown", "pagedown")
        for _ in range(3):
            await pilot.pause()
        left = (screen.section_id, screen.focused_question)
        for provider in [*shortlist[2:], *shortlist[:2]]:
            await pilot.press("ctrl+o")
            for _ in range(3):
                await pilot.pause()
            still_here = app.screen is screen  # one diligence screen, its provider switched
            assert still_here
            assert screen.provider == provider
            assert screen.query_one(Tabs).active == f"p-{provider}"
        assert (screen.section_id, screen.focused_question) == left


@pytest.mark.slow
@sync
async def test_quitting_during_an_export_waits_for_the_memo(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handle = answered_session(services)
    out = tmp_path / "memo.pdf"
    release = _hold_memo_job(monkeypatch)
    app = make_app(services, handle=handle)
    async with app.run_test(size=SIZE) as pilot:
        await _start_export(pilot, app, out)
        await pilot.press("ctrl+q")
        assert await settle(
            pilot,
            lambda: any("Quitting as soon as the memo is written" in m for m in notifications(app)),
        )
        assert app.is_running and app.exporting
        release.set()
        await app.workers.wait_for_complete()
        for _ in range(10):
            await pilot.pause()
            if not app.is_running:
                break
        assert not app.is_running
    assert out.read_bytes().startswith(b"%PDF")
    events = [e["action"] for e in read_session(handle.path)["audit"]]
    assert "memo_generated" in events


@sync
@pytest.mark.slow  # a long Pilot key sequence: full suite only
async def test_a_finding_that_breaches_the_mandate_is_marked_where_findings_are_shown(
    services: Services,
) -> None:
    handle = demo_session(services, "Breaches")
    ev = evaluate(services.qset, services.catalog, handle.session.sheet())
    breach = next(f for f in ev.red_flags if f.breaches_mandate)
    handle.set_position(Position(screen="diligence", provider=breach.provider_id))
    app = make_app(services, handle=handle)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(3):
            await pilot.pause()
        panel = str(app.screen.query_one(HelpPanel).query_one(".findings", Static).content)
        line = next(row for row in panel.splitlines() if breach.message[:30] in row)
        assert "breaches the mandate" in line
        await pilot.press("f4")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(breach.provider_id))
        await pilot.pause()
        detail = str(app.screen.query_one("#explanation", Static).content)
        assert any(
            "breaches the mandate" in row and breach.message[:30] in row
            for row in detail.splitlines()
        )
        await pilot.press("f6")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        flagged = next(
            i
            for i in review.items
            if i.kind == "flag"
            and i.question == breach.question_id
            and i.provider == breach.provider_id
        )
        assert "breaches the mandate" in flagged.label.plain
