"""The provider tabs of the diligence screen: the provider shown is marked with a symbol."""

from __future__ import annotations

from textual.content import Content
from textual.visual import VisualType
from textual.widgets import Static, Tab


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
