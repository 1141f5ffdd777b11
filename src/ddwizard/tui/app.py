"""The Textual application: owns the open session and the services, and moves between screens.

Screens never touch files: every edit goes through ``DdwizardApp.apply``, which calls the
locked ``SessionHandle`` (each change saved atomically before it returns) and turns any
``DdwizardError`` into a message on screen instead of a crash.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from ddwizard.core.errors import DdwizardError
from ddwizard.tui.services import Services

if TYPE_CHECKING:
    from textual.timer import Timer

    from ddwizard.core.results import Evaluation
    from ddwizard.core.sessions.session import Position, Session
    from ddwizard.core.sessions.store import SessionHandle

POSITION_DELAY = 0.5
"""Seconds after the last focus change before the position is written."""
SETTLE_ROUNDS = 4
"""Rounds of pending messages handled before quitting: a key typed just before travels from
the focused widget up to the app's bindings, then its effects through a few widgets."""
SETTLE_TIMEOUT = 0.25
"""Seconds quitting waits at most for those messages."""

MAIN_SCREENS: dict[str, str] = {
    "mandate": "Mandate",
    "weights": "Weights",
    "results": "Results",
    "diligence": "Diligence",
    "review": "Review",
    "export": "Export",
}


class DdwizardApp(App[None]):
    """Keyboard-first due-diligence wizard over one session at a time."""

    TITLE = "ddwizard"
    # The home screen is the default screen, whose own CSS_PATH Textual does not load.
    CSS_PATH = ["screens/common.tcss", "screens/home.tcss"]  # noqa: RUF012
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "show_help", "Keys", priority=True),
        Binding("f2", "go('mandate')", "Mandate"),
        Binding("f3", "go('weights')", "Weights"),
        Binding("f4", "go('results')", "Results"),
        Binding("f5", "go('diligence')", "Diligence"),
        Binding("f6", "go('review')", "Review"),
        Binding("f7", "go('export')", "Export"),
        Binding("f9", "home", "Home"),
    ]

    def __init__(self, services: Services, *, handle: SessionHandle | None = None) -> None:
        super().__init__()
        self.services = services
        self.handle: SessionHandle | None = None
        self._initial_handle = handle
        self._evaluation: Evaluation | None = None
        self._evaluation_revision = -1
        self.revision = 0
        """Bumped after every saved change; cached results are recomputed when it moves."""
        self._pending_position: Position | None = None
        self._position_timer: Timer | None = None
        self._quitting = False

    # --- lifecycle ---------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        if self._initial_handle is not None:
            # Straight into a review: the home screen is built only if the user asks for it.
            return Screen()
        from ddwizard.tui.screens.home import HomeScreen

        return HomeScreen()

    def on_mount(self) -> None:
        if self._initial_handle is not None:
            handle, self._initial_handle = self._initial_handle, None
            self.open_session(handle)

    def on_unmount(self) -> None:
        self.close_session()

    async def action_quit(self) -> None:
        """Let the keys typed just before quitting take effect, save everything, then exit.

        ctrl+q is a priority binding handled on the app's own queue: it can run while the
        Enter typed a moment earlier is still travelling through the widgets. Those messages
        are handled first, then pending edits and the position are written synchronously.
        """
        if self._quitting:
            return
        self._quitting = True
        await self._quit_step(SETTLE_ROUNDS)

    async def _quit_step(self, rounds: int) -> None:
        # A key forwarded to a widget bubbles back to the app's queue, behind this action:
        # let the screen hand it on, let the app handle it (call_later queues us behind it),
        # and again for the messages it causes.
        await self._settle_screen()
        if rounds > 1:
            self.call_later(self._quit_step, rounds - 1)
            return
        self.flush_screen()
        remember = getattr(self.screen, "current_position", None)
        if callable(remember) and self.handle is not None:
            position = remember()
            if position is not None:
                self.save_position(position)
        self.flush_position()
        self.exit()

    async def _settle_screen(self) -> None:
        try:
            widgets = list(self.screen.walk_children(with_self=True))
        except Exception:  # no screen any more: nothing to settle
            return
        done = asyncio.Event()
        pending = 0

        def one_done() -> None:
            nonlocal pending
            pending -= 1
            if pending == 0:
                done.set()

        for widget in widgets:
            if widget.call_later(one_done):
                pending += 1
        if pending:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), SETTLE_TIMEOUT)

    def flush_screen(self) -> None:
        """Save any edit still being typed on the active screen."""
        flush = getattr(self.screen, "flush", None)
        if callable(flush):
            flush()

    # --- session -----------------------------------------------------------------------

    @property
    def session(self) -> Session:
        if self.handle is None:
            raise RuntimeError("no session is open")
        return self.handle.session

    def open_session(self, handle: SessionHandle) -> None:
        """Make ``handle`` the open session and land where it was left."""
        self.close_session()
        name, position = self._take_session(handle)
        self.refresh_bindings()
        self.go(name, position=position)

    def _take_session(self, handle: SessionHandle) -> tuple[str, Position]:
        """Hold ``handle``; the main screen and position to land on."""
        self.handle = handle
        self.revision += 1
        self.sub_title = handle.session.label
        if handle.session.status == "final":
            self.notify(
                "This review is final: answers are read-only; exporting is still possible.",
                title="Read-only",
                severity="warning",
            )
        position = handle.session.position
        screen = position.screen if position.screen in MAIN_SCREENS else "mandate"
        if screen == "export":
            screen = "review"
        return screen, position

    def close_session(self) -> None:
        if self.handle is None:
            return
        self.flush_position()
        handle, self.handle = self.handle, None
        try:
            handle.close()
        except DdwizardError as exc:
            self.notify(
                str(exc), title="Could not close the session", severity="error", markup=False
            )
        self.sub_title = ""
        if self.screen_stack:
            self.refresh_bindings()

    def apply(self, change: Callable[..., object], *args: Any, **kwargs: Any) -> bool:
        """Run one session change (saved before it returns); on a user error show it.

        Returns whether the change went through.
        """
        try:
            change(*args, **kwargs)
        except (DdwizardError, ValueError) as exc:
            self.notify(str(exc), title="Not saved", severity="error", markup=False, timeout=8)
            return False
        self.revision += 1
        return True

    def save_position(self, position: Position) -> None:
        """Remember where the user is, written after a short pause and on quit/close.

        Moving through questions then costs no disk write per step; a failure here is quiet.
        """
        if self.handle is None:
            return
        self._pending_position = position
        if self._position_timer is None:
            self._position_timer = self.set_timer(POSITION_DELAY, self.flush_position)

    def flush_position(self) -> None:
        timer, self._position_timer = self._position_timer, None
        if timer is not None:
            timer.stop()
        position, self._pending_position = self._pending_position, None
        if position is None or self.handle is None or self.handle.session.position == position:
            return
        with contextlib.suppress(DdwizardError):
            self.handle.set_position(position)

    def evaluation(self) -> Evaluation:
        """The matching result for the open session, recomputed only after a change."""
        if self._evaluation is None or self._evaluation_revision != self.revision:
            from ddwizard.core.matching import evaluate

            self._evaluation = evaluate(
                self.services.qset, self.services.catalog, self.session.sheet()
            )
            self._evaluation_revision = self.revision
        return self._evaluation

    def provider_name(self, provider_id: str) -> str:
        provider = self.services.catalog.get(provider_id)
        return provider.name if provider is not None else provider_id

    # --- navigation --------------------------------------------------------------------

    def action_go(self, name: str) -> None:
        self.go(name)

    def go(self, name: str, *, position: Position | None = None) -> None:
        """Show main screen ``name`` of the open session (replacing the current one)."""
        if self.handle is None:
            self.notify("Open or start a review first.", severity="warning")
            return
        leave = getattr(self.screen, "can_leave", None)
        if callable(leave) and not leave():
            return
        self.flush_screen()
        screen = self._build(name, position)
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def _build(self, name: str, position: Position | None) -> Screen[Any]:
        if name == "mandate":
            from ddwizard.tui.screens.questions import QuestionsScreen

            return QuestionsScreen(
                "mandate",
                section=position.section if position else None,
                question=position.question if position else None,
            )
        if name == "diligence":
            from ddwizard.tui.screens.questions import QuestionsScreen

            return QuestionsScreen(
                "diligence",
                section=position.section if position else None,
                question=position.question if position else None,
                provider=position.provider if position else None,
            )
        if name == "weights":
            from ddwizard.tui.screens.weights import WeightsScreen

            return WeightsScreen()
        if name == "results":
            from ddwizard.tui.screens.results import ResultsScreen

            return ResultsScreen()
        if name == "review":
            from ddwizard.tui.screens.review import ReviewScreen

            return ReviewScreen()
        if name == "export":
            from ddwizard.tui.screens.export import ExportScreen

            return ExportScreen()
        raise ValueError(f"unknown screen {name!r}")

    def action_home(self) -> None:
        """Close the session and return to the home screen."""
        if self.handle is None:
            return
        from ddwizard.tui.screens.home import HomeScreen

        self.flush_screen()
        self.close_session()
        stack = self.screen_stack
        if isinstance(stack[0], HomeScreen):
            for _ in stack[1:]:
                self.pop_screen()
            stack[0].refresh_sessions()
        else:
            for _ in stack[2:]:
                self.pop_screen()
            self.switch_screen(HomeScreen())

    def action_show_help(self) -> None:
        from ddwizard.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen(self.screen))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Screen keys are hidden until a review is open.
        if action in ("go", "home"):
            return self.handle is not None
        return True

    # --- command palette ---------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from ddwizard.tui.screens.help import action_available

        yield from super().get_system_commands(screen)
        if self.handle is not None:
            for name, title in MAIN_SCREENS.items():
                yield SystemCommand(
                    f"Go to {title}", f"Show the {title.lower()} screen", lambda n=name: self.go(n)
                )
            yield SystemCommand(
                "Home", "Close this review and go to the home screen", self.action_home
            )
        yield SystemCommand("Keys", "List every key of this screen", self.action_show_help)
        # The active screen's own actions, so everything in the footer is in the palette too.
        for binding in getattr(screen, "BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.description:
                continue
            action = binding.action
            if not action_available(screen, action):
                continue

            def run(action: str = action, target: Screen[Any] = screen) -> None:
                self.call_later(target.run_action, action)

            yield SystemCommand(binding.description, f"{binding.key_display or binding.key}", run)
