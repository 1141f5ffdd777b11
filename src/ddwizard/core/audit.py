"""The audit trail: append-only events, each sealed with a hash over the one before.

An auditor must be able to trust that the trail in a session file is the trail ddwizard
wrote. Each event's ``hash`` is SHA-256 over the previous event's hash plus the canonical
JSON of the event itself (without its hash), so editing, deleting, inserting or reordering
events breaks the chain and ``verify_chain`` says where. (Someone who rewrites the whole
chain from the edit onwards is caught by the integrity line of a memo issued earlier.)
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python

from ddwizard.core.session import AuditEvent, utc_now

GENESIS_HASH = "0" * 64
"""``prev_hash`` of the first event."""

ACTIONS: tuple[str, ...] = (
    "session_created",
    "answer_set",
    "answer_changed",
    "answer_cleared",
    "answer_confirmed",
    "note_changed",
    "diligence_set",
    "diligence_changed",
    "diligence_cleared",
    "weights_changed",
    "shortlist_changed",
    "status_changed",
    "reopened",
    "memo_generated",
    "questionnaire_migrated",
    "schema_upgraded",
    "provider_data_changed",
    "lock_recovered",
    "answers_file_applied",
)


def default_actor() -> str:
    """The OS user, used when no preparer is known."""
    try:
        return getpass.getuser() or "unknown"
    except Exception:  # getpass raises various errors when no user name is available
        return "unknown"


def event_body(event: AuditEvent) -> dict[str, Any]:
    return event.model_dump(mode="json", exclude={"hash"})


def canonical_event_json(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(prev_hash: str, body: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_event_json(body)).encode("utf-8")).hexdigest()


def make_event(
    previous: AuditEvent | None,
    *,
    actor: str,
    action: str,
    target: str | None = None,
    old: Any = None,
    new: Any = None,
    detail: str | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """The next event after ``previous`` (None: the first), sealed with its hash."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    prev_hash = GENESIS_HASH if previous is None else previous.hash
    seq = 1 if previous is None else previous.seq + 1
    # Values go through JSON form now, so the hash is the same after a save and reload.
    unsealed = AuditEvent(
        seq=seq,
        at=at or utc_now(),
        actor=actor,
        action=action,
        target=target,
        old=to_jsonable_python(old),
        new=to_jsonable_python(new),
        detail=detail,
        prev_hash=prev_hash,
        hash="",
    )
    return unsealed.model_copy(update={"hash": event_hash(prev_hash, event_body(unsealed))})


def append_events(
    trail: Sequence[AuditEvent], actor: str, *changes: dict[str, Any]
) -> list[AuditEvent]:
    """Seal ``changes`` (keyword dicts for ``make_event``) after ``trail``; returns new events."""
    previous = trail[-1] if trail else None
    out: list[AuditEvent] = []
    for change in changes:
        previous = make_event(previous, actor=actor, **change)
        out.append(previous)
    return out


def verify_chain(events: Sequence[AuditEvent]) -> list[str]:
    """Every break in the chain, in plain words; an empty list means the trail is intact."""
    problems: list[str] = []
    prev_hash = GENESIS_HASH
    expected_seq = 1
    for index, event in enumerate(events):
        where = f"event {index + 1} (seq {event.seq}, {event.action}"
        where += f" {event.target})" if event.target else ")"
        if event.seq != expected_seq:
            if event.seq > expected_seq:
                missing = (
                    f"{expected_seq}"
                    if event.seq == expected_seq + 1
                    else (f"{expected_seq}-{event.seq - 1}")
                )
                problems.append(f"{where}: event(s) {missing} missing (deleted?)")
            else:
                problems.append(f"{where}: out of order or inserted (expected seq {expected_seq})")
        if event.prev_hash != prev_hash:
            problems.append(
                f"{where}: does not follow the event before it "
                "(an event was deleted, inserted or reordered here)"
            )
        recomputed = event_hash(event.prev_hash, event_body(event))
        if recomputed != event.hash:
            problems.append(
                f"{where}: content does not match its hash (edited after it was written)"
            )
        prev_hash = event.hash
        expected_seq = event.seq + 1
    return problems
