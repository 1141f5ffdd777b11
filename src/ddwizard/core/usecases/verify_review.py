"""Is a review's audit trail intact, and does it match a memo issued earlier?

``check_integrity`` is what ``write_memo`` and ``change_status`` ask before they act: a memo
or a final status only from a session whose trail verifies. ``verify_review`` is
``ddwizard verify``: the same check on the file as stored (nothing migrated), and with a memo,
whether that memo was issued from this session's trail (its hash is in a ``memo_generated``
event and the session it embeds is an earlier state of the same chain).

Limit: the chain is not keyed. Someone who rewrites a session file wholesale and recomputes
every hash produces a trail that verifies on its own; only a memo (or another copy of the head
hash) kept elsewhere shows the rewrite.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ddwizard.core.errors import DdwizardError

if TYPE_CHECKING:
    from ddwizard.core.sessions.session import Session
    from ddwizard.core.workspace import Workspace


class IntegrityError(DdwizardError):
    """A session whose audit trail does not verify: no memo, no final status from it."""

    def __init__(self, session_id: str, problems: tuple[str, ...], *, hint: str = "") -> None:
        self.problems = problems
        listed = "; ".join(problems[:5]) + (
            f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        )
        super().__init__(
            f"the audit trail of session {session_id} does not verify ({listed}); "
            f"run 'ddwizard verify {session_id}' for details{hint}"
        )


@dataclass(frozen=True)
class Integrity:
    """What was verified about a session, for the memo's integrity line."""

    verified: bool
    events: int
    head_hash: str | None
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    """What the check could not rule out (e.g. events written before the trail bound the
    session state)."""


def check_integrity(session: Session) -> Integrity:
    """Verify ``session`` as given: the chain, and the record against the state it binds."""
    from ddwizard.core.sessions.audit import verify_session

    result = verify_session(session)
    return Integrity(result.ok, result.events, result.head_hash, result.problems, result.notes)


def require_integrity(session: Session, *, hint: str = "") -> Integrity:
    integrity = check_integrity(session)
    if not integrity.verified:
        raise IntegrityError(str(session.id), integrity.problems, hint=hint)
    return integrity


@dataclass(frozen=True)
class VerifyResult:
    session_id: str
    integrity: Integrity
    memo_problems: tuple[str, ...] = ()
    memo_checked: Path | None = None

    @property
    def ok(self) -> bool:
        return self.integrity.verified and not self.memo_problems


def verify_review(workspace: Workspace, ref: str, *, memo: Path | None = None) -> VerifyResult:
    """``ddwizard verify``: the session file as stored, and optionally against ``memo``."""
    from ddwizard.core.sessions.store import read_session_file
    from ddwizard.core.usecases.open_review import find_review

    session = read_session_file(find_review(workspace, ref))
    integrity = check_integrity(session)
    if memo is None:
        return VerifyResult(str(session.id), integrity)
    return VerifyResult(
        str(session.id), integrity, tuple(_memo_problems(session, Path(memo))), Path(memo)
    )


def _memo_problems(session: Session, memo: Path) -> list[str]:
    """Was ``memo`` issued from ``session``'s trail, and is that trail still the same?"""
    from ddwizard.core.errors import DataError

    try:
        data = memo.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise DataError.single(f"cannot read the memo: {reason}", file=str(memo)) from None
    problems: list[str] = []
    sha256 = hashlib.sha256(data).hexdigest()
    recorded = [
        e
        for e in session.audit
        if e.action == "memo_generated"
        and isinstance(e.new, dict)
        and e.new.get("sha256") == sha256
    ]
    if not recorded:
        problems.append(
            f"{memo.name} (SHA-256 {sha256[:16]}…) is not recorded in this session's audit trail: "
            "it was not written from this session, or the trail was rewritten since"
        )
    printed = _printed_head_hash(data)
    if printed is not None and printed not in {e.hash for e in session.audit}:
        problems.append(
            f"the memo's audit chain head hash {printed[:16]}… is not an event of this "
            "session's trail: the trail was rewritten after the memo was written"
        )
    embedded = _embedded_session(data, memo)
    if embedded is not None:
        earlier = embedded.get("audit") or []
        now = session.audit
        if len(earlier) > len(now):
            problems.append(
                f"the memo embeds a trail of {len(earlier)} events, the session has only "
                f"{len(now)}: events were removed since the memo was written"
            )
        for index, event in enumerate(earlier[: len(now)]):
            if not isinstance(event, dict) or event.get("hash") != now[index].hash:
                problems.append(
                    f"event {index + 1} differs from the one in the memo's embedded session: "
                    "the trail was rewritten after the memo was written"
                )
                break
    return problems


_HEAD_HASH = re.compile(r"Audit chain head hash(?:\s|<[^>]*>|[|:*`\-])*([0-9a-f]{64})")


def _printed_head_hash(data: bytes) -> str | None:
    """The head hash an HTML or Markdown memo prints (None: a PDF, or none printed)."""
    if data.startswith(b"%PDF"):
        return None
    text = data.decode("utf-8", errors="replace")
    for invisible in ("\u200b", "\u00ad", "&#8203;", "&#x200b;", "&shy;"):
        text = text.replace(invisible, "")
    found = _HEAD_HASH.search(text)
    return found.group(1) if found else None


def _embedded_session(data: bytes, memo: Path) -> dict[str, Any] | None:
    """The session JSON a PDF memo embeds (None for HTML/Markdown memos or other PDFs)."""
    if not data.startswith(b"%PDF"):
        return None
    try:
        import io

        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - pypdf is a dependency
        return None
    try:
        reader = PdfReader(io.BytesIO(data))
        attachments = reader.attachments
    except Exception as exc:
        from ddwizard.core.errors import DataError

        raise DataError.single(f"not a readable PDF memo: {exc}", file=str(memo)) from None
    for name, contents in attachments.items():
        if name.endswith(".json") and contents:
            try:
                parsed = json.loads(contents[0])
            except ValueError:
                continue
            if isinstance(parsed, dict) and "audit" in parsed:
                return parsed
    return None
