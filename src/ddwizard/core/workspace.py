"""Everything a use case needs from the outside world, gathered in one object.

A ``Workspace`` holds the data folders, the sessions store, the settings (the one staleness
limit) and the clock. The CLI builds one from its options, the TUI receives one, tests build
one over temporary folders; the use cases in ``ddwizard.core.usecases`` take it as their first
argument, so neither front end loads data, opens a store or builds a memo by itself.

Data is loaded on first use and can be preloaded from a worker thread: the TUI's home screen
paints before the questionnaires, the provider profiles and the validation models behind them
are imported.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ddwizard.core.settings import Settings

if TYPE_CHECKING:
    from ddwizard.core.loading import DataFolders
    from ddwizard.core.provider import ProviderCatalog
    from ddwizard.core.questionnaire import QuestionnaireSet
    from ddwizard.core.sessions.store import SessionStore


def utc_now() -> datetime:
    return datetime.now(UTC)


class Workspace:
    """Data, storage, settings and clock for one run (data loaded on first use)."""

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
        settings: Settings | None = None,
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
        self.settings = settings if settings is not None else Settings()
        """The one staleness limit (and future settings) for rules, TUI and memo."""
        self.actor = actor
        """Who is working (default preparer of new reviews, actor of audited changes)."""
        self.memo_dir = memo_dir
        """Where exported memos go by default (None: the current folder)."""
        self.clock = clock

    @classmethod
    def from_options(
        cls,
        *,
        sessions_dir: Path | None = None,
        questionnaires_dir: Path | None = None,
        providers_dir: Path | None = None,
        templates_dir: Path | None = None,
        actor: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Workspace:
        """A workspace from command-line style options; defaults from the environment
        (``DDWIZARD_HOME`` for sessions, ``DDWIZARD_STALE_DAYS`` for the staleness limit)."""
        from ddwizard.core.resources import default_sessions_dir

        return cls(
            sessions_dir=default_sessions_dir(sessions_dir),
            questionnaires_dir=questionnaires_dir,
            providers_dir=providers_dir,
            templates_dir=templates_dir,
            settings=Settings.from_env(environ),
            actor=actor,
        )

    @classmethod
    def from_namespace(cls, options: object) -> Workspace:
        """``from_options`` with the attributes of parsed options (``sessions_dir``,
        ``questionnaires``, ``providers``, ``templates``, ``preparer``; each may be absent)."""
        return cls.from_options(
            sessions_dir=getattr(options, "sessions_dir", None),
            questionnaires_dir=getattr(options, "questionnaires", None),
            providers_dir=getattr(options, "providers", None),
            templates_dir=getattr(options, "templates", None),
            actor=getattr(options, "preparer", None),
        )

    @classmethod
    def load(
        cls,
        sessions_dir: Path,
        folders: DataFolders | None = None,
        *,
        actor: str | None = None,
        memo_dir: Path | None = None,
        settings: Settings | None = None,
    ) -> Workspace:
        """A workspace with the data loaded at once (tests, benchmarks, scripts)."""
        workspace = cls(
            sessions_dir=sessions_dir,
            folders=folders,
            actor=actor,
            memo_dir=memo_dir,
            settings=settings,
        )
        workspace.preload()
        return workspace

    # -- data, loaded on first use

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

    @qset.setter
    def qset(self, value: QuestionnaireSet) -> None:
        """Use another questionnaire set from now on (e.g. after the files changed)."""
        self._qset = value

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
    def sessions_dir(self) -> Path:
        return self.store.root

    @property
    def templates_dir(self) -> Path:
        """The memo templates folder (``--templates`` or the bundled one)."""
        return self.folders.templates

    @property
    def loaded(self) -> bool:
        return self._qset is not None and self._catalog is not None and self._store is not None

    def preload(self) -> None:
        """Load everything now (call from a worker thread); raises DataError on bad data."""
        _ = (self.qset, self.catalog, self.store)

    # -- time

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """Today in the user's time zone, from the workspace clock."""
        return self.clock().astimezone().date()
