"""Textual's Footer, rebuilt at most once per refresh.

The stock Footer schedules a full rebuild (a dozen key widgets) for every bindings change;
mounting a screen full of questions changes bindings many times before the first paint, and
each rebuild restyles every key. Coalescing them keeps screen switches and startup quick.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class WizardFooter(Footer):
    _rebuild_pending = False

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        await self.recompose()
