"""Textual's Footer, rebuilt at most once per refresh and only when its keys change.

The stock Footer rebuilds all its key widgets for every bindings change, and focus moves
change bindings: answering a question and moving on would pay for a full rebuild each time.
This footer coalesces the requests and skips the rebuild when the shown keys are the same.
"""

from __future__ import annotations

from textual.dom import NoScreen
from textual.screen import Screen
from textual.widgets import Footer


class WizardFooter(Footer):
    _rebuild_pending = False
    _shown_keys: tuple[tuple[str, str, bool], ...] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    def _keys(self) -> tuple[tuple[str, str, bool], ...]:
        return tuple(
            (binding.key, binding.description, enabled)
            for (_, binding, enabled, _) in self.screen.active_bindings.values()
            if binding.show
        )

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached:
            return  # its screen was replaced meanwhile
        try:
            keys = self._keys()
        except NoScreen:
            return
        if keys == self._shown_keys:
            return
        self._shown_keys = keys
        await self.recompose()
