"""Home: start a new review, resume a recent one, or open a session file by path.

Everything goes through the use cases (``create_review``, ``open_review``, ``list_reviews``,
``evaluate_sheet``): the list shows each review's status, progress and the same open-items
count as its Review screen, counted after the first paint in a worker thread. Names and
errors read from files are shown with control characters escaped.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Click
from textual.screen import Screen
from textual.widgets import Header, Input, Static
from textual.worker import Worker, WorkerState

from ddwizard.core.errors import DdwizardError
from ddwizard.tui.display import shown, shown_line
from ddwizard.tui.widgets.footer import WizardFooter
from ddwizard.tui.widgets.inputs import OrderedInput

if TYPE_CHECKING:
    from textual.widgets import DataTable

    from ddwizard.core.sessions.store import SessionSummary
    from ddwizard.core.workspace import Workspace
    from ddwizard.tui.app import DdwizardApp

NAME_WIDTH = 26
LOAD_DELAY = 0.1
"""Seconds after the first paint before the data starts loading in a worker thread."""

STATUS_LABELS = {
    "in_progress": "in progress",
    "ready_for_review": "ready for review",
    "final": "FINAL",
}


class HomeScreen(Screen[None]):
    app: DdwizardApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "focus_new", "New review"),
        Binding("ctrl+r", "focus_recent", "Recent"),
        Binding("ctrl+o", "focus_open", "Open file"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._refs: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        # Not a scroll pane: the sessions table, last, takes the height left and scrolls
        # itself, so the screen fits any terminal from 80x24 (a scroll pane and its
        # scrollbars cost a sixth of this screen's first paint).
        with Vertical(id="home"):
            yield Static(
                Text.assemble(
                    ("Choose an institutional crypto custodian", "bold"),
                    " and defend the choice: answer the mandate, compare providers, run "
                    "diligence on the shortlist, export the memo.",
                ),
                id="intro",
            )
            yield Static("New review  (name, preparer, Enter)", classes="panel-title")
            with Horizontal(classes="form-row"):
                yield OrderedInput(placeholder="Name, e.g. Acme Fund custody review", id="new-name")
                yield OrderedInput(
                    value=shown_line(self.app.workspace.actor or ""),
                    placeholder="Preparer (you)",
                    id="new-preparer",
                )
                # A plain label, not a Button: Enter in either field starts; this is for the
                # mouse, and a Button's styles cost a noticeable part of the first paint.
                yield Static(Text(" Start ", style="bold reverse"), id="start")
            yield Static("Open a session file  (ctrl+o)", classes="panel-title")
            yield OrderedInput(placeholder="path/to/session.json, then Enter", id="open-path")
            yield Static("Resume a review  (ctrl+r, then Enter)", classes="panel-title")
            # The table is mounted once the sessions are known (after the first paint).
            yield Static("", id="no-sessions", classes="hint")
        yield WizardFooter()

    def on_mount(self) -> None:
        self.query_one("#new-name", Input).focus()
        if self.app.workspace.loaded:
            self.refresh_sessions()
        else:
            # Paint first and let the first keys in, then load the data and the session
            # list off the event loop.
            self.query_one("#no-sessions", Static).update(Text("Loading reviews…", style="dim"))
            self.call_after_refresh(self.set_timer, LOAD_DELAY, self.load_sessions)

    @work(thread=True, exclusive=True, group="home-load", exit_on_error=False)
    def load_sessions(self) -> list[SessionSummary]:
        from ddwizard.core.usecases.open_review import list_reviews

        workspace = self.app.workspace
        workspace.preload()
        return list_reviews(workspace)

    @work(thread=True, exclusive=True, group="home-counts", exit_on_error=False)
    def count_open_items(self, summaries: list[SessionSummary]) -> dict[str, int]:
        """Each readable review's open-items count (the one its Review screen shows)."""
        workspace = self.app.workspace
        counts: dict[str, int] = {}
        for summary in summaries:
            if summary.error is None:
                count = open_items_of(workspace, summary.path)
                if count is not None:
                    counts[str(summary.path)] = count
        return counts

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "home-counts":
            if event.state == WorkerState.SUCCESS and isinstance(event.worker.result, dict):
                self.show_counts(event.worker.result)
            return
        if event.worker.group != "home-load":
            return
        if event.state == WorkerState.SUCCESS:
            self.show_sessions(event.worker.result or [])
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            message = str(error) if isinstance(error, DdwizardError | OSError) else repr(error)
            self.query_one("#no-sessions", Static).update(Text(shown(message), style="bold red"))
            self.app.notify_error("Could not load", message)

    def refresh_sessions(self) -> None:
        from ddwizard.core.usecases.open_review import list_reviews

        try:
            summaries = list_reviews(self.app.workspace)
        except DdwizardError as exc:
            summaries = []
            self.app.notify_error("Could not list the reviews", exc)
        self.show_sessions(summaries)

    def sessions_table(self) -> DataTable[Text]:
        """The recent-sessions table, mounted on first use (imported then: not needed for the
        first paint)."""
        from textual.widgets import DataTable

        tables = self.query(DataTable)
        if tables:
            return tables.first(DataTable)
        table: DataTable[Text] = DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        self.query_one("#home").mount(table, before=self.query_one("#no-sessions"))
        # Fits 80 columns: long names are cut (the header shows the whole name once open).
        table.add_column("Name", key="name", width=NAME_WIDTH)
        table.add_column("Status", key="status")
        table.add_column("Progress", key="progress")
        table.add_column("Open", key="open")
        table.add_column("Updated (UTC)", key="updated")
        return table

    def show_sessions(self, summaries: list[SessionSummary]) -> None:
        table = self.sessions_table()
        table.clear()
        self._refs = {}
        for summary in summaries:
            key = str(summary.path)
            self._refs[key] = str(summary.path)
            if summary.error:
                row = (
                    Text(shown_line(summary.name or summary.path.name)),
                    Text("unreadable", style="red"),
                    Text("-"),
                    Text("-"),
                    Text(shown_line(summary.error), style="red"),
                )
            else:
                row = (
                    Text(shown_line(summary.label)),
                    Text(STATUS_LABELS.get(summary.status, summary.status)),
                    Text(f"{summary.progress}%", justify="right"),
                    Text("…", style="dim", justify="right"),
                    Text(_when(summary.updated_at)),
                )
            table.add_row(*row, key=key)
        from ddwizard.core.results import Evaluation  # loaded by now; not before the first paint

        self.query_one("#no-sessions", Static).update(
            Text(
                f"Progress: mandate questions answered. Open: open items, "
                f"{Evaluation.OPEN_ITEMS_MEANING}.",
                style="dim",
            )
            if summaries
            else Text("No saved reviews yet.", style="dim")
        )
        if any(summary.error is None for summary in summaries):
            self.count_open_items(summaries)

    def show_counts(self, counts: dict[str, int]) -> None:
        table = self.sessions_table()
        for key, count in counts.items():
            if key in self._refs:
                table.update_cell(key, "open", Text(str(count), justify="right"))

    # --- actions -------------------------------------------------------------------------

    def action_focus_new(self) -> None:
        self.query_one("#new-name", Input).focus()

    def action_focus_recent(self) -> None:
        self.sessions_table().focus()

    def action_focus_open(self) -> None:
        self.query_one("#open-path", Input).focus()

    @on(Input.Submitted, "#new-name,#new-preparer")
    @on(Click, "#start")
    def start_new(self) -> None:
        name = self.query_one("#new-name", Input).value.strip()
        preparer = self.query_one("#new-preparer", Input).value.strip() or None
        if not name:
            self.app.notify("Give the review a name first.", severity="warning")
            self.query_one("#new-name", Input).focus()
            return
        from ddwizard.core.usecases.open_review import create_review

        try:
            handle = create_review(self.app.workspace, name, preparer=preparer)
        except DdwizardError as exc:
            self.app.notify_error("Could not start", exc)
            return
        self.query_one("#new-name", Input).value = ""
        self.app.open_session(handle)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id != "sessions":
            return
        ref = self._refs.get(str(event.row_key.value))
        if ref:
            self.open_ref(ref)

    @on(Input.Submitted, "#open-path")
    def open_path(self, event: Input.Submitted) -> None:
        path = event.value.strip()
        if path:
            self.open_ref(path)

    def open_ref(self, ref: str) -> None:
        from ddwizard.core.usecases.open_review import open_review

        try:
            handle = open_review(self.app.workspace, ref)
        except DdwizardError as exc:
            self.app.notify_error("Could not open", exc, timeout=10)
            return
        self.app.open_session(handle)


def open_items_of(workspace: Workspace, path: Path) -> int | None:
    """The review's open-items count, read without locking it (None: it cannot be read)."""
    from ddwizard.core.usecases.evaluate_review import evaluate_sheet
    from ddwizard.core.usecases.open_review import read_review

    try:
        session = read_review(workspace, path)
        return len(evaluate_sheet(workspace, session.sheet()).shortlist_open_items)
    except (DdwizardError, OSError, ValueError):
        return None


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return moment.strftime("%Y-%m-%d %H:%M")
