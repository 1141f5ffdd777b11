"""``ddwizard resume`` paints first and opens the review after: keys typed meanwhile reach the
resumed question in order, and a review that cannot be opened still ends with a clear message
on stderr and exit code 1 (no traceback, no half-drawn screen left behind)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from textual.widgets import Input

from ddwizard.core.sessions.session import Position
from ddwizard.tui.app import DdwizardApp
from ddwizard.tui.run import resume_app
from ddwizard.tui.screens.questions import QuestionsScreen
from ddwizard.tui.services import Services
from ddwizard.tui.widgets.opening import OpeningScreen

from .conftest import SIZE, sync


@sync
async def test_keys_typed_while_the_review_opens_reach_the_resumed_question(
    services: Services,
) -> None:
    handle = services.store.create("Typed ahead", services.qset, services.catalog)
    handle.set_position(Position(screen="mandate", section="client", question="client.entity_name"))
    path = handle.path
    handle.close()
    may_open = threading.Event()

    def open_when_allowed() -> Any:
        assert may_open.wait(10)
        return services.store.open(path, services.qset, services.catalog)

    app = DdwizardApp(services, opener=(open_when_allowed, "review 'Typed ahead'"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, OpeningScreen)  # painted before the review is open
        await pilot.press("A", "c", "x", "backspace", "m", "e")
        may_open.set()
        for _ in range(200):
            await pilot.pause(0.02)
            focused = app.focused
            if isinstance(focused, Input) and focused.value == "Acme":
                break
        assert isinstance(app.screen, QuestionsScreen)
        assert app.screen.focused_question == "client.entity_name"
        assert isinstance(app.focused, Input)
        assert app.focused.value == "Acme"
        assert app.open_error is None


@sync
async def test_a_missing_review_ends_the_app_with_the_error(services: Services) -> None:
    app = resume_app(services, "no such review")
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(200):
            await pilot.pause(0.02)
            if app.open_error is not None:
                break
    assert app.open_error is not None
    assert "no such review" in str(app.open_error)
    assert app.return_code == 1
    assert app.handle is None


def _resume(sessions: Path, name: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TEXTUAL_DRIVER="textual.drivers.headless_driver:HeadlessDriver")
    return subprocess.run(
        [sys.executable, "-m", "ddwizard", "--sessions-dir", str(sessions), "resume", name],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_resume_reports_a_locked_or_missing_review_on_stderr_with_exit_code_1(
    services: Services, tmp_path: Path
) -> None:
    handle = services.store.create("Held elsewhere", services.qset, services.catalog)
    try:  # still open here: the child finds it locked
        locked = _resume(tmp_path / "sessions", "Held elsewhere")
    finally:
        handle.close()
    assert locked.returncode == 1, locked.stderr
    assert locked.stderr.startswith("error: ")
    assert "Traceback" not in locked.stderr
    assert "lock" in locked.stderr.lower()
    missing = _resume(tmp_path / "sessions", "Nothing like it")
    assert missing.returncode == 1, missing.stderr
    assert "error: " in missing.stderr and "Nothing like it" in missing.stderr
    assert "Traceback" not in missing.stderr
