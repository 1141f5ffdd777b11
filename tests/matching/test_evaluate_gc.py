"""evaluate() leaves the cyclic collector as it found it, without a young generation full of
its own results (the first allocation afterwards would traverse them all)."""

from __future__ import annotations

import datetime
import gc
from collections.abc import Callable, Iterator

import pytest

from ddwizard.core.answers import AnswerSheet
from ddwizard.core.loading import load_providers, load_questionnaires
from ddwizard.core.matching import evaluate

TODAY = datetime.date(2026, 6, 30)


@pytest.fixture
def collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.unfreeze()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()


def _evaluate() -> object:
    return evaluate(load_questionnaires(), load_providers(), AnswerSheet(), today=TODAY)


def _evaluate_loaded() -> Callable[[], object]:
    qset, catalog = load_questionnaires(), load_providers()
    return lambda: evaluate(qset, catalog, AnswerSheet(), today=TODAY)


def test_results_leave_the_young_generation_and_nothing_stays_frozen(
    collector_restored: None,
) -> None:
    gc.enable()
    run = _evaluate_loaded()
    gc.collect()
    collections: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        result = run()
    finally:
        gc.callbacks.remove(seen)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    assert collections == []  # its objects were not traversed on the way out
    assert result is not None


def test_a_freeze_held_by_someone_else_is_left_in_place(collector_restored: None) -> None:
    gc.enable()
    gc.freeze()  # as the TUI's questions screen does for its forms
    before = gc.get_freeze_count()
    _evaluate()
    assert gc.get_freeze_count() >= before


def test_a_disabled_collector_stays_disabled(collector_restored: None) -> None:
    gc.disable()
    _evaluate()
    assert not gc.isenabled()
