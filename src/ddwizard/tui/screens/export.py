"""Export: write the memo in a worker thread, with progress, and report where it went.

Rendering (and the lazy WeasyPrint import) happens off the event loop, in a worker the app
owns: the user can move to any screen and keep working while the PDF is built, and come back
here to see the progress. A second export while one is running is refused with a message.
The finished memo is recorded in the audit trail.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Header, Input, ProgressBar, Select, Static

from ddwizard.core.errors import DdwizardError
from ddwizard.core.sessions.session import Position
from ddwizard.tui.display import shown, shown_line
from ddwizard.tui.screens.base import WizardScreen
from ddwizard.tui.screens.confirm import ConfirmScreen
from ddwizard.tui.widgets.footer import WizardFooter
from ddwizard.tui.widgets.inputs import OrderedInput

if TYPE_CHECKING:
    from ddwizard.core.sessions.store import SessionHandle
    from ddwizard.core.workspace import Workspace

FORMATS = [("PDF (archival, session embedded)", "pdf"), ("HTML", "html"), ("Markdown", "md")]
EXPORT_STEPS = 4
"""Progress steps: scoring, rendering, writing, recorded."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sha256: str
    format: str
    off_event_loop: bool
    """True when the memo was rendered outside the main (event loop) thread."""


@dataclass
class ExportJob:
    """One memo being written for one open review: its progress, then its outcome."""

    path: Path
    fmt: str
    handle: SessionHandle
    done: int = 0
    label: str = "Starting …"
    unverified: bool = False
    """Asked for despite an audit trail that does not verify (the memo says so)."""
    result: ExportResult | None = None
    error: str | None = None
    integrity_failed: bool = False
    """Refused because the session's audit trail does not verify."""
    labels: list[str] = field(default_factory=list)

    @property
    def running(self) -> bool:
        return self.result is None and self.error is None

    def advance(self, label: str) -> None:
        self.done = min(self.done + 1, EXPORT_STEPS - 1)
        self.label = label
        self.labels.append(label)

    def finish(self, result: ExportResult) -> None:
        self.result = result
        self.done = EXPORT_STEPS

    def fail(self, message: str, *, integrity: bool = False) -> None:
        self.error = message
        self.integrity_failed = integrity


class ExportUpdated(Message):
    """The app's export job moved on (posted to the active screen)."""

    def __init__(self, job: ExportJob) -> None:
        super().__init__()
        self.job = job


def default_memo_path(folder: Path, name: str, fmt: str) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "review"
    return folder / f"{slug}-memo.{fmt}"


def write_memo_job(
    workspace: Workspace,
    job: ExportJob,
    progress: Callable[[str], None],
    record: Callable[[Path, str, str], None],
) -> ExportResult:
    """The ``write_memo`` use case for the open review (runs in a worker thread): verified,
    rendered from a snapshot, recorded by ``record`` before the file is moved into place."""
    from ddwizard.core.usecases.write_memo import write_memo_of_handle

    result = write_memo_of_handle(
        workspace,
        job.handle,
        job.path,
        fmt=job.fmt,
        unverified=job.unverified,
        on_step=progress,
        record=record,
    )
    off_loop = threading.current_thread() is not threading.main_thread()
    return ExportResult(result.path.resolve(), result.sha256, result.format, off_loop)


class ExportScreen(WizardScreen):
    CSS_PATH = "export.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+e", "export", "Write memo", priority=True),
        Binding("ctrl+u", "export_unverified", "Write it marked unverified", priority=True),
    ]

    def compose(self) -> ComposeResult:
        session = self.app.session
        folder = self.app.workspace.memo_dir or Path.cwd()
        with Vertical(id="export"):
            yield Static(Text("Write the due-diligence memo", style="bold"), classes="panel-title")
            yield Static(
                Text(
                    f"Status: {session.status.replace('_', ' ')}. A memo of a review that is not "
                    "final is marked DRAFT. Rendering runs in the background: you can move to "
                    "other screens meanwhile.",
                ),
                classes="hint",
            )
            with Horizontal(classes="form-row"):
                yield Select(FORMATS, value="pdf", allow_blank=False, id="format", compact=True)
            yield OrderedInput(
                shown_line(default_memo_path(folder, session.name, "pdf")), id="path", compact=True
            )
            with Horizontal(classes="buttons"):
                yield Button("Write memo (ctrl+e)", id="go", variant="primary", compact=True)
            yield ProgressBar(total=EXPORT_STEPS, show_eta=False, id="progress")
            yield Static("", id="export-status")
        yield Header()
        yield WizardFooter()

    def on_mount(self) -> None:
        self.query_one("#go", Button).focus()
        self.show_job(self.app.export_job)
        self.app.save_position(Position(screen="export"))

    @property
    def last_result(self) -> ExportResult | None:
        """The memo written for this review in this run, if any."""
        job = self.app.export_job
        return job.result if job is not None else None

    @on(Select.Changed, "#format")
    def _format_changed(self, event: Select.Changed) -> None:
        path_input = self.query_one("#path", Input)
        path = Path(path_input.value)
        if event.value in ("pdf", "html", "md"):
            path_input.value = str(path.with_suffix(f".{event.value}"))

    @on(Button.Pressed, "#go")
    @on(Input.Submitted, "#path")
    def action_export(self) -> None:
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            self.app.notify("Give a path for the memo.", severity="warning")
            return
        fmt = str(self.query_one("#format", Select).value)
        path = Path(raw).expanduser()
        from ddwizard.core.usecases.write_memo import check_memo_output as check_output

        if self.app.exporting:
            self.app.start_export(path, fmt)  # refuses politely, naming the running export
            return
        try:
            check_output(path, fmt)
        except DdwizardError as exc:
            self._status(Text(f"Could not write the memo: {shown(exc)}", style="bold red"))
            self.app.notify_error("Export failed", exc)
            return
        self.app.start_export(path, fmt)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "export_unverified":
            job = self.app.export_job
            return job is not None and job.integrity_failed
        return True

    def action_export_unverified(self) -> None:
        """After a refusal for an audit trail that does not verify: write it anyway, marked."""
        job = self.app.export_job
        if job is None or not job.integrity_failed or self.app.exporting:
            return
        question = (
            "The review's audit trail does not verify. Write the memo anyway? Every page will "
            "say INTEGRITY NOT VERIFIED."
        )

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.app.start_export(job.path, job.fmt, unverified=True)

        self.app.push_screen(ConfirmScreen(question), done)

    def on_export_updated(self, message: ExportUpdated) -> None:
        self.show_job(message.job)
        self.refresh_bindings()

    def show_job(self, job: ExportJob | None) -> None:
        """Progress of the running export, or the outcome of the last one."""
        progress = self.query_one("#progress", ProgressBar)
        button = self.query_one("#go", Button)
        progress.display = job is not None and job.error is None
        button.disabled = job is not None and job.running
        if job is None:
            self._status(Text(""))
            return
        progress.update(total=EXPORT_STEPS, progress=job.done)
        if job.running:
            text = Text(f"Writing {shown_line(job.path)}\n", style="bold")
            text.append(job.label)
            self._status(text)
        elif job.result is not None:
            done = Text("Memo written: ", style="bold green")
            done.append(shown_line(job.result.path))
            done.append(f"\nSHA-256 {job.result.sha256}", style="dim")
            self._status(done)
        else:
            failed = Text(f"Could not write the memo: {job.error}", style="bold red")
            if job.integrity_failed:
                failed.append(
                    "\nctrl+u writes it anyway, marked INTEGRITY NOT VERIFIED on every page.",
                    style="bold",
                )
            self._status(failed)

    def _status(self, text: Text) -> None:
        self.query_one("#export-status", Static).update(text)
