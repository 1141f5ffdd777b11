"""The Textual application: owns the open session and the workspace, and moves between screens.

Screens never touch files: every edit goes through ``DdwizardApp.apply``, which calls the
locked ``SessionHandle`` (each change saved atomically before it returns) and turns any
``DdwizardError`` into a message on screen instead of a crash. The main screens are declared
once, in ``SCREENS``: their keys, the command palette and navigation all read that table.
A final review is read-only: screens ask ``refuse_if_read_only`` before any edit and show
nothing changed when it refuses. A memo export runs on the app, not on its screen, so the
wizard stays usable (and the export keeps going) while the PDF is rendered.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from ddwizard.core.errors import DdwizardError
from ddwizard.tui.display import shown, shown_line
from ddwizard.tui.idle_gc import CHECK_EVERY, IdleCollector
from ddwizard.tui.screens.base import WizardScreen

if TYPE_CHECKING:
    from textual.timer import Timer

    from ddwizard.core.results import Evaluation
    from ddwizard.core.sessions.session import Position, Session
    from ddwizard.core.sessions.store import SessionHandle
    from ddwizard.core.workspace import Workspace
    from ddwizard.tui.screens.export import ExportJob

POSITION_DELAY = 0.5
"""Seconds after the last focus change before the position is written."""
SETTLE_ROUNDS = 4
"""Rounds of pending messages handled before quitting: a key typed just before travels from
the focused widget up to the app's bindings, then its effects through a few widgets."""
SETTLE_TIMEOUT = 0.25
"""Seconds quitting waits at most for those messages."""

READ_ONLY_MESSAGE = (
    "This review is final: nothing can be changed. To change it, reopen it on the Review "
    "screen (F6, then o) and give the reason."
)


# --- the main screens, declared once ---------------------------------------------------------


def _mandate(position: Position | None) -> WizardScreen:
    from ddwizard.tui.screens.questions import questions_screen

    return questions_screen("mandate", position)  # built once per review, then reused


def _weights(position: Position | None) -> WizardScreen:
    from ddwizard.tui.screens.weights import WeightsScreen

    return WeightsScreen()


def _results(position: Position | None) -> WizardScreen:
    from ddwizard.tui.screens.results import ResultsScreen

    return ResultsScreen(provider=position.provider if position else None)


def _diligence(position: Position | None) -> WizardScreen:
    from ddwizard.tui.screens.questions import questions_screen

    return questions_screen("diligence", position)  # built once per review, then reused


def _review(position: Position | None) -> WizardScreen:
    from ddwizard.tui.screens.review import ReviewScreen

    return ReviewScreen()


def _export(position: Position | None) -> WizardScreen:
    from ddwizard.tui.screens.export import ExportScreen

    return ExportScreen()


@dataclass(frozen=True)
class MainScreen:
    """One main screen: its name in positions, its title, its key and how to build it."""

    name: str
    title: str
    key: str
    build: Callable[[Position | None], WizardScreen]
    resumable: bool = True
    """Whether resuming a review may land here (the export screen resumes on the review)."""


SCREENS: dict[str, MainScreen] = {
    screen.name: screen
    for screen in (
        MainScreen("mandate", "Mandate", "f2", _mandate),
        MainScreen("weights", "Weights", "f3", _weights),
        MainScreen("results", "Results", "f4", _results),
        MainScreen("diligence", "Diligence", "f5", _diligence),
        MainScreen("review", "Review", "f6", _review),
        MainScreen("export", "Export", "f7", _export, resumable=False),
    )
}


class DdwizardApp(App[None]):
    """Keyboard-first due-diligence wizard over one session at a time."""

    TITLE = "ddwizard"
    # The home screen is the default screen, whose own CSS_PATH Textual does not load.
    CSS_PATH = ["screens/common.tcss", "screens/home.tcss"]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "show_help", "Keys", priority=True),
        *[Binding(s.key, f"go('{s.name}')", s.title) for s in SCREENS.values()],
        Binding("f9", "home", "Home"),
    ]

    def __init__(
        self,
        workspace: Workspace,
        *,
        handle: SessionHandle | None = None,
        opener: tuple[Callable[[], SessionHandle], str] | None = None,
    ) -> None:
        super().__init__()
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            # Nothing slides: the provider tabs' underline jumps instead of animating for
            # 0.3 s after every ctrl+o (a repaint each frame), and motion is not for everyone.
            self.animation_level = "none"
        self.workspace = workspace
        """Data, sessions store, settings and clock; screens act through its use cases."""
        self.handle: SessionHandle | None = None
        self._initial_handle = handle
        self._opener = opener
        """(open the review, its label): opened in a worker after the first paint."""
        self.open_error: BaseException | None = None
        """Why ``opener`` failed (the app then exits; its caller reports this)."""
        self._evaluation: Evaluation | None = None
        self._evaluation_revision = -1
        self.revision = 0
        """Bumped after every saved change; cached results are recomputed when it moves."""
        self._pending_position: Position | None = None
        self._position_timer: Timer | None = None
        self._quitting = False
        self.export_job: ExportJob | None = None
        """The memo being written (or the last one written) for the open review."""
        self._quit_after_export = False
        self.idle_gc = IdleCollector()
        """Full garbage collections wait for a pause in the user's keys and clicks."""

    # --- lifecycle ---------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        if self._opener is not None:
            from ddwizard.tui.widgets.opening import OpeningScreen

            return OpeningScreen(*self._opener)
        if self._initial_handle is not None:
            # Straight into a review: the home screen is built only if the user asks for it.
            return Screen()
        from ddwizard.tui.screens.home import HomeScreen

        return HomeScreen()

    def on_mount(self) -> None:
        self.idle_gc.start()
        self.set_interval(CHECK_EVERY, self._collect_garbage_if_idle)
        if self._initial_handle is not None:
            handle, self._initial_handle = self._initial_handle, None
            self.open_session(handle)

    def on_unmount(self) -> None:
        self.idle_gc.stop()
        self.close_session()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self.idle_gc.input_seen()
        await super().on_event(event)

    def _collect_garbage_if_idle(self) -> None:
        self.idle_gc.collect_if_idle(busy=any(w.is_running for w in self.workers))

    async def action_quit(self) -> None:
        """Let the keys typed just before quitting take effect, save everything, then exit.

        ctrl+q is a priority binding handled on the app's own queue: it can run while the
        Enter typed a moment earlier is still travelling through the widgets. Those messages
        are handled first, then pending edits and the position are written synchronously.
        A memo being written is finished (and recorded) first.
        """
        if self._quitting:
            return
        if self.exporting:
            self._quit_after_export = True
            self.notify("Quitting as soon as the memo is written…", timeout=30)
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
        screen = self.main_screen
        if screen is not None and self.handle is not None:
            position = screen.current_position()
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

    @property
    def is_quitting(self) -> bool:
        return self._quitting

    @property
    def services(self) -> Workspace:
        """The workspace under its former name (widgets still read ``app.services``)."""
        return self.workspace

    @property
    def main_screen(self) -> WizardScreen | None:
        """The main screen being shown (under any dialog), if a review is open."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, WizardScreen):
                return screen
        return None

    def flush_screen(self) -> None:
        """Save any edit still being typed on the active main screen."""
        screen = self.main_screen
        if screen is not None:
            screen.flush()

    # --- session -----------------------------------------------------------------------

    @property
    def session(self) -> Session:
        if self.handle is None:
            raise RuntimeError("no session is open")
        return self.handle.session

    @property
    def read_only(self) -> bool:
        """A final review: shown, exported, reopened; never edited."""
        return self.handle is not None and self.handle.session.status == "final"

    def refuse_if_read_only(self) -> bool:
        """True (after saying why, once per attempt) when the open review may not change."""
        if not self.read_only:
            return False
        self.notify(READ_ONLY_MESSAGE, title="Read-only", severity="warning", timeout=6)
        return True

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
        self.export_job = None
        self.sub_title = shown_line(handle.session.label)
        if handle.session.status == "final":
            self.notify(
                "This review is final: answers are read-only; exporting is still possible.",
                title="Read-only",
                severity="warning",
            )
        position = handle.session.position
        entry = SCREENS.get(position.screen)
        if entry is None:
            return "mandate", position
        return (entry.name if entry.resumable else "review"), position

    def close_session(self) -> None:
        if self.handle is None:
            return
        self.flush_position()
        handle, self.handle = self.handle, None
        try:
            handle.close()
        except DdwizardError as exc:
            self.notify_error("Could not close the session", exc)
        self.sub_title = ""
        if self.screen_stack:
            self.refresh_bindings()

    def notify_error(self, title: str, error: BaseException | str, *, timeout: float = 8) -> None:
        """An error on screen, its text shown literally (never markup, no control codes)."""
        self.notify(shown(error), title=title, severity="error", markup=False, timeout=timeout)

    def apply(self, change: Callable[..., object], *args: Any, **kwargs: Any) -> bool:
        """Run one session change (saved before it returns); on a user error show it.

        Returns whether the change went through.
        """
        problem = self.try_change(change, *args, **kwargs)
        if problem is not None:
            self.notify_error("Not saved", problem)
            return False
        return True

    def try_change(self, change: Callable[..., object], *args: Any, **kwargs: Any) -> str | None:
        """Run one session change; the user error that refused it (for a dialog), or None."""
        try:
            change(*args, **kwargs)
        except (DdwizardError, ValueError) as exc:
            return str(exc)
        self.revision += 1
        return None

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
            from ddwizard.core.usecases.evaluate_review import evaluate_sheet

            # The workspace's Settings and clock: the same staleness limit as CLI and memo.
            self._evaluation = evaluate_sheet(self.workspace, self.session.sheet())
            self._evaluation_revision = self.revision
        return self._evaluation

    def provider_name(self, provider_id: str) -> str:
        provider = self.workspace.catalog.get(provider_id)
        return shown_line(provider.name if provider is not None else provider_id)

    # --- memo export (runs on the app: leaving the export screen does not stop it) -----------

    @property
    def exporting(self) -> bool:
        return self.export_job is not None and self.export_job.running

    def start_export(self, path: Path, fmt: str, *, unverified: bool = False) -> bool:
        """Write the memo in a worker thread; refused politely while one is being written.

        ``unverified``: of a session whose audit trail does not verify, marked INTEGRITY NOT
        VERIFIED on every page (asked for explicitly after a refusal)."""
        from ddwizard.tui.screens.export import ExportJob, write_memo_job

        if self.handle is None:
            return False
        if self.export_job is not None and self.export_job.running:
            self.notify(
                f"A memo is already being written to {shown_line(self.export_job.path)}. "
                "Wait for it to finish; you can keep working meanwhile.",
                title="Export running",
                severity="warning",
                markup=False,
            )
            return False
        job = ExportJob(path=path, fmt=fmt, handle=self.handle, unverified=unverified)
        self.export_job = job

        def progress(label: str) -> None:
            self.call_from_thread(self._export_step, job, label)

        def record(path: Path, sha256: str, fmt: str) -> None:
            # On the event loop, like every other change; raising here stops the memo.
            self.call_from_thread(self._record_memo, job.handle, path, sha256, fmt)

        self.run_worker(
            lambda: write_memo_job(self.workspace, job, progress, record),
            name="export",
            group="export",
            thread=True,
            exit_on_error=False,
        )
        self._export_changed(job)
        return True

    def _record_memo(self, handle: SessionHandle, path: Path, sha256: str, fmt: str) -> None:
        handle.record_memo(path, sha256, fmt)
        self.revision += 1

    def _export_step(self, job: ExportJob, label: str) -> None:
        job.advance(label)
        self._export_changed(job)

    def _export_changed(self, job: ExportJob) -> None:
        from ddwizard.tui.screens.export import EXPORT_STEPS, ExportUpdated

        # The header of every screen shows the progress while the user works elsewhere.
        if self.handle is not None:
            label = shown_line(self.handle.session.label)
            if job.running:  # first, so a narrow header still shows it
                label = f"writing the memo {job.done * 100 // EXPORT_STEPS}%  ·  {label}"
            self.sub_title = label
        self.screen.post_message(ExportUpdated(job))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "export" or self.export_job is None:
            return
        job = self.export_job
        if event.state == WorkerState.SUCCESS:
            from ddwizard.tui.screens.export import ExportResult

            result = event.worker.result
            assert isinstance(result, ExportResult)
            job.finish(result)
            self.notify(f"Memo written to {shown_line(result.path)}", markup=False, timeout=8)
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            error = event.worker.error
            message = (
                str(error)
                if isinstance(error, DdwizardError | OSError)
                else f"unexpected {type(error).__name__}: {error}"
            )
            from ddwizard.core.usecases.verify_review import IntegrityError

            job.fail(shown(message), integrity=isinstance(error, IntegrityError))
            self.notify_error("Export failed", message)
        else:
            return
        self._export_changed(job)
        self.flush_position()
        if self._quit_after_export:
            self._quit_after_export = False
            self.call_later(self.action_quit)

    # --- navigation --------------------------------------------------------------------

    def action_go(self, name: str) -> None:
        self.go(name)

    def go(self, name: str, *, position: Position | None = None) -> None:
        """Show main screen ``name`` of the open session (replacing the current one)."""
        if self.handle is None:
            self.notify("Open or start a review first.", severity="warning")
            return
        current = self.main_screen
        if current is not None and not current.can_leave():
            return
        self.flush_screen()
        screen = SCREENS[name].build(position)
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def action_home(self) -> None:
        """Close the session and return to the home screen."""
        if self.handle is None:
            return
        if self.exporting:
            self.notify(
                "A memo is being written: the review closes once it is done.",
                title="Export running",
                severity="warning",
            )
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

        # Textual's own "Keys" (its key panel) would stand beside ours: one "Keys" entry.
        yield from (c for c in super().get_system_commands(screen) if c.title != "Keys")
        if self.handle is not None:
            for entry in SCREENS.values():
                yield SystemCommand(
                    f"Go to {entry.title}",
                    f"Show the {entry.title.lower()} screen",
                    lambda n=entry.name: self.go(n),
                )
            yield SystemCommand(
                "Home", "Close this review and go to the home screen", self.action_home
            )
        yield SystemCommand("Keys", "List every key of this screen", self.action_show_help)
        # The active screen's own actions, so everything in the footer is in the palette too.
        for binding in screen.BINDINGS:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            action = binding.action
            if not action_available(screen, action):
                continue

            def run(action: str = action, target: Screen[Any] = screen) -> None:
                self.call_later(target.run_action, action)

            yield SystemCommand(binding.description, f"{binding.key_display or binding.key}", run)
