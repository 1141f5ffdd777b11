"""What the score, TUI and memo print, read as the signing officer reads it: every sentence true
in its context (robustness against the alternates, points versus criterion scores, standalone
conditions and exclusion reasons, the shortlist's excluded providers marked)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ddwizard.core.questionnaire import CRITERIA, CRITERION_LABELS
from ddwizard.core.results import Evaluation, RecommendationStatus, Tier

Score = Callable[[str], tuple[Any, Evaluation]]

EMEA_PENSION = """\
answers:
  client.entity_name: Rhine Pension Fund
  client.entity_type: pension_endowment
  client.regions: [eu, uk]
  reg.bank_backed: required
"""
US_SWISS_BANK = """\
answers:
  client.regions: [us, ch]
  reg.min_standing: bank
"""
ETF_NO_DILIGENCE = """\
answers:
  client.entity_type: etf_issuer
  client.regions: [us]
  reporting.soc1: yes
"""
STAKING = """\
answers:
  client.regions: [us]
  assets.staking: yes
  assets.staking_assets: [eth]
  assets.slashing_borne_by_provider: yes
"""
SHORTLIST_WITH_EXCLUDED = """\
answers:
  client.regions: [us]
shortlist: [sygnum, bitgo, coinbase-prime]
"""
MANDATES = (EMEA_PENSION, US_SWISS_BANK, ETF_NO_DILIGENCE, STAKING, SHORTLIST_WITH_EXCLUDED)


def _score_cli(answers: Path) -> subprocess.CompletedProcess[str]:
    """``ddwizard score`` on an answers file, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "ddwizard", "score", str(answers)],
        capture_output=True,
        text=True,
        check=False,
    )


def _names(evaluation: Evaluation, catalog: Any) -> dict[str, str]:
    return {p.id: p.name for p in catalog}


@pytest.mark.parametrize("mandate", MANDATES)
def test_robustness_agrees_with_the_alternates_and_tiers(
    score: Score, catalog: Any, mandate: str
) -> None:
    _, evaluation = score(mandate)
    rob = evaluation.robustness
    rec = evaluation.ranked(evaluation.recommendation or "")
    assert rec is not None
    names = _names(evaluation, catalog)
    if evaluation.alternates:
        # the runner-up is the next provider that could take the recommendation
        assert rob.runner_up == evaluation.alternates[0]
        runner = evaluation.ranked(rob.runner_up)
        assert runner is not None
        assert rob.margin == pytest.approx(rec.total - runner.total)
        assert "the only provider that can be recommended" not in rob.summary
        for pid in evaluation.alternates:
            tier = evaluation.tier_of(pid)
            assert tier is not None and tier.order >= rec.tier.order
            if tier.order > rec.tier.order:  # weights cannot bring it ahead: named as behind
                assert names[pid] in rob.summary
                assert "cannot move a provider across tiers" in rob.summary
    else:
        assert rob.runner_up is None
    # no weight can hand the recommendation to a provider of another tier
    for s in rob.sensitivities:
        for taker in (s.taker_below, s.taker_above):
            if taker is not None:
                assert evaluation.tier_of(taker) == rec.tier


def test_emea_pension_names_the_conditional_alternates(score: Score) -> None:
    _, evaluation = score(EMEA_PENSION)
    rec = evaluation.ranked(evaluation.recommendation or "")
    assert rec is not None and rec.tier == Tier.MEETS
    lower = [p for p in evaluation.alternates if evaluation.tier_of(p) == Tier.CONDITIONAL]
    assert lower, "the bundled data gives conditional alternates for this mandate"
    assert "the only provider of its tier (meets the mandate)" in evaluation.robustness.summary
    assert "(conditional) stay" in evaluation.robustness.summary or (
        "(conditional) stays" in evaluation.robustness.summary
    )


_CONTRIBUTION = re.compile(
    r"its largest contribution to the total is (?P<label>[A-Za-z]+): (?P<points>\d+\.\d) points "
    r"\(criterion score (?P<score>-?\d+) × weight (?P<weight>\d+(?:\.\d)?) %\)"
)


@pytest.mark.parametrize("mandate", MANDATES)
def test_explanations_say_points_of_the_total_not_criterion_scores(
    score: Score, mandate: str
) -> None:
    _, evaluation = score(mandate)
    total_weight = sum(evaluation.weights.values())
    for r in evaluation.eligible:
        text = r.explanation
        assert "weighted contribution" not in text
        # a criterion's label is never followed by a bare number in brackets, e.g. "UX (50)"
        for label in CRITERION_LABELS.values():
            assert not re.search(rf"{label} \(\d+\)", text), text
        points = {c: evaluation.weights[c] * r.criterion(c).score / total_weight for c in CRITERIA}
        match = _CONTRIBUTION.search(text)
        if match is None:
            continue  # a tie (several criteria) or nothing earned, tested below
        criterion = next(c for c, lab in CRITERION_LABELS.items() if lab == match["label"])
        assert float(match["points"]) == pytest.approx(points[criterion], abs=0.05)
        assert float(match["points"]) == pytest.approx(max(points.values()), abs=0.05)
        assert float(match["score"]) == pytest.approx(r.criterion(criterion).score)
        assert float(match["weight"]) == pytest.approx(
            100 * evaluation.weights[criterion] / total_weight, abs=0.05
        )


def test_a_provider_placed_after_a_lower_score_says_why_in_its_own_terms(score: Score) -> None:
    _, evaluation = score(EMEA_PENSION)
    for above, below in zip(evaluation.eligible, evaluation.eligible[1:], strict=False):
        if below.total <= above.total:
            continue
        if above.tier != below.tier:
            assert "(tier first, then score)" in below.explanation
        else:  # same tier: only profiled-before-not-profiled can place it after
            assert not below.profiled and above.profiled
            assert "tier first" not in below.explanation
            assert "placed after the profiled providers of its tier" in below.explanation


def _sentence(text: str) -> bool:
    return text[:1].isupper() and text.endswith((".", "?")) and "dd." not in text


@pytest.mark.parametrize("mandate", MANDATES)
def test_memo_facing_texts_are_standalone_sentences(score: Score, mandate: str) -> None:
    _, evaluation = score(mandate)
    assert _sentence(evaluation.recommendation_reason), evaluation.recommendation_reason
    for condition in evaluation.conditions:
        assert _sentence(condition.text), condition.text
    for exclusion in evaluation.excluded:
        for reason in exclusion.reasons:
            assert reason.startswith("Requirement “") and reason.endswith("."), reason
    for warning in evaluation.warnings:
        assert ".." not in warning.message


def test_us_swiss_bank_recommendation_is_labelled_conditional(score: Score) -> None:
    _, evaluation = score(US_SWISS_BANK)
    assert not any(r.tier == Tier.MEETS for r in evaluation.eligible)
    assert evaluation.recommendation not in evaluation.not_profiled
    assert evaluation.recommendation_status == RecommendationStatus.PROVISIONAL
    reason = evaluation.recommendation_reason
    assert reason.startswith("Provisional: No provider meets every hard requirement")
    assert "but it is conditional: the hard requirement" in reason
    # a region list naming the US (others unknown) leaves only CH to confirm
    anchorage = evaluation.ranked("anchorage-digital")
    assert anchorage is not None
    regions = next(u for u in anchorage.unconfirmed if u.requirement == "regions")
    assert regions.to_confirm.endswith("onboard clients in CH")


def test_one_condition_per_unconfirmed_fact(score: Score) -> None:
    """The unconfirmed SOC 1 requirement and its unanswered diligence question are one
    condition, not two."""
    _, evaluation = score(ETF_NO_DILIGENCE)
    soc1 = [c for c in evaluation.conditions if "SOC 1" in c.text]
    assert len(soc1) == 1
    assert "the diligence question on it is not answered yet" in soc1[0].text
    assert not any(c.question_id == "dd.soc1_type2" for c in evaluation.conditions)


def test_etf_leader_answering_soc1_no_is_excluded_quoting_the_answer(score: Score) -> None:
    _, before = score(ETF_NO_DILIGENCE)
    leader = before.recommendation
    assert leader is not None
    _, evaluation = score(
        ETF_NO_DILIGENCE
        + f"diligence:\n  {leader}:\n"
        + "    dd.soc1_type2: {value: no, evidence: seen_doc, document_date: 2026-05-31}\n"
    )
    reasons = next(e.reasons for e in evaluation.excluded if e.provider_id == leader)
    assert any(
        r.startswith(
            "Requirement “SOC 1 Type II report” breached: SOC 1 Type II answered No on 2026-05-31"
        )
        for r in reasons
    )
    finding = next(f for f in evaluation.red_flags if f.provider_id == leader)
    assert finding.breaches_mandate and finding.severity.value == "high"
    assert evaluation.recommendation != leader
    assert leader not in evaluation.alternates


@pytest.mark.parametrize(("answer", "severity"), [("shared", "medium"), ("client_bears", "high")])
def test_slashing_not_borne_by_the_provider_breaches_and_excludes(
    score: Score, answer: str, severity: str
) -> None:
    _, before = score(STAKING)
    leader = before.recommendation
    assert leader is not None
    _, evaluation = score(
        STAKING
        + f"diligence:\n  {leader}:\n"
        + f"    dd.slashing_treatment: {{value: {answer}, evidence: seen_doc, "
        + "document_date: 2026-05-31}\n"
    )
    finding = next(f for f in evaluation.red_flags if f.question_id == "dd.slashing_treatment")
    assert finding.provider_id == leader and finding.breaches_mandate
    assert finding.severity.value == severity
    assert evaluation.tier_of(leader) == Tier.EXCLUDED
    reasons = next(e.reasons for e in evaluation.excluded if e.provider_id == leader)
    assert any("Slashing treatment answered " in r and "on 2026-05-31" in r for r in reasons)


def test_an_excluded_provider_on_the_shortlist_is_marked_not_dropped(
    score: Score, write_answers: Callable[[str], Path]
) -> None:
    _, evaluation = score(SHORTLIST_WITH_EXCLUDED)
    assert evaluation.shortlist_excluded == ("sygnum",)
    assert "sygnum" not in evaluation.shortlist
    assert evaluation.to_json()["shortlist_excluded"] == ["sygnum"]
    result = _score_cli(write_answers(SHORTLIST_WITH_EXCLUDED))
    assert result.returncode == 0, result.stderr
    assert "Shortlisted but excluded (no diligence, never recommended; see Excluded): Sygnum" in (
        result.stdout
    )


def test_score_text_labels_a_conditional_recommendation_everywhere(
    write_answers: Callable[[str], Path],
) -> None:
    result = _score_cli(write_answers(US_SWISS_BANK))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    recommended = next(line for line in out.splitlines() if line.startswith("Recommended: "))
    assert recommended.endswith("(conditional)")
    alternates = next(line for line in out.splitlines() if line.startswith("Alternates: "))
    assert "(meets the mandate)" not in alternates and "(conditional)" in alternates
    assert "Status: provisional" in out and "Status: supported" not in out


def test_no_recommendation_names_the_shortlisted_providers_and_what_would_change_it(
    score: Score, write_answers: Callable[[str], Path]
) -> None:
    mandate = "answers:\n  client.regions: [us]\nshortlist: [sygnum, hex-trust]\n"
    _, evaluation = score(mandate)
    assert evaluation.recommendation is None
    assert evaluation.recommendation_status == RecommendationStatus.NONE
    assert evaluation.shortlist == () and evaluation.shortlist_excluded == ("sygnum", "hex-trust")
    text = evaluation.conditions[0].text
    assert "Sygnum Bank and Hex Trust are excluded (a hard requirement breached)" in text
    assert "critical finding" not in text  # none was raised: never named as a cause
    suggested = [e.provider_id for e in evaluation.eligible if e.profiled][:1]
    assert suggested and evaluation.ranked(suggested[0]) is not None
    assert "Shortlist a provider that can be recommended (e.g. " in text
    assert evaluation.recommendation_reason.startswith(text)
    result = _score_cli(write_answers(mandate))
    assert "Why there is no recommendation, and what would change it" in result.stdout
    assert "Conditions before the recommendation is supported" not in result.stdout


def test_a_provider_passed_over_for_a_critical_finding_is_named_without_question_ids(
    score: Score,
) -> None:
    _, before = score(STAKING)
    leader = before.recommendation
    assert leader is not None
    _, evaluation = score(
        STAKING
        + f"shortlist: [{leader}, {', '.join(before.alternates)}]\n"
        + f"diligence:\n  {leader}:\n"
        + "    dd.rehypothecation: {value: 'yes', evidence: seen_doc, document_date: 2026-05-31}\n"
    )
    assert evaluation.recommendation != leader
    reason = evaluation.recommendation_reason
    assert "has an open critical finding (" in reason and "so it is passed over" in reason
    assert "dd." not in reason
    ranked = evaluation.ranked(leader)
    assert ranked is not None and ranked.blocked_by
    assert "dd." not in ranked.explanation
    assert "It cannot be recommended until its critical finding is resolved" in ranked.explanation


@pytest.mark.parametrize(
    "weights",
    [
        "{liquidity: 5, security: 50, coverage: 15, costs: 10, ux: 10, support: 10}",
        "{liquidity: 0, security: 0, coverage: 0, costs: 100, ux: 0, support: 0}",
        "{liquidity: 20, security: 20, coverage: 20, costs: 20, ux: 10, support: 10}",
    ],
)
def test_robustness_and_ties_under_other_weights(score: Score, weights: str) -> None:
    _, evaluation = score(EMEA_PENSION + f"  priorities.weights: {weights}\n")
    rob = evaluation.robustness
    if evaluation.alternates:
        assert "the only provider that can be recommended" not in rob.summary
        assert rob.runner_up == evaluation.alternates[0]
    for r in evaluation.eligible:
        if "its largest contributions to the total are " in r.explanation:
            assert " points each (" in r.explanation


def test_a_tie_for_the_largest_contribution_names_every_criterion(score: Score) -> None:
    _, evaluation = score(EMEA_PENSION)
    zodia = evaluation.ranked("zodia")
    assert zodia is not None
    # Security 20 x 25 % and UX 50 x 10 % both give 5.0 points of the total
    assert "its largest contributions to the total are Security and UX: 5.0 points each" in (
        zodia.explanation
    )
