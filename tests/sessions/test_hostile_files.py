"""Session folders with hostile or odd files: each refused on its own, naming the file.

One damaged file never hides the others; a review that exists but cannot be read is never
forked by a new one of the same name; concurrent creations of one name make one review.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ddwizard.core.errors import DataError
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.sessions.audit import verify_session
from ddwizard.core.sessions.store import (
    CorruptSession,
    SessionExists,
    SessionNotFound,
    SessionStore,
    SessionTooNew,
    read_session_file,
)


@pytest.fixture()
def good(store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog) -> Path:
    with store.create("Good review", qset, catalog) as handle:
        handle.set_answer("client.regions", ["us"])
    return handle.path


def copy_as(good: Path, sid: str, change: Callable[[dict[str, Any]], None]) -> Path:
    doc = json.loads(good.read_bytes())
    doc["id"] = sid
    change(doc)
    path = good.with_name(f"{sid}.json")
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_deeply_nested_file_is_isolated(
    store: SessionStore, good: Path, cli: Callable[..., Any]
) -> None:
    deep = good.with_name("20261130-deadbeef.json")
    deep.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    before = deep.read_bytes()
    summaries = {s.path.name: s for s in store.list()}
    assert summaries[good.name].error is None
    assert summaries[deep.name].status == "corrupt"
    assert "nested too deeply" in (summaries[deep.name].error or "")
    assert store.resolve("Good review") == good
    with pytest.raises(CorruptSession, match="nested too deeply"):
        read_session_file(deep)
    listed = cli("sessions")
    assert listed.code == 0 and "Good review" in listed.out and "Traceback" not in listed.err
    assert str(deep) in listed.err
    assert deep.read_bytes() == before


def test_newer_version_is_named_as_such_and_never_forked(
    store: SessionStore, good: Path, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    future = copy_as(
        good,
        "20261130-0000aaaa",
        lambda d: d.update(schema_version=7, name="Future review", written_by="0.9"),
    )
    before = future.read_bytes()
    summary = next(s for s in store.list() if s.path == future)
    assert summary.status == "newer version"
    assert "made by a newer ddwizard 0.9" in summary.name
    with pytest.raises(SessionTooNew, match=r"made by ddwizard 0\.9"):
        store.resolve("Future review")
    with pytest.raises(SessionExists, match="cannot be opened"):
        store.create("Future review", qset, catalog, unique_name=True)
    assert future.read_bytes() == before
    assert len(list(store.root.glob("*.json"))) == 2


def test_unreadable_file_with_a_readable_name_is_never_forked(
    store: SessionStore, good: Path, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    broken = copy_as(good, "20261130-0000bbbb", lambda d: d.update(name="Broken", status="?"))
    with pytest.raises(CorruptSession, match=r"status"):
        store.resolve("Broken")
    with pytest.raises(SessionExists):
        store.create("broken", qset, catalog, unique_name=True)
    with pytest.raises(SessionExists, match="already exists"):
        store.create("Good review", qset, catalog, unique_name=True)
    with pytest.raises(SessionNotFound) as missing:
        store.resolve("Nothing like it")
    assert missing.value.unreadable == [broken]


def test_huge_numbers_bom_and_control_characters(good: Path) -> None:
    big = good.with_name("20261130-0000cccc.json")
    text = good.read_text(encoding="utf-8")
    big.write_text(text.replace('"seq":1,', '"seq":' + "9" * 5000 + ",", 1), encoding="utf-8")
    with pytest.raises(CorruptSession) as info:
        read_session_file(big)
    assert "too large" in str(info.value) and "int_max_str_digits" not in str(info.value)

    bom = good.with_name("20261130-0000dddd.json")
    bom.write_bytes(b"\xef\xbb\xbf" + good.read_bytes())
    assert read_session_file(bom).name == "Good review"
    assert verify_session(read_session_file(bom)).ok

    escape = copy_as(good, "20261130-0000eeee", lambda d: d.update(name="Evil\x1b]0;pwned\x07"))
    with pytest.raises(CorruptSession) as info:
        read_session_file(escape)
    assert "name" in str(info.value) and "control character" in str(info.value)
    assert str(escape) in str(info.value)


def test_sessions_dir_that_is_a_file(
    tmp_path: Path, answers_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ddwizard.cli import main

    not_a_folder = tmp_path / "plain-file"
    not_a_folder.write_text("x", encoding="utf-8")
    for args in (["sessions"], ["answer", "X", "--new", "--answers", str(answers_path)]):
        assert main(["--sessions-dir", str(not_a_folder), *args]) == 1
        err = capsys.readouterr().err
        assert "is a file, not a folder" in err and "File exists" not in err
    assert not_a_folder.read_text(encoding="utf-8") == "x"


CREATE = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from ddwizard.core.loading import load_providers, load_questionnaires
    from ddwizard.core.sessions.store import SessionExists, SessionStore

    qset, catalog = load_questionnaires(), load_providers()
    go = Path(sys.argv[2])
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    try:
        SessionStore(Path(sys.argv[1])).create(
            "Same name", qset, catalog, unique_name=True
        ).close()
        print("created")
    except SessionExists:
        print("refused")
    """
)


def test_concurrent_creations_of_one_name_make_one_review(
    store: SessionStore, tmp_path: Path
) -> None:
    store.root.mkdir(parents=True, exist_ok=True)
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CREATE, str(store.root), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for proc in procs:  # all loaded and waiting: then they start together
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    go.touch()
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outcomes.append(out.strip())
    assert sorted(outcomes) == ["created", "refused", "refused", "refused"]
    assert [s.name for s in store.list()] == ["Same name"]


def test_answers_file_free_text_rules(
    write_answers: Callable[[str, str], Path], qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    from ddwizard.core.answers import parse_answers_file

    escapes = write_answers(
        """\
        name: "Review \\e[2J"
        answers:
          client.entity_name: "Acme\\0 Fund"
        diligence:
          zodia:
            dd.incidents: {value: none, reference: "ref\\x1b"}
        """,
        "escapes.yaml",
    )
    with pytest.raises(DataError) as info:
        parse_answers_file(escapes, qset, catalog)
    by_field = {p.field: p for p in info.value.problems}
    assert "control character" in by_field["name"].message and by_field["name"].line == 1
    assert "control character" in by_field["answers.client.entity_name"].message
    assert "control character" in by_field["diligence.zodia.dd.incidents.reference"].message
    assert all(p.file == str(escapes) for p in info.value.problems)
    assert all("\x1b" not in str(p) and "\x00" not in str(p) for p in info.value.problems)

    shapes = write_answers(
        """\
        answers:
          client.entity_name: {value: {a: mapping}}
          client.regions:
            value: [us]
            note: {a: mapping}
          reg.qualified_custodian:
            value: yes
            note: [a, list]
        """,
        "shapes.yaml",
    )
    with pytest.raises(DataError) as info:
        parse_answers_file(shapes, qset, catalog)
    by_field = {p.field: p for p in info.value.problems}
    assert "expected text, got a mapping" in by_field["answers.client.entity_name"].message
    assert "mapping" in by_field["answers.client.regions.note"].message
    assert "list" in by_field["answers.reg.qualified_custodian.note"].message
    assert all(p.file == str(shapes) and p.line for p in info.value.problems)


def test_truncated_file_is_still_recognised_by_its_name(
    store: SessionStore, good: Path, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    raw = good.read_bytes()
    good.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(CorruptSession, match="not valid JSON"):
        store.resolve("good review")
    with pytest.raises(SessionExists, match="appears to be the review 'Good review'"):
        store.create("Good Review", qset, catalog, unique_name=True)
    assert good.read_bytes() == raw[: len(raw) // 2]
    assert list(store.root.glob("*.json")) == [good]
