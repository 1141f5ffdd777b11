"""What the TUI needs from the outside world, gathered in one object the App receives.

The App never loads data or opens files by itself: the CLI (or a test) builds ``Services``
and hands it over, so tests drive the real app against temporary folders.

Data is loaded on first use and can be preloaded from a worker thread: the home screen paints
before the questionnaires, provider profiles and the validation models behind them are
imported, which keeps the first interactive screen close to a bare Textual app.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ddwizard.core.loading import DataFolders
    from ddwizard.core.provider import ProviderCatalog
    from ddwizard.core.questionnaire import QuestionnaireSet
    from ddwizard.core.sessions.store import SessionHandle, SessionStore
    from ddwizard.tui.app import DdwizardApp


def utc_now() -> datetime:
    return datetime.now(UTC)


class Services:
    """Data, storage and identity for one run of the wizard (data loaded on first use)."""

    def __init__(
        self,
        *,
        sessions_dir: Path | None = None,
        store: SessionStore | None = None,
        folders: DataFolders | None = None,
        questionnaires_dir: Path | None = None,
        providers_dir: Path | None = None,
        templates_dir: Path | None = None,
        qset: QuestionnaireSet | None = None,
        catalog: ProviderCatalog | None = None,
        actor: str | None = None,
        memo_dir: Path | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if store is None and sessions_dir is None:
            raise ValueError("give a sessions folder or a store")
        self._sessions_dir = sessions_dir
        self._store = store
        self._folders = folders
        self._folder_args = (questionnaires_dir, providers_dir, templates_dir)
        self._qset = qset
        self._catalog = catalog
        self._lock = threading.Lock()
        self.actor = actor
        """Who is working (default preparer of new reviews)."""
        self.memo_dir = memo_dir
        """Where exported memos go by default (None: the current folder)."""
        self.clock = clock

    @property
    def folders(self) -> DataFolders:
        if self._folders is None:
            from ddwizard.core.loading import DataFolders

            self._folders = DataFolders.resolve(*self._folder_args)
        return self._folders

    @property
    def qset(self) -> QuestionnaireSet:
        if self._qset is None:
            with self._lock:
                if self._qset is None:
                    from ddwizard.core.loading import load_questionnaires

                    self._qset = load_questionnaires(self.folders.questionnaires)
        return self._qset

    @property
    def catalog(self) -> ProviderCatalog:
        if self._catalog is None:
            with self._lock:
                if self._catalog is None:
                    from ddwizard.core.loading import load_providers

                    self._catalog = load_providers(self.folders.providers)
        return self._catalog

    @property
    def store(self) -> SessionStore:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    from ddwizard.core.sessions.store import SessionStore

                    assert self._sessions_dir is not None
                    self._store = SessionStore(self._sessions_dir)
        return self._store

    @property
    def loaded(self) -> bool:
        return self._qset is not None and self._catalog is not None and self._store is not None

    def preload(self) -> None:
        """Load everything now (call from a worker thread); raises DataError on bad data."""
        _ = (self.qset, self.catalog, self.store)

    @classmethod
    def load(
        cls,
        sessions_dir: Path,
        folders: DataFolders | None = None,
        *,
        actor: str | None = None,
        memo_dir: Path | None = None,
    ) -> Services:
        """Services with the data loaded at once (tests, benchmarks, scripts)."""
        services = cls(sessions_dir=sessions_dir, folders=folders, actor=actor, memo_dir=memo_dir)
        services.preload()
        return services


def make_app(services: Services, *, handle: SessionHandle | None = None) -> DdwizardApp:
    """The wizard over ``services``; with ``handle`` it opens straight into that session."""
    from ddwizard.tui.app import DdwizardApp

    return DdwizardApp(services, handle=handle)
