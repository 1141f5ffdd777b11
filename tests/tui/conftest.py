"""Fixtures for the TUI tests: real services over temporary folders, real sessions."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from ddwizard.core.demo import load_demo_answers
from ddwizard.core.loading import DataFolders
from ddwizard.core.sessions.store import SessionHandle, SessionStore
from ddwizard.tui.services import Services

SIZE = (100, 36)

MANDATE: dict[str, Any] = {
    "client.entity_name": "Acme Fund LP",
    "client.entity_type": "us_adviser_fund",
    "client.sec_registered_adviser": "yes",
    "client.home_jurisdiction": "us",
    "client.regions": ["us"],
    "client.aum_usd_m": 500,
    "reg.qualified_custodian": "yes",
    "reg.bank_backed": "no_preference",
    "assets.required": ["btc", "eth"],
    "assets.staking": "no",
    "controls.cold_storage_priority": "critical",
}


@pytest.fixture()
def services(repo_root: Path, tmp_path: Path, qset: Any, catalog: Any) -> Services:
    folders = DataFolders.resolve(
        repo_root / "questionnaires", repo_root / "providers", repo_root / "report_templates"
    )
    return Services(
        qset=qset,
        catalog=catalog,
        store=SessionStore(tmp_path / "sessions"),
        folders=folders,
        actor="Tester",
        memo_dir=tmp_path / "memos",
    )


def demo_session(services: Services, name: str) -> SessionHandle:
    """A new session named ``name`` holding the bundled demo review's answers."""
    handle = services.store.create(name, services.qset, services.catalog)
    handle.apply_answers(load_demo_answers(services.qset, services.catalog))
    return handle


def read_session(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def sync(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async Pilot scenario from a plain test (no async plugin is installed)."""

    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return wrapper


async def settle(pilot: Any, done: Callable[[], bool], *, seconds: float = 10.0) -> bool:
    """Let the app work until ``done()`` holds (or ``seconds`` pass); returns ``done()``.

    Keys held back by the typing-order logic and workers finish on their own time, which a
    loaded machine stretches: wait for the outcome itself, never for a fixed delay.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not done() and loop.time() < deadline:
        await pilot.pause(0.02)
    return done()
