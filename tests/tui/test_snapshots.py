"""Snapshots of the main screens (pytest-textual-snapshot) on fixed session data and clock.

Update after a deliberate change with ``pytest tests/tui/test_snapshots.py --snapshot-update``
and look at the SVGs before committing them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.tui.conftest import MANDATE
from textual.pilot import Pilot
from textual.widgets import Input

import ddwizard.core.sessions.session as session_module
from ddwizard.core.sessions.store import SessionHandle
from ddwizard.tui.factory import make_app
from ddwizard.tui.services import Services

FIXED_NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture()
def services(repo_root: Path, tmp_path: Path) -> Services:
    from ddwizard.core.loading import DataFolders

    return Services.load(
        tmp_path / "sessions",
        # The bundled data itself: a data change that moves a screen is refreshed with
        # --snapshot-update like any other deliberate change.
        DataFolders.resolve(
            repo_root / "questionnaires",
            repo_root / "providers",
            repo_root / "report_templates",
        ),
        actor="Tester",
        memo_dir=tmp_path / "memos",
    )


@pytest.fixture()
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_module, "utc_now", lambda: FIXED_NOW)


async def steady_cursor(pilot: Pilot[None]) -> None:
    """Stop text cursors blinking so a screenshot does not depend on when it is taken."""
    await pilot.pause()
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


def answered(services: Services, name: str = "Acme custody review") -> SessionHandle:
    handle = services.store.create(name, services.qset, services.catalog, preparer="A. Officer")
    for qid, value in MANDATE.items():
        handle.set_answer(qid, value)
    return handle


def test_home_screen(
    snap_compare: Any, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Distinct fixed times, so the most-recent-first order does not depend on random ids.
    monkeypatch.setattr(session_module, "utc_now", lambda: FIXED_NOW)
    answered(services).close()
    monkeypatch.setattr(session_module, "utc_now", lambda: FIXED_NOW.replace(hour=11))
    services.store.create("Beta Treasury review", services.qset, services.catalog).close()
    assert snap_compare(make_app(services), terminal_size=(100, 30), run_before=steady_cursor)


@pytest.mark.slow  # a long Pilot key sequence: full suite only
def test_mandate_section_at_80x24(snap_compare: Any, services: Services, fixed_clock: None) -> None:
    handle = answered(services)
    assert snap_compare(
        make_app(services, handle=handle), terminal_size=(80, 24), run_before=steady_cursor
    )


@pytest.mark.slow  # a long Pilot key sequence: full suite only
def test_mandate_section_wide(snap_compare: Any, services: Services, fixed_clock: None) -> None:
    handle = answered(services)
    assert snap_compare(
        make_app(services, handle=handle), terminal_size=(130, 36), run_before=steady_cursor
    )


def test_weights_screen(snap_compare: Any, services: Services, fixed_clock: None) -> None:
    handle = answered(services)

    async def open_weights(pilot: Pilot[None]) -> None:
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press(
            "end", "backspace", "backspace", *"40"
        )  # liquidity 40: the sum is now 110
        await steady_cursor(pilot)

    assert snap_compare(
        make_app(services, handle=handle), terminal_size=(100, 30), run_before=open_weights
    )


def test_results_screen(snap_compare: Any, services: Services, fixed_clock: None) -> None:
    handle = answered(services)

    async def open_results(pilot: Pilot[None]) -> None:
        await pilot.press("f4")
        await steady_cursor(pilot)

    assert snap_compare(
        make_app(services, handle=handle), terminal_size=(100, 36), run_before=open_results
    )


def test_results_screen_light_theme(
    snap_compare: Any, services: Services, fixed_clock: None
) -> None:
    handle = answered(services)

    async def open_results(pilot: Pilot[None]) -> None:
        pilot.app.theme = "textual-light"
        await pilot.press("f4")
        await steady_cursor(pilot)

    assert snap_compare(
        make_app(services, handle=handle), terminal_size=(130, 36), run_before=open_results
    )
