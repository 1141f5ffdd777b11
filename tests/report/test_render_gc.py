"""The PDF render keeps the cyclic collector off long-lived objects, and only while it runs."""

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
    with render._long_lived_objects_frozen():
        assert gc.get_freeze_count() >= len(held)
    assert gc.get_freeze_count() == 0


def test_a_freeze_held_by_someone_else_is_left_in_place(no_freeze: None) -> None:
    gc.freeze()  # as the TUI's questions screen does for its forms
    before = gc.get_freeze_count()
    assert before > 0
    with render._long_lived_objects_frozen():
        pass
    assert gc.get_freeze_count() >= before


def test_a_failed_render_still_releases_the_freeze(no_freeze: None) -> None:
    with pytest.raises(RuntimeError), render._long_lived_objects_frozen():
        raise RuntimeError("layout failed")
    assert gc.get_freeze_count() == 0


def test_render_pdf_returns_a_pdf_and_leaves_nothing_frozen(no_freeze: None) -> None:
    pdf = render.render_pdf(
        "<p>One line</p>", bundled_dir("report_templates"), attachment=b"{}"
    )
    assert pdf.startswith(b"%PDF-")
    assert gc.get_freeze_count() == 0
