"""Move a review between in progress, ready for review and final (DECISIONS.md §6).

``final`` means checked by a second person: it needs a verified audit trail and a supported
recommendation, or an override by a named reviewer who is not the preparer, with a written
rationale (``core/signoff.check_final`` decides). Reopening a final review needs a reason.
Every change, override or reopening goes to the audit trail through the session handle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from ddwizard.core.errors import DataError
from ddwizard.core.usecases.verify_review import require_integrity

if TYPE_CHECKING:
    from ddwizard.core.sessions.session import SessionStatus
    from ddwizard.core.sessions.store import SessionHandle
    from ddwizard.core.workspace import Workspace

STATUSES = ("in_progress", "ready_for_review", "final")


@dataclass(frozen=True)
class StatusChanged:
    session_id: str
    old: str
    new: str
    override: bool = False
    """Final by a reviewer's override of an unsupported recommendation."""

    @property
    def changed(self) -> bool:
        return self.old != self.new


def change_status(
    workspace: Workspace,
    ref: str,
    status: str,
    *,
    actor: str | None = None,
    reason: str | None = None,
    reviewer: str | None = None,
    rationale: str | None = None,
) -> StatusChanged:
    """``ddwizard status``: open the review and change its status under the sign-off rules."""
    from ddwizard.core.usecases.open_review import open_review

    with open_review(workspace, ref, actor=actor) as handle:
        return change_status_of_handle(
            workspace,
            handle,
            status,
            reason=reason,
            reviewer=reviewer,
            rationale=rationale,
        )


def change_status_of_handle(
    workspace: Workspace,
    handle: SessionHandle,
    status: str,
    *,
    reason: str | None = None,
    reviewer: str | None = None,
    rationale: str | None = None,
) -> StatusChanged:
    """The same on a review the caller holds open (the TUI); the handle's actor is recorded."""
    if status not in STATUSES:
        raise DataError.single(
            f"unknown status '{status}' (choose {', '.join(STATUSES)})", field="status"
        )
    session = handle.session
    old = str(session.status)
    if status == old:
        return StatusChanged(session.id, old, old)
    reviewer = _text(reviewer)
    rationale = _text(rationale)
    override = False
    if status == "final":
        require_integrity(session, hint="; a review whose trail does not verify cannot be final")
        override = _check_signoff(workspace, handle, reviewer=reviewer, rationale=rationale)
    elif reviewer is not None or rationale is not None:
        raise DataError.single(
            "--reviewer and --rationale are for signing a review off as final", field="status"
        )
    handle.set_status(
        cast("SessionStatus", status),
        reason=_text(reason),
        reviewer=reviewer,
        rationale=rationale,
        override=override,
    )
    return StatusChanged(session.id, old, str(handle.session.status), override)


def _text(value: str | None) -> str | None:
    return value.strip() if value is not None and value.strip() else None


def _check_signoff(
    workspace: Workspace,
    handle: SessionHandle,
    *,
    reviewer: str | None,
    rationale: str | None,
) -> bool:
    """Whether final is an override; raises when the sign-off rules refuse it."""
    from ddwizard.core.signoff import check_final
    from ddwizard.core.usecases.evaluate_review import evaluate_sheet

    session = handle.session
    evaluation = evaluate_sheet(workspace, session.sheet())
    check = check_final(
        evaluation, preparer=session.preparer, reviewer=reviewer, rationale=rationale
    )
    if not check.allowed:
        reasons = "".join(f"\n  - {reason}" for reason in check.reasons)
        raise DataError.single(
            f"session {session.id} cannot be final:{reasons}\n"
            "A second person may sign it off anyway with --reviewer NAME --rationale TEXT (the "
            "reviewer must not be the preparer; both go to the audit trail and the memo).",
            field="status",
        )
    return bool(check.override)
