"""One section of the questions screen: its form, built once and shown again.

A section's form is built in the background after the screen's first paint, re-filled for
another provider instead of rebuilt, and laid out once out of sight before it is first shown
(``warm``): a first showing cost about twice a later one (every widget took its first size,
arrangement and paint then; 351k against 189k function calls for a diligence PgDn).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.containers import VerticalScroll
from textual.geometry import Region, Size
from textual.widget import Widget

from ddwizard.core.questionnaire import Section
from ddwizard.tui.display import shown
from ddwizard.tui.widgets.question import QuestionField
from ddwizard.tui.widgets.sizing import FormText, SizedInPlace

STALE: Any = object()
"""``SectionView.loaded_for`` when its fields must be re-filled from the session."""
WARM_OFFSET = 10_000
"""Rows below the screen where a section is laid out before it is first shown."""


class SectionView(SizedInPlace, VerticalScroll):
    """One section's questions, built once and shown again (re-filled for another provider)."""

    def __init__(self, section: Section, fields: list[QuestionField], provider: str | None):
        # The intro scrolls with the questions: a fixed-height pane above them would change
        # height from section to section and cost every section change a second layout pass.
        intro = (
            []
            if not section.intro
            else [
                FormText(Text(shown(section.intro.strip()), style="dim"), classes="section-intro")
            ]
        )
        super().__init__(*intro, *fields, id=f"section-{section.id}", classes="questions")
        self.section = section
        self.fields = fields
        self.loaded_for: Any = provider
        """The provider whose answers the fields show (``STALE``: re-fill before showing)."""
        self.warming = False
        """Laid out out of sight before its first showing: its fields cannot take the focus."""

    def allow_focus_children(self) -> bool:
        return not self.warming and super().allow_focus_children()

    def warm(self, size: Size) -> None:
        """Take part in the next layout at ``size`` (the size it will be shown at), out of the
        flow and below the screen: nothing reaches the terminal or can be clicked, and its
        fields are out of the focus chain. Then ``paint_into_caches`` and ``end_warming``;
        shown for real at the same size, nothing is resized or repainted that did not change.
        """
        styles = self.styles
        styles.position = "absolute"
        styles.offset = (0, WARM_OFFSET)
        styles.width, styles.height = size.width, size.height
        self.warming = True

    def paint_into_caches(self) -> None:
        """Let every laid-out widget paint its lines into its own cache, as the screen would
        paint them: they are reused when the section is shown at the same size."""
        for widget in self.walk_children(Widget, with_self=True):
            region = widget.region
            if region:
                widget.render_lines(Region(0, 0, region.width, region.height))

    def end_warming(self) -> None:
        """Back in the flow at its own size (the caller hides it again or shows it)."""
        styles = self.styles
        styles.position = None
        styles.offset = None
        styles.width = styles.height = None
        self.warming = False
