"""``ddwizard``, ``ddwizard new`` and ``ddwizard resume``: start the terminal wizard.

The CLI's entry table names these functions as strings and imports this module only when one
of these commands runs, so the CLI never imports the TUI (and the TUI never imports the CLI).
The review for ``new`` and ``resume`` is opened before the interface starts, so a locked,
missing or corrupt review is reported on stderr with exit code 1, like any other command.
The home screen starts before the data is loaded (a worker loads it), so it appears quickly.
"""

from __future__ import annotations

from ddwizard.core.workspace import Workspace
from ddwizard.tui.factory import make_app

DEFAULT_NAME = "Untitled custody review"


def run_home(options: object) -> int:
    make_app(Workspace.from_namespace(options)).run()
    return 0


def run_new(options: object) -> int:
    from ddwizard.core.usecases.open_review import create_review

    workspace = Workspace.from_namespace(options)
    name = str(getattr(options, "name", None) or "").strip() or DEFAULT_NAME
    handle = create_review(workspace, name, preparer=getattr(options, "preparer", None))
    make_app(workspace, handle=handle).run()
    return 0


def run_resume(options: object) -> int:
    from ddwizard.core.usecases.open_review import open_review

    workspace = Workspace.from_namespace(options)
    handle = open_review(workspace, str(getattr(options, "session", "")))
    make_app(workspace, handle=handle).run()
    return 0
