"""An answers file naming another preparer than the review's: the review keeps its own, and
``ddwizard answer`` says so instead of ignoring the file's silently."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.sessions.conftest import ANSWERS_YAML

PREPARED_BY = "preparer: A. Officer\n"


def with_preparer(line: str) -> str:
    return ANSWERS_YAML.replace(PREPARED_BY, line)


def recorded_preparer(sessions_dir: Path) -> Any:
    (path,) = sessions_dir.glob("*.json")
    return json.loads(path.read_bytes())["preparer"]


def test_a_file_naming_another_preparer_is_applied_with_a_warning(
    cli: Callable[..., Any],
    answers_path: Path,
    write_answers: Callable[[str, str], Path],
    sessions_dir: Path,
) -> None:
    assert cli("answer", "acme", "--answers", str(answers_path), "--new").code == 0
    other = write_answers(
        with_preparer("preparer: B. Other\n").replace("Acme Fund LP", "Acme Fund II LP"),
        "other.yaml",
    )
    result = cli("answer", "acme", "--answers", str(other))
    assert result.code == 0, result.err
    assert (
        "warning: the answers file names preparer 'B. Other' but this review was prepared by "
        "'A. Officer'; the review keeps 'A. Officer'\n"
    ) in result.err
    assert "client.entity_name: Acme Fund LP -> Acme Fund II LP" in result.out  # still applied
    assert recorded_preparer(sessions_dir) == "A. Officer"
    assert cli("verify", "acme").code == 0


def test_the_same_preparer_written_another_way_is_not_a_mismatch(
    cli: Callable[..., Any],
    answers_path: Path,
    write_answers: Callable[[str, str], Path],
    sessions_dir: Path,
) -> None:
    assert cli("answer", "acme", "--answers", str(answers_path), "--new").code == 0
    for line in ("preparer: a. officer\n", "preparer: A.  Officer, Head of Compliance\n"):
        result = cli("answer", "acme", "--answers", str(write_answers(with_preparer(line), "a")))
        assert result.code == 0, result.err
        assert "preparer" not in result.err
    assert recorded_preparer(sessions_dir) == "A. Officer"


def test_a_review_without_a_preparer_takes_the_files_without_a_warning(
    cli: Callable[..., Any],
    write_answers: Callable[[str, str], Path],
    sessions_dir: Path,
) -> None:
    anonymous = write_answers(with_preparer(""), "anonymous.yaml")
    assert cli("answer", "acme", "--answers", str(anonymous), "--new").code == 0
    assert recorded_preparer(sessions_dir) is None
    named = write_answers(with_preparer("preparer: B. Other\n"), "named.yaml")
    result = cli("answer", "acme", "--answers", str(named))
    assert result.code == 0, result.err
    assert "preparer: B. Other" in result.out and "warning" not in result.err
    assert recorded_preparer(sessions_dir) == "B. Other"


def test_a_new_review_prepared_by_someone_else_than_the_file_says_warns(
    cli: Callable[..., Any], answers_path: Path, sessions_dir: Path
) -> None:
    result = cli("answer", "acme", "--answers", str(answers_path), "--new", "--preparer", "C. Lead")
    assert result.code == 0, result.err
    assert (
        "warning: the answers file names preparer 'A. Officer' but this review was prepared by "
        "'C. Lead'; the review keeps 'C. Lead'"
    ) in result.err
    assert recorded_preparer(sessions_dir) == "C. Lead"
