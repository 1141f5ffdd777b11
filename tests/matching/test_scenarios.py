"""Realistic mandates against the bundled profiles: who is eligible, why others are not.

Assertions follow the facts of the seed (seed/custody-providers-2025.md) as recorded in the
bundled profiles.
"""

from __future__ import annotations

from typing import Any

from ddwizard.core.questionnaire import CRITERIA

US_ADVISER = """\
name: Acme US adviser custody review
answers:
  client.entity_name: Acme Capital Management LLC
  client.entity_type: us_adviser_fund
  client.sec_registered_adviser: yes
  client.home_jurisdiction: us
  client.regions: [us]
  reg.qualified_custodian: yes
  reg.min_standing: trust_or_bank
  assets.staking: yes
  assets.slashing_borne_by_provider: yes
  controls.cold_storage_priority: critical
  controls.policy_engine: yes
  priorities.weights: {liquidity: 20, security: 35, coverage: 25, costs: 10, ux: 5, support: 5}
"""


def _ids(evaluation: Any) -> list[str]:
    return [r.provider_id for r in evaluation.eligible]


def _reasons(evaluation: Any, provider_id: str) -> str:
    for e in evaluation.excluded:
        if e.provider_id == provider_id:
            return " | ".join(e.reasons)
    raise AssertionError(f"{provider_id} is not excluded")


def test_us_sec_adviser_with_staking(score: Any) -> None:
    _, evaluation = score(US_ADVISER)
    ranked = _ids(evaluation)
    # Coinbase (NY trust, QC, staking) states every requirement but who bears slashing
    assert ranked[0] == "coinbase-prime"
    assert evaluation.ranked("coinbase-prime").tier == "conditional"
    assert [u.label for u in evaluation.ranked("coinbase-prime").unconfirmed] == [
        "slashing losses borne by the provider"
    ]
    assert evaluation.recommendation == "coinbase-prime"
    assert evaluation.recommendation_status == "provisional"
    # providers whose closed region list lacks the US are excluded, the reason citing the source
    for pid in ("hex-trust", "sygnum"):
        reason = _reasons(evaluation, pid)
        assert "does not serve US; its profile lists only " in reason
        assert "the source says '" in reason and "Top Institutional Custody Providers" in reason
    # unknown facts never exclude: Fidelity's charter is unknown -> open item, not exclusion
    assert "fidelity-digital-assets" not in {e.provider_id for e in evaluation.excluded}
    topics = {(o.provider_id, o.topic) for o in evaluation.open_items}
    assert ("fidelity-digital-assets", "regulatory standing") in topics
    assert ("fidelity-digital-assets", "qualified custodian") in topics
    assert ("fidelity-digital-assets", "staking") in topics
    # no warning about a qualified custodian: the mandate requires one
    assert "qualified_custodian_likely_required" not in {w.code for w in evaluation.warnings}
    assert evaluation.robustness.verdict in ("stable", "sensitive")
    assert evaluation.robustness.recommendation == "coinbase-prime"


def test_us_region_exclusion_quotes_the_source_wording(score: Any) -> None:
    _, evaluation = score("answers:\n  client.regions: [us, uk]\n")
    reason = _reasons(evaluation, "bny-mellon")
    assert reason.startswith(
        "Requirement “serves US, UK” breached: does not serve UK; its profile lists only US, EU "
        "(the source says 'US/EU (eligibility varies)'; source: “Top Institutional Custody "
        "Providers (2025)”"
    )
    # BitGo's profile lists both regions: it meets the mandate
    assert evaluation.tier_of("bitgo") == "meets"


def test_unknown_regions_are_an_open_item_never_an_exclusion(score: Any) -> None:
    _, evaluation = score("answers:\n  client.regions: [ch]\n")
    assert "amina" in _ids(evaluation)  # AMINA's regions are recorded as unknown
    assert any(
        o.provider_id == "amina"
        and o.topic == "regions served"
        and o.message.startswith("Confirm with the provider")
        for o in evaluation.open_items
    )


def test_singapore_hong_kong_fund_needing_an_sg_licence(score: Any) -> None:
    _, evaluation = score(
        """\
        answers:
          client.entity_type: non_us_fund
          client.home_jurisdiction: sg
          client.regions: [sg, hk]
          reg.licence_required_in: [sg]
        """
    )
    assert evaluation.recommendation == "hex-trust"
    assert evaluation.ranked("hex-trust").tier == "meets"
    # a licence the profile does not name is not known to be missing (DECISIONS.md §1)
    bitgo = evaluation.ranked("bitgo")
    assert bitgo.tier == "conditional"
    assert [u.label for u in bitgo.unconfirmed] == ["licence in SG"]
    assert "licence in SG" in evaluation.to_json()["eligible"][1]["unconfirmed"]
    # Sygnum serves SG but not HK
    assert "does not serve HK" in _reasons(evaluation, "sygnum")


def test_instant_settlement_mandate_states_what_to_confirm(score: Any) -> None:
    _, evaluation = score(
        """\
        answers:
          client.regions: [ch, sg]
          settlement.instant_network: yes
          settlement.trade_from_custody: yes
          controls.policy_engine: yes
        """
    )
    sygnum = evaluation.ranked("sygnum")
    assert sygnum.tier == "conditional"
    liquidity = sygnum.criterion("liquidity")
    assert any(r.startswith("+20 a 24/7 instant settlement network") for r in liquidity.reasons)
    # BitGo's settlement network is unknown: eligible, with an open item to confirm it
    assert "bitgo" in _ids(evaluation)
    assert any(
        o.provider_id == "bitgo" and o.question_id == "settlement.instant_network"
        for o in evaluation.open_items
    )


def test_custody_without_bundled_trading_is_a_known_negative(score: Any) -> None:
    _, evaluation = score(
        """\
        answers:
          client.regions: [us]
          settlement.trade_from_custody: yes
          controls.policy_engine: yes
        """
    )
    reason = _reasons(evaluation, "gemini")
    assert "custody without bundled trading" in reason
    assert "source: “Top Institutional Custody Providers (2025)”" in reason
    # Coinbase states trading from custody; Anchorage does not say: conditional only
    assert evaluation.ranked("coinbase-prime").tier == "meets"
    assert evaluation.ranked("anchorage-digital").tier == "conditional"


def test_qualified_custodian_bank_and_standing_filters(score: Any) -> None:
    _, evaluation = score(
        """\
        answers:
          client.entity_type: pension_endowment
          reg.qualified_custodian: yes
          reg.min_standing: bank
          reg.bank_backed: required
        """
    )
    # Anchorage: OCC bank, qualified custodian, bank-backed: the only one meeting all three
    assert evaluation.eligible[0].provider_id == "anchorage-digital"
    assert evaluation.eligible[0].tier == "meets"
    assert evaluation.recommendation == "anchorage-digital"
    # Sygnum: bank, bank-backed; QC status unknown -> conditional with an open item
    assert evaluation.ranked("sygnum").tier == "conditional"
    assert any(
        o.provider_id == "sygnum" and o.question_id == "reg.qualified_custodian"
        for o in evaluation.open_items
    )
    # every conditional provider comes after every provider meeting the mandate
    tiers = [r.tier.order for r in evaluation.eligible]
    assert tiers == sorted(tiers)


def test_soc_and_fee_limits_unknown_become_open_items(score: Any) -> None:
    _, evaluation = score(
        """\
        answers:
          reporting.soc1: yes
          reporting.soc2: yes
          fees.max_bps: 20
        """
    )
    # no profile states a fee in bps or a SOC Type II report: nobody is excluded for it ...
    assert evaluation.excluded == ()
    questions = {o.question_id for o in evaluation.open_items if o.provider_id == "bitgo"}
    assert {"reporting.soc1", "reporting.soc2", "fees.max_bps"} <= questions
    # ... and nobody confirms any of the requirements: no recommendation, to consider only
    assert evaluation.recommendation is None
    assert evaluation.recommendation_status == "none"
    assert set(evaluation.not_profiled) == {r.provider_id for r in evaluation.eligible}
    assert "confirm none of the hard requirements" in evaluation.recommendation_reason


def test_criterion_explanations_read_as_sentences(score: Any) -> None:
    _, evaluation = score(
        """\
        answers:
          client.regions: [us]
          controls.cold_storage_priority: important
        """
    )
    gemini = evaluation.ranked("gemini")
    security = gemini.criterion("security")
    text = security.explain()
    assert text.startswith(f"Security {security.score:.0f}: ")
    assert "+15 cold storage of client keys" in text
    assert "+5 air-gapped key storage" in text
    # an unknown earns nothing, says so, and becomes an open item when the mandate asks
    bitgo = evaluation.ranked("bitgo").criterion("security")
    assert "+0 cold storage of client keys: not stated in the profile" in bitgo.explain()
    assert any(
        o.provider_id == "bitgo" and o.topic == "cold storage" for o in evaluation.open_items
    )


def test_scores_are_the_sum_of_earned_points(score: Any) -> None:
    _, evaluation = score("answers:\n  client.regions: [us]\n")
    for r in evaluation.eligible:
        for c in r.criteria:
            earned = sum(int(reason.split(" ", 1)[0]) for reason in c.reasons)
            assert earned == c.score
            assert 0 <= c.score <= 100


def test_weighted_total_matches_the_formula(score: Any) -> None:
    _, evaluation = score(US_ADVISER)
    weights = evaluation.weights
    for r in evaluation.eligible:
        expected = sum(weights[c] * r.criterion(c).score for c in CRITERIA) / sum(weights.values())
        assert abs(r.total - expected) < 1e-9
        assert 0 <= r.total <= 100
    by_tier: dict[Any, list[float]] = {}
    for r in evaluation.eligible:
        by_tier.setdefault((r.tier, r.profiled), []).append(r.total)
    for totals in by_tier.values():  # tier first, then score
        assert totals == sorted(totals, reverse=True)
    assert [r.rank for r in evaluation.eligible] == list(range(1, len(evaluation.eligible) + 1))


def test_explanations_name_the_gap(score: Any) -> None:
    _, evaluation = score(US_ADVISER)
    first, second = evaluation.eligible[0], evaluation.eligible[1]
    assert first.explanation.startswith("Coinbase Prime Custody ranks 1 of")
    assert f"leads {_name(evaluation, second.provider_id)} by" in first.explanation
    assert "trails Coinbase Prime Custody by" in second.explanation
    assert "Conditional, to confirm: slashing losses borne by the provider." in first.explanation


def _name(evaluation: Any, provider_id: str) -> str:
    from ddwizard.core.loading import load_providers

    return load_providers()[provider_id].name
