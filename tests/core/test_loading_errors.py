"""Broken questionnaire folders get one clear message per problem, naming file and line.

Each case copies the bundled questionnaires into a temporary folder, breaks one thing, and
checks both the library (``DataError`` with file and line) and the command line
(``ddwizard validate`` exits 1, prints ``file:line`` on stderr, never a traceback).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ddwizard.core.errors import DataError, Problem
from ddwizard.core.loading import load_questionnaires
from ddwizard.core.yamlio import MAX_YAML_BYTES

SELECTION = "selection.yaml"
DILIGENCE = "diligence.yaml"


def copy_bundled(repo_root: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "questionnaires"
    shutil.copytree(repo_root / "questionnaires", folder)
    return folder


def line_of(path: Path, text: str) -> int:
    """1-based line of the first line containing ``text``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run_validate(folder: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ddwizard", "validate", "--questionnaires", str(folder)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@dataclass(frozen=True)
class Breakage:
    """How to break a copy; returns (file broken, expected line or None, words in message)."""

    name: str
    apply: Callable[[Path], tuple[str, int | None, str]]


def bad_indentation(folder: Path) -> tuple[str, int | None, str]:
    path = folder / SELECTION
    line = line_of(path, "      - id: client.entity_type")
    replace_once(path, "      - id: client.entity_type\n", "    - id: client.entity_type\n")
    return SELECTION, line, "malformed YAML"


def unknown_field(folder: Path) -> tuple[str, int | None, str]:
    path = folder / SELECTION
    replace_once(path, "        required: true\n", "        required: true\n        colour: red\n")
    return SELECTION, line_of(path, "colour: red"), "unknown field"


def wrong_type(folder: Path) -> tuple[str, int | None, str]:
    path = folder / SELECTION
    replace_once(
        path, '        min: 0\n        unit: "USD m"', '        min: lots\n        unit: "USD m"'
    )
    return SELECTION, line_of(path, "min: lots"), "valid number"


def unknown_answer_type(folder: Path) -> tuple[str, int | None, str]:
    path = folder / DILIGENCE
    replace_once(
        path,
        "      - id: dd.bcp_tested\n        type: yn",
        "      - id: dd.bcp_tested\n        type: boolean",
    )
    return DILIGENCE, line_of(path, "type: boolean"), "boolean"


def duplicate_question_id(folder: Path) -> tuple[str, int | None, str]:
    path = folder / DILIGENCE
    replace_once(path, "- id: dd.exit_terms\n", "- id: dd.fee_schedule_received\n")
    second = [
        number
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "- id: dd.fee_schedule_received" in line
    ][1]
    return DILIGENCE, second, "duplicate question id"


def undefined_choice_in_condition(folder: Path) -> tuple[str, int | None, str]:
    path = folder / SELECTION
    replace_once(
        path,
        "in: [us_adviser_fund, non_us_fund, etf_issuer]",
        "in: [us_adviser_fund, non_us_fund, etf_sponsor]",
    )
    return SELECTION, line_of(path, "etf_sponsor") - 2, "'etf_sponsor' is not a choice"


def unknown_question_in_condition(folder: Path) -> tuple[str, int | None, str]:
    path = folder / DILIGENCE
    replace_once(path, "lt: {question: client.aum_usd_m}", "lt: {question: client.aum_usd_bn}")
    # The problem points at the rule's 'when', three lines above the operand (when / all / -).
    return DILIGENCE, line_of(path, "client.aum_usd_bn") - 3, "unknown question 'client.aum_usd_bn'"


def condition_cycle(folder: Path) -> tuple[str, int | None, str]:
    path = folder / SELECTION
    replace_once(
        path,
        "        prompt: What kind of institution is it?\n",
        "        prompt: What kind of institution is it?\n"
        "        show_if: {question: client.sec_registered_adviser, answered: true}\n",
    )
    return SELECTION, line_of(path, "- id: client.entity_type"), "cycle"


def python_tag(folder: Path) -> tuple[str, int | None, str]:
    path = folder / SELECTION
    marker = folder.parent / "MARKER"
    replace_once(
        path,
        "title: Custody mandate",
        f'title: !!python/object/apply:os.system ["touch {marker}"]',
    )
    return SELECTION, line_of(path, "!!python"), "tags are not allowed"


def non_utf8(folder: Path) -> tuple[str, int | None, str]:
    path = folder / DILIGENCE
    line = line_of(path, "title: Provider due diligence")
    raw = path.read_bytes().replace(b"Provider due", b"Provider \xff\xfe due", 1)
    path.write_bytes(raw)
    return DILIGENCE, line, "UTF-8"


def empty_file(folder: Path) -> tuple[str, int | None, str]:
    (folder / SELECTION).write_bytes(b"")
    return SELECTION, None, "empty"


def comments_only(folder: Path) -> tuple[str, int | None, str]:
    (folder / DILIGENCE).write_text("# nothing here yet\n", encoding="utf-8")
    return DILIGENCE, None, "empty"


def oversized_file(folder: Path) -> tuple[str, int | None, str]:
    path = folder / SELECTION
    padding = "# " + "x" * 1000 + "\n"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + padding * (MAX_YAML_BYTES // len(padding) + 10), encoding="utf-8")
    assert path.stat().st_size > 2 * 1024 * 1024
    return SELECTION, None, "too large"


def duplicate_key(folder: Path) -> tuple[str, int | None, str]:
    path = folder / SELECTION
    replace_once(path, "title: Custody mandate\n", "title: Custody mandate\ntitle: Second title\n")
    return SELECTION, line_of(path, "title: Second title"), "duplicate key 'title'"


def wrong_kind(folder: Path) -> tuple[str, int | None, str]:
    path = folder / DILIGENCE
    replace_once(path, "kind: diligence\n", "kind: selection\n")
    return DILIGENCE, None, "expected kind 'diligence'"


BREAKAGES = [
    Breakage("bad indentation", bad_indentation),
    Breakage("unknown field", unknown_field),
    Breakage("wrong type", wrong_type),
    Breakage("unknown answer type", unknown_answer_type),
    Breakage("duplicate question id", duplicate_question_id),
    Breakage("undefined choice in condition", undefined_choice_in_condition),
    Breakage("unknown question in condition", unknown_question_in_condition),
    Breakage("condition cycle", condition_cycle),
    Breakage("python tag", python_tag),
    Breakage("non-UTF-8 bytes", non_utf8),
    Breakage("empty file", empty_file),
    Breakage("comments only", comments_only),
    Breakage("oversized file", oversized_file),
    Breakage("duplicate YAML key", duplicate_key),
    Breakage("wrong kind", wrong_kind),
]


def matching(problems: tuple[Problem, ...], words: str) -> list[Problem]:
    return [p for p in problems if words.lower() in p.message.lower()]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=[b.name for b in BREAKAGES])
def test_loader_names_file_and_line(repo_root: Path, tmp_path: Path, breakage: Breakage) -> None:
    folder = copy_bundled(repo_root, tmp_path)
    filename, line, words = breakage.apply(folder)
    with pytest.raises(DataError) as caught:
        load_questionnaires(folder)
    found = matching(caught.value.problems, words)
    assert found, f"no problem mentions {words!r}: {caught.value}"
    problem = found[0]
    assert problem.file == str(folder / filename)
    if line is not None:
        assert problem.line == line, str(problem)
        assert f"{folder / filename}:{line}" in str(problem)
    assert not (tmp_path / "MARKER").exists()


@pytest.mark.parametrize("breakage", BREAKAGES, ids=[b.name for b in BREAKAGES])
def test_validate_command_reports_without_traceback(
    repo_root: Path, tmp_path: Path, breakage: Breakage
) -> None:
    folder = copy_bundled(repo_root, tmp_path)
    filename, line, words = breakage.apply(folder)
    result = run_validate(folder, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    where = f"{folder / filename}:{line}" if line is not None else str(folder / filename)
    assert where in result.stderr
    assert words.lower() in result.stderr.lower()
    assert "problem(s) found" in result.stderr
    assert not (tmp_path / "MARKER").exists()


def test_python_tag_is_never_executed(repo_root: Path, tmp_path: Path) -> None:
    folder = copy_bundled(repo_root, tmp_path)
    python_tag(folder)
    for _ in range(2):
        with pytest.raises(DataError):
            load_questionnaires(folder)
    assert not (tmp_path / "MARKER").exists()
    assert run_validate(folder, cwd=tmp_path).returncode == 1
    assert not (tmp_path / "MARKER").exists()


def test_every_problem_is_reported_across_files(repo_root: Path, tmp_path: Path) -> None:
    folder = copy_bundled(repo_root, tmp_path)
    unknown_field(folder)
    diligence = folder / DILIGENCE
    replace_once(
        diligence,
        "        type: single\n        prompt: How are client assets",
        "        type: single\n        shape: round\n        prompt: How are client assets",
    )
    expected = {
        f"{folder / SELECTION}:{line_of(folder / SELECTION, 'colour: red')}",
        f"{diligence}:{line_of(diligence, 'shape: round')}",
    }
    with pytest.raises(DataError) as caught:
        load_questionnaires(folder)
    assert {f"{p.file}:{p.line}" for p in caught.value.problems} == expected
    result = run_validate(folder, cwd=tmp_path)
    assert result.returncode == 1
    for where in expected:
        assert where in result.stderr
    assert "2 problem(s) found" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_problem_is_reported_within_a_file(repo_root: Path, tmp_path: Path) -> None:
    folder = copy_bundled(repo_root, tmp_path)
    unknown_field(folder)
    wrong_type(folder)
    with pytest.raises(DataError) as caught:
        load_questionnaires(folder)
    messages = " | ".join(str(p) for p in caught.value.problems)
    assert len(caught.value.problems) == 2, messages
    assert "unknown field" in messages and "valid number" in messages


def test_every_cross_reference_problem_is_reported(repo_root: Path, tmp_path: Path) -> None:
    folder = copy_bundled(repo_root, tmp_path)
    undefined_choice_in_condition(folder)
    unknown_question_in_condition(folder)
    with pytest.raises(DataError) as caught:
        load_questionnaires(folder)
    files = sorted(Path(p.file or "").name for p in caught.value.problems)
    assert files == [DILIGENCE, SELECTION]
    assert all(p.line is not None for p in caught.value.problems)


def test_missing_folder_and_missing_file(tmp_path: Path, repo_root: Path) -> None:
    with pytest.raises(DataError) as caught:
        load_questionnaires(tmp_path / "nowhere")
    assert caught.value.problems[0].file == str(tmp_path / "nowhere")
    folder = copy_bundled(repo_root, tmp_path)
    (folder / DILIGENCE).unlink()
    with pytest.raises(DataError) as caught:
        load_questionnaires(folder)
    assert caught.value.problems[0].file == str(folder / DILIGENCE)
    assert "not found" in caught.value.problems[0].message


def test_intact_copy_validates(repo_root: Path, tmp_path: Path) -> None:
    folder = copy_bundled(repo_root, tmp_path)
    assert (
        load_questionnaires(folder).versions
        == load_questionnaires(repo_root / "questionnaires").versions
    )
    result = run_validate(folder, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout and "questionnaires" in result.stdout


def test_validate_bundled_data_from_another_directory(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ddwizard", "validate"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "questionnaires" in result.stdout


def test_provider_alternatives_are_named_with_their_line_and_not_cascaded(
    repo_root: Path, tmp_path: Path
) -> None:
    from ddwizard.core.loading import load_providers

    folder = tmp_path / "providers"
    shutil.copytree(repo_root / "providers", folder)
    komainu = folder / "komainu.yaml"
    replace_once(komainu, "alternatives: [zodia, bitgo]", "alternatives: [zodia, bitgo-prime]")
    # A broken profile is reported once: the profiles naming it as an alternative are not.
    replace_once(folder / "zodia.yaml", "\nname: ", "\nname: [broken\n_: ")
    with pytest.raises(DataError) as caught:
        load_providers(folder)
    found = [(Path(p.file or "").name, p.line, p.field) for p in caught.value.problems]
    assert len(found) == 2, found
    assert ("komainu.yaml", line_of(komainu, "alternatives:"), "alternatives[1]") in found
    assert {name for name, *_ in found} == {"komainu.yaml", "zodia.yaml"}
