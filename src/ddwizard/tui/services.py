"""The TUI's name for the ``Workspace`` (``core/workspace.py``): the app receives one and its
screens read ``app.services``. Kept as a thin alias so the screens need not change at once;
new code uses ``Workspace`` and the use cases in ``ddwizard.core.usecases``. The app itself is
built by ``ddwizard.tui.factory.make_app``."""

from __future__ import annotations

from ddwizard.core.workspace import Workspace, utc_now

Services = Workspace

__all__ = ["Services", "Workspace", "utc_now"]
