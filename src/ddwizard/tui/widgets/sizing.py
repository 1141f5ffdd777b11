"""Widgets that take a new size without asking for another layout of the whole screen.

When a widget gets a size for the first time (a section or provider shown), Textual records
its new virtual size as a change that needs another layout pass of the screen, after the one
that just placed it: every widget of a section shown for the first time asked for one (17 ms of
a 90 ms section change on a diligence section). The pass is needed only where a virtual size
changes an arrangement, which none of the questions form's widgets do: the scroll panes always
show their scrollbars, and their scrollbars are still updated. Textual is pinned to one
version; ``tests/tui/test_layout_passes.py`` counts the passes.
"""

from __future__ import annotations

from textual.containers import Horizontal
from textual.geometry import Size
from textual.widgets import Static


class SizedInPlace:
    """Mixin, first among a widget's bases: a new size is taken without another layout pass.

    A plain class, not a widget: Textual follows the first widget base of a class for its
    CSS (type names, default styles, component classes), which stays the Textual class."""

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        updated: bool = super()._size_updated(  # type: ignore[misc]
            size, virtual_size, container_size, layout=False
        )
        return updated


class FormText(SizedInPlace, Static):
    """A Static of the questions form (prompt, problem, unit, intro, help text)."""


class FormRow(SizedInPlace, Horizontal):
    """A row of the questions form (evidence and date, value and unit)."""
