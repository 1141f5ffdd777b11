"""``ddwizard score`` end to end, in a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

MANDATE = """\
name: Acme US adviser custody review
preparer: A. Officer
answers:
  client.entity_name: Acme Capital Management LLC
  client.entity_type: us_adviser_fund
  client.sec_registered_adviser: yes
  client.regions: [us]
  reg.qualified_custodian: yes
  assets.staking: yes
  assets.slashing_borne_by_provider: yes
  controls.policy_engine: yes
  priorities.weights: {liquidity: 30, security: 25, coverage: 15, costs: 15, ux: 10, support: 5}
shortlist: [coinbase-prime, anchorage-digital]
diligence:
  coinbase-prime:
    dd.wallet_model: {value: commingled, evidence: seen_doc, document_date: 2020-01-31}
  anchorage-digital:
    dd.wallet_model: {value: segregated_per_client, evidence: seen_doc}
    dd.soc2_type2: yes
"""


def _score(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ddwizard", "score", str(path), *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_json_contract(write_answers: Callable[[str], Path]) -> None:
    result = _score(write_answers(MANDATE), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # nothing but JSON on stdout
    for key in (
        "eligible",
        "excluded",
        "recommendation",
        "red_flags",
        "open_items",
        "warnings",
        "robustness",
    ):
        assert key in data
    ranked = [e["provider"] for e in data["eligible"]]
    assert ranked[0] == "coinbase-prime" and "anchorage-digital" in ranked
    first = data["eligible"][0]
    assert set(first) >= {"provider", "score", "criteria", "explanation"}
    assert set(first["criteria"]) == {"liquidity", "security", "coverage", "costs", "ux", "support"}
    assert data["recommendation"] == "anchorage-digital"
    assert "Commingled wallets" in data["recommendation_reason"]
    excluded = {e["provider"]: e["reasons"] for e in data["excluded"]}
    assert any("does not serve US" in r for r in excluded["hex-trust"])
    flags = {(f["provider"], f["question"], f["source"]): f["severity"] for f in data["red_flags"]}
    assert flags[("coinbase-prime", "dd.wallet_model", "diligence")] == "critical"
    assert flags[("coinbase-prime", "dd.wallet_model", "stale_evidence")] == "medium"
    assert data["robustness"]["recommendation"] == "anchorage-digital"
    assert data["robustness"]["verdict"] in ("stable", "sensitive")
    # the decision rules (DECISIONS.md): tiers, status, conditions, mandate breaches
    assert {row["tier"] for row in data["eligible"]} <= {"meets", "conditional"}
    anchorage = next(row for row in data["eligible"] if row["provider"] == "anchorage-digital")
    assert anchorage["unconfirmed"] == ["slashing losses borne by the provider"]
    assert anchorage["tier"] == "conditional"
    assert data["recommendation_status"] == "provisional"
    assert data["conditions"] and all(isinstance(c, str) for c in data["conditions"])
    assert all(isinstance(f["breaches_mandate"], bool) for f in data["red_flags"])


def test_identical_input_gives_identical_output(write_answers: Callable[[str], Path]) -> None:
    path = write_answers(MANDATE)
    for extra in (("--json",), ()):
        first, second = _score(path, *extra), _score(path, *extra)
        assert first.returncode == second.returncode == 0
        assert first.stdout == second.stdout
        assert first.stdout


def test_readable_report(write_answers: Callable[[str], Path]) -> None:
    result = _score(write_answers(MANDATE))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for heading in (
        "Recommendation",
        "Ranking of eligible providers",
        "Excluded",
        "Red flags",
        "Open items",
        "Mandate warnings",
        "Robustness",
    ):
        assert heading in out
    assert "Recommended: Anchorage Digital Bank" in out
    assert "Status: provisional" in out
    assert "Conditions before the recommendation is supported" in out
    assert "1. Confirm with Anchorage Digital Bank: that it bears slashing" in out
    assert "conditional" in out  # the tier column
    assert "Hex Trust" in out and "does not serve US" in out
    assert "critical" in out and "Commingled wallets" in out
    assert "\x1b[" not in out  # no colour codes when piped


def test_bad_answers_file_exits_1_with_file_and_line(write_answers: Callable[[str], Path]) -> None:
    path = write_answers("answers:\n  client.regions: [us]\n  reg.min_standing: bank_only\n")
    result = _score(path, "--json")
    assert result.returncode == 1
    assert result.stdout == ""
    assert f"{path}:3" in result.stderr and "reg.min_standing" in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_yaml_and_missing_file(write_answers: Callable[[str], Path], tmp_path: Path) -> None:
    broken = _score(write_answers("answers:\n  client.regions: [us\n"), "--json")
    assert broken.returncode == 1 and "Traceback" not in broken.stderr
    assert "answers-" in broken.stderr
    missing = _score(tmp_path / "nope.yaml", "--json")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr


def test_ignored_answers_warn_on_stderr_only(write_answers: Callable[[str], Path]) -> None:
    path = write_answers("answers:\n  assets.staking: no\n  assets.staking_assets: [eth]\n")
    result = _score(path, "--json")
    assert result.returncode == 0
    assert "assets.staking_assets" in result.stderr and "ignored" in result.stderr
    data = json.loads(result.stdout)
    assert any("assets.staking_assets" in note for note in data["answers_ignored"])


def test_saved_session_scores_like_its_answers_file(
    write_answers: Callable[[str], Path], sessions_dir: Path
) -> None:
    path = write_answers(MANDATE)
    created = subprocess.run(
        [
            sys.executable,
            "-m",
            "ddwizard",
            "--sessions-dir",
            str(sessions_dir),
            "answer",
            "acme-review",
            "--answers",
            str(path),
            "--new",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    from_session = _score_ref("acme-review", "--json", "--sessions-dir", str(sessions_dir))
    assert from_session.returncode == 0, from_session.stderr
    from_file = json.loads(_score(path, "--json").stdout)
    session_data = json.loads(from_session.stdout)
    for key in ("eligible", "excluded", "recommendation", "red_flags", "shortlist", "robustness"):
        assert session_data[key] == from_file[key], key


def _score_ref(ref: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ddwizard", "score", ref, *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_user_text_is_printed_literally(write_answers: Callable[[str], Path]) -> None:
    path = write_answers('name: "[bold red]Acme[/] review"\nanswers:\n  client.regions: [us]\n')
    result = _score(path)
    assert result.returncode == 0, result.stderr
    assert "Custody review: [bold red]Acme[/] review" in result.stdout


def test_text_report_names_questions_by_their_wording_and_counts_open_items_once(
    write_answers: Callable[[str], Path],
) -> None:
    path = write_answers(MANDATE)
    text = _score(path)
    assert text.returncode == 0, text.stderr
    data = json.loads(_score(path, "--json").stdout)
    # findings name the question as people read it; the JSON keeps the ids
    assert "How are client assets held" in text.stdout
    assert "dd.wallet_model" not in text.stdout
    assert any(f["question"] == "dd.wallet_model" for f in data["red_flags"])
    # the heading's count is the shortlist's open items, the count the TUI and memo show
    shortlist = set(data["shortlist"])
    counted = [o for o in data["open_items"] if o.get("provider") in shortlist | {None}]
    assert f"Open items: {len(counted)} facts still to confirm" in text.stdout
