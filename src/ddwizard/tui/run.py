"""``ddwizard``, ``ddwizard new`` and ``ddwizard resume``: start the terminal wizard.

The CLI's entry table names these functions as strings and imports this module only when one
of these commands runs, so the CLI never imports the TUI (and the TUI never imports the CLI).
The app paints first, then opens (or creates) the review in a worker thread: loading and
validating the data takes a good part of a second, and the terminal should not stay blank
meanwhile. A locked, missing or corrupt review makes the app exit at once; the error is raised
here after the app has restored the terminal, so the CLI reports it on stderr with exit code 1,
like any other command. The home screen also starts before the data is loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ddwizard.core.workspace import Workspace
from ddwizard.tui.display import shown_line
from ddwizard.tui.factory import make_app

if TYPE_CHECKING:
    from ddwizard.core.sessions.store import SessionHandle
    from ddwizard.tui.app import DdwizardApp

DEFAULT_NAME = "Untitled custody review"


def run_home(options: object) -> int:
    make_app(Workspace.from_namespace(options)).run()
    return 0


def new_app(workspace: Workspace, name: str, preparer: str | None = None) -> DdwizardApp:
    """The wizard that creates review ``name`` once it has painted."""
    from ddwizard.core.usecases.open_review import create_review
    from ddwizard.tui.app import DdwizardApp

    def create() -> SessionHandle:
        return create_review(workspace, name, preparer=preparer)

    return DdwizardApp(workspace, opener=(create, f"new review '{shown_line(name)}'"))


def resume_app(workspace: Workspace, ref: str) -> DdwizardApp:
    """The wizard that opens review ``ref`` (name, id or path) once it has painted."""
    from ddwizard.core.usecases.open_review import open_review
    from ddwizard.tui.app import DdwizardApp

    def open_() -> SessionHandle:
        return open_review(workspace, ref)

    return DdwizardApp(workspace, opener=(open_, f"review '{shown_line(ref)}'"))


def _run(app: DdwizardApp) -> int:
    app.run()
    if app.open_error is not None:
        raise app.open_error  # reported by the CLI: message on stderr, exit code 1
    return 0


def run_new(options: object) -> int:
    workspace = Workspace.from_namespace(options)
    name = str(getattr(options, "name", None) or "").strip() or DEFAULT_NAME
    return _run(new_app(workspace, name, getattr(options, "preparer", None)))


def run_resume(options: object) -> int:
    workspace = Workspace.from_namespace(options)
    return _run(resume_app(workspace, str(getattr(options, "session", ""))))
