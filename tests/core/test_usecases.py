"""The use cases through the command line: finding reviews, creating them on purpose only,
listing question ids, "did you mean", and memos only from sessions whose trail verifies."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ddwizard.cli import main
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.sessions.store import SessionStore
from ddwizard.core.settings import Settings
from ddwizard.core.usecases.write_memo import StagedFile, cleanup_stale_temps
from ddwizard.core.workspace import Workspace

ANSWERS = """\
name: Kestrel Capital custody review
preparer: A. Officer
answers:
  client.entity_name: Kestrel Capital LP
  client.regions: [us]
  reg.qualified_custodian: yes
"""


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture()
def cli(capsys: pytest.CaptureFixture[str], sessions_dir: Path) -> Callable[..., Run]:
    def run(*args: str) -> Run:
        capsys.readouterr()
        code = main(["--sessions-dir", str(sessions_dir), *args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture()
def answers(tmp_path: Path) -> Path:
    path = tmp_path / "kestrel.yaml"
    path.write_text(ANSWERS, encoding="utf-8")
    return path


def test_answer_refuses_an_unknown_name_and_suggests_the_closest(
    cli: Callable[..., Run], answers: Path, sessions_dir: Path
) -> None:
    assert cli("answer", "Kestrel review", "--answers", str(answers), "--new").code == 0
    result = cli("answer", "Kestrl review", "--answers", str(answers))
    assert result.code == 1
    assert "did you mean 'Kestrel review'" in result.err
    assert "--new" in result.err
    assert "Traceback" not in result.err
    resume_like = cli("status", "Kestrl review", "ready_for_review")
    assert resume_like.code == 1
    assert "did you mean 'Kestrel review'" in resume_like.err and "--new" not in resume_like.err
    assert len(list(sessions_dir.glob("*.json"))) == 1  # nothing created


def test_new_refuses_a_name_that_already_has_a_review(
    cli: Callable[..., Run], answers: Path, sessions_dir: Path
) -> None:
    assert cli("answer", "Kestrel review", "--answers", str(answers), "--new").code == 0
    again = cli("answer", "kestrel REVIEW", "--answers", str(answers), "--new")
    assert again.code == 1
    assert "already exists" in again.err
    assert len(list(sessions_dir.glob("*.json"))) == 1


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda d: d.update(schema_version=99), id="newer-version"),
        pytest.param(lambda d: d.update(answers="not a mapping"), id="unreadable"),
    ],
)
def test_an_unreadable_review_is_never_forked(
    cli: Callable[..., Run],
    answers: Path,
    sessions_dir: Path,
    damage: Callable[[dict[str, object]], None],
) -> None:
    assert cli("answer", "Kestrel review", "--answers", str(answers), "--new").code == 0
    (path,) = sessions_dir.glob("*.json")
    data = json.loads(path.read_bytes())
    damage(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    before = path.read_bytes()
    plain = cli("answer", "Kestrel review", "--answers", str(answers))
    assert plain.code == 1
    assert str(path) in plain.err
    forked = cli("answer", "Kestrel review", "--answers", str(answers), "--new")
    assert forked.code == 1
    assert "not starting a second review" in forked.err
    assert sorted(p.name for p in sessions_dir.glob("*.json")) == [path.name]
    assert path.read_bytes() == before


def test_a_session_id_is_not_taken_as_a_new_name(cli: Callable[..., Run], answers: Path) -> None:
    result = cli("answer", "20260101-abcdef12", "--answers", str(answers), "--new")
    assert result.code == 1
    assert "looks like a session id" in result.err


def test_mistyped_command_and_choice_get_did_you_mean(cli: Callable[..., Run]) -> None:
    result = cli("scroe")
    assert result.code == 2
    assert "did you mean 'score'" in result.err
    result = cli("questions", "--questionnaire", "diligense")
    assert result.code == 2
    assert "did you mean 'diligence'" in result.err


def test_questions_lists_ids_labels_and_types(
    cli: Callable[..., Run], qset: QuestionnaireSet
) -> None:
    everything = cli("questions")
    assert everything.code == 0
    for question in (*qset.selection.questions(), *qset.diligence.questions()):
        assert question.id in everything.out
    first = next(iter(qset.selection.sections))
    only = cli("questions", "--section", first.id, "--json")
    rows = json.loads(only.out)
    assert [r["id"] for r in rows] == [q.id for q in first.questions]
    assert {r["section"] for r in rows} == {first.id}
    assert all(r["type"] and r["label"] for r in rows)
    diligence = json.loads(cli("questions", "--questionnaire", "diligence", "--json").out)
    assert {r["questionnaire"] for r in diligence} == {"diligence"}
    wrong = cli("questions", "--section", first.id[:-1] + "x")
    assert wrong.code == 1
    assert f"did you mean '{first.id}'" in wrong.err


def test_unknown_question_id_gets_did_you_mean(workspace: Workspace) -> None:
    from ddwizard.core.errors import DataError
    from ddwizard.core.usecases.apply_answers import apply_answer
    from ddwizard.core.usecases.open_review import create_review

    with create_review(workspace, "One answer") as handle:
        with pytest.raises(DataError, match=r"did you mean 'client\.regions'"):
            apply_answer(workspace, handle, "client.region", ["us"])
        apply_answer(workspace, handle, "client.regions", ["us"])
        assert handle.session.answers["client.regions"].value == ["us"]


def test_stale_days_setting_comes_from_the_environment(
    cli: Callable[..., Run], answers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DDWIZARD_STALE_DAYS", "soon")
    result = cli("score", str(answers))
    assert result.code == 1
    assert "DDWIZARD_STALE_DAYS" in result.err
    monkeypatch.setenv("DDWIZARD_STALE_DAYS", "30")
    assert Workspace.from_options(sessions_dir=Path("x")).settings == Settings(30)


def _saved_review(cli: Callable[..., Run], answers: Path, sessions_dir: Path) -> Path:
    assert cli("answer", "Kestrel review", "--answers", str(answers), "--new").code == 0
    (path,) = sessions_dir.glob("*.json")
    return path


def test_report_records_the_memo_and_verify_matches_it(
    cli: Callable[..., Run], answers: Path, sessions_dir: Path, tmp_path: Path
) -> None:
    path = _saved_review(cli, answers, sessions_dir)
    memo = tmp_path / "memo.md"
    result = cli("report", "Kestrel review", "-o", str(memo))
    assert result.code == 0, result.err
    assert memo.is_file()
    event = json.loads(path.read_bytes())["audit"][-1]
    assert event["action"] == "memo_generated"
    assert event["new"]["sha256"] == hashlib.sha256(memo.read_bytes()).hexdigest()
    assert cli("verify", "Kestrel review", "--memo", str(memo)).code == 0
    other = tmp_path / "other.md"
    other.write_text(memo.read_text("utf-8") + "\nedited\n", encoding="utf-8")
    refused = cli("verify", "Kestrel review", "--memo", str(other))
    assert refused.code == 1
    assert "not recorded in this session's audit trail" in refused.err


def test_report_refuses_a_tampered_session_unless_unverified(
    cli: Callable[..., Run], answers: Path, sessions_dir: Path, tmp_path: Path
) -> None:
    path = _saved_review(cli, answers, sessions_dir)
    data = json.loads(path.read_bytes())
    data["answers"]["reg.qualified_custodian"]["value"] = "no"  # edited by hand, no event
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    before = path.read_bytes()
    memo = tmp_path / "memo.html"
    refused = cli("report", "Kestrel review", "-o", str(memo))
    assert refused.code == 1
    assert "does not verify" in refused.err and "--unverified" in refused.err
    assert not memo.exists()
    assert path.read_bytes() == before
    marked = cli("report", "Kestrel review", "-o", str(memo), "--unverified")
    assert marked.code == 0, marked.err
    assert "INTEGRITY NOT VERIFIED" in marked.err
    assert "INTEGRITY NOT VERIFIED" in memo.read_text("utf-8")


def test_report_cleans_what_a_killed_writer_left(
    cli: Callable[..., Run], answers: Path, sessions_dir: Path, tmp_path: Path
) -> None:
    _saved_review(cli, answers, sessions_dir)
    memo = tmp_path / "memo.md"
    left = tmp_path / ".memo.md.1234.abcd.tmp"
    left.write_bytes(b"half a memo")
    live = StagedFile.write(memo, b"being written")  # a writer still at work keeps its file
    try:
        assert cli("report", "Kestrel review", "-o", str(memo)).code == 0
        assert not left.exists()
        assert live.tmp.exists()
    finally:
        live.discard()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".memo")) == []
    assert cleanup_stale_temps(memo) == []


def test_memo_is_rendered_without_holding_the_session_lock(
    sessions_dir: Path,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While the renderer runs, another process could open the review: the lock is free."""
    from ddwizard.core.report import render
    from ddwizard.core.usecases.open_review import create_review
    from ddwizard.core.usecases.write_memo import write_memo

    workspace = Workspace(sessions_dir=sessions_dir, qset=qset, catalog=catalog)
    with create_review(workspace, "Lock review") as handle:
        path = handle.path
    seen: list[bool] = []
    original = render.render_memo

    def render_and_probe(*args: Any, **kwargs: Any) -> render.RenderedMemo:
        with SessionStore(sessions_dir).open(path, qset, catalog):
            seen.append(True)  # would raise SessionLocked if the memo writer held it
        return original(*args, **kwargs)

    monkeypatch.setattr(render, "render_memo", render_and_probe)
    result = write_memo(workspace, "Lock review", tmp_path / "memo.md")
    assert seen == [True]
    assert result.path.is_file()


def test_demo_builds_on_the_use_cases(
    cli: Callable[..., Run], sessions_dir: Path, tmp_path: Path
) -> None:
    memo = tmp_path / "demo.md"
    first = cli("demo", "-o", str(memo))
    assert first.code == 0, first.err
    assert "created" in first.out and memo.is_file()
    second = cli("demo", "-o", str(memo))
    assert "updated" in second.out
    assert len(list(sessions_dir.glob("*.json"))) == 1


def test_workspace_loads_lazily(sessions_dir: Path) -> None:
    workspace = Workspace(sessions_dir=sessions_dir)
    assert not workspace.loaded
    workspace.preload()
    assert workspace.loaded
    assert workspace.store.root == sessions_dir


def test_final_needs_a_second_person_and_reopening_a_reason(
    cli: Callable[..., Run], answers: Path, sessions_dir: Path
) -> None:
    path = _saved_review(cli, answers, sessions_dir)  # prepared by A. Officer; provisional
    refused = cli("status", "Kestrel review", "final")
    assert refused.code == 1
    assert "cannot be final" in refused.err and "--reviewer NAME --rationale TEXT" in refused.err
    same = cli("status", "Kestrel review", "final", "--reviewer", "a. officer", "--rationale", "ok")
    assert same.code == 1 and "is the preparer" in same.err
    bare = cli("status", "Kestrel review", "final", "--reviewer", "B. Checker")
    assert bare.code == 1 and "rationale" in bare.err
    assert json.loads(path.read_bytes())["status"] == "in_progress"
    signed = cli(
        "status",
        "Kestrel review",
        "final",
        "--reviewer",
        "B. Checker",
        "--rationale",
        "Committee accepts the open conditions",
    )
    assert signed.code == 0, signed.err
    assert "signed off by override" in signed.out
    event = json.loads(path.read_bytes())["audit"][-1]
    assert event["new"] == {
        "status": "final",
        "override": True,
        "reviewer": "B. Checker",
        "rationale": "Committee accepts the open conditions",
    }
    reopen = cli("status", "Kestrel review", "in_progress")
    assert reopen.code == 1 and "reason" in reopen.err
    assert cli("status", "Kestrel review", "in_progress", "--reason", "new facts").code == 0
    misplaced = cli("status", "Kestrel review", "ready_for_review", "--reviewer", "B. Checker")
    assert misplaced.code == 1 and "signing a review off as final" in misplaced.err


def test_a_session_that_fails_verification_cannot_be_final(
    cli: Callable[..., Run], answers: Path, sessions_dir: Path
) -> None:
    path = _saved_review(cli, answers, sessions_dir)
    data = json.loads(path.read_bytes())
    data["preparer"] = "Someone Else"  # edited by hand, outside the trail
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    before = path.read_bytes()
    signed = ("--reviewer", "B. Checker", "--rationale", "looks fine")
    result = cli("status", "Kestrel review", "final", *signed)
    assert result.code == 1
    assert "does not verify" in result.err
    assert path.read_bytes() == before


def test_unknown_question_id_in_an_answers_file_gets_did_you_mean(
    cli: Callable[..., Run], tmp_path: Path
) -> None:
    typo = tmp_path / "typo.yaml"
    typo.write_text("answers:\n  client.regionz: [us]\n", encoding="utf-8")
    for command in (
        ("score", str(typo)),
        ("answer", "Typo review", "--answers", str(typo), "--new"),
    ):
        result = cli(*command)
        assert result.code == 1
        assert "unknown question id 'client.regionz' (did you mean 'client.regions'" in result.err
        assert f"{typo}:2" in result.err


def test_verify_memo_finds_a_wholesale_rewrite_of_the_trail(
    cli: Callable[..., Run], answers: Path, sessions_dir: Path, tmp_path: Path
) -> None:
    """An unkeyed chain recomputed from scratch verifies on its own; the memo shows it."""
    from ddwizard.core.sessions.audit import event_body, event_hash

    path = _saved_review(cli, answers, sessions_dir)
    memo = tmp_path / "memo.md"
    assert cli("report", "Kestrel review", "-o", str(memo)).code == 0
    text = memo.read_text("utf-8")
    head = json.loads(path.read_bytes())["audit"][-2]["hash"]  # before memo_generated
    assert head in text.replace("\u200b", "")
    data = json.loads(path.read_bytes())
    data["audit"][0]["actor"] = "Someone Else"  # rewrite the first event, re-seal all
    prev = data["audit"][0]["prev_hash"]
    from ddwizard.core.sessions.session import AuditEvent

    for raw in data["audit"]:
        raw["prev_hash"] = prev
        event = AuditEvent.model_validate(raw)
        raw["hash"] = prev = event_hash(prev, event_body(event))
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    result = cli("verify", "Kestrel review", "--memo", str(memo))
    assert result.code == 1
    assert "rewritten after the memo was written" in result.err


def test_a_preparer_is_recorded_once_from_an_answers_file_then_kept(
    cli: Callable[..., Run], tmp_path: Path, sessions_dir: Path
) -> None:
    bare = tmp_path / "bare.yaml"
    bare.write_text("answers:\n  client.regions: [us]\n", encoding="utf-8")
    assert cli("answer", "Osprey", "--answers", str(bare), "--new").code == 0
    (path,) = sessions_dir.glob("*.json")
    assert json.loads(path.read_bytes())["preparer"] is None
    # no preparer, no override: nobody can show the reviewer is a second person
    refused = cli("status", "Osprey", "final", "--reviewer", "B. Checker", "--rationale", "ok")
    assert refused.code == 1 and "record the preparer first" in refused.err
    named = tmp_path / "named.yaml"
    named.write_text("preparer: A. Officer\nanswers: {}\n", encoding="utf-8")
    assert cli("answer", "Osprey", "--answers", str(named)).code == 0
    saved = json.loads(path.read_bytes())
    assert saved["preparer"] == "A. Officer"
    assert [e["new"] for e in saved["audit"] if e["action"] == "preparer_recorded"] == [
        "A. Officer"
    ]
    assert cli("verify", "Osprey").code == 0
    other = tmp_path / "other.yaml"
    other.write_text("preparer: B. Checker\nanswers: {}\n", encoding="utf-8")
    assert cli("answer", "Osprey", "--answers", str(other)).code == 0
    assert json.loads(path.read_bytes())["preparer"] == "A. Officer"  # never replaced
    same = cli("status", "Osprey", "final", "--reviewer", "A. Officer", "--rationale", "ok")
    assert same.code == 1 and "is the preparer" in same.err


def test_a_memo_is_rendered_again_only_when_the_review_itself_changed(
    workspace: Workspace, tmp_path: Path
) -> None:
    from ddwizard.core.sessions.session import Position
    from ddwizard.core.usecases.open_review import create_review
    from ddwizard.core.usecases.write_memo import write_memo_of_handle

    handle = create_review(workspace, "Heron", preparer="A. Officer")
    with handle:
        handle.set_answer("client.regions", ["us"])
        renders: list[str] = []

        def moving(label: str) -> None:  # the user moves around while the memo renders
            if label.startswith("Rendering"):
                renders.append(label)
                handle.set_position(Position(screen="review", question=f"q{len(renders)}"))

        write_memo_of_handle(workspace, handle, tmp_path / "moved.md", on_step=moving)
        assert len(renders) == 1  # the position is not what the memo says: no second render
        renders.clear()

        def editing(label: str) -> None:  # an answer changes under the first render
            if label.startswith("Rendering"):
                renders.append(label)
                if len(renders) == 1:
                    handle.set_answer("client.aum_usd_m", 250)

        write_memo_of_handle(workspace, handle, tmp_path / "edited.md", on_step=editing)
        assert len(renders) == 2
        assert "250" in (tmp_path / "edited.md").read_text(encoding="utf-8")
