"""What the TUI needs from the outside world, gathered in one object the App receives.

The App never loads data or opens files by itself: the CLI (or a test) builds ``Services``
and hands it over, so tests drive the real app against temporary folders and a fixed clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ddwizard.core.loading import DataFolders, load_providers, load_questionnaires
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet

if TYPE_CHECKING:
    from ddwizard.app import DdwizardApp
    from ddwizard.core.store import SessionHandle, SessionStore


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    """Data, storage and identity for one run of the wizard."""

    qset: QuestionnaireSet
    catalog: ProviderCatalog
    store: SessionStore
    folders: DataFolders
    actor: str | None = None
    """Who is working (recorded as preparer of new reviews); None: ask on the home screen."""
    clock: Callable[[], datetime] = field(default=utc_now)
    memo_dir: Path | None = None
    """Where exported memos go by default (None: the current folder)."""

    @classmethod
    def load(
        cls,
        sessions_dir: Path,
        folders: DataFolders | None = None,
        *,
        actor: str | None = None,
        memo_dir: Path | None = None,
    ) -> Services:
        from ddwizard.core.store import SessionStore

        folders = folders or DataFolders.resolve()
        return cls(
            qset=load_questionnaires(folders.questionnaires),
            catalog=load_providers(folders.providers),
            store=SessionStore(sessions_dir),
            folders=folders,
            actor=actor,
            memo_dir=memo_dir,
        )


def make_app(services: Services, *, handle: SessionHandle | None = None) -> DdwizardApp:
    """The wizard over ``services``; with ``handle`` it opens straight into that session."""
    from ddwizard.app import DdwizardApp

    return DdwizardApp(services, handle=handle)
