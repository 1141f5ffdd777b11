"""Answers files as the matching engine receives them: every mistake named, nothing half-read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ddwizard.core.answers import parse_answers_file
from ddwizard.core.errors import DataError
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet

Writer = Callable[[str], Path]


def _problems(path: Path, qset: QuestionnaireSet, catalog: ProviderCatalog) -> list[str]:
    with pytest.raises(DataError) as info:
        parse_answers_file(path, qset, catalog)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(
    ("body", "names", "line"),
    [
        ("answers:\n  client.bogus_question: yes\n", ["client.bogus_question"], 2),
        ("answers:\n  reg.min_standing: bank_only\n", ["reg.min_standing", "bank_only"], 2),
        ("answers:\n  client.regions: [us, mars]\n", ["client.regions", "mars"], 2),
        ("answers:\n  reg.qualified_custodian: maybe\n", ["reg.qualified_custodian", "maybe"], 2),
        ("answers:\n  client.aum_usd_m: lots\n", ["client.aum_usd_m", "expected a number"], 2),
        ("answers:\n  client.aum_usd_m: -1\n", ["client.aum_usd_m", "at least 0"], 2),
        ("answers:\n  controls.min_approvers: 11\n", ["controls.min_approvers", "at most 10"], 2),
        (
            "answers:\n  client.regions: [us]\ndiligence:\n  acme-custody:\n    dd.wallet_model: commingled\n",
            ["acme-custody", "unknown provider id"],
            4,
        ),
        ("shortlist: [coinbase-prime, nobody]\n", ["nobody", "unknown provider id"], 1),
        (
            "answers:\n  priorities.weights: {liquidity: 30, security: 25, coverage: 15,"
            " costs: 15, ux: 10, support: 10}\n",
            ["priorities.weights", "sum to 100", "105"],
            2,
        ),
        (
            "answers:\n  priorities.weights: {liquidity: 30, security: 25, coverage: 15,"
            " costs: 15, ux: 15}\n",
            ["priorities.weights", "support"],
            2,
        ),
        (
            "diligence:\n  gemini:\n    dd.wallet_model: shared\n",
            ["dd.wallet_model", "shared"],
            3,
        ),
        (
            "diligence:\n  gemini:\n    dd.soc2_type2: {value: yes, evidence: rumour}\n",
            ["dd.soc2_type2", "evidence"],
            3,
        ),
        (
            "diligence:\n  gemini:\n    dd.soc2_type2: {value: yes, document_date: 2026-02-30}\n",
            ["invalid value", "day is out of range"],
            3,
        ),
        (
            "diligence:\n  gemini:\n    dd.soc2_type2: {value: yes, document_date: 2062-03-31}\n",
            ["dd.soc2_type2.document_date", "2062-03-31 is in the future", "check the year"],
            3,
        ),
        (
            "answers:\n  client.regions: [us]\n  client.regions: [eu]\n",
            ["duplicate key 'client.regions'"],
            3,
        ),
        (
            "answers:\n  priorities.weights: {liquidity: 30, security: 25, coverage: 15,"
            " costs: 15, ux: 10, support: 5.5}\n",
            ["priorities.weights", "whole number"],
            2,
        ),
        (
            "answers:\n  dd.wallet_model: commingled\n",
            ["dd.wallet_model", "diligence question"],
            2,
        ),
    ],
)
def test_bad_answers_are_named_with_their_line(
    body: str,
    names: list[str],
    line: int,
    write_answers: Writer,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
) -> None:
    path = write_answers(body)
    problems = _problems(path, qset, catalog)
    assert len(problems) == 1, problems
    for name in names:
        assert name in problems[0]
    assert f"{path}:{line}:" in problems[0]


def test_every_problem_is_reported_not_just_the_first(
    write_answers: Writer, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    path = write_answers(
        """\
        answers:
          client.regions: [us, mars]
          reg.qualified_custodian: maybe
          client.bogus: 1
        diligence:
          nobody: {dd.soc2_type2: yes}
        """
    )
    problems = _problems(path, qset, catalog)
    assert len(problems) == 4
    assert [p.split(":")[1] for p in problems] == ["2", "3", "4", "6"]


def test_yaml_booleans_and_mapping_form_are_accepted(
    write_answers: Writer, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    path = write_answers(
        """\
        answers:
          reg.qualified_custodian: yes
          assets.staking: {value: no, note: "not needed this year"}
          priorities.weights: {value: {liquidity: 10, security: 40, coverage: 20, costs: 10, ux: 10, support: 10}}
        diligence:
          zodia:
            dd.soc2_type2: {value: true, evidence: seen_doc, document_date: 2026-03-31, reference: "SOC2-2025"}
        """
    )
    parsed = parse_answers_file(path, qset, catalog)
    sheet = parsed.sheet
    assert sheet.value("reg.qualified_custodian") == "yes"
    assert sheet.selection["assets.staking"].value == "no"
    assert sheet.selection["assets.staking"].note == "not needed this year"
    assert sheet.weights == {
        "liquidity": 10,
        "security": 40,
        "coverage": 20,
        "costs": 10,
        "ux": 10,
        "support": 10,
    }
    answer = sheet.diligence["zodia"]["dd.soc2_type2"]
    assert (answer.value, answer.evidence, str(answer.document_date)) == (
        "yes",
        "seen_doc",
        "2026-03-31",
    )
    assert parsed.warnings == ()


def test_default_weights_when_not_answered(
    write_answers: Writer, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    parsed = parse_answers_file(write_answers("answers:\n  client.regions: [us]\n"), qset, catalog)
    assert parsed.sheet.weights == {
        "liquidity": 30,
        "security": 25,
        "coverage": 15,
        "costs": 15,
        "ux": 10,
        "support": 5,
    }


def test_conditional_answers_are_ignored_with_a_warning(score: object) -> None:
    parsed, evaluation = score(  # type: ignore[operator]
        """\
        answers:
          client.entity_type: family_office
          client.sec_registered_adviser: yes
          assets.staking: no
          assets.staking_assets: [eth]
        diligence:
          gemini:
            dd.slashing_treatment: client_bears
        """
    )
    assert len(parsed.warnings) == 3
    assert any("client.sec_registered_adviser" in w and "ignored" in w for w in parsed.warnings)
    assert any("assets.staking_assets" in w for w in parsed.warnings)
    assert any("dd.slashing_treatment" in w and "gemini" in w for w in parsed.warnings)
    ignored = " ".join(evaluation.answers_ignored)
    assert "client.sec_registered_adviser" in ignored
    assert "dd.slashing_treatment" in ignored
    # the ignored SEC answer must not trigger the qualified-custodian warning
    assert "qualified_custodian_likely_required" not in {w.code for w in evaluation.warnings}
    # the ignored slashing answer raises no finding
    assert not [f for f in evaluation.red_flags if f.question_id == "dd.slashing_treatment"]


def test_a_document_dated_tomorrow_is_accepted_the_day_after_is_not(
    write_answers: Writer, qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    """One day of slack for time zones; later dates are typos that would also hide staleness."""
    now = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    body = "diligence:\n  gemini:\n    dd.soc2_type2: {{value: yes, document_date: {}}}\n"
    parsed = parse_answers_file(write_answers(body.format("2026-11-30")), qset, catalog, now=now)
    assert parsed.sheet.diligence["gemini"]["dd.soc2_type2"].document_date == date(2026, 11, 30)
    with pytest.raises(DataError) as info:
        parse_answers_file(write_answers(body.format("2026-12-01")), qset, catalog, now=now)
    assert "2026-12-01 is in the future (today is 2026-11-29)" in str(info.value.problems[0])
