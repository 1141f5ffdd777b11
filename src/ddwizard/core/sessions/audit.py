"""The audit trail: append-only events, each sealed with a hash over the one before.

An auditor must be able to trust that the trail in a session file is the trail ddwizard
wrote. Each event's ``hash`` is SHA-256 over the previous event's hash plus the canonical
JSON of the event itself (without its hash), so editing, deleting, inserting or reordering
events breaks the chain and ``verify_chain`` says where. ``verify_record`` replays the trail
and compares it with the record, which catches answers edited by hand around the trail and a
trail cut short at its end. (Someone who rewrites the whole chain from the edit onwards is
caught by the integrity line of a memo issued earlier.)
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python

from ddwizard.core.sessions.session import AuditEvent, Session, answer_record, utc_now

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


# --- the record against its trail ---------------------------------------------------------

_SET_ACTIONS = ("answer_set", "answer_changed", "answer_confirmed")
_DILIGENCE_SET = ("diligence_set", "diligence_changed")


def verify_record(session: Session) -> list[str]:
    """Answers, shortlist and status that differ from what the audit trail says they are.

    The chain proves the trail was not edited; this proves the record was not edited around
    it (e.g. an answer changed by hand in the file). Sessions upgraded from a layout without
    a trail are only checked from what their trail covers, so they are skipped here.
    """
    events = session.audit
    if not events or events[0].action != "session_created":
        return []
    selection: dict[str, dict[str, Any]] = {}
    diligence: dict[str, dict[str, Any]] = {}
    shortlist: Any = None
    status: Any = "in_progress"
    for event in events:
        target = event.target or ""
        action = event.action
        if action in _SET_ACTIONS and ":" not in target:
            selection.setdefault(target, {})["value"] = event.new
        elif action == "weights_changed":
            if event.new is None:
                selection.pop(target, None)
            else:
                selection.setdefault(target, {})["value"] = event.new
        elif action == "answer_cleared":
            selection.pop(target, None)
        elif action in _DILIGENCE_SET or (action == "answer_confirmed" and ":" in target):
            diligence[target] = dict(event.new or {})
        elif action == "diligence_cleared":
            diligence.pop(target, None)
        elif action == "note_changed":
            record = diligence.get(target) if ":" in target else selection.get(target)
            if record is not None:
                record["note"] = event.new
        elif action == "questionnaire_migrated" and isinstance(event.new, dict):
            for key in event.new.get("retired", []):
                (diligence if ":" in key else selection).pop(str(key).split("#")[0], None)
        elif action == "shortlist_changed":
            shortlist = event.new
        elif action in ("status_changed", "reopened"):
            status = event.new

    problems: list[str] = []

    def compare(label: str, recorded: Any, trail: Any) -> None:
        recorded, trail = to_jsonable_python(recorded), to_jsonable_python(trail)
        if recorded != trail:
            problems.append(
                f"{label}: the record says {recorded!r} but the audit trail says {trail!r} "
                "(edited outside ddwizard?)"
            )

    for qid in sorted(set(session.answers) | set(selection)):
        answer = session.answers.get(qid)
        tracked = selection.get(qid)
        compare(
            f"answer {qid}",
            None if answer is None else {"value": answer.value, "note": answer.note},
            None
            if tracked is None
            else {"value": tracked.get("value"), "note": tracked.get("note")},
        )
    current = {
        f"{pid}:{qid}": answer_record(a)
        for pid, per in session.diligence.items()
        for qid, a in per.items()
    }
    for key in sorted(set(current) | set(diligence)):
        tracked = diligence.get(key)
        compare(
            f"diligence answer {key}",
            current.get(key),
            None if tracked is None else {k: v for k, v in tracked.items() if v is not None},
        )
    compare("shortlist", session.shortlist, shortlist)
    compare("status", session.status, status)
    return problems


def verify_session(session: Session) -> list[str]:
    """Everything ``ddwizard verify`` checks: the chain, then the record against the trail."""
    problems = verify_chain(session.audit)
    return problems + verify_record(session)
