"""Session files on disk: never lose work, never overwrite what cannot be read.

* One JSON file per session, named from its generated id (``<id>.json``), never from the
  free-text name.
* Every change is written atomically before the editing method returns: a temporary file in
  the same folder is written and fsynced, the current file becomes ``<file>.bak`` and the
  temporary file replaces it, then the folder is fsynced. A process killed at any instant
  leaves the old or the new version, both complete.
* A file that cannot be read (not JSON, truncated, invalid field) raises ``CorruptSession``
  naming the file, the problem and the backup; nothing ever writes over it.
* ``<file>.lock`` (created exclusively, holding pid, host, user and time) keeps a second
  process from editing the same session; a lock left by a dead process on this machine is
  recovered automatically and the recovery is audited.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shlex
import shutil
import socket
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ddwizard.core.answers import WEIGHTS_QUESTION, Answer, AnswersFile
from ddwizard.core.errors import DataError, DdwizardError
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet, coerce_value
from ddwizard.core.sessions.audit import append_events, default_actor
from ddwizard.core.sessions.migration import (
    QuestionnaireChanges,
    SessionTooNewError,
    UpgradeError,
    current_stamps,
    migrate_questionnaires,
    upgrade_document,
)
from ddwizard.core.sessions.session import (
    MAX_NAME_LENGTH,
    SCHEMA_VERSION,
    SESSION_SUFFIX,
    STATUSES,
    Position,
    Session,
    SessionStatus,
    answer_record,
    is_session_id,
    new_session_id,
    session_label,
    utc_now,
)

BACKUP_SUFFIX = ".bak"
LOCK_SUFFIX = ".lock"
MAX_SESSION_BYTES = 256 * 1024 * 1024

# --- errors -------------------------------------------------------------------------------


class SessionNotFound(DdwizardError):
    def __init__(self, message: str, unreadable: list[Path] | None = None) -> None:
        self.unreadable = unreadable or []
        super().__init__(message)


class AmbiguousSession(DdwizardError):
    def __init__(self, ref: str, candidates: list[tuple[str, str]]) -> None:
        self.candidates = candidates
        lines = "\n".join(f"  {sid}  {name}" for sid, name in candidates)
        super().__init__(
            f"'{ref}' matches {len(candidates)} sessions; use an id or a longer name:\n{lines}"
        )


class CorruptSession(DdwizardError):
    """A session file that cannot be read. It is left exactly as it is."""

    def __init__(self, path: Path, problem: str, backup: Path | None = None) -> None:
        self.path = path
        self.problem = problem
        self.backup = backup
        message = f"session file {path} cannot be read: {problem}. The file was not changed."
        if backup is not None:
            message += (
                f" A backup from {_backup_time(backup)} is at {backup}; to restore it: "
                f"cp {shlex.quote(str(backup))} {shlex.quote(str(path))}"
                " (copy the damaged file elsewhere first if you want to keep it)"
            )
        else:
            message += " No backup of it exists."
        super().__init__(message)


class SessionLocked(DdwizardError):
    def __init__(self, path: Path, lock_path: Path, holder: LockInfo | None) -> None:
        self.path = path
        self.holder = holder
        if holder is None:
            who = "by another ddwizard (its lock file cannot be read)"
        else:
            who = (
                f"by process {holder.pid} on host {holder.host} (user {holder.user}) "
                f"since {holder.time}"
            )
        super().__init__(
            f"session {path} is open {who}. Close it there first; if that program is no "
            f"longer running, delete {lock_path} and try again"
        )


class ReadOnlySession(DdwizardError):
    def __init__(self, session: Session, path: Path) -> None:
        super().__init__(
            f"session {session.id} ('{session.label}') is final and read-only ({path}); "
            f"to change it, reopen it: ddwizard status {session.id} in_progress --reason '...'"
        )


class SessionConflict(DdwizardError):
    """The file changed on disk while this program had the session open."""


class SessionExists(DdwizardError):
    pass


# --- file reading -------------------------------------------------------------------------


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + BACKUP_SUFFIX)


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + LOCK_SUFFIX)


def _backup_time(backup: Path) -> str:
    try:
        return (
            datetime.fromtimestamp(backup.stat().st_mtime)
            .astimezone()
            .strftime("%Y-%m-%d %H:%M:%S %Z")
        )
    except OSError:
        return "an earlier save"


@dataclass(frozen=True)
class _FileState:
    """Identity of the file content we last read or wrote (to detect outside changes)."""

    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> _FileState:
        return cls(st.st_ino, st.st_size, st.st_mtime_ns)


def _loc_text(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part.isidentifier():
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(str(part))}]"
    return out or "(top level)"


def _read_bytes(path: Path) -> tuple[bytes, _FileState]:
    try:
        with path.open("rb") as fh:
            st = os.fstat(fh.fileno())
            if st.st_size > MAX_SESSION_BYTES:
                raise CorruptSession(
                    path, f"the file is too large ({st.st_size:,} bytes)", _existing_backup(path)
                )
            return fh.read(), _FileState.of(st)
    except FileNotFoundError:
        raise SessionNotFound(f"session file {path} does not exist") from None
    except IsADirectoryError:
        raise SessionNotFound(f"{path} is a folder, not a session file") from None
    except PermissionError:
        raise DdwizardError(f"cannot read session file {path}: permission denied") from None


def _existing_backup(path: Path) -> Path | None:
    bak = backup_path(path)
    return bak if bak.is_file() else None


def parse_session_bytes(raw: bytes, path: Path) -> tuple[Session, int | None]:
    """Validate file content into a Session (upgraded in memory); the original schema too."""

    def corrupt(problem: str) -> CorruptSession:
        return CorruptSession(path, problem, _existing_backup(path))

    if not raw.strip():
        raise corrupt("the file is empty")
    # Fast paths for current, valid files: our own layout (which also keeps the serialized
    # audit trail for the next save), then any valid JSON in one pass.
    fast = Session.from_canonical_json(raw)
    if fast is not None and fast.schema_version == SCHEMA_VERSION:
        return fast, SCHEMA_VERSION
    try:
        session = Session.model_validate_json(raw)
        if session.schema_version == SCHEMA_VERSION:
            return session, SCHEMA_VERSION
    except ValidationError:
        pass  # the careful path below upgrades older layouts and explains what is wrong
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise corrupt(f"not UTF-8 text (bad byte at offset {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise corrupt(
            f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(data, dict):
        raise corrupt("expected a JSON object at the top level")
    try:
        data, original = upgrade_document(data)
    except SessionTooNewError as exc:
        raise DdwizardError(f"session file {path} cannot be opened: {exc}") from None
    except UpgradeError as exc:
        raise corrupt(f"cannot upgrade the old file layout: {exc}") from None
    try:
        session = Session.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        shown = [f"{_loc_text(tuple(e['loc']))}: {e['msg']}" for e in errors[:5]]
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise corrupt("invalid content: " + "; ".join(shown) + more) from None
    if session.schema_version != SCHEMA_VERSION:
        raise corrupt(f"schema_version: expected {SCHEMA_VERSION}, got {session.schema_version}")
    return session, original


def read_session_file(path: Path) -> Session:
    """A session file as stored (upgraded to the current layout in memory), no lock taken."""
    raw, _ = _read_bytes(path)
    return parse_session_bytes(raw, path)[0]


# --- atomic writing -----------------------------------------------------------------------


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # platforms that cannot open folders (Windows): rename is durable enough
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _temp_name(path: Path, tag: str = "") -> Path:
    return path.with_name(f".{path.name}{tag}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def atomic_write(path: Path, data: bytes | Sequence[bytes], *, keep_backup: bool = True) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old or the new file.

    With ``keep_backup`` the current file (if any) becomes ``<file>.bak`` first; it is
    hard-linked, not copied, so keeping it costs nothing.
    """
    folder = path.parent
    tmp = _temp_name(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            for chunk in [data] if isinstance(data, bytes) else data:
                view = memoryview(chunk)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        if keep_backup and path.exists():
            _keep_backup(path)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(folder)


def _keep_backup(path: Path) -> None:
    bak = backup_path(path)
    with contextlib.suppress(OSError):
        if os.path.samefile(path, bak):
            # A writer died between its two renames: the backup already holds this version
            # (and renaming a hard link onto itself would do nothing).
            return
    bak_tmp = _temp_name(path, BACKUP_SUFFIX)
    try:
        os.link(path, bak_tmp)
    except OSError:  # no hard links on this file system: copy instead
        shutil.copy2(path, bak_tmp)
        with open(bak_tmp, "rb+") as fh:
            os.fsync(fh.fileno())
    try:
        os.replace(bak_tmp, bak)
    except BaseException:
        with contextlib.suppress(OSError):
            bak_tmp.unlink()
        raise


def _remove_stale_temps(path: Path) -> None:
    """Temporary files left by a killed writer of this session (we hold its lock)."""
    for leftover in path.parent.glob(f".{_glob_escape(path.name)}*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in text)


# --- locking ------------------------------------------------------------------------------


def _boot_id() -> str | None:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip() or None
    except OSError:
        return None


def _process_start(pid: int) -> str | None:
    """Start time of a process (Linux), to tell a reused pid from the lock's holder."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else None


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process on Windows
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True
    return True


def _windows_pid_alive(pid: int) -> bool:
    import ctypes

    kernel32 = getattr(ctypes, "windll").kernel32  # noqa: B009 (absent on other platforms)
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return bool(kernel32.GetLastError() == 5)  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return bool(code.value == 259)  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


@dataclass(frozen=True)
class LockInfo:
    pid: int
    host: str
    user: str
    time: str
    token: str
    started: str | None = None
    boot: str | None = None

    @classmethod
    def current(cls) -> LockInfo:
        pid = os.getpid()
        return cls(
            pid=pid,
            host=socket.gethostname(),
            user=default_actor(),
            time=utc_now().isoformat(timespec="seconds"),
            token=secrets.token_hex(8),
            started=_process_start(pid),
            boot=_boot_id(),
        )

    def to_bytes(self) -> bytes:
        return json.dumps(self.__dict__, indent=2).encode("utf-8")

    @classmethod
    def read(cls, path: Path) -> LockInfo | None:
        try:
            data = json.loads(path.read_bytes())
            return cls(
                pid=int(data["pid"]),
                host=str(data["host"]),
                user=str(data["user"]),
                time=str(data["time"]),
                token=str(data["token"]),
                started=data.get("started"),
                boot=data.get("boot"),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def is_stale(self) -> bool:
        """True only when we can tell for sure that the holder is gone."""
        if self.host != socket.gethostname():
            return False
        if self.boot is not None and _boot_id() not in (None, self.boot):
            return True
        if not _pid_alive(self.pid):
            return True
        if self.started is not None:
            running = _process_start(self.pid)
            return running is not None and running != self.started
        return False


def _publish_lock(path: Path, me: LockInfo) -> None:
    """Create the lock file exclusively, complete from its first instant."""
    tmp = _temp_name(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(me.to_bytes())
        try:
            os.link(tmp, path)  # fails with FileExistsError when someone holds the lock
        except FileExistsError:
            raise
        except OSError:  # no hard links here: plain exclusive create
            lock_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(lock_fd, "wb") as fh:
                fh.write(me.to_bytes())
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def acquire_lock(session_path: Path) -> tuple[LockInfo, LockInfo | None]:
    """Take the session's lock; returns our lock and the stale holder we replaced, if any."""
    path = lock_path(session_path)
    me = LockInfo.current()
    recovered: LockInfo | None = None
    for _attempt in range(5):
        try:
            _publish_lock(path, me)
            return me, recovered
        except FileExistsError:
            pass
        holder = LockInfo.read(path)
        if holder is None:
            if not path.exists():
                continue  # released in between
            raise SessionLocked(session_path, path, None)
        if not holder.is_stale():
            raise SessionLocked(session_path, path, holder)
        # Move the stale lock aside, then make sure it is the one we judged stale.
        aside = _temp_name(path, ".stale")
        try:
            os.rename(path, aside)
        except FileNotFoundError:
            continue
        moved = LockInfo.read(aside)
        if moved is not None and moved.token == holder.token:
            aside.unlink()
            recovered = holder
            continue
        # Someone took the lock in between: put theirs back and give up.
        with contextlib.suppress(OSError):
            os.link(aside, path)
        with contextlib.suppress(OSError):
            aside.unlink()
        raise SessionLocked(session_path, path, moved)
    raise SessionLocked(session_path, path, LockInfo.read(path))


def release_lock(session_path: Path, token: str) -> None:
    path = lock_path(session_path)
    holder = LockInfo.read(path)
    if holder is not None and holder.token == token:
        with contextlib.suppress(OSError):
            path.unlink()


# --- the store ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionSummary:
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


class SessionStore:
    """The sessions folder: create, find, read and open sessions."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, session_id: str) -> Path:
        if not is_session_id(session_id):
            raise ValueError(f"not a session id: {session_id!r}")
        return self.root / f"{session_id}{SESSION_SUFFIX}"

    def _files(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.glob(f"*{SESSION_SUFFIX}") if p.is_file())

    # -- finding

    def resolve(self, ref: str | Path) -> Path:
        """Path of the session ``ref`` names: a path, an id, or a unique name (prefix)."""
        text = str(ref)
        # Only something ending in .json is a path; "a/b" or "../x" are names like any other.
        if isinstance(ref, Path) or text.lower().endswith(SESSION_SUFFIX):
            path = Path(text).expanduser()
            if path.is_file():
                return path.resolve()
            raise SessionNotFound(f"session file {path} does not exist")
        if not text.strip():
            raise SessionNotFound("no session given")
        if is_session_id(text):
            path = self.path_for(text)
            if path.is_file():
                return path
        wanted = text.strip().casefold()
        exact: list[tuple[Path, str, str]] = []
        prefix: list[tuple[Path, str, str]] = []
        unreadable: list[Path] = []
        for path in self._files():
            sid = path.stem
            try:
                session = read_session_file(path)
                sid, name = session.id, session.name
                names = {name.casefold()} | ({session.title.casefold()} if session.title else set())
            except DdwizardError:
                names = set()
                name = "(unreadable)"
                unreadable.append(path)
            if wanted in names:
                exact.append((path, sid, name))
            elif sid.startswith(wanted) or any(n.startswith(wanted) for n in names):
                prefix.append((path, sid, name))
        for matches in (exact, prefix):
            if len(matches) == 1:
                return matches[0][0]
            if len(matches) > 1:
                raise AmbiguousSession(text, [(sid, name) for _, sid, name in matches])
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
            except DdwizardError as exc:
                try:
                    mtime: datetime | None = datetime.fromtimestamp(
                        path.stat().st_mtime
                    ).astimezone()
                except OSError:
                    mtime = None
                out.append(
                    SessionSummary(
                        id=path.stem,
                        name="(unreadable)",
                        status="corrupt",
                        progress=None,
                        updated_at=mtime,
                        path=path,
                        error=str(exc),
                    )
                )
                continue
            progress = None
            if qset is not None:
                progress = session.progress(qset)
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

    # -- reading and opening

    def load(
        self, ref: str | Path, qset: QuestionnaireSet, catalog: ProviderCatalog | None = None
    ) -> Session:
        """Read a session without locking it; questionnaire migration is applied in memory."""
        path = self.resolve(ref)
        session = read_session_file(path)
        migrate_questionnaires(session, qset)
        return session

    def open(
        self,
        ref: str | Path,
        qset: QuestionnaireSet,
        catalog: ProviderCatalog,
        *,
        actor: str | None = None,
    ) -> SessionHandle:
        """Lock a session for editing; migrations are applied, audited and saved at once."""
        path = self.resolve(ref)
        me, recovered = acquire_lock(path)
        try:
            raw, state = _read_bytes(path)
            session, original_schema = parse_session_bytes(raw, path)
            _remove_stale_temps(path)
            handle = SessionHandle(path, session, qset, catalog, me, state, actor=actor)
            handle._after_open(recovered, original_schema)
        except BaseException:
            release_lock(path, me.token)
            raise
        return handle

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
    ) -> SessionHandle:
        """A new session, saved and locked. ``path`` puts it somewhere else than the folder."""
        name = " ".join(str(name).split())
        if not name:
            raise DataError.single("a session needs a name", field="name")
        if len(name) > MAX_NAME_LENGTH:
            raise DataError.single(
                f"name is too long ({len(name)} characters; at most {MAX_NAME_LENGTH})",
                field="name",
            )
        now = utc_now()
        if path is None:
            self.root.mkdir(parents=True, exist_ok=True)
            for _ in range(100):
                session_id = new_session_id(now)
                target = self.path_for(session_id)
                if not target.exists():
                    break
            else:
                raise SessionExists(f"could not find a free session id in {self.root}")
        else:
            session_id = new_session_id(now)
            target = Path(path).expanduser()
            if target.suffix.lower() != SESSION_SUFFIX:
                raise DataError.single("a session file must end with .json", file=str(target))
            target.parent.mkdir(parents=True, exist_ok=True)
            target = target.resolve()
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
            )
            atomic_write(target, session.to_json_chunks(), keep_backup=False)
            state = _FileState.of(target.stat())
        except BaseException:
            release_lock(target, me.token)
            raise
        return SessionHandle(target, session, qset, catalog, me, state, actor=actor)


# --- editing ------------------------------------------------------------------------------

_KEEP: Any = ...


class SessionHandle:
    """A locked session. Every change is saved (atomically) before the method returns.

    Changes are made on a copy of the session that replaces ``session`` only once it is on
    disk, so a failed save leaves both the file and the object as they were.
    """

    def __init__(
        self,
        path: Path,
        session: Session,
        qset: QuestionnaireSet,
        catalog: ProviderCatalog,
        lock: LockInfo,
        state: _FileState,
        *,
        actor: str | None = None,
    ) -> None:
        self.path = path
        self.session = session
        self.qset = qset
        self.catalog = catalog
        self._lock = lock
        self._state: _FileState | None = state
        self.actor = actor or session.preparer or default_actor()
        self.closed = False
        self._finalizer = weakref.finalize(self, release_lock, path, lock.token)

    # -- life cycle

    def __enter__(self) -> SessionHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the lock (the session is already saved)."""
        if not self.closed:
            self.closed = True
            self._finalizer()

    @property
    def read_only(self) -> bool:
        return self.session.status == "final"

    def _after_open(self, recovered: LockInfo | None, original_schema: int | None) -> None:
        changes: list[dict[str, Any]] = []
        if recovered is not None:
            changes.append(
                {
                    "action": "lock_recovered",
                    "detail": f"stale lock of process {recovered.pid} on {recovered.host} "
                    f"(user {recovered.user}, since {recovered.time}) removed; that process had "
                    "ended",
                }
            )
        if original_schema is not None and original_schema < SCHEMA_VERSION:
            changes.append(
                {
                    "action": "schema_upgraded",
                    "old": original_schema,
                    "new": SCHEMA_VERSION,
                    "detail": f"session file layout upgraded from schema {original_schema} "
                    f"to {SCHEMA_VERSION}",
                }
            )
        session = self.session.model_copy(deep=False)
        migration: QuestionnaireChanges = migrate_questionnaires(session, self.qset)
        if migration.any:
            changes.append(
                {
                    "action": "questionnaire_migrated",
                    "new": migration.as_record(),
                    "detail": migration.describe(),
                }
            )
        update: dict[str, Any] = {
            "answers": session.answers,
            "diligence": session.diligence,
            "retired_answers": session.retired_answers,
            "questionnaires": session.questionnaires,
        }
        if self.catalog.data_hash != self.session.provider_data_hash:
            changes.append(
                {
                    "action": "provider_data_changed",
                    "old": self.session.provider_data_hash or None,
                    "new": self.catalog.data_hash,
                    "detail": "provider profiles changed since the session was last saved",
                }
            )
            update["provider_data_hash"] = self.catalog.data_hash
        stamps_changed = session.questionnaires != self.session.questionnaires
        if changes or stamps_changed:
            # Housekeeping on open is allowed on a final session: it changes no answer.
            self._commit(update, changes, touch=bool(changes), check_read_only=False)

    # -- saving

    def _commit(
        self,
        update: Mapping[str, Any],
        changes: list[dict[str, Any]],
        *,
        touch: bool = True,
        check_read_only: bool = True,
    ) -> None:
        if self.closed:
            raise DdwizardError(f"session {self.path} is closed; open it again to edit it")
        if check_read_only and self.read_only:
            raise ReadOnlySession(self.session, self.path)
        now = utc_now()
        fields = dict(update)
        if changes:
            for change in changes:
                change.setdefault("at", now)
            fields["audit"] = [
                *self.session.audit,
                *append_events(self.session.audit, self.actor, *changes),
            ]
        if touch:
            fields["updated_at"] = now
        new = self.session.model_copy(update=fields)
        self._write(new)
        self.session = new

    def _write(self, session: Session) -> None:
        data = session.to_json_chunks()
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise SessionConflict(
                f"session file {self.path} was deleted or moved while open; your last change "
                "was not saved. Restore the file (or its .bak) and open it again"
            ) from None
        if self._state is not None and _FileState.of(st) != self._state:
            raise SessionConflict(
                f"session file {self.path} was changed by another program while ddwizard had "
                "it open; not overwriting it, so your last change was not saved. Close the "
                "session and open it again"
            )
        atomic_write(self.path, data)
        self._state = _FileState.of(os.stat(self.path))

    def save(self) -> None:
        """Write the session as it is (normally not needed: every change saves itself)."""
        self._commit({}, [], touch=False, check_read_only=False)

    # -- validation helpers

    def _question(self, question_id: str, *, selection: bool) -> Any:
        question = self.qset.get(question_id)
        if question is None:
            raise DataError.single(f"unknown question id '{question_id}'", field=question_id)
        if self.qset.is_selection(question_id) != selection:
            where = "a mandate (selection)" if not selection else "a diligence"
            raise DataError.single(
                f"'{question_id}' is {where} question, not a "
                f"{'mandate' if selection else 'diligence'} one",
                field=question_id,
            )
        return question

    def _coerce(self, question_id: str, value: Any, *, selection: bool) -> Any:
        question = self._question(question_id, selection=selection)
        try:
            return coerce_value(question, value)
        except ValueError as exc:
            raise DataError.single(str(exc), field=question_id) from None

    def _provider(self, provider_id: str) -> str:
        if provider_id not in self.catalog:
            raise DataError.single(
                f"unknown provider id '{provider_id}' (known: {', '.join(self.catalog.ids)})",
                field=provider_id,
            )
        return provider_id

    # -- selection answers

    def _answer_changes(
        self, question_id: str, old: Answer | None, new: Answer
    ) -> list[dict[str, Any]]:
        changes: list[dict[str, Any]] = []
        if question_id == WEIGHTS_QUESTION:
            if old is None or old.value != new.value:
                changes.append(
                    {
                        "action": "weights_changed",
                        "target": question_id,
                        "old": None if old is None else old.value,
                        "new": new.value,
                    }
                )
        elif old is None:
            changes.append({"action": "answer_set", "target": question_id, "new": new.value})
        elif old.value != new.value:
            changes.append(
                {
                    "action": "answer_changed",
                    "target": question_id,
                    "old": old.value,
                    "new": new.value,
                }
            )
        elif old.needs_reconfirmation and not new.needs_reconfirmation:
            changes.append(
                {
                    "action": "answer_confirmed",
                    "target": question_id,
                    "new": new.value,
                    "detail": "answer re-confirmed after a questionnaire change",
                }
            )
        if (old.note if old else None) != new.note:
            changes.append(
                {
                    "action": "note_changed",
                    "target": question_id,
                    "old": old.note if old else None,
                    "new": new.note,
                }
            )
        return changes

    def _new_answer(self, question_id: str, old: Answer | None, value: Any, note: Any) -> Answer:
        keep_note = old.note if old is not None else None
        return _make_answer(
            question_id,
            value=value,
            note=keep_note if note is _KEEP else note,
            answered_at=utc_now(),
        )

    def set_answer(self, question_id: str, value: Any, *, note: str | None = _KEEP) -> None:
        """Answer a mandate question (validated); the audit records old and new values."""
        self._check_editable()
        coerced = self._coerce(question_id, value, selection=True)
        old = self.session.answers.get(question_id)
        new = self._new_answer(question_id, old, coerced, note)
        changes = self._answer_changes(question_id, old, new)
        if not changes:
            return
        answers = {**self.session.answers, question_id: new}
        self._commit({"answers": answers}, changes)

    def confirm_answer(self, question_id: str) -> None:
        """Keep an answer flagged after a questionnaire change, as it is."""
        old = self.session.answers.get(question_id)
        if old is None:
            raise DataError.single(f"'{question_id}' has no answer to confirm", field=question_id)
        self.set_answer(question_id, old.value)

    def clear_answer(self, question_id: str) -> None:
        self._check_editable()
        self._question(question_id, selection=True)
        old = self.session.answers.get(question_id)
        if old is None:
            return
        answers = {k: v for k, v in self.session.answers.items() if k != question_id}
        action = "weights_changed" if question_id == WEIGHTS_QUESTION else "answer_cleared"
        self._commit(
            {"answers": answers},
            [
                {
                    "action": action,
                    "target": question_id,
                    "old": old.value,
                    "new": None,
                    "detail": None if old.note is None else f"note was: {old.note}",
                }
            ],
        )

    def set_note(self, question_id: str, note: str | None, *, provider: str | None = None) -> None:
        """Change the note of an answer (an unanswered question keeps its note in the audit)."""
        self._check_editable()
        note = note if note and note.strip() else None
        if provider is None:
            self._question(question_id, selection=True)
            old = self.session.answers.get(question_id)
            if old is None:
                raise DataError.single(
                    f"answer '{question_id}' before adding a note to it", field=question_id
                )
            if old.note == note:
                return
            answers = {**self.session.answers, question_id: _with(old, note=note)}
            self._commit(
                {"answers": answers},
                [{"action": "note_changed", "target": question_id, "old": old.note, "new": note}],
            )
            return
        self._provider(provider)
        self._question(question_id, selection=False)
        per = self.session.diligence.get(provider, {})
        old = per.get(question_id)
        if old is None:
            raise DataError.single(
                f"answer '{question_id}' for {provider} before adding a note to it",
                field=question_id,
            )
        if old.note == note:
            return
        diligence = {
            **self.session.diligence,
            provider: {**per, question_id: _with(old, note=note)},
        }
        self._commit(
            {"diligence": diligence},
            [
                {
                    "action": "note_changed",
                    "target": f"{provider}:{question_id}",
                    "old": old.note,
                    "new": note,
                }
            ],
        )

    def set_weights(self, weights: dict[str, int]) -> None:
        self.set_answer(WEIGHTS_QUESTION, weights)

    # -- diligence

    def _diligence_answer(
        self,
        provider: str,
        question_id: str,
        value: Any,
        *,
        evidence: Any = _KEEP,
        document_date: Any = _KEEP,
        reference: Any = _KEEP,
        note: Any = _KEEP,
    ) -> tuple[Answer | None, Answer]:
        self._provider(provider)
        coerced = self._coerce(question_id, value, selection=False)
        old = self.session.diligence.get(provider, {}).get(question_id)

        def pick(given: Any, name: str) -> Any:
            if given is _KEEP:
                return getattr(old, name) if old is not None else None
            return given

        new = _make_answer(
            f"{provider}:{question_id}",
            value=coerced,
            evidence=pick(evidence, "evidence"),
            document_date=pick(document_date, "document_date"),
            reference=pick(reference, "reference"),
            note=pick(note, "note"),
            answered_at=utc_now(),
        )
        return old, new

    @staticmethod
    def _diligence_change(
        provider: str, question_id: str, old: Answer | None, new: Answer
    ) -> dict[str, Any] | None:
        target = f"{provider}:{question_id}"
        old_rec, new_rec = answer_record(old), answer_record(new)
        if old is None:
            return {"action": "diligence_set", "target": target, "new": new_rec}
        if old_rec != new_rec:
            return {"action": "diligence_changed", "target": target, "old": old_rec, "new": new_rec}
        if old.needs_reconfirmation:
            return {
                "action": "answer_confirmed",
                "target": target,
                "new": new_rec,
                "detail": "answer re-confirmed after a questionnaire change",
            }
        return None

    def set_diligence(
        self,
        provider: str,
        question_id: str,
        value: Any,
        *,
        evidence: Any = _KEEP,
        document_date: Any = _KEEP,
        reference: Any = _KEEP,
        note: Any = _KEEP,
    ) -> None:
        """Answer a diligence question for a provider. Omitted details keep their old value."""
        self._check_editable()
        old, new = self._diligence_answer(
            provider,
            question_id,
            value,
            evidence=evidence,
            document_date=document_date,
            reference=reference,
            note=note,
        )
        change = self._diligence_change(provider, question_id, old, new)
        if change is None:
            return
        per = {**self.session.diligence.get(provider, {}), question_id: new}
        self._commit({"diligence": {**self.session.diligence, provider: per}}, [change])

    def clear_diligence(self, provider: str, question_id: str) -> None:
        self._check_editable()
        per = self.session.diligence.get(provider, {})
        old = per.get(question_id)
        if old is None:
            self._provider(provider)
            self._question(question_id, selection=False)
            return
        rest = {k: v for k, v in per.items() if k != question_id}
        diligence = dict(self.session.diligence)
        if rest:
            diligence[provider] = rest
        else:
            diligence.pop(provider)
        self._commit(
            {"diligence": diligence},
            [
                {
                    "action": "diligence_cleared",
                    "target": f"{provider}:{question_id}",
                    "old": answer_record(old),
                }
            ],
        )

    # -- shortlist, status, position, memo

    def set_shortlist(self, provider_ids: list[str]) -> None:
        self._check_editable()
        ids: list[str] = []
        unknown = [p for p in provider_ids if p not in self.catalog]
        if unknown:
            raise DataError.single(
                f"unknown provider id(s): {', '.join(map(str, unknown))} "
                f"(known: {', '.join(self.catalog.ids)})",
                field="shortlist",
            )
        for pid in provider_ids:
            if pid not in ids:
                ids.append(pid)
        if ids == self.session.shortlist:
            return
        self._commit(
            {"shortlist": ids},
            [{"action": "shortlist_changed", "old": self.session.shortlist, "new": ids}],
        )

    def set_status(self, status: SessionStatus, *, reason: str | None = None) -> None:
        """Move the review on; leaving ``final`` is a ``reopened`` event that needs a reason."""
        if status not in STATUSES:
            raise DataError.single(
                f"unknown status '{status}' (choose {', '.join(STATUSES)})", field="status"
            )
        old = self.session.status
        reason = reason.strip() if reason and reason.strip() else None
        if status == old:
            return
        pending = self.session.needs_reconfirmation()
        if status == "final" and pending:
            raise DataError.single(
                f"{len(pending)} answer(s) must be re-confirmed before the review can be "
                f"final (the questionnaire changed): {', '.join(pending)}",
                field="status",
            )
        if old == "final":
            if reason is None:
                raise DataError.single(
                    f"session {self.session.id} is final; reopening it needs a reason, e.g. "
                    f"ddwizard status {self.session.id} {status} --reason 'committee asked for "
                    "changes'",
                )
            change: dict[str, Any] = {
                "action": "reopened",
                "old": old,
                "new": status,
                "detail": reason,
            }
        else:
            change = {"action": "status_changed", "old": old, "new": status, "detail": reason}
        self._commit({"status": status}, [change], check_read_only=False)

    def set_position(self, position: Position) -> None:
        """Remember where the wizard is (saved, not audited; allowed on a final session)."""
        if position == self.session.position:
            return
        self._commit({"position": position}, [], touch=False, check_read_only=False)

    def record_memo(self, output: Path, sha256: str, fmt: str) -> None:
        """Audit that a memo was produced (allowed on a final session)."""
        self._commit(
            {},
            [
                {
                    "action": "memo_generated",
                    "target": str(output),
                    "new": {"path": str(output), "format": fmt, "sha256": sha256},
                    "detail": f"{fmt} memo written to {output}",
                }
            ],
            check_read_only=False,
        )

    # -- answers files

    def apply_answers(self, parsed: AnswersFile) -> list[str]:
        """Apply a parsed answers file in one save (all or nothing); the changes, in words."""
        self._check_editable()
        answers = dict(self.session.answers)
        diligence = {pid: dict(per) for pid, per in self.session.diligence.items()}
        changes: list[dict[str, Any]] = []
        lines: list[str] = []
        for qid, given in parsed.sheet.selection.items():
            value = self._coerce(qid, given.value, selection=True)
            old = answers.get(qid)
            new = self._new_answer(qid, old, value, given.note if given.note is not None else _KEEP)
            found = self._answer_changes(qid, old, new)
            if found:
                answers[qid] = new
                changes += found
                lines.append(_describe_change(qid, old, new))
        for pid, per in parsed.sheet.diligence.items():
            self._provider(pid)
            target = diligence.setdefault(pid, {})
            for qid, given in per.items():
                old = target.get(qid)
                coerced = self._coerce(qid, given.value, selection=False)
                merged = _make_answer(
                    f"{pid}:{qid}",
                    value=coerced,
                    evidence=_given_or_old(given, old, "evidence"),
                    document_date=_given_or_old(given, old, "document_date"),
                    reference=_given_or_old(given, old, "reference"),
                    note=_given_or_old(given, old, "note"),
                    answered_at=utc_now(),
                )
                change = self._diligence_change(pid, qid, old, merged)
                if change is not None:
                    target[qid] = merged
                    changes.append(change)
                    lines.append(_describe_change(f"{pid} {qid}", old, merged))
            if not target:
                diligence.pop(pid)
        update: dict[str, Any] = {"answers": answers, "diligence": diligence}
        shortlist = parsed.sheet.shortlist
        if shortlist is not None:
            for pid in shortlist:
                self._provider(pid)
            if list(shortlist) != self.session.shortlist:
                changes.append(
                    {
                        "action": "shortlist_changed",
                        "old": self.session.shortlist,
                        "new": list(shortlist),
                    }
                )
                update["shortlist"] = list(shortlist)
                lines.append(
                    f"shortlist: {_show_list(self.session.shortlist)} -> {_show_list(shortlist)}"
                )
        if parsed.name and not self.session.title:
            update["title"] = parsed.name
        changes.append(
            {
                "action": "answers_file_applied",
                "target": str(parsed.path),
                "detail": f"{len(lines)} change(s) from {parsed.path}",
            }
        )
        self._commit(update, changes, touch=len(lines) > 0)
        return lines

    def _check_editable(self) -> None:
        if self.read_only:
            raise ReadOnlySession(self.session, self.path)


def _with(answer: Answer, **fields: Any) -> Answer:
    return answer.model_copy(update=fields)


def _make_answer(where: str, **fields: Any) -> Answer:
    try:
        return Answer(**fields)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        raise DataError.single(
            f"{_loc_text(tuple(err['loc']))}: {err['msg']}", field=where
        ) from None


def _given_or_old(given: Answer, old: Answer | None, name: str) -> Any:
    value = getattr(given, name)
    if value is None and old is not None:
        return getattr(old, name)
    return value


def _show(value: Any) -> str:
    if value is None:
        return "(unanswered)"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value)) or "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


def _show_list(items: Any) -> str:
    return "(none)" if items is None else (", ".join(items) or "(none)")


def _describe_change(label: str, old: Answer | None, new: Answer) -> str:
    if old is None:
        return f"{label}: {_show(new.value)}"
    if old.value != new.value:
        return f"{label}: {_show(old.value)} -> {_show(new.value)}"
    if old.needs_reconfirmation and not new.needs_reconfirmation:
        return f"{label}: {_show(new.value)} (re-confirmed)"
    return f"{label}: {_show(new.value)} (details updated)"
