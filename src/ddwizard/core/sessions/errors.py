"""What can go wrong with a session file, each in words that say what to do next.

Every error names the file. None of them is raised after anything was written over a file
that could not be read: the store refuses first and leaves the file as it is.
"""

from __future__ import annotations

import shlex
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ddwizard.core.errors import DdwizardError

if TYPE_CHECKING:
    from ddwizard.core.sessions.locking import LockInfo
    from ddwizard.core.sessions.session import Session


class SessionNotFound(DdwizardError):
    """No session matches; ``unreadable`` lists files that could not be searched by name."""

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


def _backup_time(backup: Path) -> str:
    try:
        return (
            datetime.fromtimestamp(backup.stat().st_mtime)
            .astimezone()
            .strftime("%Y-%m-%d %H:%M:%S %Z")
        )
    except OSError:
        return "an earlier save"


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


class SessionTooNew(DdwizardError):
    """The file was written by a newer ddwizard; it is left as it is."""

    def __init__(self, path: Path, schema: int, made_by: str | None, reads_up_to: int) -> None:
        self.path = path
        self.schema = schema
        self.made_by = made_by
        who = f"ddwizard {made_by}" if made_by else "a newer ddwizard"
        super().__init__(
            f"session file {path} was made by {who} (session schema {schema}; this version "
            f"reads up to {reads_up_to}); upgrade ddwizard to open it. The file was not changed."
        )

    @property
    def short(self) -> str:
        """For listings: 'made by a newer ddwizard 0.3' (or its schema when unknown)."""
        if self.made_by:
            return f"made by a newer ddwizard {self.made_by}"
        return f"made by a newer ddwizard, schema {self.schema}"


class SessionLocked(DdwizardError):
    """Someone else has the session open; the message names who, where and since when."""

    def __init__(
        self, path: Path, lock_path: Path, holder: LockInfo | None, *, remote: bool = False
    ) -> None:
        self.path = path
        self.holder = holder
        if holder is None:
            who = "by another ddwizard (its lock file cannot be read yet)"
        else:
            who = (
                f"by process {holder.pid} on host {holder.host} (user {holder.user}) "
                f"since {holder.time}"
            )
        if remote:
            advice = (
                f"Close it there first; if that program is no longer running, delete "
                f"{lock_path} and try again"
            )
        else:
            advice = (
                f"Close it there first (its lock, {lock_path}, is released as soon as that "
                "program ends, even if it crashed)"
            )
        super().__init__(f"session {path} is open {who}. {advice}")


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


class SessionTampered(DdwizardError):
    """The record no longer matches the state its audit trail last recorded.

    ddwizard does not add events to such a session: a new event would seal the outside edit
    as if ddwizard had made it.
    """

    def __init__(self, path: Path, session_id: str) -> None:
        self.path = path
        super().__init__(
            f"session file {path} was changed outside ddwizard since its last recorded change "
            f"(see: ddwizard verify {session_id}); not adding to its audit trail. Restore the "
            f"file from its backup ({path.name}.bak) or from your records"
        )
