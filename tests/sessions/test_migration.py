"""Resuming after the questionnaire changed, and upgrading files of an older layout."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from ddwizard.core.loading import load_questionnaires
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.sessions.audit import verify_chain, verify_session
from ddwizard.core.sessions.migration import (
    upgrade_document,
    upgrade_v0_to_v1,
    upgrade_v1_to_v2,
)
from ddwizard.core.sessions.session import SCHEMA_VERSION, Session
from ddwizard.core.sessions.store import SessionStore, backup_path

CHANGED = "reporting.api"  # prompt reworded
REMOVED = "reg.etf_servicing"  # question dropped
NARROWED = "controls.key_tech"  # choice "mpc" dropped
ADDED = "support.language"  # new question
UNCHANGED = "client.regions"


def find_question(doc: dict[str, Any], qid: str) -> tuple[list[dict[str, Any]], int]:
    for section in doc["sections"]:
        for index, question in enumerate(section["questions"]):
            if question["id"] == qid:
                return section["questions"], index
    raise KeyError(qid)


@pytest.fixture()
def edited_questionnaires(repo_root: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "questionnaires"
    shutil.copytree(repo_root / "questionnaires", folder)
    path = folder / "selection.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    questions, index = find_question(doc, CHANGED)
    questions[index]["prompt"] = "Do you need programmatic access (REST/FIX API) to the account?"
    questions, index = find_question(doc, REMOVED)
    del questions[index]
    questions, index = find_question(doc, NARROWED)
    questions[index]["choices"] = [c for c in questions[index]["choices"] if c["id"] != "mpc"]
    questions, _ = find_question(doc, "support.always_on")
    questions.append(
        {
            "id": ADDED,
            "type": "text",
            "prompt": "In which language must support be available?",
            "help": "Escalations go faster in your own language.",
        }
    )
    doc["version"] = "2099.01.1"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return folder


def test_questionnaire_change_flags_retires_and_audits(
    store: SessionStore,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    edited_questionnaires: Path,
) -> None:
    new_qset = load_questionnaires(edited_questionnaires)
    # Only the edited questions differ (the YAML round trip itself changes nothing).
    old_hashes = qset.selection.question_hashes()
    new_hashes = new_qset.selection.question_hashes()
    differing = {q for q in old_hashes.keys() & new_hashes.keys() if old_hashes[q] != new_hashes[q]}
    assert differing == {CHANGED, NARROWED}

    with store.create("Migrating", qset, catalog) as handle:
        handle.set_answer(UNCHANGED, ["us"])
        handle.set_answer(CHANGED, "yes", note="FIX needed")
        handle.set_answer(REMOVED, "no")
        handle.set_answer(NARROWED, "mpc")
        handle.set_diligence("bitgo", "dd.soc2_type2", "yes", evidence="seen_doc")
        path = handle.path
    before = path.read_bytes()

    # Reading (load) migrates in memory only.
    loaded = store.load(path, new_qset, catalog)
    assert path.read_bytes() == before
    assert loaded.answers[CHANGED].needs_reconfirmation
    assert REMOVED in loaded.retired_answers

    with store.open(path, new_qset, catalog) as handle:
        session = handle.session
        assert session.answers[UNCHANGED].needs_reconfirmation is False
        assert session.answers[CHANGED].needs_reconfirmation is True
        assert session.answers[CHANGED].note == "FIX needed"
        assert session.answers[NARROWED].value == "mpc"  # kept, though no longer a choice
        assert session.answers[NARROWED].needs_reconfirmation is True
        assert REMOVED not in session.answers
        assert session.retired_answers[REMOVED].value == "no"
        assert ADDED not in session.answers
        assert session.diligence["bitgo"]["dd.soc2_type2"].needs_reconfirmation is False
        assert session.questionnaires["selection"].version == "2099.01.1"
        event = session.audit[-1]
        assert event.action == "questionnaire_migrated"
        assert sorted(event.new["changed"]) == sorted([CHANGED, NARROWED])
        assert event.new["retired"] == [REMOVED]
        assert event.new["added"] == [ADDED]
        assert event.new["removed"] == [REMOVED]
        assert "2099.01.1" in (event.detail or "")
        assert sorted(session.needs_reconfirmation()) == sorted([CHANGED, NARROWED])

        # Saved at once, with the old version kept as the backup.
        disk = Session.model_validate(json.loads(path.read_bytes()))
        assert disk.audit[-1].action == "questionnaire_migrated"
        assert backup_path(path).read_bytes() == before

        # Answering again clears the flag; a value that is no longer a choice is refused.
        handle.set_answer(CHANGED, "yes")
        assert handle.session.answers[CHANGED].needs_reconfirmation is False
        assert handle.session.audit[-1].action == "answer_confirmed"
        with pytest.raises(Exception, match="not a choice"):
            handle.set_answer(NARROWED, "mpc")
        handle.set_answer(NARROWED, "hsm")
        assert handle.session.answers[NARROWED].needs_reconfirmation is False
        handle.set_answer(ADDED, "German")
    assert verify_chain(Session.model_validate(json.loads(path.read_bytes())).audit) == []

    # Opening again with the same questionnaires changes nothing and writes nothing.
    after = path.read_bytes()
    with store.open(path, new_qset, catalog) as handle:
        assert handle.session.audit[-1].action == "answer_set"
    assert path.read_bytes() == after


def test_unchanged_questionnaire_open_does_not_write(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    with store.create("Steady", qset, catalog) as handle:
        handle.set_answer(UNCHANGED, ["eu"])
    before = handle.path.read_bytes()
    with store.open(handle.path, qset, catalog) as again:
        assert again.session.answers[UNCHANGED].needs_reconfirmation is False
    assert handle.path.read_bytes() == before


SCHEMA_0 = {
    "version": 0,
    "id": "20250301-0badc0de",
    "name": "Prototype review",
    "preparer": "B. Analyst",
    "created": "2025-03-01T09:00:00Z",
    "modified": "2025-03-02T10:30:00Z",
    "state": "review",
    "answers": {
        "client.regions": ["us", "eu"],
        "client.entity_name": {"value": "Old Fund", "note": "from the prototype"},
    },
    "weights": {
        "liquidity": 30,
        "security": 25,
        "coverage": 15,
        "costs": 15,
        "ux": 10,
        "support": 5,
    },
    "diligence": {"bitgo": {"dd.soc2_type2": {"value": "yes", "evidence": "seen_doc"}}},
    "shortlist": ["bitgo"],
    "questionnaire_versions": {"selection": "0.9", "diligence": "0.9"},
    "providers_hash": "abc",
}


def test_upgrade_from_schema_0_shape() -> None:
    upgraded = upgrade_v0_to_v1(json.loads(json.dumps(SCHEMA_0)))
    assert upgraded["schema_version"] == 1
    current = upgrade_v1_to_v2(upgraded)
    session = Session.model_validate(current)
    assert session.schema_version == SCHEMA_VERSION == 2
    assert session.status == "ready_for_review"
    assert session.answers["client.entity_name"].note == "from the prototype"
    assert session.answers["priorities.weights"].value["security"] == 25
    assert session.diligence["bitgo"]["dd.soc2_type2"].evidence == "seen_doc"
    assert session.questionnaires["selection"].version == "0.9"
    assert session.audit == []
    doc, original = upgrade_document(json.loads(json.dumps(SCHEMA_0)))
    assert original == 0 and doc == current
    with pytest.raises(ValueError, match="state"):
        upgrade_v0_to_v1({**SCHEMA_0, "state": "archived"})


def test_schema_0_file_opens_upgraded_and_audited(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    store.root.mkdir(exist_ok=True)
    path = store.root / "20250301-0badc0de.json"
    path.write_text(json.dumps(SCHEMA_0), encoding="utf-8")
    original = path.read_bytes()
    loaded = store.load("prototype", qset, catalog)
    assert loaded.answers["client.regions"].value == ["us", "eu"]
    assert path.read_bytes() == original  # load never writes
    with store.open("20250301-0badc0de", qset, catalog, actor="C. Reviewer") as handle:
        actions = [e.action for e in handle.session.audit]
        assert actions == ["questionnaire_migrated"]
        # The layout upgrade (0 -> current, in one step) and the provider data change are
        # part of the same upgrade event.
        upgrade = handle.session.audit[0].new
        assert upgrade["schema"] == {"old": 0, "new": SCHEMA_VERSION}
        assert f"upgraded from schema 0 to {SCHEMA_VERSION}" in (
            handle.session.audit[0].detail or ""
        )
        assert upgrade["provider_data"] == {
            "old": "abc",
            "new": catalog.data_hash,
            "version": catalog.version,
        }
        # Questionnaire versions differ and the old file had no per-question hashes: re-confirm.
        assert handle.session.answers["client.regions"].needs_reconfirmation
        assert handle.session.audit[0].actor == "C. Reviewer"
    disk = json.loads(path.read_bytes())
    assert disk["schema_version"] == SCHEMA_VERSION
    assert json.loads(backup_path(path).read_bytes()) == SCHEMA_0
    assert verify_chain(Session.model_validate(disk).audit) == []


# --- a review saved before questionnaires and provider data 2026.11.1 ----------------------

OLD_REVIEW = Path(__file__).resolve().parents[1] / "data" / "sessions" / "20260302-5e55a0f1.json"
"""Written by ddwizard at commit 78c2fc1 (questionnaires 2025.09.1 / 2025.09.2, provider data
before versions): a non-US fund's staking mandate with a few diligence answers."""

ADDED_MANDATE = {
    "controls.segregation_required",
    "reg.bankruptcy_remoteness_required",
    "reg.custody_authorisation_required",
    "settlement.prime_financing",
    "fees.network_fees_at_cost",
    "support.sla_required",
}
ADDED_DILIGENCE = {
    "dd.governance_oversight",
    "dd.liability_standard",
    "dd.reconciliation_daily",
    "dd.proof_of_reserves",
    "dd.soc_scope_covers_entity",
    "dd.insurance_structure",
    "dd.airdrop_fork_policy",
    "dd.validator_operator",
    "dd.kyt_sanctions_screening",
    "dd.bcp_rto_hours",
    "dd.qc_representation",
}


def test_review_from_the_previous_versions_opens_upgraded_in_one_event(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    store.root.mkdir(exist_ok=True)
    path = store.root / OLD_REVIEW.name
    shutil.copyfile(OLD_REVIEW, path)
    before = json.loads(path.read_bytes())
    assert before["questionnaires"]["selection"]["version"] == "2025.09.1"
    assert before["questionnaires"]["diligence"]["version"] == "2025.09.2"
    old_events = len(before["audit"])

    assert before["schema_version"] == 1
    with store.open(path, qset, catalog, actor="J. Okafor") as handle:
        session = handle.session
        # One event records the whole upgrade: file layout, questionnaires and provider data.
        assert len(session.audit) == old_events + 1
        event = session.audit[-1]
        assert event.action == "questionnaire_migrated"
        assert event.new["schema"] == {"old": 1, "new": SCHEMA_VERSION}
        assert session.schema_version == SCHEMA_VERSION
        assert event.new["versions"] == {
            "diligence": ["2025.09.2", qset.diligence.version],
            "selection": ["2025.09.1", qset.selection.version],
        }
        assert event.new["provider_data"]["new"] == catalog.data_hash
        assert event.new["provider_data"]["version"] == catalog.version
        assert catalog.version and catalog.version in (event.detail or "")
        assert set(event.new["added"]) == ADDED_MANDATE | ADDED_DILIGENCE
        assert session.questionnaires["selection"].version == qset.selection.version
        assert session.provider_data_hash == catalog.data_hash

        # New questions are simply unanswered.
        assert not ADDED_MANDATE & set(session.answers)
        for per_provider in session.diligence.values():
            assert not ADDED_DILIGENCE & set(per_provider)

        # Answers whose question or rule changed are flagged; the rest are kept as they were.
        flagged = set(session.needs_reconfirmation())
        assert {
            "client.regions",  # help: an unstated region no longer excludes
            "reg.licence_required_in",  # same, and an empty answer now means 'none needed'
            "komainu:dd.soc1_type2",  # No against a SOC 1 mandate is now a finding
            "komainu:dd.cold_storage_pct",  # high under a critical cold-storage mandate
            "komainu:dd.slashing_treatment",  # 'shared' against provider-bears is now medium
        } <= flagged
        for kept in (
            "client.entity_name",
            "client.entity_type",
            "controls.min_approvers",
            "komainu:dd.wallet_model",
            "komainu:dd.travel_rule",
            "zodia:dd.legal_entity_identified",
        ):
            assert kept not in flagged, kept
        assert set(event.new["changed"]) | set(event.new["invalid"]) == flagged
        assert session.answers["client.aum_usd_m"].value == 180
        assert session.diligence["komainu"]["dd.slashing_treatment"].value == "shared"
        assert session.retired_answers == {}

        # Re-confirming an answer clears its flag, as any answer does.
        handle.set_answer("client.regions", ["eu", "uk"])
        assert "client.regions" not in handle.session.needs_reconfirmation()

    disk = Session.model_validate(json.loads(path.read_bytes()))
    assert verify_chain(disk.audit) == []
    # The old trail did not bind the record; from the upgrade event on it does.
    assert verify_session(disk).ok
    assert backup_path(path).exists()

    # Opened again with the same data: nothing more to record.
    after = path.read_bytes()
    with store.open(path, qset, catalog) as handle:
        assert handle.session.audit[-1].action == "answer_confirmed"
    assert path.read_bytes() == after


def test_upgrade_change_is_one_event_or_none(catalog: ProviderCatalog) -> None:
    from ddwizard.core.sessions.migration import QuestionnaireChanges, upgrade_change

    nothing = QuestionnaireChanges()
    assert (
        upgrade_change(
            nothing, stamps_refreshed=False, old_data_hash=catalog.data_hash, catalog=catalog
        )
        is None
    )
    data_only = upgrade_change(
        nothing, stamps_refreshed=False, old_data_hash="old", catalog=catalog
    )
    assert data_only is not None
    assert data_only["action"] == "provider_data_changed"
    assert (data_only["old"], data_only["new"]) == ("old", catalog.data_hash)
    assert catalog.version_label in data_only["detail"]
    both = QuestionnaireChanges(changed=["client.regions"], versions={"selection": ("1", "2")})
    event = upgrade_change(both, stamps_refreshed=True, old_data_hash="", catalog=catalog)
    assert event is not None and event["action"] == "questionnaire_migrated"
    assert event["new"]["changed"] == ["client.regions"]
    assert event["new"]["provider_data"] == {
        "old": None,
        "new": catalog.data_hash,
        "version": catalog.version,
    }
    assert "selection questionnaire 1 -> 2" in event["detail"]
