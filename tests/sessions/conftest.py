"""Helpers for the session tests: a store in a tmp folder, answers files, the CLI in-process."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ddwizard.cli import main
from ddwizard.core.sessions.store import SessionStore

ANSWERS_YAML = """\
name: Acme Fund custody review
preparer: A. Officer
answers:
  client.entity_name: Acme Fund LP
  client.entity_type: us_adviser_fund
  client.regions: [us]
  reg.qualified_custodian: yes
  controls.key_tech: mpc
  priorities.weights: {liquidity: 30, security: 25, coverage: 15, costs: 15, ux: 10, support: 5}
shortlist: [coinbase-prime, anchorage-digital]
diligence:
  anchorage-digital:
    dd.wallet_model: {value: segregated_per_client, evidence: seen_doc, document_date: 2026-03-31}
    dd.soc2_type2: yes
"""


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture()
def store(sessions_dir: Path) -> SessionStore:
    return SessionStore(sessions_dir)


@pytest.fixture()
def write_answers(tmp_path: Path) -> Callable[[str, str], Path]:
    def write(text: str, name: str = "answers.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture()
def answers_path(write_answers: Callable[[str, str], Path]) -> Path:
    return write_answers(ANSWERS_YAML, "acme.yaml")


@pytest.fixture()
def cli(capsys: pytest.CaptureFixture[str], sessions_dir: Path) -> Callable[..., CliResult]:
    """Run ``ddwizard --sessions-dir <tmp> ARGS`` in-process."""

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = main(["--sessions-dir", str(sessions_dir), *args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
