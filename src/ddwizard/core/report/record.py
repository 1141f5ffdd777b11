"""The record a memo is traceable to: the saved session (or answers file) and its audit trail.

A ``ReviewRecord`` is what the memo embeds (``record_json``, exactly the bytes attached to the
PDF) and what it derives its traceability from: who prepared the review, its status, the
questionnaire and provider-data stamps, the raw audit events (the memo words them; ids stay
in the attachment), the final sign-off with any override, and the memo an earlier final
review issued that this one supersedes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ddwizard import __version__
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.results import Evaluation

STAMP_KEYS = ("id", "version", "hash")


@dataclass(frozen=True)
class AuditEntry:
    """One audit event as recorded (values in JSON form); the memo words it."""

    seq: int
    at: datetime | None
    actor: str
    action: str
    target: str
    old: Any = None
    new: Any = None
    detail: str = ""


@dataclass(frozen=True)
class RetiredAnswer:
    """An answer to a question no longer in the questionnaires (kept in the record)."""

    key: str
    value: Any
    note: str


@dataclass(frozen=True)
class SignoffRecord:
    """Who made the review final, and on what basis (DECISIONS.md §6).

    ``reviewer``, ``rationale`` and ``override`` come only from the sign-off's own fields
    in the audit event. A sign-off recorded before they were separate fields is ``legacy``:
    its free text is kept as written (``recorded_text``) and nothing is read out of it, as
    a reason could name anyone as the reviewer.
    """

    by: str
    at: datetime | None
    reviewer: str
    rationale: str
    override: bool
    legacy: bool = False
    recorded_text: str = ""


@dataclass(frozen=True)
class SupersededMemo:
    """The memo issued before the review was reopened: this memo replaces it."""

    sha256: str
    format: str
    at: datetime | None
    reopened_at: datetime | None
    reason: str


@dataclass(frozen=True)
class ReviewRecord:
    """Who, what and which versions: the traceable side of a memo.

    ``record_json`` is exactly the bytes embedded in the PDF as ``session.json`` (for a saved
    session, ``Session.to_json_bytes()``); the memo prints its SHA-256.
    """

    kind: Literal["session", "answers_file"]
    name: str | None
    preparer: str | None
    status: str
    record_json: bytes
    session_id: str | None = None
    source_label: str | None = None
    questionnaires: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    provider_data_hash: str = ""
    audit: tuple[AuditEntry, ...] = ()
    retired: tuple[RetiredAnswer, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    head_hash: str | None = None
    """Hash of the last audit event (the chain head), when the record has a trail."""

    @property
    def record_sha256(self) -> str:
        return hashlib.sha256(self.record_json).hexdigest()

    @property
    def signoff(self) -> SignoffRecord | None:
        return signoff_from(self.audit) if self.status == "final" else None

    @property
    def supersedes(self) -> SupersededMemo | None:
        return superseded_memo(self.audit)


def record_from_session(session: Any) -> ReviewRecord:
    """The record of a saved ``ddwizard.core.sessions.session.Session``."""
    events = tuple(audit_entry(e) for e in getattr(session, "audit", ()) or ())
    stamps = {
        str(kind): {k: str(v) for k, v in _as_mapping(stamp).items() if k in STAMP_KEYS}
        for kind, stamp in (getattr(session, "questionnaires", {}) or {}).items()
    }
    trail = getattr(session, "audit", ()) or ()
    return ReviewRecord(
        kind="session",
        name=session.name,
        preparer=session.preparer,
        status=str(getattr(session.status, "value", session.status)),
        record_json=session.to_json_bytes(),
        session_id=str(session.id),
        source_label=f"session {session.id}",
        questionnaires=stamps,
        provider_data_hash=str(getattr(session, "provider_data_hash", "") or ""),
        audit=events,
        retired=tuple(
            RetiredAnswer(str(key), getattr(a, "value", a), getattr(a, "note", None) or "")
            for key, a in sorted((getattr(session, "retired_answers", {}) or {}).items())
        ),
        created_at=getattr(session, "created_at", None),
        updated_at=getattr(session, "updated_at", None),
        head_hash=str(getattr(trail[-1], "hash", "") or "") or None if trail else None,
    )


def record_from_answers_file(
    *,
    source_name: str,
    content: bytes,
    name: str | None,
    preparer: str | None,
    evaluation: Evaluation,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
) -> ReviewRecord:
    """A JSON record of an answers file: its text, the evaluation and the data hashes."""
    payload = {
        "kind": "ddwizard.answers_file_record",
        "tool_version": __version__,
        "answers_file": {
            "name": source_name,
            "sha256": hashlib.sha256(content).hexdigest(),
            "content": content.decode("utf-8", errors="replace"),
        },
        "questionnaires": qset.versions,
        "provider_data_hash": catalog.data_hash,
        "evaluation": evaluation.to_json(),
    }
    record_json = (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    return ReviewRecord(
        kind="answers_file",
        name=name,
        preparer=preparer,
        status="in_progress",
        record_json=record_json,
        session_id=None,
        source_label="an answers file",
        questionnaires=qset.versions,
        provider_data_hash=catalog.data_hash,
    )


def audit_entry(event: Any) -> AuditEntry:
    at = getattr(event, "at", None)
    return AuditEntry(
        seq=int(getattr(event, "seq", 0) or 0),
        at=at if isinstance(at, datetime) else None,
        actor=str(getattr(event, "actor", "") or ""),
        action=str(getattr(event, "action", "") or ""),
        target=str(getattr(event, "target", "") or ""),
        old=getattr(event, "old", None),
        new=getattr(event, "new", None),
        detail=str(getattr(event, "detail", "") or ""),
    )


def _as_mapping(value: Any) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        result = dump(mode="json")
        if isinstance(result, Mapping):
            return result
    return {}


def _status_of(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("status", ""))
    return str(value or "")


def signoff_from(events: Sequence[AuditEntry]) -> SignoffRecord | None:
    """The last move to ``final``, with its reviewer, rationale and override flag.

    A sign-off's ``new`` is ``{"status": "final", "override", "reviewer", "rationale"}``
    (``sessions.records.status_change``). An older event records only the status, with any
    reviewer and rationale inside its free-text detail: it is returned as ``legacy`` with
    that text as written, never parsed (a reason saying "; reviewer: X" would name X).
    """
    for e in reversed(events):
        if e.action in ("status_changed", "reopened") and _status_of(e.new) == "final":
            if not isinstance(e.new, Mapping):
                return SignoffRecord(
                    e.actor, e.at, "", "", False, legacy=True, recorded_text=e.detail
                )
            return SignoffRecord(
                e.actor,
                e.at,
                _text(e.new.get("reviewer")),
                _text(e.new.get("rationale")),
                e.new.get("override") is True,
            )
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def superseded_memo(events: Sequence[AuditEntry]) -> SupersededMemo | None:
    """The last memo generated before the most recent reopening of a final review."""
    reopen_index = None
    for index in range(len(events) - 1, -1, -1):
        e = events[index]
        if e.action == "reopened" or (
            e.action == "status_changed" and _status_of(e.old) == "final"
        ):
            reopen_index = index
            break
    if reopen_index is None:
        return None
    reopen = events[reopen_index]
    for e in reversed(events[:reopen_index]):
        if e.action == "memo_generated" and isinstance(e.new, Mapping) and e.new.get("sha256"):
            return SupersededMemo(
                sha256=str(e.new["sha256"]),
                format=str(e.new.get("format", "")),
                at=e.at,
                reopened_at=reopen.at,
                reason=reopen.detail,
            )
    return None
