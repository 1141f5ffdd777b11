"""Session schema 2: files of schema 1 open upgraded, files of a newer schema are refused.

Schema 2 exists because a sign-off's status event now records a mapping as ``new``: a
ddwizard that reads schema 1 would replay it as the status and call an intact trail tampered,
so it must refuse the file instead (checked by hand against the release before this one: it
says "made by a newer ddwizard ... upgrade ddwizard" and exits 1). These tests use real
files written by earlier releases (``tests/data/sessions``) and the real commands: read-only
commands upgrade in memory and write nothing, opening records the upgrade in one event, the
trail still verifies, nothing is lost, the ``.bak`` is the file as it was, and the memo renders.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.sessions.audit import state_hash, verify_session
from ddwizard.core.sessions.session import SCHEMA_VERSION
from ddwizard.core.sessions.store import SessionStore, backup_path, read_session_file
from ddwizard.core.usecases.write_memo import write_memo
from ddwizard.core.workspace import Workspace

DATA = Path(__file__).resolve().parents[1] / "data" / "sessions"
OLD_QUESTIONNAIRES = DATA / "20260302-5e55a0f1.json"
"""Schema 1, written at 78c2fc1: an older trail that binds no state, older questionnaires."""
LEGACY_SIGNOFF = DATA / "20261130-23ac1aba.json"
"""Schema 1, written by the release before sign-off fields (a3f6b4a): a trail bound to the
state, made final by override with the reviewer and rationale in the free-text detail."""
FIXTURES = [OLD_QUESTIONNAIRES, LEGACY_SIGNOFF]
FIXTURE_IDS = ["old-questionnaires", "legacy-signoff"]


def copied(fixture: Path, sessions_dir: Path) -> Path:
    path = sessions_dir / fixture.name
    shutil.copyfile(fixture, path)
    return path


def records_layout_upgrade(event: Any, old: int) -> bool:
    """Whether ``event`` records the file layout upgraded from ``old`` to the current schema."""
    text = f"session file layout upgraded from schema {old} to {SCHEMA_VERSION}"
    if text not in (event.detail or ""):
        return False
    if event.action == "schema_upgraded":
        return bool(event.old == old and event.new == SCHEMA_VERSION)
    if event.action == "questionnaire_migrated":
        return bool(event.new["schema"] == {"old": old, "new": SCHEMA_VERSION})
    return event.action == "provider_data_changed"


def test_schema_is_2_and_every_new_file_is_written_with_it(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    assert SCHEMA_VERSION == 2
    with store.create("Plain review", qset, catalog) as handle:
        handle.set_answer("client.regions", ["us"])  # no sign-off: still schema 2
    assert json.loads(handle.path.read_bytes())["schema_version"] == SCHEMA_VERSION
    for fixture in FIXTURES:
        assert json.loads(fixture.read_bytes())["schema_version"] == 1


@pytest.mark.parametrize("fixture", FIXTURES, ids=FIXTURE_IDS)
def test_read_only_commands_upgrade_in_memory_and_write_nothing(
    fixture: Path, sessions_dir: Path, cli: Callable[..., Any]
) -> None:
    path = copied(fixture, sessions_dir)
    original = path.read_bytes()
    session = read_session_file(path)
    assert (session.schema_version, session.stored_schema_version) == (SCHEMA_VERSION, 1)
    listed = cli("sessions")
    assert listed.code == 0 and session.id in listed.out and "newer" not in listed.out
    assert cli("score", session.id).code == 0
    verified = cli("verify", session.id)
    if fixture == LEGACY_SIGNOFF:
        # Its trail sealed the state with schema_version 1: still intact before any save.
        assert verified.code == 0 and "intact" in verified.out, verified.err
        assert verify_session(session).ok
        assert state_hash(session, as_stored=True) == session.audit[-1].state
        assert state_hash(session) != session.audit[-1].state
    else:
        assert verified.code == 1 and "unverifiable" in verified.out + verified.err
    assert path.read_bytes() == original
    assert not backup_path(path).exists()


@pytest.mark.parametrize("fixture", FIXTURES, ids=FIXTURE_IDS)
def test_opening_a_schema_1_file_upgrades_it_in_one_event(
    fixture: Path,
    sessions_dir: Path,
    store: SessionStore,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    cli: Callable[..., Any],
) -> None:
    path = copied(fixture, sessions_dir)
    original = path.read_bytes()
    before = read_session_file(path)
    with store.open(path, qset, catalog) as handle:
        after = handle.session
        assert len(after.audit) == len(before.audit) + 1
        assert records_layout_upgrade(after.audit[-1], 1)
        assert [e.hash for e in after.audit[:-1]] == [e.hash for e in before.audit]
    disk = read_session_file(path)
    assert disk.schema_version == disk.stored_schema_version == SCHEMA_VERSION
    assert json.loads(path.read_bytes())["schema_version"] == SCHEMA_VERSION
    assert backup_path(path).read_bytes() == original  # the .bak is the file as it was
    # Nothing lost: the old trail, the preparer, the status and every answer are there.
    assert disk.audit[: len(before.audit)] == before.audit
    assert (disk.preparer, disk.status, disk.shortlist) == (
        before.preparer,
        before.status,
        before.shortlist,
    )
    assert {q: a.value for q, a in disk.answers.items()} == {
        q: a.value for q, a in before.answers.items()
    }
    assert {p: {q: a.value for q, a in per.items()} for p, per in disk.diligence.items()} == {
        p: {q: a.value for q, a in per.items()} for p, per in before.diligence.items()
    }
    assert verify_session(disk).ok, verify_session(disk).problems
    assert cli("verify", str(path)).code == 0
    # Opened again: nothing more to record.
    upgraded = path.read_bytes()
    with store.open(path, qset, catalog):
        pass
    assert path.read_bytes() == upgraded


@pytest.mark.parametrize("fixture", FIXTURES, ids=FIXTURE_IDS)
def test_the_memo_of_an_upgraded_review_renders(
    fixture: Path, sessions_dir: Path, workspace: Workspace, tmp_path: Path
) -> None:
    path = copied(fixture, sessions_dir)
    sid = path.stem
    if fixture == OLD_QUESTIONNAIRES:
        # Its trail bound no state: the memo is refused until a save binds it (the upgrade).
        with workspace.store.open(path, workspace.qset, workspace.catalog):
            pass
    output = tmp_path / "memo.html"
    memo = write_memo(workspace, sid, output).memo
    html = output.read_text("utf-8")
    assert "INTEGRITY NOT VERIFIED" not in html
    assert any("session file layout upgraded from schema 1" in r.change for r in memo.audit.rows)
    if fixture == LEGACY_SIGNOFF:
        # The sign-off written before the fields is shown as written, never parsed.
        assert "before ddwizard stored a sign-off&#39;s reviewer and rationale" in html
        assert "reviewer: Mallory" in memo.signoff.note
        assert memo.signoff.boxes[1].name == "" and memo.signoff.override == ""
    events = read_session_file(path).audit
    assert [e.action for e in events[-1:]] == ["memo_generated"]
    assert verify_session(read_session_file(path)).ok


def test_a_legacy_sign_off_reopened_and_signed_off_again_verifies(
    sessions_dir: Path, cli: Callable[..., Any]
) -> None:
    """Both kinds of sign-off in one trail: the schema-1 string and the schema-2 mapping."""
    path = copied(LEGACY_SIGNOFF, sessions_dir)
    sid = path.stem
    reopened = cli("status", sid, "in_progress", "--reason", "new SOC report arrived")
    assert reopened.code == 0, reopened.err
    assert cli("status", sid, "ready_for_review").code == 0
    signed = cli("status", sid, "final", "--reviewer", "M. Osei", "--rationale", "accepted again")
    assert signed.code == 0, signed.err
    doc = json.loads(path.read_bytes())
    assert doc["schema_version"] == SCHEMA_VERSION
    finals = [e["new"] for e in doc["audit"] if e["action"] == "status_changed"]
    assert finals[1] == "final"  # the legacy sign-off, as written
    assert finals[-1]["status"] == "final" and finals[-1]["reviewer"] == "M. Osei"
    assert sum(e["action"] == "schema_upgraded" for e in doc["audit"]) == 1
    assert cli("verify", sid).code == 0


def test_a_tampered_schema_1_file_is_not_upgraded_until_a_memo_is_written_anyway(
    sessions_dir: Path, cli: Callable[..., Any], tmp_path: Path
) -> None:
    path = sessions_dir / LEGACY_SIGNOFF.name
    doc = json.loads(LEGACY_SIGNOFF.read_bytes())
    doc["preparer"] = "Someone Else"  # edited by hand: the record no longer matches its trail
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    tampered = path.read_bytes()
    refused = cli("report", path.stem, "-o", str(tmp_path / "memo.html"))
    assert refused.code == 1 and "does not verify" in refused.err
    assert path.read_bytes() == tampered and not backup_path(path).exists()
    written = cli("report", path.stem, "-o", str(tmp_path / "memo.html"), "--unverified")
    assert written.code == 0, written.err
    after = json.loads(path.read_bytes())
    assert after["schema_version"] == SCHEMA_VERSION
    assert [e["action"] for e in after["audit"][-2:]] == ["schema_upgraded", "memo_generated"]
    assert after["preparer"] == "Someone Else"
    assert backup_path(path).read_bytes() == tampered
    still = cli("verify", path.stem)
    assert still.code == 1 and "edited outside ddwizard" in still.out + still.err


@pytest.mark.parametrize(
    "args",
    [
        ("verify", "{path}"),
        ("report", "{path}", "-o", "{out}"),
        ("status", "{path}", "ready_for_review"),
        ("score", "{path}"),
        ("answer", "{path}", "--answers", "{answers}"),
    ],
    ids=["verify", "report", "status", "score", "answer"],
)
def test_a_file_of_a_newer_schema_is_refused_naming_it(
    args: tuple[str, ...],
    store: SessionStore,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    cli: Callable[..., Any],
    answers_path: Path,
    tmp_path: Path,
) -> None:
    with store.create("Future review", qset, catalog) as handle:
        handle.set_answer("client.regions", ["us"])
    path = handle.path
    doc = json.loads(path.read_bytes())
    doc["schema_version"] = SCHEMA_VERSION + 1
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    before = path.read_bytes()
    backup = backup_path(path).read_bytes()
    out = tmp_path / "memo.html"
    run = [a.format(path=path, out=out, answers=answers_path) for a in args]
    result = cli(*run)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert f"session file {path} was made by a newer ddwizard" in result.err
    assert f"session schema {SCHEMA_VERSION + 1}" in result.err and "upgrade ddwizard" in result.err
    assert path.read_bytes() == before and backup_path(path).read_bytes() == backup
    assert not out.exists()
    listed = cli("sessions")
    assert listed.code == 0 and "newer version" in listed.out
