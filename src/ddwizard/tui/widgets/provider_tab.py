"""The provider tabs of the diligence screen: the provider shown is marked with a symbol."""

from __future__ import annotations

from textual.content import Content
from textual.css.query import NoMatches
from textual.visual import VisualType
from textual.widgets import Static, Tab, Tabs
from textual.widgets._tabs import Underline


class ProviderTab(Tab):
    """A provider's tab. The ▸ that marks the provider shown moves between tabs on every
    provider switch; the label keeps its width, so it is repainted without laying the screen
    out again (Textual's relabel costs a layout pass and a re-animated underline)."""

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        width = content.cell_length if isinstance(content, Content) else None
        if width is not None and width == getattr(self, "_label_width", None):
            Static.update(self, content, layout=False)
            return
        self._label_width = width
        super().update(content)


class ProviderTabs(Tabs):
    """Tabs whose underline moves under the newly active tab in the same frame.

    Textual (8.2.8) moves it after the next refresh, one more repaint after every ctrl+o;
    as the tabs neither move nor change width on a switch, the active tab's place is already
    known. A tab not laid out yet (the tabs just added) is left to Textual.
    """

    def _highlight_active(self, animate: bool = True) -> None:
        if animate and self.app.animation_level != "none":
            super()._highlight_active(animate)
            return
        try:
            underline = self.query_one(Underline)
            active = self.query_one("#tabs-list > Tab.-active")
        except NoMatches:
            super()._highlight_active(animate)
            return
        span = active.virtual_region.shrink(active.styles.gutter)
        if not span.width:
            super()._highlight_active(animate)
            return
        underline.show_highlight = True
        underline.highlight_start, underline.highlight_end = span.column_span
