"""Textual's Footer, rebuilt at most once per refresh and only when its keys change.

The stock Footer rebuilds all its key widgets for every bindings change, and focus moves
change bindings: answering a question and moving on would pay for a full rebuild each time.
This footer coalesces the requests and skips the rebuild when the shown keys are the same.

When the keys do not fit (80 columns, or a screen with many keys) the footer shows the
screen's own keys after F1 ("all keys"), and leaves the app's screen keys (F2-F9), which F1
lists, out, so the keys that matter are never cut off.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.dom import NoScreen
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

NARROW_WIDTH = 110
"""Below this many columns only F1 and the screen's own keys are shown."""
HELP_ACTION = "show_help"
KEY_PADDING = 3
"""Cells around a key and its description in the footer."""
PALETTE_WIDTH = 13


class WizardFooter(Footer):
    _rebuild_pending = False
    _shown_keys: tuple[tuple[str, str, bool], ...] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        self._request_rebuild()

    def _request_rebuild(self) -> None:
        if self.is_attached and self.screen is self.app.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    def on_resize(self, event: Resize) -> None:
        self._request_rebuild()

    @property
    def narrow(self) -> bool:
        """Too narrow for every key: F1 and the screen's own keys only."""
        width = self.app.size.width
        if width < NARROW_WIDTH:
            return True
        needed = sum(len(r[1]) + len(r[2]) + KEY_PADDING for r in self._rows(narrow=False))
        return needed + PALETTE_WIDTH > width

    def _shown(self) -> list[tuple[str, str, str, str, bool, str]]:
        """The keys that fit, in order (F1, which lists them all, first)."""
        narrow = self.narrow
        rows = self._rows(narrow=narrow)
        if not narrow:
            return rows
        room = self.app.size.width
        shown = []
        for row in rows:
            width = len(row[1]) + len(row[2]) + KEY_PADDING
            if width <= room:
                shown.append(row)
                room -= width
        return shown

    def _rows(self, *, narrow: bool) -> list[tuple[str, str, str, str, bool, str]]:
        """(key, key display, description, action, enabled, tooltip) in footer order."""
        first: list[tuple[str, str, str, str, bool, str]] = []
        rest: list[tuple[str, str, str, str, bool, str]] = []
        seen: set[str] = set()
        for node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            is_help = binding.action in (HELP_ACTION, f"app.{HELP_ACTION}")
            if narrow and node is self.app and not is_help:
                continue  # F2-F9: listed by F1
            description = "all keys" if narrow and is_help else binding.description
            row = (
                binding.key,
                self.app.get_key_display(binding),
                description,
                binding.action,
                enabled,
                tooltip,
            )
            (first if is_help else rest).append(row)
        return first + rest

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        shown = self._shown()
        self.styles.grid_size_columns = len(shown)
        for key, display, description, action, enabled, tooltip in shown:
            yield FooterKey(
                key, display, description, action, disabled=not enabled, tooltip=tooltip
            ).data_bind(compact=Footer.compact)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and not self.narrow:
            palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
            if palette is not None:
                _node, binding, enabled, tooltip = palette
                yield FooterKey(
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    classes="-command-palette",
                    disabled=not enabled,
                    tooltip=tooltip or binding.description,
                )

    def _keys(self) -> tuple[tuple[str, str, bool], ...]:
        return tuple((row[0], row[2], row[4]) for row in self._shown())

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
