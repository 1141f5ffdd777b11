"""One editor per session, enforced by an OS lock the kernel releases when its holder dies.

Two files sit beside ``<id>.json`` while a session is open:

* ``.<id>.json.oslock`` carries the OS lock (``filelock``: ``flock`` on Unix,
  ``LockFileEx`` on Windows). The kernel drops it when the holding process ends in any way,
  ``kill -9`` included, so there is nothing to guess about stale locks: no process probing.
  It is removed on release; one left by a killed process is empty, unlocked and reused.
* ``<id>.json.lock`` says who holds it (pid, host, user, time), so a refusal can name them.
  It is written after the OS lock is taken and removed before it is released.

A ``.lock`` file left by a process that died is found when the OS lock is free: the new
holder replaces it and the session's audit trail records the recovery. A ``.lock`` naming
another host is respected even then: the OS lock may not reach across a network share, so
only a person can say that colleague is gone (the message says which file to delete).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from ddwizard.core.errors import DdwizardError
from ddwizard.core.sessions import session as _model
from ddwizard.core.sessions.atomic import write_atomic
from ddwizard.core.sessions.audit import default_actor
from ddwizard.core.sessions.errors import SessionLocked
from ddwizard.core.text import printable

LOCK_SUFFIX = ".lock"
OS_LOCK_SUFFIX = ".oslock"

# OS locks this process holds, by token: a FileLock releases its lock when collected, so
# they are kept here until ``release_lock``.
_HELD: dict[str, FileLock] = {}


def lock_path(path: Path) -> Path:
    """``<file>.lock``: who holds the session open."""
    return path.with_name(path.name + LOCK_SUFFIX)


def os_lock_path(path: Path) -> Path:
    """``.<file>.oslock``: the file the OS lock is taken on."""
    return path.with_name(f".{path.name}{OS_LOCK_SUFFIX}")


@dataclass(frozen=True)
class LockInfo:
    """Who holds a session open; ``token`` tells this holder's lock from any other."""

    pid: int
    host: str
    user: str
    time: str
    token: str

    @classmethod
    def current(cls) -> LockInfo:
        return cls(
            pid=os.getpid(),
            host=socket.gethostname(),
            user=default_actor(),
            time=_model.utc_now().isoformat(timespec="seconds"),
            token=secrets.token_hex(8),
        )

    def to_bytes(self) -> bytes:
        return json.dumps(self.__dict__, indent=2).encode("utf-8")

    @classmethod
    def read(cls, path: Path) -> LockInfo | None:
        try:
            data = json.loads(path.read_bytes())
            info = cls(
                pid=int(data["pid"]),
                host=printable(str(data["host"]))[:200],
                user=printable(str(data["user"]))[:200],
                time=printable(str(data["time"]))[:40],
                token=str(data["token"]),
            )
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None
        return info


def _take_os_lock(os_lock: FileLock, session_path: Path, info_path: Path) -> None:
    """Take the OS lock, or raise ``SessionLocked`` naming its holder.

    A holder writes its note just after taking the lock and removes it just before letting
    go, so a note that cannot be read means the lock was taken or released a moment ago:
    try again for a short while (0.2 s) rather than refuse a session that is free by now.
    """
    for _ in range(20):
        try:
            os_lock.acquire(blocking=False)
            return
        except Timeout:
            holder = LockInfo.read(info_path)
            if holder is not None:
                raise SessionLocked(session_path, info_path, holder) from None
        except OSError as exc:
            raise DdwizardError(
                f"cannot lock session {session_path}: {exc.strerror or exc}"
            ) from None
        time.sleep(0.01)
    raise SessionLocked(session_path, info_path, LockInfo.read(info_path))


def acquire_lock(session_path: Path) -> tuple[LockInfo, LockInfo | None]:
    """Take the session's lock; returns our lock and the dead holder we replaced, if any.

    Raises ``SessionLocked`` naming the holder when someone has it open.
    """
    info_path = lock_path(session_path)
    os_lock = FileLock(os_lock_path(session_path), timeout=0, thread_local=False)
    _take_os_lock(os_lock, session_path, info_path)
    try:
        me = LockInfo.current()
        previous = LockInfo.read(info_path) if info_path.exists() else None
        if previous is not None and previous.host != me.host:
            raise SessionLocked(session_path, info_path, previous, remote=True)
        write_atomic(info_path, me.to_bytes())
    except BaseException:
        os_lock.release()
        raise
    _HELD[me.token] = os_lock
    return me, previous


def release_lock(session_path: Path, token: str) -> None:
    """Remove our holder note, then drop the OS lock (idempotent)."""
    os_lock = _HELD.pop(token, None)
    if os_lock is None:
        return
    try:
        path = lock_path(session_path)
        holder = LockInfo.read(path)
        if holder is not None and holder.token == token:
            with contextlib.suppress(OSError):
                path.unlink()
        # Leave the folder as we found it. A process that opened this file just before and
        # takes its lock just after holds a lock on a deleted file; should it then open the
        # session beside a newer holder, the store's check that the file is unchanged since
        # it was read refuses its save (SessionConflict), so nothing is lost.
        with contextlib.suppress(OSError):
            os_lock_path(session_path).unlink()
    finally:
        os_lock.release()
