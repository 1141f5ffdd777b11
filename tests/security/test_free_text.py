"""Free-text rules (core/text.py): control characters refused, limits enforced, fields named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ddwizard.core.answers import Answer
from ddwizard.core.errors import DataError
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.text import (
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    check_free_text,
    free_text_problem,
)


@pytest.mark.parametrize(
    "evil",
    ["\x1b]0;title\x07", "\x1b[2J", "a\x00b", "\x7f", "\x9b31m", "\u202eevil", "line\rfeed"],
)
def test_control_characters_are_refused_with_the_field(evil: str) -> None:
    with pytest.raises(DataError) as info:
        check_free_text(evil, field="name", max_len=MAX_NAME_LENGTH, file="a.yaml")
    problem = info.value.problems[0]
    assert problem.field == "name" and problem.file == "a.yaml"
    assert "control character" in problem.message and "U+" in problem.message


def test_line_breaks_and_tabs_only_in_multiline_text() -> None:
    assert check_free_text("a\n\tb\r\nc", field="note", max_len=100, multiline=True) == "a\n\tb\nc"
    assert free_text_problem("a\nb", max_len=100) is not None
    assert free_text_problem("Zürich — 東京 ✓", max_len=100) is None


def test_length_limits_and_non_text() -> None:
    assert free_text_problem("x" * MAX_NAME_LENGTH, max_len=MAX_NAME_LENGTH) is None
    too_long = free_text_problem("x" * (MAX_NAME_LENGTH + 1), max_len=MAX_NAME_LENGTH)
    assert too_long is not None and "at most 500" in too_long
    for value, kind in (({"a": 1}, "a mapping"), (["a"], "a list"), (None, "nothing")):
        with pytest.raises(DataError, match=f"expected text, got {kind}"):
            check_free_text(value, field="note", max_len=10)


def test_answers_apply_the_rules() -> None:
    with pytest.raises(ValueError, match="control character"):
        Answer(value="Acme\x1b[2J")
    with pytest.raises(ValueError, match="control character"):
        Answer(value=["us", "e\x00u"])
    with pytest.raises(ValueError, match="too large"):
        Answer(value=10**40)
    with pytest.raises(ValueError, match="not finite"):
        Answer(value=float("inf"))
    with pytest.raises(ValueError, match="too long"):
        Answer(value="yes", note="n" * (MAX_NOTE_LENGTH + 1))
    assert Answer(value="yes", note="two\nlines").note == "two\nlines"


def test_paths_and_lock_notes_are_shown_escaped(tmp_path: Path) -> None:
    from ddwizard.core.sessions.locking import LockInfo
    from ddwizard.core.sessions.records import memo_generated
    from ddwizard.core.text import printable

    assert printable("memo\x1b[2J.pdf") == "memo\\x1b[2J.pdf"
    assert printable("a\u202eb") == "a\\u202eb"
    record = memo_generated("out/\x1b]0;x\x07.pdf", "ab" * 32, "pdf")
    assert "\x1b" not in json.dumps(record, ensure_ascii=False)
    note = tmp_path / "x.json.lock"
    note.write_text(
        json.dumps({"pid": 1, "host": "h\x1b[2J", "user": "u", "time": "t", "token": "k"}),
        encoding="utf-8",
    )
    holder = LockInfo.read(note)
    assert holder is not None and holder.host == "h\\x1b[2J"


def test_audit_events_with_escape_codes_are_refused(
    tmp_path: Path, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    from ddwizard.core.sessions.store import CorruptSession, SessionStore, read_session_file

    with SessionStore(tmp_path).create("Events", qset, catalog) as handle:
        handle.set_answer("client.regions", ["us"], note="two\nlines")
    original = handle.path.read_bytes()
    assert read_session_file(handle.path).answers["client.regions"].note == "two\nlines"
    for field, value in (
        ("target", "q\x1b[2J"),
        ("actor", "\x07"),
        ("new", {"note": "\x00"}),
        ("detail", "\u202e"),
    ):
        doc = json.loads(original)
        doc["audit"][-1][field] = value
        handle.path.write_text(json.dumps(doc, ensure_ascii=field == "actor"), encoding="utf-8")
        with pytest.raises(CorruptSession, match=rf"audit\[\d+\]\.{field}: contains a control"):
            read_session_file(handle.path)
