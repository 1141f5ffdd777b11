"""DECISIONS.md scenarios: mandates of the kind a held-out review brings, built in the test.

Each test writes an answers file, evaluates it on the bundled data and checks what the engine
may conclude: tiers, exclusions quoting their basis, the recommendation's status and its
conditions, findings judged against the mandate, and the sign-off rule.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from ddwizard.core.answers import Answer, AnswerSheet, diligence_lookup
from ddwizard.core.matching import evaluate
from ddwizard.core.results import (
    ConditionKind,
    Evaluation,
    RecommendationStatus,
    RequirementState,
    Tier,
)
from ddwizard.core.settings import Settings
from ddwizard.core.signoff import SignoffCheck, check_final

Score = Callable[[str], tuple[Any, Evaluation]]


def _doc(value: str, day: str = "2026-03-31") -> str:
    return f"{{value: {value}, evidence: seen_doc, document_date: {day}}}"


def _excluded(evaluation: Evaluation) -> dict[str, tuple[str, ...]]:
    return {e.provider_id: e.reasons for e in evaluation.excluded}


def test_bank_backed_required_emea_pension(score: Score) -> None:
    _, evaluation = score(
        """\
answers:
  client.entity_type: pension_endowment
  client.regions: [eu, uk, ch]
  reg.bank_backed: required
  reg.min_standing: trust_or_bank
"""
    )
    for r in evaluation.eligible:
        bank = next(c for c in r.requirements if c.requirement == "bank_backed")
        if bank.state == RequirementState.UNCONFIRMED:
            assert r.tier == Tier.CONDITIONAL
            assert "bank-backed" in [u.label for u in r.unconfirmed]
    # nobody is excluded for a bank backing the profile does not state
    for reasons in _excluded(evaluation).values():
        assert not any("bank-backed" in r for r in reasons)
    # the recommendation, if any, is never an unprofiled provider and is at best provisional
    assert evaluation.recommendation not in evaluation.not_profiled
    if evaluation.recommendation is not None:
        assert evaluation.recommendation_status == RecommendationStatus.PROVISIONAL


def test_us_and_swiss_bank_mandate_recommends_no_unprofiled_provider(score: Score) -> None:
    _, evaluation = score(
        """\
answers:
  client.regions: [us, ch]
  reg.min_standing: bank
  reg.bank_backed: required
"""
    )
    tiers = [r.tier.order for r in evaluation.eligible]
    assert tiers == sorted(tiers)
    assert evaluation.not_profiled  # e.g. providers stating none of the three facts
    for pid in evaluation.not_profiled:
        ranked = evaluation.ranked(pid)
        assert ranked is not None and not ranked.profiled
        assert not any(c.state == RequirementState.MET for c in ranked.requirements)
        assert pid != evaluation.recommendation
        assert pid not in evaluation.alternates
        assert pid not in evaluation.shortlist  # the default shortlist skips them
    data = evaluation.to_json()
    assert data["recommendation_status"] in ("provisional", "none")
    assert all(row["tier"] in ("meets", "conditional") for row in data["eligible"])


ETF = """\
answers:
  client.entity_type: etf_issuer
  client.regions: [us]
  reg.qualified_custodian: yes
  reporting.soc1: yes
shortlist: [coinbase-prime, anchorage-digital, bitgo]
diligence:
  coinbase-prime:
    dd.soc1_type2: {value: no, evidence: seen_doc, document_date: 2026-03-31}
"""


def test_etf_issuer_whose_leader_answers_soc1_no(score: Score) -> None:
    _, evaluation = score(ETF)
    reasons = _excluded(evaluation)["coinbase-prime"]
    assert any("SOC 1 Type II answered No on 2026-03-31" in r for r in reasons)
    finding = next(f for f in evaluation.red_flags if f.question_id == "dd.soc1_type2")
    assert finding.provider_id == "coinbase-prime"
    assert finding.breaches_mandate and finding.severity.rank >= 3
    soc1 = next(
        c
        for e in evaluation.excluded
        if e.provider_id == "coinbase-prime"
        for c in e.requirements
        if c.requirement == "soc1"
    )
    assert soc1.state == RequirementState.BREACHED
    assert soc1.profile_basis.startswith("the profile:")  # both kept for display
    assert evaluation.recommendation != "coinbase-prime"
    assert "coinbase-prime" not in evaluation.shortlist
    flags = evaluation.to_json()["red_flags"]
    assert any(f["breaches_mandate"] for f in flags)


def test_no_diligence_answered_is_provisional_with_conditions(score: Score) -> None:
    _, evaluation = score(
        """\
answers:
  client.regions: [us]
  settlement.trade_from_custody: yes
  controls.policy_engine: yes
"""
    )
    assert evaluation.recommendation == "coinbase-prime"
    assert evaluation.recommendation_status == RecommendationStatus.PROVISIONAL
    kinds = {c.kind for c in evaluation.conditions}
    assert ConditionKind.UNANSWERED_QUESTION in kinds
    assert ConditionKind.REVIEWER_PROCESS in kinds
    reviewer = next(c for c in evaluation.conditions if c.kind == ConditionKind.REVIEWER_PROCESS)
    assert "not a fault of the provider" in reviewer.text
    progress = evaluation.diligence_progress["coinbase-prime"]
    assert progress.answered == 0 and progress.asked > 0
    reason = evaluation.recommendation_reason
    assert reason.startswith("Provisional: Coinbase Prime Custody")
    assert f"0 of {progress.asked} questions answered" in reason
    assert "no red flag" not in reason.lower()
    data = evaluation.to_json()
    assert data["recommendation_status"] == "provisional"
    assert data["conditions"] == [c.text for c in evaluation.conditions]


STAKING = """\
answers:
  client.regions: [us]
  assets.staking: yes
  assets.slashing_borne_by_provider: yes
shortlist: [coinbase-prime, anchorage-digital]
diligence:
  coinbase-prime:
    dd.slashing_treatment: {treatment}
"""


@pytest.mark.parametrize(
    ("treatment", "severity"), [("shared", "medium"), ("client_bears", "high")]
)
def test_staking_mandate_slashing_not_borne_by_the_provider(
    score: Score, treatment: str, severity: str
) -> None:
    _, evaluation = score(STAKING.format(treatment=treatment))
    finding = next(f for f in evaluation.red_flags if f.question_id == "dd.slashing_treatment")
    assert finding.severity == severity and finding.breaches_mandate
    assert "coinbase-prime" in _excluded(evaluation)
    assert evaluation.recommendation != "coinbase-prime"


def test_staking_mandate_slashing_borne_by_the_provider_meets_it(score: Score) -> None:
    text = STAKING.format(treatment=_doc("provider_indemnifies"))
    _, evaluation = score(text)
    check = next(
        c
        for c in evaluation.ranked("coinbase-prime").requirements  # type: ignore[union-attr]
        if c.requirement == "slashing"
    )
    assert check.state == RequirementState.MET
    assert "Slashing treatment answered" in check.basis
    # on the provider's claim only, it stays unconfirmed
    _, claimed = score(
        STAKING.format(treatment="{value: provider_indemnifies, evidence: provider_claim}")
    )
    ranked = claimed.ranked("coinbase-prime")
    assert ranked is not None and ranked.tier == Tier.CONDITIONAL


def test_alternates_come_only_from_the_explicit_shortlist(score: Score) -> None:
    _, evaluation = score(
        """\
answers:
  client.regions: [us]
shortlist: [gemini, bitgo]
"""
    )
    assert set(evaluation.shortlist) <= {"gemini", "bitgo"}
    assert evaluation.recommendation in evaluation.shortlist
    assert set(evaluation.alternates) <= set(evaluation.shortlist)


def test_claims_and_stale_documents_confirm_nothing(score: Score) -> None:
    _, evaluation = score(
        """\
answers:
  client.regions: [us]
  reporting.soc2: yes
shortlist: [bitgo]
diligence:
  bitgo:
    dd.soc2_type2: {value: yes, evidence: provider_claim}
    dd.rehypothecation: {value: no, evidence: none}
    dd.bankruptcy_opinion: {value: yes, evidence: seen_doc, document_date: 2024-01-31}
"""
    )
    bitgo = evaluation.ranked("bitgo")
    assert bitgo is not None and bitgo.tier == Tier.CONDITIONAL  # SOC 2 on a claim
    unverified = {
        o.question_id
        for o in evaluation.open_items_for("bitgo")
        if o.topic == "diligence unverified"
    }
    assert {"dd.soc2_type2", "dd.rehypothecation"} <= unverified
    assert any(
        f.source == "stale_evidence" and f.question_id == "dd.bankruptcy_opinion"
        for f in evaluation.red_flags
    )
    assert not evaluation.confirmed_for("bitgo")


def test_staleness_follows_the_settings(score: Score, qset: Any, catalog: Any) -> None:
    parsed, _ = score(
        """\
answers:
  reporting.soc2: yes
diligence:
  bitgo:
    dd.soc2_type2: {value: yes, evidence: seen_doc, document_date: 2026-01-31}
"""
    )
    today = datetime.date(2026, 6, 30)
    lenient = evaluate(qset, catalog, parsed.sheet, today=today)
    strict = evaluate(qset, catalog, parsed.sheet, today=today, settings=Settings(90))
    assert lenient.ranked("bitgo").requirements[0].state == "met"  # type: ignore[union-attr]
    assert strict.ranked("bitgo").requirements[0].state == "unconfirmed"  # type: ignore[union-attr]


def test_unknown_on_high_and_critical_questions(score: Score) -> None:
    _, evaluation = score(
        """\
answers:
  client.regions: [us]
shortlist: [bitgo]
diligence:
  bitgo:
    dd.rehypothecation: unknown
    dd.audited_financials: unknown
    dd.key_ceremony_documented: unknown
"""
    )
    found = {f.question_id: f for f in evaluation.red_flags if f.provider_id == "bitgo"}
    assert found["dd.rehypothecation"].severity == "high"  # critical rule -> high
    assert found["dd.audited_financials"].severity == "medium"  # high rule -> medium
    assert found["dd.audited_financials"].message.startswith("Not disclosed")
    limited = found["dd.disclosure_quality"]
    assert limited.severity == "high" and "Limited disclosures" in limited.message


def test_weights_rationale_and_relevance(score: Score) -> None:
    _, evaluation = score(
        """\
answers:
  client.regions: [us]
  priorities.weights: {liquidity: 40, security: 20, coverage: 15, costs: 15, ux: 5, support: 5}
"""
    )
    codes = {w.code for w in evaluation.warnings}
    assert {"weight_not_relevant", "weights_rationale_missing"} <= codes
    assert any(c.kind == ConditionKind.WEIGHTS_RATIONALE for c in evaluation.conditions)
    _, noted = score(
        """\
answers:
  client.regions: [us]
  priorities.weights:
    value: {liquidity: 40, security: 20, coverage: 15, costs: 15, ux: 5, support: 5}
    note: We trade daily through the custodian's venue.
"""
    )
    assert "weights_rationale_missing" not in {w.code for w in noted.warnings}


def test_final_needs_support_or_a_second_persons_override(score: Score) -> None:
    _, evaluation = score("answers:\n  client.regions: [us]\n")
    assert evaluation.recommendation_status == RecommendationStatus.PROVISIONAL
    refused = check_final(evaluation, preparer="Ann Lee")
    assert not refused.allowed and "not supported" in refused.reasons[0]
    same = check_final(evaluation, preparer="Ann Lee", reviewer=" ann  lee ", rationale="ok")
    assert not same.allowed and "second person" in same.reasons[0]
    titled = check_final(
        evaluation,
        preparer="Ann Lee, Head of Compliance",
        reviewer="ANN  lee",
        rationale="ok",
    )
    assert not titled.allowed and "second person" in titled.reasons[0]
    role_in_brackets = check_final(
        evaluation, preparer="Ann Lee (Compliance)", reviewer="ann lee", rationale="ok"
    )
    assert not role_in_brackets.allowed
    unexplained = check_final(evaluation, preparer="Ann Lee", reviewer="Bo Chan")
    assert not unexplained.allowed and "rationale" in unexplained.reasons[0]
    override = check_final(
        evaluation, preparer="Ann Lee", reviewer="Bo Chan", rationale="Accepted by the board."
    )
    assert override.allowed and override.override
    assert override.reasons == tuple(c.text for c in evaluation.conditions)


def test_a_supported_recommendation_may_go_final(score: Score, qset: Any, catalog: Any) -> None:
    # every applicable question answered favourably on current documents for the leader
    parsed, first = score("answers:\n  client.regions: [us]\n  reg.licence_required_in: [us]\n")
    leader = first.recommendation
    assert leader is not None and first.tier_of(leader) == Tier.MEETS
    dated = datetime.date(2026, 5, 1)
    answers = {
        q.id: Answer(value=_favourable(q), evidence="seen_doc", document_date=dated)
        for q in qset.diligence.questions()
        if _favourable(q) is not None
    }
    mandate = {k: a.value for k, a in parsed.sheet.selection.items()}
    lookup = diligence_lookup(qset, mandate, answers)
    answers = {k: a for k, a in answers.items() if qset.is_shown(qset.question(k), lookup)}
    sheet = AnswerSheet(
        selection=parsed.sheet.selection, diligence={leader: answers}, shortlist=(leader,)
    )
    evaluation = evaluate(qset, catalog, sheet, today=datetime.date(2026, 6, 30))
    assert evaluation.recommendation_status == RecommendationStatus.SUPPORTED, [
        c.text for c in evaluation.conditions
    ]
    assert evaluation.conditions == ()
    assert evaluation.recommendation_reason.startswith("Supported:")
    assert check_final(evaluation, preparer="Ann Lee") == SignoffCheck(True, False, ())
    # an undated document for one critical question makes it provisional again
    undated = dict(answers)
    undated["dd.rehypothecation"] = Answer(value="no", evidence="seen_doc")
    again = evaluate(
        qset,
        catalog,
        AnswerSheet(
            selection=parsed.sheet.selection, diligence={leader: undated}, shortlist=(leader,)
        ),
        today=datetime.date(2026, 6, 30),
    )
    assert again.recommendation_status == RecommendationStatus.PROVISIONAL
    assert [c.question_id for c in again.conditions] == ["dd.rehypothecation"]


def _favourable(question: Any) -> Any:
    favourable_no = {
        "dd.enforcement_actions",
        "dd.rehypothecation",
        "dd.audit_opinion_qualified",
    }
    if question.type == "yn":
        return "no" if question.id in favourable_no else "yes"
    if question.type == "single":
        for choice in question.choices:
            if choice.id in (
                "segregated_per_client",
                "trust_or_statutory",
                "none" if question.id == "dd.incidents" else "",
                "provider_indemnifies",
                "full",
                "daily",
                "level_3",
                "full_for_loss",
                "independent_attestation",
                "per_client",
                "in_house",
            ):
                return choice.id
        return question.choices[0].id
    if question.type == "number":
        if question.id == "dd.cold_storage_pct":
            return 98
        if question.id == "dd.withdrawal_quorum":
            return 3
        if question.id == "dd.insurance_limit_usd_m":
            return 1000
        return question.min or 1
    return None


def test_a_mandate_related_answer_needs_a_document_even_when_unfavourable(score: Score) -> None:
    _, evaluation = score(
        """\
answers:
  client.regions: [us]
  controls.cold_storage_priority: important
shortlist: [coinbase-prime]
diligence:
  coinbase-prime:
    dd.cold_storage_pct: {value: 85, evidence: provider_claim}
"""
    )
    assert evaluation.recommendation == "coinbase-prime"
    finding = next(f for f in evaluation.red_flags if f.question_id == "dd.cold_storage_pct")
    assert finding.severity == "medium" and not finding.breaches_mandate
    pending = [c for c in evaluation.conditions if c.question_id == "dd.cold_storage_pct"]
    assert [c.kind for c in pending] == [ConditionKind.UNVERIFIED_ANSWER]
    assert "provider's claim" in pending[0].text and pending[0].text.startswith(
        "Obtain the document from "
    )


def test_unknown_diligence_answers_never_exclude(score: Score, qset: Any) -> None:
    mandate = """\
answers:
  reg.qualified_custodian: yes
  reporting.soc1: yes
  reporting.soc2: yes
  controls.insurance_required: yes
  controls.policy_engine: yes
  controls.segregation_required: per_client_wallets
  reg.bankruptcy_remoteness_required: yes
  support.sla_required: yes
  assets.staking: yes
  assets.slashing_borne_by_provider: yes
"""
    _, bare = score(mandate)
    unknowns = "".join(
        f"    {q.id}: unknown\n"
        for q in qset.diligence.questions()
        if q.type in ("yn", "single") and (q.type == "yn" or "unknown" in q.choice_ids)
    )
    _, answered = score(mandate + "diligence:\n  bitgo:\n" + unknowns)
    assert bare.tier_of("bitgo") == answered.tier_of("bitgo") != Tier.EXCLUDED
    assert not any(f.breaches_mandate for f in answered.red_flags)


def test_not_disclosed_follows_the_rules_the_mandate_makes_possible(score: Score) -> None:
    body = "diligence:\n  bitgo:\n    dd.soc1_type2: unknown\n"
    _, free = score("answers:\n  client.regions: [us]\n" + body)
    assert not [f for f in free.red_flags if f.question_id == "dd.soc1_type2"]
    assert any(o.question_id == "dd.soc1_type2" for o in free.open_items_for("bitgo"))
    _, required = score("answers:\n  client.regions: [us]\n  reporting.soc1: yes\n" + body)
    finding = next(f for f in required.red_flags if f.question_id == "dd.soc1_type2")
    assert finding.severity == "medium" and finding.message.startswith("Not disclosed")


def test_explanations_say_why_a_higher_score_comes_later(score: Score) -> None:
    _, evaluation = score("answers:\n  client.regions: [us, uk]\n")
    first, second = evaluation.eligible[0], evaluation.eligible[1]
    if first.tier != second.tier and second.total > first.total:
        assert "tier first, then score" in first.explanation
        assert f"more than {_names(evaluation)[first.provider_id]}" in second.explanation
    assert "by -" not in " ".join(r.explanation for r in evaluation.eligible)


def _names(evaluation: Evaluation) -> dict[str, str]:
    from ddwizard.core.loading import load_providers

    return {p.id: p.name for p in load_providers()}


def test_an_answer_awaiting_reconfirmation_confirms_nothing(score: Score) -> None:
    parsed, _ = score("answers:\n  reporting.soc2: yes\n")
    flagged = Answer(
        value="yes",
        evidence="seen_doc",
        document_date=datetime.date(2026, 3, 31),
        needs_reconfirmation=True,
    )
    from ddwizard.core.loading import load_providers, load_questionnaires

    qset, catalog = load_questionnaires(), load_providers()
    sheet = AnswerSheet(
        selection=parsed.sheet.selection, diligence={"bitgo": {"dd.soc2_type2": flagged}}
    )
    evaluation = evaluate(qset, catalog, sheet, today=datetime.date(2026, 6, 30))
    assert evaluation.tier_of("bitgo") == Tier.CONDITIONAL
    current = AnswerSheet(
        selection=parsed.sheet.selection,
        diligence={
            "bitgo": {"dd.soc2_type2": flagged.model_copy(update={"needs_reconfirmation": False})}
        },
    )
    assert (
        evaluate(qset, catalog, current, today=datetime.date(2026, 6, 30)).tier_of("bitgo")
        == Tier.MEETS
    )


def test_a_provider_stating_no_fact_is_never_recommended_even_without_hard_requirements(
    score: Score,
) -> None:
    # a mandate that states no hard requirement: "confirms none of them" would hold vacuously
    _, evaluation = score("answers:\n  client.aum_usd_m: 100\nshortlist: [amina]\n")
    assert "amina" in evaluation.not_profiled
    assert evaluation.recommendation is None
    assert evaluation.recommendation_status == RecommendationStatus.NONE
    # providers whose profiles state facts stay profiled
    _, open_mandate = score("answers:\n  client.aum_usd_m: 100\n")
    assert open_mandate.not_profiled == ("amina",)
    assert open_mandate.recommendation not in (None, "amina")
