"""Red flags from diligence answers, the recommendation they block, and mandate warnings."""

from __future__ import annotations

from typing import Any

from ddwizard.core.questionnaire import Severity

US_MANDATE = """\
answers:
  client.entity_type: us_adviser_fund
  client.sec_registered_adviser: yes
  client.regions: [us]
  reg.qualified_custodian: yes
  controls.policy_engine: yes
shortlist: [coinbase-prime, anchorage-digital, gemini]
"""


def _findings(evaluation: Any, provider_id: str) -> dict[tuple[str, str], Any]:
    return {(f.question_id, f.source): f for f in evaluation.findings_for(provider_id)}


def test_critical_finding_on_the_top_provider_passes_it_over(score: Any) -> None:
    _, clean = score(US_MANDATE)
    assert clean.recommendation == "coinbase-prime"
    _, evaluation = score(
        US_MANDATE
        + """\
diligence:
  coinbase-prime:
    dd.wallet_model: {value: commingled, evidence: seen_doc, document_date: 2026-03-31}
"""
    )
    top = evaluation.eligible[0]
    assert top.provider_id == "coinbase-prime"  # still ranked first: findings do not rescore
    assert [f.question_id for f in top.blocked_by] == ["dd.wallet_model"]
    assert evaluation.recommendation == "anchorage-digital"
    assert "Commingled wallets" in evaluation.recommendation_reason
    assert "Coinbase Prime Custody" in evaluation.recommendation_reason
    finding = _findings(evaluation, "coinbase-prime")[("dd.wallet_model", "diligence")]
    assert finding.severity == Severity.CRITICAL
    assert finding.evidence == "seen_doc"
    assert finding.document_date == "2026-03-31"
    assert finding.mitigation
    assert "coinbase-prime" not in evaluation.alternates
    assert evaluation.robustness.recommendation == "anchorage-digital"
    as_json = evaluation.to_json()
    assert as_json["eligible"][0]["blocked_by_critical"] == ["dd.wallet_model"]
    assert as_json["red_flags"][0]["severity"] == "critical"


def test_highest_severity_rule_wins_and_one_finding_per_question(score: Any) -> None:
    _, evaluation = score(
        """\
answers:
  client.regions: [us]
  controls.insurance_required: yes
diligence:
  gemini:
    dd.insurance_certificate_seen: no
    dd.withdrawal_quorum: 1
    dd.cold_storage_pct: 95
"""
    )
    found = _findings(evaluation, "gemini")
    insurance = found[("dd.insurance_certificate_seen", "diligence")]
    assert insurance.severity == Severity.HIGH  # the mandate requires insurance
    assert insurance.breaches_mandate  # ... so Gemini is excluded (DECISIONS.md §4)
    assert evaluation.tier_of("gemini") == "excluded"
    assert (
        len([f for f in evaluation.red_flags if f.question_id == "dd.insurance_certificate_seen"])
        == 1
    )
    # quorum 1 is below the default minimum of 2 approvers
    assert found[("dd.withdrawal_quorum", "diligence")].severity == Severity.HIGH
    assert ("dd.cold_storage_pct", "diligence") not in found


def test_mandate_threshold_changes_the_verdict(score: Any) -> None:
    _, evaluation = score(
        """\
answers:
  controls.min_approvers: 3
diligence:
  bitgo:
    dd.withdrawal_quorum: 3
  zodia:
    dd.withdrawal_quorum: 2
"""
    )
    assert ("dd.withdrawal_quorum", "diligence") not in _findings(evaluation, "bitgo")
    assert (
        _findings(evaluation, "zodia")[("dd.withdrawal_quorum", "diligence")].severity
        == Severity.HIGH
    )


def test_unknown_on_a_critical_question_is_high(score: Any) -> None:
    _, evaluation = score(
        """\
diligence:
  zodia:
    dd.rehypothecation: unknown
    dd.legal_entity_identified: {value: unknown, evidence: none}
    dd.pentest_12m: unknown
"""
    )
    found = _findings(evaluation, "zodia")
    rehyp = found[("dd.rehypothecation", "unknown_answer")]
    assert rehyp.severity == Severity.HIGH
    assert rehyp.message.startswith("Not disclosed: ")
    assert found[("dd.legal_entity_identified", "unknown_answer")].severity == Severity.HIGH
    # an unknown without a critical rule is an open item, not a finding
    assert not [k for k in found if k[0] == "dd.pentest_12m"]
    assert any(
        o.provider_id == "zodia" and o.question_id == "dd.pentest_12m"
        for o in evaluation.open_items
    )
    # high findings do not block the recommendation
    ranked = evaluation.ranked("zodia")
    assert ranked is not None and ranked.blocked_by == ()


def test_stale_evidence_is_flagged_medium(score: Any, today: Any) -> None:
    _, evaluation = score(
        f"""\
diligence:
  sygnum:
    dd.soc2_type2: {{value: yes, evidence: seen_doc, document_date: 2025-05-31}}
    dd.soc1_type2: {{value: yes, evidence: seen_doc, document_date: {today.replace(year=today.year - 1).isoformat()}}}
    dd.audited_financials: {{value: yes, evidence: seen_doc, document_date: 2026-01-31}}
"""
    )
    found = _findings(evaluation, "sygnum")
    stale = found[("dd.soc2_type2", "stale_evidence")]
    assert stale.severity == Severity.MEDIUM
    assert "2025-05-31" in stale.message and stale.document_date == "2025-05-31"
    # The message stands alone (the memo's top-risks table shows it without the question).
    assert stale.message.startswith("Stale evidence: the answer 'Yes' to \u201cHave you received")
    # exactly 365 days is not older than 12 months; a recent document is fine
    assert ("dd.soc1_type2", "stale_evidence") not in found
    assert ("dd.audited_financials", "stale_evidence") not in found


def test_unanswered_diligence_of_shortlisted_providers_is_open(score: Any, qset: Any) -> None:
    _, evaluation = score(
        """\
answers:
  client.regions: [us]
shortlist: [gemini]
diligence:
  gemini:
    dd.wallet_model: segregated_per_client
"""
    )
    assert evaluation.shortlist == ("gemini",)
    open_questions = {
        o.question_id for o in evaluation.open_items if o.topic == "diligence unanswered"
    }
    applicable = {q.id for q in qset.diligence.questions() if q.show_if is None}
    assert open_questions == applicable - {"dd.wallet_model"}
    assert all(
        o.provider_id == "gemini"
        for o in evaluation.open_items
        if o.topic == "diligence unanswered"
    )
    # staking-only questions are not asked when the mandate does not require staking
    assert "dd.staked_assets_segregated" not in open_questions


def test_everyone_blocked_means_no_recommendation(score: Any) -> None:
    _, evaluation = score(
        """\
answers:
  client.regions: [us]
shortlist: [gemini]
diligence:
  gemini:
    dd.incidents: undisclosed_loss
"""
    )
    assert evaluation.recommendation is None
    assert evaluation.recommendation_reason.startswith("No recommendation")
    assert "gemini" in evaluation.recommendation_reason.lower()
    assert evaluation.alternates == ()
    assert evaluation.robustness.verdict == "not_applicable"


def test_excluded_shortlisted_provider_warns(score: Any) -> None:
    _, evaluation = score(
        """\
answers:
  client.regions: [us]
shortlist: [sygnum, gemini, coinbase-prime]
"""
    )
    assert evaluation.shortlist == ("coinbase-prime", "gemini")  # eligible only, in rank order
    warning = next(w for w in evaluation.warnings if w.code == "shortlisted_provider_excluded")
    assert "Sygnum" in warning.message and "does not serve US" in warning.message
    assert evaluation.recommendation == "coinbase-prime"
    assert evaluation.alternates[0] == "gemini"


def _codes(evaluation: Any) -> dict[str, Any]:
    return {w.code: w for w in evaluation.warnings}


def test_mandate_mistakes_are_warned(score: Any) -> None:
    _, evaluation = score(
        """\
answers:
  client.entity_type: us_adviser_fund
  client.sec_registered_adviser: yes
  client.regions: [us, mena_other]
  reg.qualified_custodian: no
  settlement.trade_from_custody: yes
  controls.policy_engine: no
  assets.staking: yes
  priorities.weights: {liquidity: 30, security: 15, coverage: 15, costs: 25, ux: 10, support: 5}
"""
    )
    codes = _codes(evaluation)
    assert codes["qualified_custodian_likely_required"].severity == Severity.HIGH
    assert "reg.qualified_custodian" in codes["qualified_custodian_likely_required"].question_ids
    assert codes["costs_over_security"].severity == Severity.MEDIUM
    assert codes["trade_without_policy_controls"].severity == Severity.HIGH
    assert codes["slashing_treatment_undecided"].severity == Severity.LOW
    assert "no_eligible_provider" not in codes  # BitGo and AMINA remain


def test_no_eligible_provider_is_warned(score: Any, catalog: Any) -> None:
    # A licence the profiles do not name no longer excludes (DECISIONS.md §1); a SOC 1
    # requirement every provider's diligence answers No to does.
    diligence = "".join(f"  {pid}:\n    dd.soc1_type2: no\n" for pid in catalog.ids)
    _, evaluation = score(
        "answers:\n  client.regions: [us]\n  reporting.soc1: yes\ndiligence:\n" + diligence
    )
    assert evaluation.eligible == ()
    assert evaluation.recommendation is None
    assert "no provider meets every hard requirement" in evaluation.recommendation_reason
    assert _codes(evaluation)["no_eligible_provider"].severity == Severity.HIGH
    assert evaluation.robustness.verdict == "not_applicable"


def test_regions_not_covered_by_catalog_or_by_eligible(qset: Any, catalog: Any, today: Any) -> None:
    from ddwizard.core.answers import Answer, AnswerSheet
    from ddwizard.core.matching import evaluate
    from ddwizard.core.provider import ProviderCatalog

    small = ProviderCatalog([catalog["amina"], catalog["sygnum"]])
    sheet = AnswerSheet(selection={"client.regions": Answer(value=["us", "ch"])})
    evaluation = evaluate(qset, small, sheet, today=today)
    assert [r.provider_id for r in evaluation.eligible] == ["amina"]  # regions unknown
    codes = _codes(evaluation)
    assert "US" in codes["regions_not_covered"].message
    assert "CH" not in codes["regions_not_covered"].message
    assert "CH" in codes["regions_not_covered_by_eligible"].message


def test_good_mandate_has_no_mistake_warnings(score: Any) -> None:
    _, evaluation = score(
        """\
answers:
  client.entity_type: us_adviser_fund
  client.sec_registered_adviser: yes
  client.regions: [us]
  reg.qualified_custodian: yes
  settlement.trade_from_custody: yes
  controls.policy_engine: yes
  fees.sensitivity: high
"""
    )
    assert evaluation.warnings == ()


def test_fee_sensitivity_with_equal_weights_is_the_same_mistake(score: Any) -> None:
    _, evaluation = score(
        """\
answers:
  fees.sensitivity: high
  priorities.weights: {liquidity: 30, security: 20, coverage: 15, costs: 20, ux: 10, support: 5}
"""
    )
    assert "costs_over_security" in _codes(evaluation)


def test_weak_standing_and_uncovered_regions(score: Any) -> None:
    _, evaluation = score(
        """\
answers:
  client.entity_type: pension_endowment
  client.regions: [ch, uk]
  reg.min_standing: any_regulated
"""
    )
    codes = _codes(evaluation)
    assert codes["weak_minimum_standing"].severity == Severity.MEDIUM
    # BitGo is recorded in CH and UK, so the region is covered in the catalog
    assert "regions_not_covered" not in codes


def test_edge_inputs_do_not_break_evaluation(qset: Any, catalog: Any, today: Any) -> None:
    from ddwizard.core.answers import Answer, AnswerSheet
    from ddwizard.core.matching import evaluate
    from ddwizard.core.provider import ProviderCatalog

    empty = evaluate(qset, ProviderCatalog([]), AnswerSheet(), today=today)
    assert empty.eligible == () and empty.recommendation is None
    assert "no_eligible_provider" in {w.code for w in empty.warnings}

    # a session may still name a provider that was removed from the data folder
    sheet = AnswerSheet(
        selection={"client.regions": Answer(value=["us"])},
        diligence={"retired-custodian": {"dd.wallet_model": Answer(value="commingled")}},
        shortlist=("retired-custodian", "gemini"),
    )
    evaluation = evaluate(qset, catalog, sheet, today=today)
    assert evaluation.shortlist == ("gemini",)
    assert evaluation.recommendation == "gemini"
    assert "shortlisted_provider_unknown" in {w.code for w in evaluation.warnings}
    assert not [f for f in evaluation.red_flags if f.provider_id == "retired-custodian"]
