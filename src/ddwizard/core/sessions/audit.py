"""The audit trail: append-only events, each sealed with a hash over the one before, and
bound to the session state it leaves behind.

An auditor must be able to trust that the trail in a session file is the trail ddwizard
wrote, and that the record around it is the record the trail produced:

* each event's ``hash`` is SHA-256 over the previous event's hash plus the canonical JSON of
  the event itself (without its hash), so editing, deleting, inserting or reordering events
  breaks the chain and ``verify_chain`` says where;
* the last event of every save carries ``state``, the SHA-256 of the session state after it
  (``state_hash``: everything in the file except the audit trail and the wizard's position),
  and that hash is part of the event's own hash. So any edit outside the chain (an answer, a
  preparer, a name, a title, retired answers, ``"status": "final"`` by hand) and any events
  cut from the end no longer match the head of the chain;
* ``verify_record`` replays the trail (values and each change's ``old`` value) against the
  record, for the parts of older trails written before states were bound.

The limit: the chain is not keyed (anyone can compute SHA-256). Someone who rewrites the
whole trail from an edit onwards, recomputing every hash and the state, produces a
self-consistent file that ``verify`` alone accepts. That is caught only against something
kept outside the file: a memo issued earlier (``ddwizard verify SESSION --memo MEMO.pdf``
checks that the memo's hash and the trail it embeds are still in the session's trail;
``verify_against_head`` checks a recorded head hash).

Sessions written before states were bound (no event carries ``state``) are reported as
unverifiable rather than intact: their chain can be checked, their record cannot. The next
change ddwizard saves binds the state from then on, and verification then says from which
event it holds.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python

from ddwizard.core.sessions.records import status_of
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
    "preparer_recorded",
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
    state: str | None = None,
) -> AuditEvent:
    """The next event after ``previous`` (None: the first), sealed with its hash.

    ``state`` is the ``state_hash`` of the session after this event (the last of a save).
    """
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
        state=state,
    )
    return unsealed.model_copy(update={"hash": event_hash(prev_hash, event_body(unsealed))})


def append_events(
    trail: Sequence[AuditEvent],
    actor: str,
    *changes: dict[str, Any],
    state: str | None = None,
) -> list[AuditEvent]:
    """Seal ``changes`` (keyword dicts for ``make_event``) after ``trail``; returns new events.

    ``state`` (the session's ``state_hash`` after all of them) goes on the last one.
    """
    previous = trail[-1] if trail else None
    out: list[AuditEvent] = []
    for index, change in enumerate(changes):
        last = index == len(changes) - 1
        fields = dict(change)
        who = fields.pop("actor", None) or actor  # a change may name its own actor
        previous = make_event(previous, actor=who, **fields, state=state if last else None)
        out.append(previous)
    return out


STATE_FIELDS: frozenset[str] = frozenset(
    {
        "schema_version",
        "id",
        "name",
        "title",
        "preparer",
        "created_at",
        "updated_at",
        "status",
        "answers",
        "diligence",
        "shortlist",
        "retired_answers",
        "questionnaires",
        "provider_data_hash",
    }
)
"""What the chain binds: every field of the file but the trail itself and the wizard's
position (which is saved without an event, on purpose: moving around is not a change)."""


def state_hash(session: Session, *, as_stored: bool = False) -> str:
    """SHA-256 of the session's state (``STATE_FIELDS``), as canonical JSON.

    ``as_stored``: the state as its file holds it, i.e. with the file's own
    ``schema_version`` for a session read from an older layout and upgraded in memory
    (the state its trail sealed); otherwise the state as it is in memory (what a save seals).
    """
    data = session.model_dump(mode="json", include=set(STATE_FIELDS))
    if as_stored:
        data["schema_version"] = session.stored_schema_version
    return hashlib.sha256(canonical_event_json(data).encode("utf-8")).hexdigest()


def last_state(events: Sequence[AuditEvent]) -> AuditEvent | None:
    """The latest event that carries a state hash, or None (a trail from before binding)."""
    for event in reversed(events):
        if event.state is not None:
            return event
    return None


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


_NO_OLD: Any = object()


def _json(value: Any) -> Any:
    return to_jsonable_python(value)


def _without_none(record: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if record is None else {k: v for k, v in record.items() if v is not None}


def _replayed_old(
    event: AuditEvent,
    selection: dict[str, dict[str, Any]],
    diligence: dict[str, dict[str, Any]],
    shortlist: Any,
    status: Any,
) -> Any:
    """What the trail so far says ``event.old`` must be; ``_NO_OLD`` when it records none."""
    target = event.target or ""
    action = event.action
    if action in ("answer_changed", "answer_cleared", "weights_changed") and ":" not in target:
        current = selection.get(target)
        return None if current is None else current.get("value")
    if action in ("diligence_changed", "diligence_cleared"):
        return _without_none(diligence.get(target))
    if action == "note_changed":
        record = diligence.get(target) if ":" in target else selection.get(target)
        return None if record is None else record.get("note")
    if action == "shortlist_changed":
        return shortlist
    if action in ("status_changed", "reopened"):
        return status
    return _NO_OLD


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
    problems: list[str] = []
    for event in events:
        target = event.target or ""
        action = event.action
        before = _replayed_old(event, selection, diligence, shortlist, status)
        if before is not _NO_OLD and _json(before) != _json(event.old):
            problems.append(
                f"event {event.seq} ({action}{' ' + target if target else ''}) says the old "
                f"value was {_json(event.old)!r} but the trail before it says "
                f"{_json(before)!r} (the record was edited outside ddwizard before this change)"
            )
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
            status = status_of(event.new)  # a sign-off records {"status": "final", ...}

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


@dataclass(frozen=True)
class Verification:
    """What ``ddwizard verify`` found.

    ``ok`` is True only when the chain is intact and binds the record as it is on disk.
    ``head_hash`` is the hash of the last event (what a memo records), None without events.
    ``bound_from`` is the seq of the first event that carries a state hash; changes made by
    hand before it cannot be excluded (``notes`` says so).
    """

    ok: bool
    problems: tuple[str, ...]
    events: int
    head_hash: str | None
    bound_from: int | None = None
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line for people: intact (N events, head …) or the number of problems."""
        if self.ok:
            head = f", head {self.head_hash[:16]}" if self.head_hash else ""
            return f"audit trail intact and bound to the session ({self.events} events{head})"
        return f"audit trail NOT verified ({len(self.problems)} problem(s))"


def _has_content(session: Session) -> bool:
    return bool(
        session.answers
        or session.diligence
        or session.retired_answers
        or session.shortlist
        or session.status != "in_progress"
    )


def verify_session(session: Session) -> Verification:
    """Everything ``ddwizard verify`` checks: the chain, the record against the state hash
    at the head of the chain, and the replayed trail against the record.

    ``session`` must be the file as stored (``files.read_session_file``), not migrated.
    """
    events = session.audit
    problems = verify_chain(events)
    notes: list[str] = []
    head = events[-1].hash if events else None
    if not events:
        if _has_content(session):
            problems.append(
                "the audit trail is empty although the session has answers, a shortlist or "
                f"a status ({session.status}): the record was not made by ddwizard's "
                "recorded changes"
            )
        else:
            problems.append("the audit trail is empty: nothing vouches for this session")
        return Verification(False, tuple(problems), 0, None)
    bound = last_state(events)
    bound_from = next((e.seq for e in events if e.state is not None), None)
    if bound is None:
        problems.append(
            "unverifiable: created before ddwizard bound the audit trail to the session "
            "state, so edits made outside ddwizard cannot be ruled out (the next change "
            "saved by ddwizard binds it from then on)"
        )
    else:
        if events[-1].state is None:
            problems.append(
                f"the last event (seq {events[-1].seq}, {events[-1].action}) does not close "
                "a save: events after it were deleted"
            )
        if state_hash(session, as_stored=True) != bound.state:
            problems.append(
                "the session record does not match the state its audit trail recorded at "
                f"event {bound.seq} ({bound.action}): it was edited outside ddwizard, or "
                "events were deleted from the end of the trail"
            )
        if events[0].action != "session_created":
            notes.append(
                f"the trail starts with '{events[0].action}': the session's history before "
                "it (an older file layout without a trail) is not recorded"
            )
        if bound_from is not None and bound_from > 1:
            notes.append(
                f"events 1-{bound_from - 1} were written before the trail bound the session "
                "state; edits made by hand before event "
                f"{bound_from} cannot be ruled out"
            )
    problems += verify_record(session)
    return Verification(
        ok=not problems,
        problems=tuple(problems),
        events=len(events),
        head_hash=head,
        bound_from=bound_from,
        notes=tuple(notes),
    )


def verify_against_head(session: Session, head_hash: str) -> list[str]:
    """Problems with ``session`` against a head hash recorded earlier (e.g. in a memo).

    The recorded head must be an event of this trail, at the same place in the chain: a
    trail rewritten from before that event no longer contains it. Events after it are
    later changes (reported by ``ddwizard verify`` itself, not as problems here).
    """
    for event in session.audit:
        if event.hash == head_hash:
            return []
    return [
        f"the memo records audit head {head_hash[:16]}…, which is not in this session's "
        "trail: the trail was rewritten (or the memo is from another session)"
    ]
