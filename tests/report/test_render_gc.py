"""The PDF render keeps the cyclic collector off long-lived objects and collects young
garbage less often, only while it runs."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from ddwizard.core.report import render
from ddwizard.core.resources import bundled_dir


@pytest.fixture
def no_freeze() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_objects_alive_before_are_frozen_during_and_released_after(no_freeze: None) -> None:
    held = [object() for _ in range(1000)]
    threshold = gc.get_threshold()
    with render._collector_set_for_render():
        assert gc.get_freeze_count() >= len(held)
        assert gc.get_threshold()[0] == render.RENDER_GC_THRESHOLD
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == threshold


def test_a_freeze_held_by_someone_else_is_left_in_place(no_freeze: None) -> None:
    gc.freeze()  # as the TUI's questions screen does for its forms
    before = gc.get_freeze_count()
    assert before > 0
    with render._collector_set_for_render():
        pass
    assert gc.get_freeze_count() >= before


def test_a_failed_render_still_releases_the_freeze(no_freeze: None) -> None:
    threshold = gc.get_threshold()
    with pytest.raises(RuntimeError), render._collector_set_for_render():
        raise RuntimeError("layout failed")
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == threshold


def test_render_pdf_returns_a_pdf_and_leaves_nothing_frozen(no_freeze: None) -> None:
    pdf = render.render_pdf("<p>One line</p>", bundled_dir("report_templates"), attachment=b"{}")
    assert pdf.startswith(b"%PDF-")
    assert gc.get_freeze_count() == 0
