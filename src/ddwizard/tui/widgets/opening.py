"""The screen shown while ``ddwizard resume`` / ``ddwizard new`` opens its review.

Opening a review loads and validates the questionnaires and provider profiles, then locks
and reads the session: a good part of a second. Done before the app starts, the terminal
stays blank meanwhile; here the app paints this light screen first and opens the review in a
worker thread. Keys typed meanwhile are held and handed, in order, to the review's screen once
it is shown (its own typed-ahead mechanism then gives them to the question being focused).
When the review cannot be opened (locked, missing, unreadable) the app exits with the error in
``DdwizardApp.open_error``, which ``ddwizard.tui.run`` reports like any other command.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, cast

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

if TYPE_CHECKING:
    from ddwizard.core.sessions.store import SessionHandle


class ReviewHost(Protocol):
    """What this screen needs of the wizard app (``DdwizardApp``, not imported: no cycle)."""

    open_error: BaseException | None

    @property
    def is_quitting(self) -> bool: ...

    def open_session(self, handle: SessionHandle) -> None: ...


class OpeningScreen(Screen[None]):
    """ "Opening the review…" until it is open; then the review's own screen replaces it."""

    DEFAULT_CSS = """
    OpeningScreen { align: center middle; }
    OpeningScreen > Static { width: auto; color: $text-muted; }
    """

    def __init__(self, opener: Callable[[], SessionHandle], label: str) -> None:
        super().__init__()
        self._opener = opener
        self._label = label
        self.typed: list[events.Key] = []
        """Keys typed before the review was open, in order."""
        self.opened = False

    def compose(self) -> ComposeResult:
        yield Static(f"Opening {self._label}…", markup=False)

    def on_mount(self) -> None:
        # After the first paint, so the terminal shows something at once.
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        self.run_worker(self._open, name="open-review", thread=True, exit_on_error=False)

    def _open(self) -> None:
        try:
            handle = self._opener()
        except BaseException as exc:  # reported by the caller of App.run, never a traceback
            self._call_app(self._failed, exc)
            return
        if not self._call_app(self._opened, handle):
            handle.close()  # the app quit meanwhile: release the lock

    def _call_app(self, callback: Callable[..., object], *args: object) -> bool:
        try:
            self.app.call_from_thread(callback, *args)
        except RuntimeError:  # the app is no longer running
            return False
        return True

    def _failed(self, error: BaseException) -> None:
        cast("ReviewHost", self.app).open_error = error
        self.app.exit(return_code=1)

    def _opened(self, handle: SessionHandle) -> None:
        host = cast("ReviewHost", self.app)
        if host.is_quitting:
            handle.close()
            return
        self.opened = True
        host.open_session(handle)
        keys, self.typed = self.typed, []
        for key in keys:  # behind the new screen's mounting, as if typed now
            self.app.post_message(events.Key(key.key, key.character))

    def on_key(self, event: events.Key) -> None:
        """Hold every key (but the app's priority keys: help, quit) for the review's screen."""
        event.stop()
        event.prevent_default()
        self.typed.append(event)
