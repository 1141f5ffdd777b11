"""Unreadable session files are reported clearly, point at the backup, and are never touched."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.sessions.store import CorruptSession, SessionStore, backup_path, lock_path


def saved_twice(store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog) -> Path:
    with store.create("Damaged review", qset, catalog) as handle:
        handle.set_answer("client.entity_name", "Acme Fund LP")
        handle.set_answer("client.regions", ["us"])
    return handle.path


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def invalid_field(path: Path) -> None:
    data = json.loads(path.read_bytes())
    data["answers"]["client.regions"]["needs_reconfirmation"] = "perhaps"
    path.write_text(json.dumps(data, indent=2))


def not_json(path: Path) -> None:
    path.write_bytes(b"this is not a session\n")


def unknown_status(path: Path) -> None:
    data = json.loads(path.read_bytes())
    data["status"] = "approved"
    path.write_text(json.dumps(data, indent=2))


def empty(path: Path) -> None:
    path.write_bytes(b"")


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "truncated": (truncate, "not valid JSON at line"),
    "invalid field": (invalid_field, 'answers["client.regions"].needs_reconfirmation'),
    "not json": (not_json, "not valid JSON at line 1, column 1"),
    "unknown status": (unknown_status, "status"),
    "empty": (empty, "empty"),
}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_damaged_file_is_reported_and_left_alone(
    kind: str, store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    path = saved_twice(store, qset, catalog)
    damage, expected = DAMAGE[kind]
    damage(path)
    damaged = path.read_bytes()
    backup = backup_path(path).read_bytes()

    for attempt in (
        lambda: store.load(path, qset, catalog),
        lambda: store.open(path, qset, catalog),
        lambda: store.open(path.stem, qset, catalog),  # by id, resolved from the file name
    ):
        with pytest.raises(CorruptSession) as info:
            attempt()
        message = str(info.value)
        assert str(path) in message
        assert expected in message
        assert str(backup_path(path)) in message
        assert f"cp {backup_path(path)} {path}" in message
        assert "was not changed" in message

    assert path.read_bytes() == damaged
    assert backup_path(path).read_bytes() == backup
    assert not lock_path(path).exists()
    summary = next(s for s in store.list(qset) if s.path == path)
    assert summary.status == "corrupt"
    assert summary.error is not None and str(path) in summary.error
    # Restoring the backup as the message says gives a working session again.
    path.write_bytes(backup)
    assert store.load(path, qset, catalog).answers["client.entity_name"].value == "Acme Fund LP"


def test_corrupt_without_backup_says_so(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    with store.create("Only one save", qset, catalog) as handle:
        path = handle.path
    truncate(path)
    with pytest.raises(CorruptSession, match="No backup"):
        store.load(path, qset, catalog)


def test_newer_schema_is_refused_not_overwritten(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    path = saved_twice(store, qset, catalog)
    data = json.loads(path.read_bytes())
    data["schema_version"] = 99
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    with pytest.raises(Exception, match="newer ddwizard"):
        store.open(path, qset, catalog)
    assert path.read_bytes() == before


@pytest.mark.parametrize("command", ["verify", "score", "status", "answer"])
def test_cli_reports_corrupt_session_with_exit_1(
    command: str,
    cli: Callable[..., object],
    store: SessionStore,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    answers_path: Path,
) -> None:
    path = saved_twice(store, qset, catalog)
    truncate(path)
    damaged = path.read_bytes()
    extra = {
        "verify": [],
        "score": [],
        "status": ["final"],
        "answer": ["--answers", str(answers_path)],
    }[command]
    for ref in (path.stem, str(path)):
        result = cli(command, ref, *extra)
        assert result.code == 1  # type: ignore[attr-defined]
        assert "Traceback" not in result.err  # type: ignore[attr-defined]
        assert str(path) in result.err  # type: ignore[attr-defined]
        assert "backup" in result.err  # type: ignore[attr-defined]
    assert path.read_bytes() == damaged
    assert sorted(p.name for p in store.root.iterdir()) == [path.name, backup_path(path).name]


def test_cli_sessions_lists_corrupt_files(
    cli: Callable[..., object],
    store: SessionStore,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
) -> None:
    path = saved_twice(store, qset, catalog)
    not_json(path)
    result = cli("sessions")
    assert result.code == 0  # type: ignore[attr-defined]
    assert "corrupt" in result.out  # type: ignore[attr-defined]
    listed = json.loads(cli("sessions", "--json").out)  # type: ignore[attr-defined]
    assert listed[0]["status"] == "corrupt"
    assert str(path) in listed[0]["error"]
