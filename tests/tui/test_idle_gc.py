"""Full garbage collections wait for a pause in the user's input (``tui/idle_gc.py``)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from tests.tui.conftest import sync

from ddwizard.tui.factory import make_app
from ddwizard.tui.idle_gc import FULL_EVERY, IDLE_SECONDS, IdleCollector
from ddwizard.tui.services import Services


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def restored_threshold() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)


def _old_generation_touched() -> None:
    """At least one middle-generation collection since the last full one."""
    gc.collect(1)
    assert gc.get_count()[2] > 0


def test_a_full_collection_runs_once_per_pause(restored_threshold: tuple[int, int, int]) -> None:
    clock = _Clock()
    collector = IdleCollector(clock)
    collector.start()
    assert gc.get_threshold() == (*restored_threshold[:2], FULL_EVERY)
    collector.input_seen()
    _old_generation_touched()
    clock.now += IDLE_SECONDS / 2
    assert not collector.collect_if_idle()  # still typing
    clock.now += IDLE_SECONDS
    assert not collector.collect_if_idle(busy=True)  # a memo is being written
    assert collector.collect_if_idle()
    assert gc.get_count()[2] == 0  # the full collection ran
    _old_generation_touched()
    clock.now += 10 * IDLE_SECONDS
    assert not collector.collect_if_idle()  # once per pause, not every check
    collector.input_seen()
    clock.now += IDLE_SECONDS
    _old_generation_touched()
    assert collector.collect_if_idle()
    collector.stop()
    assert gc.get_threshold() == restored_threshold


def test_nothing_is_collected_when_nothing_aged(restored_threshold: tuple[int, int, int]) -> None:
    clock = _Clock()
    collector = IdleCollector(clock)
    collector.start()
    gc.collect()
    clock.now += IDLE_SECONDS
    assert not collector.collect_if_idle()
    collector.stop()


@sync
async def test_the_app_defers_full_collections_while_it_runs(
    services: Services, restored_threshold: tuple[int, int, int]
) -> None:
    app = make_app(services)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert gc.get_threshold()[2] == FULL_EVERY
        before = app.idle_gc.last_input
        await pilot.press("x")
        assert app.idle_gc.last_input > before  # a key counts as input
    assert gc.get_threshold() == restored_threshold  # put back when the app closes
