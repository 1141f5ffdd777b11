"""The hash-chained audit trail: any edit, deletion, insertion or reordering is detected."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ddwizard.core.answers import parse_answers_file
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.sessions.audit import (
    GENESIS_HASH,
    event_body,
    event_hash,
    verify_chain,
    verify_session,
)
from ddwizard.core.sessions.session import AuditEvent
from ddwizard.core.sessions.store import SessionStore, read_session_file

WEIGHTS = {"liquidity": 20, "security": 40, "coverage": 10, "costs": 10, "ux": 10, "support": 10}


@pytest.fixture()
def session_path(store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog) -> Path:
    with store.create("Audited", qset, catalog, preparer="A. Officer") as handle:
        handle.set_answer("client.regions", ["us"])
        handle.set_answer("client.regions", ["us", "eu"])
        handle.set_answer("reg.qualified_custodian", "yes")
        handle.set_diligence("zodia", "dd.incidents", "none", evidence="public_source")
        handle.set_status("ready_for_review")
    return handle.path


def trail(path: Path) -> list[AuditEvent]:
    return [AuditEvent.model_validate(e) for e in json.loads(path.read_bytes())["audit"]]


def test_events_are_chained_and_complete(session_path: Path) -> None:
    events = trail(session_path)
    assert verify_chain(events) == []
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    changed = events[2]
    assert (changed.action, changed.target, changed.old, changed.new) == (
        "answer_changed",
        "client.regions",
        ["us"],
        ["us", "eu"],
    )
    assert changed.actor == "A. Officer"
    assert changed.at.utcoffset() == timedelta(0)
    assert changed.hash == event_hash(changed.prev_hash, event_body(changed))
    assert events[4].new == {"value": "none", "evidence": "public_source"}


def tamper(path: Path, edit: Callable[[list[dict[str, Any]]], object]) -> None:
    data = json.loads(path.read_bytes())
    edit(data["audit"])
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def change_old_value(events: list[dict[str, Any]]) -> None:
    events[2]["old"] = ["eu"]


def delete_event(events: list[dict[str, Any]]) -> None:
    del events[2]


def delete_first_event(events: list[dict[str, Any]]) -> None:
    del events[0]


def swap_events(events: list[dict[str, Any]]) -> None:
    events[2], events[3] = events[3], events[2]


def insert_event(events: list[dict[str, Any]]) -> None:
    forged = dict(events[1], action="answer_cleared", seq=3)
    events.insert(2, forged)


def change_actor(events: list[dict[str, Any]]) -> None:
    events[1]["actor"] = "Someone Else"


def change_time(events: list[dict[str, Any]]) -> None:
    events[3]["at"] = "2020-01-01T00:00:00Z"


TAMPERING = {
    "edited old value": (change_old_value, "edited"),
    "deleted event": (delete_event, "missing"),
    "deleted first event": (delete_first_event, "missing"),
    "reordered events": (swap_events, "out of order"),
    "inserted event": (insert_event, "does not follow"),
    "edited actor": (change_actor, "edited"),
    "edited time": (change_time, "edited"),
}


@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_tampering_is_detected(kind: str, session_path: Path) -> None:
    edit, expected = TAMPERING[kind]
    tamper(session_path, edit)
    problems = verify_chain(trail(session_path))
    assert problems
    assert any(expected in p for p in problems), problems


def test_cli_verify(session_path: Path, cli: Callable[..., Any]) -> None:
    result = cli("verify", str(session_path))
    assert result.code == 0
    head = trail(session_path)[-1].hash
    assert (
        result.out.strip() == f"audit trail intact ({len(trail(session_path))} events, head {head})"
    )
    tamper(session_path, change_old_value)  # event 3
    tamper(session_path, lambda events: events.pop(4))  # event 5
    result = cli("verify", session_path.stem)
    assert result.code == 1
    assert "NOT intact" in result.err
    assert "edited" in result.err and "missing" in result.err
    assert "Traceback" not in result.err


def test_verify_does_not_touch_the_file(session_path: Path, cli: Callable[..., Any]) -> None:
    before = session_path.read_bytes()
    assert cli("verify", "audited").code == 0
    assert session_path.read_bytes() == before


def test_record_matches_its_trail_after_every_kind_of_edit(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog, answers_path: Path
) -> None:
    with store.create("Replay", qset, catalog) as handle:
        handle.set_answer("client.regions", ["us"], note="first")
        handle.set_answer("client.regions", ["eu"])
        handle.set_note("client.regions", "second")
        handle.set_answer("client.entity_name", "Acme")
        handle.clear_answer("client.entity_name")
        handle.set_weights(WEIGHTS)
        handle.set_diligence("bitgo", "dd.soc2_type2", "no", evidence="provider_claim")
        handle.set_diligence("bitgo", "dd.soc2_type2", "yes", document_date="2026-02-01")
        handle.set_note("dd.soc2_type2", "report seen", provider="bitgo")
        handle.set_diligence("zodia", "dd.incidents", "none")
        handle.clear_diligence("zodia", "dd.incidents")
        handle.set_shortlist(["bitgo"])
        handle.apply_answers(parse_answers_file(answers_path, qset, catalog))
        handle.set_status("ready_for_review")
        handle.set_status("final")
        handle.set_status("in_progress", reason="one more provider")
    result = verify_session(read_session_file(handle.path))
    assert result.problems == () and result.ok
    assert result.events == len(handle.session.audit) and result.bound_from == 1
    assert result.head_hash == handle.session.audit[-1].hash


def edit_record(path: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_bytes())
    edit(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


RECORD_EDITS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "answer value": (
        lambda d: d["answers"]["reg.qualified_custodian"].update(value="no"),
        "answer reg.qualified_custodian",
    ),
    "answer added": (
        lambda d: d["answers"].update(
            {"reg.etf_servicing": {"value": "yes", "needs_reconfirmation": False}}
        ),
        "answer reg.etf_servicing",
    ),
    "diligence value": (
        lambda d: d["diligence"]["zodia"]["dd.incidents"].update(value="undisclosed_loss"),
        "diligence answer zodia:dd.incidents",
    ),
    "status": (lambda d: d.update(status="final"), "status"),
    "shortlist": (lambda d: d.update(shortlist=["zodia"]), "shortlist"),
}


@pytest.mark.parametrize("kind", sorted(RECORD_EDITS))
def test_record_edited_outside_the_trail_is_reported(
    kind: str, session_path: Path, cli: Callable[..., Any]
) -> None:
    edit, expected = RECORD_EDITS[kind]
    edit_record(session_path, edit)
    result = cli("verify", str(session_path))
    assert result.code == 1
    assert expected in result.err
    assert "edited outside ddwizard" in result.err
    assert "content does not match" not in result.err  # the chain itself is intact


def test_cutting_the_end_of_the_trail_is_reported(
    session_path: Path, cli: Callable[..., Any]
) -> None:
    # No hash breaks when the last events are cut off, but the record no longer matches.
    tamper(session_path, lambda events: events.pop())
    assert verify_chain(trail(session_path)) == []
    result = cli("verify", str(session_path))
    assert result.code == 1
    assert "status: the record says 'ready_for_review'" in result.err
