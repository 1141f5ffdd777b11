"""Find, open, create and list reviews.

A name that matches no review is refused with the closest names, never taken as a request to
start a new review: creating one is explicit (``create_review``). A session file that cannot be
read, or that a newer ddwizard wrote, is never silently replaced by a new review of the same
name (no forked reviews).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ddwizard.core.errors import DdwizardError
from ddwizard.core.usecases.suggestions import did_you_mean

if TYPE_CHECKING:
    from ddwizard.core.sessions.session import Session
    from ddwizard.core.sessions.store import SessionHandle, SessionSummary
    from ddwizard.core.workspace import Workspace

SESSION_SUFFIX = ".json"


class ReviewNotFound(DdwizardError):
    """No review matches; says which names are close and which files could not be searched."""

    def __init__(self, message: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.suggestions = suggestions


class ReviewExists(DdwizardError):
    """Creating a review that (probably) exists already: refused rather than forked."""


def _is_path(ref: str) -> bool:
    return ref.lower().endswith(SESSION_SUFFIX)


def find_review(workspace: Workspace, ref: str) -> Path:
    """The session file ``ref`` names (id, unique name or prefix, or a .json path).

    Raises ``ReviewNotFound`` naming the closest reviews, or ``AmbiguousSession``.
    """
    from ddwizard.core.sessions.store import SessionNotFound

    store = workspace.store
    try:
        return store.resolve(ref)
    except SessionNotFound as missing:
        if _is_path(ref):
            raise
        names: list[str] = []
        for summary in store.list(None):
            if not summary.error:
                names += [summary.name, *([summary.title] if summary.title else []), summary.id]
        hint = did_you_mean(ref, names)
        message = str(missing)
        if hint:
            message = f"no review matches '{ref}'{hint} ({message})"
        raise ReviewNotFound(message, tuple(names)) from None


def open_review(
    workspace: Workspace, ref: str | Path, *, actor: str | None = None
) -> SessionHandle:
    """Lock a review for editing (migrations applied and audited)."""
    path = ref if isinstance(ref, Path) else find_review(workspace, ref)
    return workspace.store.open(
        path, workspace.qset, workspace.catalog, actor=actor or workspace.actor
    )


def read_review(workspace: Workspace, ref: str | Path) -> Session:
    """Read a review without locking it (questionnaire migration applied in memory only)."""
    path = ref if isinstance(ref, Path) else find_review(workspace, ref)
    return workspace.store.load(path, workspace.qset, workspace.catalog)


def create_review(
    workspace: Workspace,
    name: str,
    *,
    preparer: str | None = None,
    title: str | None = None,
    actor: str | None = None,
    unique: bool = False,
) -> SessionHandle:
    """Start a new review called ``name`` (``name`` ending in .json: a session file there).

    With ``unique`` (``answer NAME --new``, where the name is how the review is found again)
    it is refused when a readable review already has this name, or when an unreadable session
    file (damaged, or written by a newer ddwizard) appears to be this review: that would fork
    it. A name that looks like a session id is refused: it would be found as an id later.
    """
    from ddwizard.core.sessions.session import is_session_id
    from ddwizard.core.sessions.store import SessionExists

    ref = name.strip()
    at_path = _is_path(ref)
    if unique and not at_path and is_session_id(ref):
        raise ReviewExists(
            f"'{ref}' looks like a session id, not a name; no session has this id in "
            f"{workspace.store.root} (see 'ddwizard sessions')"
        )
    if at_path and Path(ref).expanduser().exists():
        raise ReviewExists(f"{ref} already exists; open it without --new")
    preparer = preparer or workspace.actor
    try:
        return workspace.store.create(
            Path(ref).stem if at_path else ref,
            workspace.qset,
            workspace.catalog,
            preparer=preparer,
            actor=actor or preparer,
            title=title,
            path=Path(ref) if at_path else None,
            unique_name=unique and not at_path,  # checked and created under the folder lock
        )
    except SessionExists as exists:
        raise ReviewExists(str(exists)) from None


def list_reviews(workspace: Workspace, *, with_progress: bool = True) -> list[SessionSummary]:
    """Every review, most recent first; unreadable files listed with their problem.

    Progress needs the questionnaires; when they cannot be loaded the list comes without it
    (the error propagates only when ``with_progress`` is required by the caller).
    """
    qset = workspace.qset if with_progress else None
    return workspace.store.list(qset)
