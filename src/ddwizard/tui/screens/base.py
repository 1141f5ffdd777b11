"""The contract between the app and its main screens, declared once instead of probed.

The app asks the active screen three things before it moves away or quits: save what is still
being typed (``flush``), may the user leave now (``can_leave``), and where should resuming land
(``current_position``). Every main screen inherits the defaults and overrides what it needs,
so the app calls typed methods instead of looking them up with ``getattr``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget

if TYPE_CHECKING:
    from ddwizard.core.sessions.session import Position
    from ddwizard.tui.app import DdwizardApp


SIDE_BY_SIDE: list[tuple[int, str]] = [(0, "-narrow"), (110, "-wide")]
"""Width classes of the screens that put panes side by side when the terminal is wide (their
CSS reads ``-narrow`` and ``-wide``). Only those screens have them: setting a class restyles
the whole screen, which on the home screen was a tenth of its first paint."""


class WizardScreen(Screen[None]):
    """A main screen of an open review (mandate, weights, results, diligence, review, export)."""

    app: DdwizardApp

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    """As Textual's, but moving the focus does not repaint the whole screen: the widgets that
    gain and lose it restyle and repaint themselves. Textual's repaint doubled the cost of a
    section change (a layout's full paint, then the same paint again)."""

    def flush(self) -> None:
        """Save any edit still waiting for a typing pause (nothing to save by default)."""

    def can_leave(self) -> bool:
        """Whether the user may leave now; a screen that refuses says why."""
        return True

    def current_position(self) -> Position | None:
        """Where resuming should land (None: the position saved on mount stands)."""
        return None
