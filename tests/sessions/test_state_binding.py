"""The audit chain binds the whole session: no edit outside ddwizard passes ``verify``.

Each case edits a real session file the way a person with a text editor would (without,
and where it matters with, recomputing the event hashes) and checks that verification fails
and says why, that the CLI exits 1, and that ddwizard then refuses to add events on top.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.sessions.audit import (
    GENESIS_HASH,
    event_body,
    event_hash,
    state_hash,
    verify_against_head,
    verify_session,
)
from ddwizard.core.sessions.session import AuditEvent
from ddwizard.core.sessions.store import SessionStore, SessionTampered, read_session_file

Doc = dict[str, Any]


@pytest.fixture()
def session_path(store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog) -> Path:
    with store.create("Bound", qset, catalog, preparer="A. Officer", title="Bound review") as h:
        h.set_answer("client.regions", ["us"])
        h.set_answer("reg.qualified_custodian", "yes", note="checked")
        h.set_diligence("zodia", "dd.incidents", "none", evidence="public_source")
        h.set_shortlist(["zodia", "bitgo"])
        h.set_status("ready_for_review")
        h.record_memo(Path("memo.pdf"), "ab" * 32, "pdf")
    return h.path


def rechain(doc: Doc, *, reseal_state: bool = False) -> None:
    """Recompute every event hash (what a careful forger does), optionally the last state."""
    prev = GENESIS_HASH
    events = doc["audit"]
    if reseal_state:
        session = read_session_from(doc)
        events[-1]["state"] = state_hash(session)
    for raw in events:
        raw["prev_hash"] = prev
        event = AuditEvent.model_validate({**raw, "hash": ""})
        raw["hash"] = event_hash(prev, event_body(event))
        prev = raw["hash"]


def read_session_from(doc: Doc) -> Any:
    from ddwizard.core.sessions.session import Session

    return Session.model_validate(doc)


def edit(path: Path, change: Callable[[Doc], None], *, rehash: bool = False) -> None:
    doc = json.loads(path.read_bytes())
    change(doc)
    if rehash:
        rechain(doc)
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")


def set_key(key: str, value: Any) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        doc[key] = value

    return change


def retire_answer(doc: Doc) -> None:
    doc["retired_answers"]["client.old_question"] = {"value": "x"}


def drop_last_events(doc: Doc) -> None:
    del doc["audit"][-2:]


def edit_answer_value(doc: Doc) -> None:
    doc["answers"]["reg.qualified_custodian"]["value"] = "no"


def edit_old_value(doc: Doc) -> None:
    for event in doc["audit"]:
        if event["action"] == "status_changed":
            event["old"] = "final"


HAND_EDITS: dict[str, tuple[Callable[[Doc], None], bool]] = {
    "preparer": (set_key("preparer", "Someone Else"), False),
    "name": (set_key("name", "Renamed"), False),
    "title": (set_key("title", "Another title"), False),
    "status final by hand": (set_key("status", "final"), False),
    "retired answers": (retire_answer, False),
    "answer value": (edit_answer_value, False),
    "last events deleted": (drop_last_events, False),
    "event old value, hashes recomputed": (edit_old_value, True),
    "preparer, hashes recomputed": (set_key("preparer", "Forger"), True),
    "status final, hashes recomputed": (set_key("status", "final"), True),
    "last events deleted, hashes recomputed": (drop_last_events, True),
}


@pytest.mark.parametrize("kind", sorted(HAND_EDITS))
def test_every_hand_edit_fails_verification(
    kind: str,
    session_path: Path,
    cli: Callable[..., Any],
) -> None:
    assert verify_session(read_session_file(session_path)).ok
    change, rehash = HAND_EDITS[kind]
    edit(session_path, change, rehash=rehash)
    result = verify_session(read_session_file(session_path))
    assert not result.ok and result.problems, kind
    before = session_path.read_bytes()
    run = cli("verify", str(session_path))
    assert run.code == 1 and "Traceback" not in run.err
    assert session_path.read_bytes() == before


def test_genuine_change_after_a_hand_edit_is_refused(
    session_path: Path, store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    """A later change would otherwise record the hand-edited value as its 'old' value."""
    edit(session_path, edit_answer_value)
    edited = session_path.read_bytes()
    with store.open(session_path, qset, catalog) as handle:
        with pytest.raises(SessionTampered, match="changed outside ddwizard"):
            handle.set_answer("reg.qualified_custodian", "yes")
        # Moving around the wizard is not a change: still allowed.
        handle.set_position(handle.session.position.model_copy(update={"screen": "review"}))
    assert not verify_session(read_session_file(session_path)).ok
    assert json.loads(session_path.read_bytes())["answers"] == json.loads(edited)["answers"]


def test_memo_on_a_failed_session_keeps_it_failed(
    session_path: Path, store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    edit(session_path, set_key("status", "final"))
    with store.open(session_path, qset, catalog) as handle:
        handle.record_memo(Path("memo2.pdf"), "cd" * 32, "pdf")
    result = verify_session(read_session_file(session_path))
    assert not result.ok
    assert any("does not match the state" in p for p in result.problems)


def test_empty_trail_with_answers_fails(session_path: Path) -> None:
    edit(session_path, set_key("audit", []))
    result = verify_session(read_session_file(session_path))
    assert not result.ok and result.events == 0 and result.head_hash is None
    assert "empty" in result.problems[0]


def test_trail_from_before_state_binding_is_unverifiable_until_the_next_change(
    session_path: Path, store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    def strip_states(doc: Doc) -> None:
        for event in doc["audit"]:
            event.pop("state", None)

    edit(session_path, strip_states, rehash=True)
    old = verify_session(read_session_file(session_path))
    assert not old.ok and any(p.startswith("unverifiable") for p in old.problems)
    events = old.events
    with store.open(session_path, qset, catalog) as handle:
        handle.set_answer("client.regions", ["us", "eu"])
    now = verify_session(read_session_file(session_path))
    assert now.ok and now.bound_from == events + 1
    assert now.notes and f"before event {events + 1}" in now.notes[0]


def test_head_hash_recorded_by_a_memo_detects_a_wholesale_rewrite(session_path: Path) -> None:
    honest = read_session_file(session_path)
    head = verify_session(honest).head_hash
    assert head is not None and head == honest.audit[-1].hash
    assert verify_against_head(honest, head) == []
    # A forger edits the record, reseals the state and recomputes every hash: the file
    # verifies on its own (the documented limit of an unkeyed chain) ...
    edit(session_path, set_key("preparer", "Forger"))
    doc = json.loads(session_path.read_bytes())
    doc["audit"][0]["detail"] = "preparer: Forger"
    rechain(doc, reseal_state=True)
    session_path.write_text(json.dumps(doc), encoding="utf-8")
    forged = read_session_file(session_path)
    assert verify_session(forged).ok
    # ... but not against the head hash a memo recorded earlier.
    assert verify_against_head(forged, head)


def test_hand_edited_session_with_a_dead_holders_lock_still_opens(
    session_path: Path, store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    from ddwizard.core.sessions.locking import lock_path

    edit(session_path, set_key("status", "final"))
    lock_path(session_path).write_text(
        json.dumps(
            {
                "pid": 1,
                "host": __import__("socket").gethostname(),
                "user": "gone",
                "time": "2026-01-01T00:00:00+00:00",
                "token": "dead",
            }
        ),
        encoding="utf-8",
    )
    edited = session_path.read_bytes()
    with store.open(session_path, qset, catalog) as handle:
        assert handle.session.status == "final"
    assert session_path.read_bytes() == edited  # nothing sealed on top of the edit
    assert not lock_path(session_path).exists()
