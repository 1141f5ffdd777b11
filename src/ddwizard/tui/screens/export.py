"""Export: write the memo in a worker thread, with progress, and report where it went.

Rendering (and the lazy WeasyPrint import) happens off the event loop, so the interface keeps
answering keys while the PDF is built. The finished memo is recorded in the audit trail.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Header, Input, ProgressBar, Select, Static
from textual.worker import Worker, WorkerState

from ddwizard.core.errors import DdwizardError
from ddwizard.core.sessions.session import Position
from ddwizard.tui.widgets.footer import WizardFooter

if TYPE_CHECKING:
    from ddwizard.core.report.render import Format
    from ddwizard.tui.app import DdwizardApp

FORMATS = [("PDF (archival, session embedded)", "pdf"), ("HTML", "html"), ("Markdown", "md")]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sha256: str
    format: str
    off_event_loop: bool
    """True when the memo was rendered outside the main (event loop) thread."""


def default_memo_path(folder: Path, name: str, fmt: str) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "review"
    return folder / f"{slug}-memo.{fmt}"


def _format(fmt: str) -> Format:
    if fmt == "html":
        return "html"
    if fmt == "md":
        return "md"
    return "pdf"


class ExportScreen(Screen[None]):
    app: DdwizardApp  # type: ignore[assignment]
    CSS_PATH = "export.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+e", "export", "Write memo", priority=True)
    ]

    def __init__(self) -> None:
        super().__init__()
        self.last_result: ExportResult | None = None

    def compose(self) -> ComposeResult:
        session = self.app.session
        folder = self.app.services.memo_dir or Path.cwd()
        with Vertical(id="export"):
            yield Static(Text("Write the due-diligence memo", style="bold"), classes="panel-title")
            yield Static(
                Text(
                    f"Status: {session.status.replace('_', ' ')}. A memo of a review that is not "
                    "final is marked DRAFT.",
                ),
                classes="hint",
            )
            with Horizontal(classes="form-row"):
                yield Select(FORMATS, value="pdf", allow_blank=False, id="format", compact=True)
            yield Input(
                str(default_memo_path(folder, session.name, "pdf")), id="path", compact=True
            )
            with Horizontal(classes="buttons"):
                yield Button("Write memo (ctrl+e)", id="go", variant="primary", compact=True)
            yield ProgressBar(total=4, show_eta=False, id="progress")
            yield Static("", id="export-status")
        yield Header()
        yield WizardFooter()

    def on_mount(self) -> None:
        self.query_one("#progress", ProgressBar).display = False
        self.query_one("#go", Button).focus()
        self.app.save_position(Position(screen="export"))

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
        from ddwizard.core.report.render import check_output

        try:
            check_output(path, fmt)
        except DdwizardError as exc:
            self._status(Text(f"Could not write the memo: {exc}", style="bold red"))
            self.app.notify(str(exc), title="Export failed", severity="error", markup=False)
            return
        progress = self.query_one("#progress", ProgressBar)
        progress.display = True
        progress.update(total=4, progress=0)
        self.query_one("#go", Button).disabled = True
        self._status(Text(f"Writing {path} …"))
        self.write_memo(path, fmt)

    def _status(self, text: Text) -> None:
        self.query_one("#export-status", Static).update(text)

    def _step(self, label: str) -> None:
        self.query_one("#progress", ProgressBar).advance(1)
        self._status(Text(label))

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def write_memo(self, path: Path, fmt: str) -> ExportResult:
        """Build the context, render and write atomically (runs in a thread)."""
        from ddwizard.core.report.context import make_memo_context, record_from_session
        from ddwizard.core.report.render import render_memo, write_atomic

        app = self.app
        services = app.services
        session = app.session
        app.call_from_thread(self._step, "Scoring and collecting the record …")
        evaluation = app.call_from_thread(app.evaluation)
        memo = make_memo_context(
            qset=services.qset,
            catalog=services.catalog,
            sheet=session.sheet(),
            evaluation=evaluation,
            record=record_from_session(session),
            now=services.clock(),
        )
        app.call_from_thread(self._step, f"Rendering {fmt.upper()} …")
        rendered = render_memo(
            memo,
            _format(fmt),
            services.folders.templates,
            attachment=session.to_json_bytes(),
        )
        app.call_from_thread(self._step, "Writing the file …")
        sha = write_atomic(path, rendered.data)
        off_loop = threading.current_thread() is not threading.main_thread()
        return ExportResult(path.resolve(), sha, fmt, off_loop)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "export":
            return
        if event.state == WorkerState.SUCCESS:
            result = event.worker.result
            assert isinstance(result, ExportResult)
            self.last_result = result
            handle = self.app.handle
            if handle is not None:
                self.app.apply(handle.record_memo, result.path, result.sha256, result.format)
            self.query_one("#progress", ProgressBar).update(progress=4)
            done = Text("Memo written: ", style="bold green")
            done.append(str(result.path))
            done.append(f"\nSHA-256 {result.sha256}", style="dim")
            self._status(done)
            self.app.notify(f"Memo written to {result.path}", markup=False, timeout=8)
            self.query_one("#go", Button).disabled = False
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            message = (
                str(error)
                if isinstance(error, DdwizardError | OSError)
                else (f"unexpected {type(error).__name__}: {error}")
            )
            self._status(Text(f"Could not write the memo: {message}", style="bold red"))
            self.app.notify(message, title="Export failed", severity="error", markup=False)
            self.query_one("#progress", ProgressBar).display = False
            self.query_one("#go", Button).disabled = False
