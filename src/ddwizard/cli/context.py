"""The workspace of one command, from its global options (data folders, sessions, settings)."""

from __future__ import annotations

import argparse

from ddwizard.core.workspace import Workspace


def workspace(args: argparse.Namespace) -> Workspace:
    """``--sessions-dir``, ``--providers``, ``--questionnaires``, ``--templates``,
    ``--preparer`` and the environment (``DDWIZARD_HOME``, ``DDWIZARD_STALE_DAYS``)."""
    return Workspace.from_namespace(args)
