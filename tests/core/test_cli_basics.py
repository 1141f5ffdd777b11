"""The stable CLI contract: version, help, usage errors, global options before or after."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ddwizard import __version__
from ddwizard.cli import build_parser


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ddwizard", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )


def test_version_and_help() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"ddwizard {__version__}"
    help_text = run_cli("--help").stdout
    for command in ("new", "resume", "sessions", "answer", "score", "report", "validate", "demo"):
        assert command in help_text


def test_usage_error_exits_2_without_traceback() -> None:
    result = run_cli("score")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "SESSION" in result.stderr
    result = run_cli("no-such-command")
    assert result.returncode == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["--sessions-dir", "/x/before", "sessions"],
        ["sessions", "--sessions-dir", "/x/before"],
    ],
)
def test_global_options_before_or_after_command(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert args.command == "sessions"
    assert args.sessions_dir == Path("/x/before")


def test_global_option_after_command_overrides_before() -> None:
    args = build_parser().parse_args(
        ["--providers", "/a", "validate", "--providers", "/b", "--questionnaires", "/q"]
    )
    assert args.providers == Path("/b")
    assert args.questionnaires == Path("/q")


def test_global_option_before_command_is_kept_when_not_repeated() -> None:
    args = build_parser().parse_args(["--providers", "/a", "score", "s1"])
    assert args.providers == Path("/a")
    assert args.questionnaires is None


def test_validate_bundled_data_from_another_folder(tmp_path: Path) -> None:
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "providers" in result.stdout and "questionnaires" in result.stdout


def test_validate_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("validate", "--providers", str(tmp_path / "nope"))
    assert result.returncode == 1
    assert "providers folder not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_schema_writes_json_schema(tmp_path: Path) -> None:
    import json

    result = run_cli("schema", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    provider = json.loads((tmp_path / "ddwizard-provider.schema.json").read_text())
    questionnaire = json.loads((tmp_path / "ddwizard-questionnaire.schema.json").read_text())
    assert provider["additionalProperties"] is False
    assert "ratings" in provider["required"]
    assert "sections" in questionnaire["properties"]
