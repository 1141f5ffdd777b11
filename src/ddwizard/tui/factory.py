"""Build the wizard app: kept apart from ``app.py`` so nothing the app imports imports it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ddwizard.core.sessions.store import SessionHandle
    from ddwizard.core.workspace import Workspace
    from ddwizard.tui.app import DdwizardApp


def make_app(workspace: Workspace, *, handle: SessionHandle | None = None) -> DdwizardApp:
    """The wizard over ``workspace``; with ``handle`` it opens straight into that review."""
    from ddwizard.tui.app import DdwizardApp

    return DdwizardApp(workspace, handle=handle)
