"""The sessions folder: find, list, read, open and create reviews without ever losing one.

* One JSON file per session, named from its generated id (``<id>.json``), never from the
  free-text name.
* Every change is written atomically before the editing method returns (``atomic``): a
  process killed at any instant leaves the old or the new version, both complete.
* A file that cannot be read raises ``CorruptSession`` naming the file, the problem and the
  backup; a file from a newer ddwizard raises ``SessionTooNew``; nothing writes over either,
  and a lookup never answers "not found" for a review that exists but cannot be read, so
  callers cannot fork it by starting a new one with the same name.
* One damaged file never hides the others: listing and name lookups read each file on its
  own and report the ones they cannot read.
* ``locking`` keeps a second process from editing the same session (OS locks, released by
  the kernel when their holder dies) and creation of reviews is serialised per folder, so
  two concurrent creations of one name make one review.

This module also re-exports the package's public names, so callers import from one place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from filelock import FileLock
from filelock import Timeout as _LockTimeout

from ddwizard.core.errors import DataError, DdwizardError
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.sessions import session as _model
from ddwizard.core.sessions.atomic import (
    backup_path,
    cleanup_stale_temps,
    write_atomic,
)
from ddwizard.core.sessions.audit import (
    Verification,
    append_events,
    default_actor,
    state_hash,
    verify_session,
)
from ddwizard.core.sessions.errors import (
    AmbiguousSession,
    CorruptSession,
    ReadOnlySession,
    SessionConflict,
    SessionExists,
    SessionLocked,
    SessionNotFound,
    SessionTampered,
    SessionTooNew,
)
from ddwizard.core.sessions.files import (
    MAX_SESSION_BYTES,
    FileState,
    json_depth_problem,
    parse_session_bytes,
    read_bytes,
    read_session_file,
)
from ddwizard.core.sessions.handle import SessionHandle
from ddwizard.core.sessions.locking import LockInfo, acquire_lock, lock_path, release_lock
from ddwizard.core.sessions.migration import current_stamps, migrate_questionnaires
from ddwizard.core.sessions.session import (
    SESSION_SUFFIX,
    Session,
    is_session_id,
    new_session_id,
    session_label,
    utc_now,
)
from ddwizard.core.text import MAX_NAME_LENGTH, free_text_problem

__all__ = [
    "MAX_SESSION_BYTES",
    "AmbiguousSession",
    "CorruptSession",
    "LockInfo",
    "ReadOnlySession",
    "SessionConflict",
    "SessionExists",
    "SessionHandle",
    "SessionLocked",
    "SessionNotFound",
    "SessionStore",
    "SessionSummary",
    "SessionTampered",
    "SessionTooNew",
    "Verification",
    "acquire_lock",
    "atomic_write",
    "backup_path",
    "lock_path",
    "parse_session_bytes",
    "read_session_file",
    "release_lock",
    "utc_now",
    "verify_session",
    "write_atomic",
]

CREATE_LOCK_NAME = ".ddwizard-create.lock"


def atomic_write(path: Path, data: bytes | list[bytes], *, keep_backup: bool = True) -> None:
    """``atomic.write_atomic`` keeping ``<file>.bak`` by default (the sessions' habit)."""
    write_atomic(path, data, keep_backup=keep_backup)


@dataclass(frozen=True)
class SessionSummary:
    """One line of ``ddwizard sessions``; ``error`` says why a file cannot be opened."""

    id: str
    name: str
    status: str
    progress: int | None
    updated_at: datetime | None
    path: Path
    error: str | None = None
    title: str | None = None
    preparer: str | None = None

    @property
    def label(self) -> str:
        return session_label(self.name, self.title)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "title": self.title,
            "status": self.status,
            "progress": self.progress,
            "updated": None if self.updated_at is None else self.updated_at.isoformat(),
            "preparer": self.preparer,
            "path": str(self.path),
            "error": self.error,
        }


def _name_hint(path: Path) -> str | None:
    """The ``name`` a file that cannot be opened appears to have, if any.

    Read leniently: as JSON when it parses, else from the top-level ``"name"`` line of the
    layout ddwizard writes (a truncated or damaged file usually still has it).
    """
    try:
        raw = path.read_bytes()[: 4 * 1024 * 1024].removeprefix(b"\xef\xbb\xbf")
    except OSError:
        return None
    name: object = None
    try:
        if json_depth_problem(raw, 64) is None:
            data = json.loads(raw)
            name = data.get("name") if isinstance(data, dict) else None
    except (ValueError, RecursionError):
        found = _NAME_LINE.search(raw[:8192])
        if found is not None:
            try:
                name = json.loads(found.group(1))
            except ValueError:
                name = None
    if not isinstance(name, str) or not name.strip():
        return None
    name = " ".join(name.split())
    return name if free_text_problem(name, max_len=MAX_NAME_LENGTH) is None else None


_NAME_LINE = re.compile(rb'^  "name": ("(?:[^"\\\n]|\\.)*"),?\r?$', re.MULTILINE)


def _check_person(value: str | None, field: str) -> None:
    """Who acts goes into every audit event: the same rules as any name."""
    if value is not None:
        problem = free_text_problem(value, max_len=MAX_NAME_LENGTH)
        if problem is not None:
            raise DataError.single(problem, field=field)


@contextmanager
def _no_lock() -> Iterator[None]:
    yield


def _mtime(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    except OSError:
        return None


class SessionStore:
    """The sessions folder: create, find, read and open sessions."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, session_id: str) -> Path:
        if not is_session_id(session_id):
            raise ValueError(f"not a session id: {session_id!r}")
        return self.root / f"{session_id}{SESSION_SUFFIX}"

    def _check_root(self) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise DdwizardError(
                f"the sessions folder {self.root} is a file, not a folder; give "
                "--sessions-dir a folder (it is created when missing)"
            )

    def _files(self) -> list[Path]:
        self._check_root()
        if not self.root.is_dir():
            return []
        try:
            return sorted(p for p in self.root.glob(f"*{SESSION_SUFFIX}") if p.is_file())
        except OSError as exc:
            raise DdwizardError(
                f"cannot read the sessions folder {self.root}: {exc.strerror or exc}"
            ) from None

    # -- finding

    def resolve(self, ref: str | Path) -> Path:
        """Path of the session ``ref`` names: a path, an id, or a unique name (prefix).

        A name that only a file which cannot be opened appears to carry raises that file's
        error (``CorruptSession``, ``SessionTooNew``), not ``SessionNotFound``: the review
        exists. ``SessionNotFound.unreadable`` lists files whose name could not be read.
        """
        text = str(ref)
        # Only something ending in .json is a path; "a/b" or "../x" are names like any other.
        if isinstance(ref, Path) or text.lower().endswith(SESSION_SUFFIX):
            path = Path(text).expanduser()
            if path.is_file():
                return path.resolve()
            if path.is_dir():
                raise SessionNotFound(f"{path} is a folder, not a session file")
            if path.exists():
                raise SessionNotFound(f"{path} is not a regular file (a device, pipe or socket)")
            raise SessionNotFound(f"session file {path} does not exist")
        if not text.strip():
            raise SessionNotFound("no session given")
        if is_session_id(text):
            path = self.path_for(text)
            if path.is_file():
                return path
        wanted = " ".join(text.split()).casefold()
        exact: list[tuple[Path, str, str]] = []
        prefix: list[tuple[Path, str, str]] = []
        broken: list[tuple[Path, DdwizardError, str | None]] = []
        for path in self._files():
            try:
                session = read_session_file(path)
            except DdwizardError as exc:
                broken.append((path, exc, _name_hint(path)))
                continue
            sid, name = session.id, session.name
            names = {name.casefold()} | ({session.title.casefold()} if session.title else set())
            if wanted in names:
                exact.append((path, sid, name))
            elif sid.startswith(wanted) or any(n.startswith(wanted) for n in names):
                prefix.append((path, sid, name))
        if not exact:
            for _path, error, hint in broken:
                if hint is not None and hint.casefold() == wanted:
                    raise error
        for matches in (exact, prefix):
            if len(matches) == 1:
                return matches[0][0]
            if len(matches) > 1:
                raise AmbiguousSession(text, [(sid, name) for _, sid, name in matches])
        unreadable = [path for path, _, _ in broken]
        message = (
            f"no session matches '{text}' in {self.root} (see 'ddwizard sessions'; "
            "give an id, a unique name prefix or a path to a .json file)"
        )
        if unreadable:
            message += "; unreadable session files (not searched by name): " + ", ".join(
                map(str, unreadable)
            )
        raise SessionNotFound(message, unreadable)

    def list(self, qset: QuestionnaireSet | None = None) -> list[SessionSummary]:
        """Every session in the folder, most recently updated first; unreadable ones too."""
        out: list[SessionSummary] = []
        for path in self._files():
            try:
                session = read_session_file(path)
            except SessionTooNew as exc:
                out.append(self._unreadable(path, "newer version", exc.short, str(exc)))
                continue
            except DdwizardError as exc:
                out.append(self._unreadable(path, "corrupt", "(unreadable)", str(exc)))
                continue
            progress = None
            if qset is not None:
                try:
                    progress = session.progress(qset)
                except (ValueError, TypeError, RecursionError):
                    progress = None
            out.append(
                SessionSummary(
                    id=session.id,
                    name=session.name,
                    status=session.status,
                    progress=progress,
                    updated_at=session.updated_at,
                    path=path,
                    title=session.title,
                    preparer=session.preparer,
                )
            )
        out.sort(key=lambda s: s.updated_at.timestamp() if s.updated_at else 0.0, reverse=True)
        return out

    @staticmethod
    def _unreadable(path: Path, status: str, name: str, error: str) -> SessionSummary:
        hint = _name_hint(path)
        return SessionSummary(
            id=path.stem,
            name=f"{hint}: {name}" if hint and status == "newer version" else name,
            status=status,
            progress=None,
            updated_at=_mtime(path),
            path=path,
            error=error,
        )

    # -- reading and opening

    def load(
        self, ref: str | Path, qset: QuestionnaireSet, catalog: ProviderCatalog | None = None
    ) -> Session:
        """Read a session without locking it; questionnaire migration is applied in memory."""
        path = self.resolve(ref)
        session = read_session_file(path)
        migrate_questionnaires(session, qset)
        return session

    def verify(self, ref: str | Path) -> Verification:
        """Verify a session as stored (nothing migrated): see ``audit.verify_session``."""
        return verify_session(read_session_file(self.resolve(ref)))

    def open(
        self,
        ref: str | Path,
        qset: QuestionnaireSet,
        catalog: ProviderCatalog,
        *,
        actor: str | None = None,
    ) -> SessionHandle:
        """Lock a session for editing; migrations are applied, audited and saved at once."""
        _check_person(actor, "actor")
        path = self.resolve(ref)
        me, recovered = acquire_lock(path)
        try:
            raw, state = read_bytes(path)
            session, original_schema = parse_session_bytes(raw, path)
            cleanup_stale_temps(path.parent, path.name)
            handle = SessionHandle(path, session, qset, catalog, me, state, actor=actor)
            handle._after_open(recovered, original_schema)
        except BaseException:
            release_lock(path, me.token)
            raise
        return handle

    def _make_root(self) -> None:
        self._check_root()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            self._check_root()
            raise DdwizardError(f"cannot create the sessions folder {self.root}") from None
        except OSError as exc:
            raise DdwizardError(
                f"cannot create the sessions folder {self.root}: {exc.strerror or exc}"
            ) from None

    @contextmanager
    def creating(self) -> Iterator[None]:
        """Hold the folder's creation lock: one review created at a time in this folder.

        Its file (``.ddwizard-create.lock``) stays in the folder: waiters must all lock the
        same file, so it is never deleted.
        """
        self._make_root()
        lock = FileLock(self.root / CREATE_LOCK_NAME, timeout=30, thread_local=False)
        try:
            lock.acquire()
        except _LockTimeout:
            raise DdwizardError(
                f"another ddwizard has been creating a review in {self.root} for 30 seconds; "
                "try again"
            ) from None
        try:
            yield
        finally:
            lock.release()

    def existing_named(self, name: str) -> str | None:
        """Why a review called ``name`` would fork one that exists, or None.

        A readable review with this name (or title), or a file that cannot be opened but
        carries this name, counts.
        """
        wanted = " ".join(name.split()).casefold()
        for path in self._files():
            try:
                session = read_session_file(path)
            except DdwizardError as exc:
                hint = _name_hint(path)
                if hint is not None and hint.casefold() == wanted:
                    return (
                        f"{path} appears to be the review '{hint}' but cannot be opened "
                        f"({exc}); not starting a second review with the same name"
                    )
                continue
            labels = {session.name.casefold()} | (
                {session.title.casefold()} if session.title else set()
            )
            if wanted in labels:
                return (
                    f"a review named '{session.name}' already exists ({session.id}, "
                    f"{path}); open it instead, or choose another name"
                )
        return None

    def create(
        self,
        name: str,
        qset: QuestionnaireSet,
        catalog: ProviderCatalog,
        *,
        preparer: str | None = None,
        actor: str | None = None,
        title: str | None = None,
        path: Path | None = None,
        unique_name: bool = False,
    ) -> SessionHandle:
        """A new session, saved and locked. ``path`` puts it somewhere else than the folder.

        With ``unique_name`` the creation is refused (``SessionExists``) when a review with
        this name exists or an unreadable file appears to be it; the check and the creation
        happen under the folder's creation lock, so concurrent creations make one review.
        """
        _check_person(actor, "actor")
        name = " ".join(str(name).split())
        if not name:
            raise DataError.single("a session needs a name", field="name")
        for label, value in (("name", name), ("title", title), ("preparer", preparer)):
            problem = None if value is None else free_text_problem(value, max_len=MAX_NAME_LENGTH)
            if problem is not None:
                raise DataError.single(problem, field=label)
        if path is not None:
            return self._create_at(Path(path), name, qset, catalog, preparer, actor, title)
        with self.creating() if unique_name else _no_lock():
            if unique_name:
                reason = self.existing_named(name)
                if reason is not None:
                    raise SessionExists(reason)
            else:
                self._make_root()
            now = _model.utc_now()
            for _ in range(100):
                session_id = new_session_id(now)
                target = self.path_for(session_id)
                if not target.exists():
                    break
            else:
                raise SessionExists(f"could not find a free session id in {self.root}")
            return self._write_new(
                target, session_id, now, name, qset, catalog, preparer, actor, title
            )

    def _create_at(
        self,
        target: Path,
        name: str,
        qset: QuestionnaireSet,
        catalog: ProviderCatalog,
        preparer: str | None,
        actor: str | None,
        title: str | None,
    ) -> SessionHandle:
        target = target.expanduser()
        if target.suffix.lower() != SESSION_SUFFIX:
            raise DataError.single("a session file must end with .json", file=str(target))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DdwizardError(
                f"cannot create the folder for {target}: {exc.strerror or exc}"
            ) from None
        now = _model.utc_now()
        return self._write_new(
            target.resolve(), new_session_id(now), now, name, qset, catalog, preparer, actor, title
        )

    def _write_new(
        self,
        target: Path,
        session_id: str,
        now: datetime,
        name: str,
        qset: QuestionnaireSet,
        catalog: ProviderCatalog,
        preparer: str | None,
        actor: str | None,
        title: str | None,
    ) -> SessionHandle:
        if target.exists():
            raise SessionExists(f"{target} already exists; not overwriting it")
        me, _ = acquire_lock(target)
        try:
            if target.exists():
                raise SessionExists(f"{target} already exists; not overwriting it")
            session = Session(
                id=session_id,
                name=name,
                title=title,
                preparer=preparer,
                created_at=now,
                updated_at=now,
                questionnaires=current_stamps(qset),
                provider_data_hash=catalog.data_hash,
            )
            who = actor or preparer or default_actor()
            session.audit = append_events(
                [],
                who,
                {
                    "action": "session_created",
                    "target": session_id,
                    "new": name,
                    "detail": f"preparer: {preparer}" if preparer else None,
                    "at": now,
                },
                state=state_hash(session),
            )
            write_atomic(target, session.to_json_chunks())
            state = FileState.of(target.stat())
        except BaseException:
            release_lock(target, me.token)
            raise
        return SessionHandle(target, session, qset, catalog, me, state, actor=actor)
