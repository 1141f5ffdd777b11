"""Session store: round trips, saving on every change, backups, naming, resolution, locks."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ddwizard.core.answers import Answer, parse_answers_file
from ddwizard.core.errors import DataError
from ddwizard.core.loading import load_questionnaires
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.sessions.audit import verify_chain, verify_session
from ddwizard.core.sessions.session import Position, Session, is_session_id
from ddwizard.core.sessions.store import (
    AmbiguousSession,
    ReadOnlySession,
    SessionConflict,
    SessionLocked,
    SessionNotFound,
    SessionStore,
    SessionTampered,
    backup_path,
    lock_path,
    read_session_file,
)

WEIGHTS = {"liquidity": 20, "security": 40, "coverage": 10, "costs": 10, "ux": 10, "support": 10}


def on_disk(path: Path) -> Session:
    """The session as the file says, parsed independently of the store."""
    return Session.model_validate(json.loads(path.read_bytes()))


def test_create_set_reload_round_trip(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    with store.create("Acme review", qset, catalog, preparer="A. Officer") as handle:
        sid = handle.session.id
        handle.set_answer("client.regions", ["eu", "us", "us"], note="both desks")
        handle.set_answer("reg.qualified_custodian", True)
        handle.set_weights(WEIGHTS)
        handle.set_diligence(
            "bitgo",
            "dd.wallet_model",
            "segregated_per_client",
            evidence="seen_doc",
            document_date="2026-03-31",
            reference="MSA 4.2",
        )
        handle.set_shortlist(["bitgo", "anchorage-digital"])
        handle.set_position(Position(screen="diligence", provider="bitgo"))
    assert is_session_id(sid)
    assert handle.path == store.root / f"{sid}.json"

    loaded = store.load(sid, qset, catalog)
    assert loaded.name == "Acme review"
    assert loaded.preparer == "A. Officer"
    assert loaded.answers["client.regions"].value == ["us", "eu"]  # normalized, in choice order
    assert loaded.answers["client.regions"].note == "both desks"
    assert loaded.answers["reg.qualified_custodian"].value == "yes"
    assert loaded.sheet().weights == WEIGHTS
    dd = loaded.diligence["bitgo"]["dd.wallet_model"]
    assert (dd.value, dd.evidence, str(dd.document_date), dd.reference) == (
        "segregated_per_client",
        "seen_doc",
        "2026-03-31",
        "MSA 4.2",
    )
    assert loaded.shortlist == ["bitgo", "anchorage-digital"]
    assert loaded.position.screen == "diligence"
    assert loaded.provider_data_hash == catalog.data_hash
    assert loaded.questionnaires["selection"].hash == qset.selection.content_hash
    assert [e.action for e in loaded.audit] == [
        "session_created",
        "answer_set",
        "note_changed",
        "answer_set",
        "weights_changed",
        "diligence_set",
        "shortlist_changed",
    ]
    assert all(e.actor == "A. Officer" for e in loaded.audit)
    assert verify_chain(loaded.audit) == []
    # The serialization is canonical: loading and writing again gives the same bytes.
    assert loaded.to_json_bytes() == handle.path.read_bytes()
    assert 0 < loaded.progress(qset) < 100


def test_every_change_is_on_disk_before_the_call_returns(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    handle = store.create("Disk check", qset, catalog)
    path = handle.path
    assert on_disk(path).audit[-1].action == "session_created"

    handle.set_answer("client.entity_name", "Acme Fund LP")
    assert on_disk(path).answers["client.entity_name"].value == "Acme Fund LP"
    handle.set_answer("client.entity_name", "Acme Fund II LP")
    disk = on_disk(path)
    assert disk.answers["client.entity_name"].value == "Acme Fund II LP"
    assert (disk.audit[-1].action, disk.audit[-1].old, disk.audit[-1].new) == (
        "answer_changed",
        "Acme Fund LP",
        "Acme Fund II LP",
    )
    handle.set_note("client.entity_name", "per the LPA")
    assert on_disk(path).answers["client.entity_name"].note == "per the LPA"
    handle.clear_answer("client.entity_name")
    disk = on_disk(path)
    assert "client.entity_name" not in disk.answers
    assert disk.audit[-1].action == "answer_cleared"
    assert disk.audit[-1].old == "Acme Fund II LP"
    handle.set_diligence("komainu", "dd.soc2_type2", "no", evidence="provider_claim")
    assert on_disk(path).diligence["komainu"]["dd.soc2_type2"].value == "no"
    handle.set_diligence("komainu", "dd.soc2_type2", "yes", note="report seen")
    disk = on_disk(path)
    answer = disk.diligence["komainu"]["dd.soc2_type2"]
    assert (answer.value, answer.evidence, answer.note) == ("yes", "provider_claim", "report seen")
    assert disk.audit[-1].action == "diligence_changed"
    assert disk.audit[-1].old == {"value": "no", "evidence": "provider_claim"}
    handle.set_note("dd.soc2_type2", "SOC 2 Type II, 2026", provider="komainu")
    assert on_disk(path).diligence["komainu"]["dd.soc2_type2"].note == "SOC 2 Type II, 2026"
    handle.clear_diligence("komainu", "dd.soc2_type2")
    assert "komainu" not in on_disk(path).diligence
    handle.set_weights(WEIGHTS)
    assert on_disk(path).answers["priorities.weights"].value == WEIGHTS
    handle.set_shortlist(["zodia"])
    assert on_disk(path).shortlist == ["zodia"]
    handle.set_position(Position(screen="weights"))
    assert on_disk(path).position.screen == "weights"
    handle.set_status("ready_for_review")
    assert on_disk(path).status == "ready_for_review"
    handle.record_memo(Path("/tmp/memo.pdf"), "ab" * 32, "pdf")
    event = on_disk(path).audit[-1]
    assert event.action == "memo_generated"
    assert event.new == {"path": "/tmp/memo.pdf", "format": "pdf", "sha256": "ab" * 32}
    # Position is saved but not audited.
    assert "weights" not in {str(e.new) for e in on_disk(path).audit}
    handle.close()
    assert verify_chain(on_disk(path).audit) == []


def test_backup_keeps_the_previous_version(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    with store.create("Backup", qset, catalog) as handle:
        bak = backup_path(handle.path)
        assert not bak.exists()  # only one version so far
        handle.set_answer("client.aum_usd_m", 250)
        assert bak.exists()
        assert "client.aum_usd_m" not in on_disk(bak).answers
        before = handle.path.read_bytes()
        handle.set_answer("client.aum_usd_m", 300)
        assert bak.read_bytes() == before
        assert on_disk(bak).answers["client.aum_usd_m"].value == 250
        assert on_disk(handle.path).answers["client.aum_usd_m"].value == 300
        leftovers = [p.name for p in store.root.iterdir() if p.name.endswith(".tmp")]
        assert leftovers == []


def test_no_change_means_no_write(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    with store.create("Quiet", qset, catalog) as handle:
        handle.set_answer("reg.etf_servicing", "no")
        before = handle.path.read_bytes()
        handle.set_answer("reg.etf_servicing", False)  # same answer, YAML-style boolean
        handle.set_shortlist([])
        handle.set_shortlist([])
        assert len(handle.session.audit) == 3
        assert handle.path.read_bytes() != before  # the shortlist did change once
        assert on_disk(handle.path).shortlist == []


def test_invalid_values_and_unknown_ids_change_nothing(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    with store.create("Strict", qset, catalog) as handle:
        before = handle.path.read_bytes()
        cases = [
            (lambda: handle.set_answer("client.regions", ["mars"]), "mars"),
            (lambda: handle.set_answer("no.such_question", "yes"), "no.such_question"),
            (lambda: handle.set_answer("dd.soc2_type2", "yes"), "dd.soc2_type2"),
            (lambda: handle.set_weights({"liquidity": 100}), "missing weight"),
            (lambda: handle.set_diligence("nobody", "dd.soc2_type2", "yes"), "nobody"),
            (lambda: handle.set_diligence("bitgo", "client.regions", ["us"]), "client.regions"),
            (
                lambda: handle.set_diligence("bitgo", "dd.soc2_type2", "yes", evidence="rumour"),
                "evidence",
            ),
            (lambda: handle.set_shortlist(["bitgo", "nobody"]), "nobody"),
            (lambda: handle.set_note("client.regions", "unanswered yet"), "client.regions"),
        ]
        for call, named in cases:
            with pytest.raises(DataError) as info:
                call()
            assert named in str(info.value)
        assert handle.path.read_bytes() == before
        assert [e.action for e in handle.session.audit] == ["session_created"]


def test_apply_answers_is_one_save_and_all_or_nothing(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog, answers_path: Path
) -> None:
    parsed = parse_answers_file(answers_path, qset, catalog)
    with store.create("Apply", qset, catalog) as handle:
        handle.set_answer("client.regions", ["eu"])
        lines = handle.apply_answers(parsed)
        assert "client.regions: eu -> us" in lines
        assert any(line.startswith("shortlist:") for line in lines)
        disk = on_disk(handle.path)
        assert disk.answers["reg.qualified_custodian"].value == "yes"
        assert disk.diligence["anchorage-digital"]["dd.wallet_model"].evidence == "seen_doc"
        assert disk.title == "Acme Fund custody review"
        assert disk.audit[-1].action == "answers_file_applied"
        # The backup is the state just before the file was applied: one save for all of it.
        assert on_disk(backup_path(handle.path)).answers["client.regions"].value == ["eu"]
        assert handle.apply_answers(parsed) == []  # applying again changes nothing


def test_session_files_are_named_by_id_never_by_name(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog, tmp_path: Path
) -> None:
    names = ["../../etc/passwd", "a/b", "..", "C:\\temp\\x", "nul", "réunion * ? <>|"]
    paths = []
    for name in names:
        with store.create(name, qset, catalog) as handle:
            paths.append(handle.path)
            assert handle.session.name == name
    assert len(set(paths)) == len(names)
    for path in paths:
        assert path.parent == store.root
        assert is_session_id(path.stem)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sessions"]
    assert store.resolve("a/b") == paths[1]
    assert store.resolve("../../etc/passwd") == paths[0]


def test_resolve_by_id_prefix_path_and_ambiguity(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    paths = {}
    for name in ("Acme Fund review", "Acme Bank review", "Zeta treasury"):
        with store.create(name, qset, catalog) as handle:
            paths[name] = (handle.session.id, handle.path)
    zeta_id, zeta_path = paths["Zeta treasury"]
    assert store.resolve(zeta_id) == zeta_path
    assert store.resolve("zeta") == zeta_path
    assert store.resolve("ZETA TREAS") == zeta_path
    assert store.resolve("acme fund") == paths["Acme Fund review"][1]
    assert store.resolve(str(zeta_path)) == zeta_path
    assert store.resolve(zeta_path) == zeta_path
    with pytest.raises(AmbiguousSession) as info:
        store.resolve("acme")
    message = str(info.value)
    for name in ("Acme Fund review", "Acme Bank review"):
        assert name in message
        assert paths[name][0] in message
    assert "Zeta" not in message
    with pytest.raises(SessionNotFound, match="nothing-like-it"):
        store.resolve("nothing-like-it")
    with pytest.raises(SessionNotFound, match=r"missing\.json"):
        store.resolve(str(store.root / "missing.json"))


def test_list_most_recent_first_with_progress(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    with store.create("Older", qset, catalog) as older:
        pass
    with store.create("Newer", qset, catalog) as newer:
        newer.set_answer("client.entity_name", "Newer Ltd")
    summaries = store.list(qset)
    assert [s.name for s in summaries] == ["Newer", "Older"]
    assert summaries[0].progress is not None and summaries[0].progress > 0
    assert summaries[1].progress == 0
    assert summaries[1].id == older.session.id
    assert all(s.error is None and s.status == "in_progress" for s in summaries)
    assert store.list() and store.list()[0].progress is None


def test_second_open_is_refused_while_locked(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    handle = store.create("Locked", qset, catalog)
    with pytest.raises(SessionLocked) as info:
        store.open(handle.session.id, qset, catalog)
    message = str(info.value)
    assert f"process {os.getpid()}" in message
    assert socket.gethostname() in message
    assert str(lock_path(handle.path)) in message
    handle.close()
    assert not lock_path(handle.path).exists()
    with store.open(handle.session.id, qset, catalog) as again:
        again.set_answer("reg.etf_servicing", "yes")
    assert not lock_path(handle.path).exists()


def test_lock_held_by_another_live_process(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    with store.create("Shared", qset, catalog) as handle:
        path = handle.path
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from ddwizard.core.sessions.store import acquire_lock; from pathlib import Path; "
            "acquire_lock(Path(sys.argv[1])); print('locked', flush=True); sys.stdin.read()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(SessionLocked, match=f"process {holder.pid}"):
            store.open(path, qset, catalog)
    finally:
        holder.kill()
        holder.wait()
    # The holder died without releasing: its lock is stale and recovered, with an audit note.
    with store.open(path, qset, catalog) as handle:
        event = handle.session.audit[-1]
        assert event.action == "lock_recovered"
        assert str(holder.pid) in (event.detail or "")
    assert verify_chain(on_disk(path).audit) == []


def test_stale_lock_with_dead_pid_is_recovered(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    with store.create("Stale", qset, catalog) as handle:
        path = handle.path
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock_path(path).write_text(
        json.dumps(
            {
                "pid": dead.pid,
                "host": socket.gethostname(),
                "user": "someone",
                "time": "2026-01-01T00:00:00+00:00",
                "token": "feedface",
            }
        )
    )
    with store.open(path, qset, catalog) as handle:
        assert handle.session.audit[-1].action == "lock_recovered"
        assert "someone" in (handle.session.audit[-1].detail or "")
        handle.set_answer("reg.etf_servicing", "no")
    assert not lock_path(path).exists()


def test_lock_from_another_host_is_not_broken(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    with store.create("Remote", qset, catalog) as handle:
        path = handle.path
    lock_path(path).write_text(
        json.dumps(
            {
                "pid": 1,
                "host": "other-host.example",
                "user": "colleague",
                "time": "2026-01-01T00:00:00+00:00",
                "token": "cafe",
            }
        )
    )
    with pytest.raises(SessionLocked) as info:
        store.open(path, qset, catalog)
    assert "other-host.example" in str(info.value) and "colleague" in str(info.value)
    assert lock_path(path).exists()


def test_final_is_read_only_and_reopening_is_audited(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    with store.create("Final", qset, catalog, preparer="A. Officer") as handle:
        handle.set_answer("client.entity_name", "Acme")
        handle.set_status("ready_for_review")
        handle.set_status("final")
        before = handle.path.read_bytes()
        edits = [
            lambda: handle.set_answer("client.entity_name", "Other"),
            lambda: handle.clear_answer("client.entity_name"),
            lambda: handle.set_note("client.entity_name", "x"),
            lambda: handle.set_diligence("bitgo", "dd.soc2_type2", "yes"),
            lambda: handle.clear_diligence("bitgo", "dd.soc2_type2"),
            lambda: handle.set_weights(WEIGHTS),
            lambda: handle.set_shortlist(["bitgo"]),
        ]
        for edit in edits:
            with pytest.raises(ReadOnlySession) as info:
                edit()
            assert f"ddwizard status {handle.session.id} in_progress --reason" in str(info.value)
        assert handle.path.read_bytes() == before
        with pytest.raises(DataError, match="reason"):
            handle.set_status("in_progress")
        handle.record_memo(Path("memo.pdf"), "cd" * 32, "pdf")  # allowed on a final session
        handle.set_status("in_progress", reason="committee asked for a second provider")
        event = handle.session.audit[-1]
        assert (event.action, event.old, event.new) == ("reopened", "final", "in_progress")
        assert event.detail == "committee asked for a second provider"
        assert event.actor == "A. Officer"
        handle.set_answer("client.entity_name", "Acme Fund LP")
    actions = [e.action for e in on_disk(handle.path).audit]
    assert actions[-5:] == [
        "status_changed",
        "status_changed",
        "memo_generated",
        "reopened",
        "answer_changed",
    ]


def copy_with_entity_name_reworded(repo_root: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "questionnaires"
    shutil.copytree(repo_root / "questionnaires", folder)
    selection = folder / "selection.yaml"
    lines = selection.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "id: client.entity_name" in line)
    text_line = next(i for i in range(at, len(lines)) if lines[i].lstrip().startswith("prompt:"))
    lines[text_line] = lines[text_line].rstrip("\n").rstrip() + " (legal name)\n"
    selection.write_text("".join(lines), encoding="utf-8")
    return folder


def test_reconfirmation_flag_blocks_final_until_confirmed(
    store: SessionStore,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    repo_root: Path,
    tmp_path: Path,
) -> None:
    with store.create("Flags", qset, catalog) as handle:
        handle.set_answer("client.entity_name", "Acme")
        path = handle.path
    # The question's wording changed since: opening flags the answer for re-confirmation.
    changed = load_questionnaires(copy_with_entity_name_reworded(repo_root, tmp_path))
    with store.open(path, changed, catalog) as handle:
        assert handle.session.answers["client.entity_name"].needs_reconfirmation
        with pytest.raises(DataError, match=r"re-confirmed.*client\.entity_name"):
            handle.set_status("final")
        handle.confirm_answer("client.entity_name")
        assert handle.session.audit[-1].action == "answer_confirmed"
        assert handle.session.answers["client.entity_name"].needs_reconfirmation is False
        handle.set_status("final")
        assert on_disk(path).status == "final"


def test_answer_model_round_trips_through_json() -> None:
    answer = Answer(value=["us"], note="n", evidence="seen_doc", document_date="2026-01-02")
    assert Answer.model_validate_json(answer.model_dump_json()) == answer


def test_save_after_a_crash_between_the_two_renames(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    with store.create("Crash state", qset, catalog) as handle:
        handle.set_answer("client.aum_usd_m", 1)
        path = handle.path
    # A writer killed after linking the backup but before replacing the file leaves both
    # names on one file. The next save must still keep a correct backup and no leftovers.
    backup_path(path).unlink()
    os.link(path, backup_path(path))
    with store.open(path, qset, catalog) as handle:
        handle.set_answer("client.aum_usd_m", 2)
    assert on_disk(backup_path(path)).answers["client.aum_usd_m"].value == 1
    assert on_disk(path).answers["client.aum_usd_m"].value == 2
    assert not os.path.samefile(path, backup_path(path))
    assert sorted(p.name for p in store.root.iterdir()) == [path.name, backup_path(path).name]


def test_outside_change_while_open_is_never_overwritten(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    handle = store.create("Edited elsewhere", qset, catalog)
    handle.set_answer("client.aum_usd_m", 10)
    # Another program (an editor, a sync tool) rewrites the file while it is open here.
    data = json.loads(handle.path.read_bytes())
    data["name"] = "Renamed by hand"
    handle.path.write_text(json.dumps(data, indent=4), encoding="utf-8")
    outside = handle.path.read_bytes()
    with pytest.raises(SessionConflict, match="changed by another program"):
        handle.set_answer("client.aum_usd_m", 20)
    assert handle.path.read_bytes() == outside
    assert handle.session.answers["client.aum_usd_m"].value == 10  # the object did not move on
    handle.close()
    with store.open(handle.path, qset, catalog) as again:
        assert again.session.name == "Renamed by hand"


def test_trail_text_is_reused_only_when_it_is_a_complete_array(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    with store.create("Layout", qset, catalog) as handle:
        handle.set_shortlist(["bitgo"])
        path = handle.path
    raw = path.read_bytes()
    reused = Session.from_canonical_json(raw)
    assert reused is not None and reused.to_json_bytes() == raw
    # A hand-made file whose "trail" escapes its array (to override a field) is valid JSON,
    # but its trail text must not be reused: the next save would carry the override along.
    tail = b"\n  ]\n}\n"
    crafted = raw[: -len(tail)] + b'], "shortlist": ["zodia"' + tail
    path.write_bytes(crafted)
    assert Session.from_canonical_json(crafted) is None
    assert store.load(path, qset, catalog).shortlist == ["zodia"]
    # The override is an edit outside ddwizard: verify finds it and no change is added on top
    # of it (a new event would seal it as if ddwizard had made it).
    assert not verify_session(read_session_file(path)).ok
    with (
        store.open(path, qset, catalog) as handle,
        pytest.raises(SessionTampered, match="changed outside ddwizard"),
    ):
        handle.set_answer("reg.etf_servicing", "no")
    assert path.read_bytes() == crafted
