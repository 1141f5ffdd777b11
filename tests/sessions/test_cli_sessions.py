"""The session commands: answer, sessions, status (verify is covered with the audit tests)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.sessions.store import SessionStore, backup_path


def only_session(store: SessionStore) -> Path:
    files = sorted(store.root.glob("*.json"))
    assert len(files) == 1, files
    return files[0]


def test_answer_creates_then_updates_a_session(
    cli: Callable[..., Any],
    store: SessionStore,
    answers_path: Path,
    write_answers: Any,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
) -> None:
    result = cli("answer", "acme", "--answers", str(answers_path), "--new")
    assert result.code == 0, result.err
    assert "created session" in result.out
    assert "client.regions: us" in result.out
    path = only_session(store)
    session = store.load("acme", qset, catalog)
    assert session.name == "acme"
    assert session.title == "Acme Fund custody review"
    assert session.preparer == "A. Officer"
    assert session.answers["reg.qualified_custodian"].value == "yes"
    assert session.shortlist == ["coinbase-prime", "anchorage-digital"]
    assert [e.action for e in session.audit][-1] == "answers_file_applied"

    update = write_answers(
        """\
        answers:
          client.regions: [us, eu]
          reg.qualified_custodian: {value: no, note: "self-custody allowed"}
        diligence:
          anchorage-digital:
            dd.soc2_type2: no
        """,
        "update.yaml",
    )
    result = cli("answer", "ACME", "--answers", str(update), "--preparer", "C. Reviewer")
    assert result.code == 0, result.err
    assert "client.regions: us -> us, eu" in result.out
    assert "reg.qualified_custodian: yes -> no" in result.out
    assert "anchorage-digital dd.soc2_type2" in result.out
    assert only_session(store) == path
    session = store.load(path, qset, catalog)
    assert session.answers["reg.qualified_custodian"].note == "self-custody allowed"
    # Evidence recorded earlier is kept when the update does not mention it.
    assert session.diligence["anchorage-digital"]["dd.wallet_model"].evidence == "seen_doc"
    assert session.audit[-1].actor == "C. Reviewer"
    assert session.preparer == "A. Officer"


def test_answer_at_a_json_path_creates_the_file_there(
    cli: Callable[..., Any],
    tmp_path: Path,
    answers_path: Path,
    store: SessionStore,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
) -> None:
    target = tmp_path / "elsewhere" / "acme-review.json"
    result = cli("answer", str(target), "--answers", str(answers_path), "--new")
    assert result.code == 0, result.err
    assert target.is_file()
    assert not list(store.root.glob("*.json"))
    assert store.load(target, qset, catalog).name == "acme-review"
    assert cli("answer", str(target), "--answers", str(answers_path)).code == 0
    assert "no changes" in cli("answer", str(target), "--answers", str(answers_path)).out


def test_invalid_answers_file_leaves_the_session_untouched(
    cli: Callable[..., Any],
    store: SessionStore,
    answers_path: Path,
    write_answers: Any,
) -> None:
    assert cli("answer", "acme", "--answers", str(answers_path), "--new").code == 0
    path = only_session(store)
    before = path.read_bytes()
    backup = backup_path(path).read_bytes()
    bad_files = {
        "unknown question": "answers:\n  client.regions: [eu]\n  client.favourite_colour: blue\n",
        "wrong type": "answers:\n  client.regions: [eu]\n  client.aum_usd_m: lots\n",
        "unknown provider": "diligence:\n  acme-custody:\n    dd.soc2_type2: yes\n",
        "bad weights": "answers:\n  priorities.weights: {liquidity: 90, security: 90}\n",
        "not yaml": "answers: [unclosed\n",
    }
    for label, text in bad_files.items():
        bad = write_answers(text, "bad.yaml")
        result = cli("answer", "acme", "--answers", str(bad))
        assert result.code == 1, label
        assert "Traceback" not in result.err
        assert str(bad) in result.err, label
        assert path.read_bytes() == before, label
        assert backup_path(path).read_bytes() == backup, label
    assert (
        "client.favourite_colour"
        in cli(
            "answer",
            "acme",
            "--answers",
            str(write_answers(bad_files["unknown question"], "b.yaml")),
        ).err
    )
    # Nothing created either when the session did not exist yet.
    bad = write_answers(bad_files["unknown provider"], "bad.yaml")
    assert cli("answer", "brand new", "--answers", str(bad), "--new").code == 1
    assert only_session(store) == path


def test_sessions_table_and_json(
    cli: Callable[..., Any],
    store: SessionStore,
    answers_path: Path,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
) -> None:
    assert "no sessions" in cli("sessions").out
    with store.create("Older review", qset, catalog):
        pass
    assert cli("answer", "acme", "--answers", str(answers_path), "--new").code == 0
    result = cli("sessions")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "STATUS", "PROGRESS", "UPDATED"]
    assert "acme (Acme Fund custody review)" in lines[1]
    assert "Older review" in lines[2]
    assert lines[1].index("in_progress") == lines[2].index("in_progress")  # aligned columns
    listed = json.loads(cli("sessions", "--json").out)
    assert [s["name"] for s in listed] == ["acme", "Older review"]
    assert listed[0]["progress"] > listed[1]["progress"] == 0
    assert set(listed[0]) >= {"id", "name", "status", "progress", "updated"}
    assert listed[0]["status"] == "in_progress"


def test_status_command_and_reopen(
    cli: Callable[..., Any],
    store: SessionStore,
    answers_path: Path,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
) -> None:
    assert cli("answer", "acme", "--answers", str(answers_path), "--new").code == 0
    assert "in_progress -> ready_for_review" in cli("status", "acme", "ready_for_review").out
    refused = cli("status", "acme", "final")  # provisional: final needs a second person
    assert refused.code == 1 and "--reviewer" in refused.err
    signed = ("--reviewer", "B. Checker", "--rationale", "committee accepts the conditions")
    assert cli("status", "acme", "final", *signed).code == 0
    result = cli("answer", "acme", "--answers", str(answers_path))
    assert result.code == 1
    assert "final and read-only" in result.err
    assert "ddwizard status" in result.err and "--reason" in result.err
    result = cli("status", "acme", "in_progress")
    assert result.code == 1 and "needs a reason" in result.err
    result = cli(
        "status",
        "acme",
        "in_progress",
        "--reason",
        "new provider data",
        "--preparer",
        "Head of Compliance",
    )
    assert result.code == 0
    event = store.load("acme", qset, catalog).audit[-1]
    assert (event.action, event.detail, event.actor) == (
        "reopened",
        "new provider data",
        "Head of Compliance",
    )


def test_ambiguous_reference_lists_candidates(
    cli: Callable[..., Any],
    store: SessionStore,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
) -> None:
    ids = []
    for name in ("Acme one", "Acme two"):
        with store.create(name, qset, catalog) as handle:
            ids.append(handle.session.id)
    result = cli("verify", "acme")
    assert result.code == 1
    for sid, name in zip(ids, ("Acme one", "Acme two"), strict=True):
        assert sid in result.err and name in result.err
    assert cli("verify", ids[0]).code == 0
    assert cli("verify", "acme t").code == 0


def test_answer_with_a_path_like_name_stays_in_the_sessions_folder(
    cli: Callable[..., Any],
    store: SessionStore,
    answers_path: Path,
    tmp_path: Path,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
) -> None:
    for name in ("../../etc/passwd", "a/b"):
        result = cli("answer", name, "--answers", str(answers_path), "--new")
        assert result.code == 0, result.err
    files = sorted(store.root.glob("*.json"))
    assert len(files) == 2
    assert sorted(store.load(f, qset, catalog).name for f in files) == ["../../etc/passwd", "a/b"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme.yaml", "sessions"]
