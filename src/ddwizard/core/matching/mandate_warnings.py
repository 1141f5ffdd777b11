"""Mistakes in the mandate itself: the classic selection errors the seed's checklist warns about.

These do not depend on any one provider's answers (except "regions not covered", which looks
at the catalog and the eligible set, and "shortlisted provider excluded"). Each warning names
the questions it is about so the TUI can jump there.
"""

from __future__ import annotations

from collections.abc import Sequence

from ddwizard.core.answers import AnswerSheet
from ddwizard.core.matching.decision import weights_condition
from ddwizard.core.matching.mandate import Mandate
from ddwizard.core.provider import REGION_LABELS, Provider
from ddwizard.core.questionnaire import Severity
from ddwizard.core.results import Exclusion, MandateWarning

QC_ENTITY_TYPES = ("us_adviser_fund", "etf_issuer")
STRICT_ENTITY_TYPES = ("pension_endowment", "bank", "etf_issuer")


def mandate_warnings(
    mandate: Mandate,
    providers: Sequence[Provider],
    eligible: Sequence[Provider],
) -> list[MandateWarning]:
    """Warnings about the mandate, in a fixed order."""
    values = mandate.values
    out: list[MandateWarning] = []
    entity = values.get("client.entity_type")
    sec_adviser = values.get("client.sec_registered_adviser") == "yes"

    if (entity in QC_ENTITY_TYPES or sec_adviser) and not mandate.qualified_custodian:
        why = "an SEC-registered adviser" if sec_adviser else "a US adviser, fund or ETF issuer"
        out.append(
            MandateWarning(
                code="qualified_custodian_likely_required",
                severity=Severity.HIGH,
                message=(
                    f"As {why} you most likely need a qualified custodian, but the mandate does "
                    "not require one, so non-qualified custodians stay eligible."
                ),
                mitigation=(
                    "Confirm with counsel and set 'qualified custodian required' to yes unless an "
                    "exemption is documented."
                ),
                question_ids=("reg.qualified_custodian", "client.entity_type"),
            )
        )

    weights = mandate.weights
    costs, security = weights.get("costs", 0), weights.get("security", 0)
    high_fee_focus = mandate.fee_sensitivity == "high" and costs >= security
    if costs > security or high_fee_focus:
        detail = f"costs weigh {costs} against security {security}" + (
            " and fee sensitivity is high" if mandate.fee_sensitivity == "high" else ""
        )
        out.append(
            MandateWarning(
                code="costs_over_security",
                severity=Severity.MEDIUM,
                message=(
                    f"Fees are prioritised over security controls ({detail}): focusing on fees "
                    "without evaluating security is a classic selection mistake."
                ),
                mitigation="Weight security at least as high as costs, or record why not.",
                question_ids=("priorities.weights", "fees.sensitivity"),
            )
        )

    if mandate.trade_from_custody and not mandate.policy_engine:
        out.append(
            MandateWarning(
                code="trade_without_policy_controls",
                severity=Severity.HIGH,
                message=(
                    "The mandate trades from custody but does not require a policy engine "
                    "(multi-approval, role segregation, allowlists): trading and custody mix "
                    "without strong policy separation."
                ),
                mitigation="Require a policy engine with role segregation and withdrawal allowlists.",
                question_ids=("settlement.trade_from_custody", "controls.policy_engine"),
            )
        )

    if mandate.regions:
        anywhere = _regions_served(providers)
        confirmed = _regions_served(eligible)
        nowhere = [r for r in mandate.regions if r not in anywhere]
        unconfirmed = [r for r in mandate.regions if r in anywhere and r not in confirmed]
        if nowhere:
            out.append(
                MandateWarning(
                    code="regions_not_covered",
                    severity=Severity.HIGH,
                    message=(
                        "No provider in the catalog is recorded as serving "
                        f"{', '.join(REGION_LABELS.get(r, r) for r in nowhere)}."
                    ),
                    mitigation=(
                        "Check whether the region is really needed, or look for a local custodian "
                        "outside the catalog."
                    ),
                    question_ids=("client.regions",),
                )
            )
        if unconfirmed:
            out.append(
                MandateWarning(
                    code="regions_not_covered_by_eligible",
                    severity=Severity.MEDIUM,
                    message=(
                        "None of the eligible providers is recorded as serving "
                        f"{', '.join(REGION_LABELS.get(r, r) for r in unconfirmed)}."
                    ),
                    mitigation="Confirm regional eligibility in writing before onboarding.",
                    question_ids=("client.regions",),
                )
            )

    if entity in STRICT_ENTITY_TYPES and mandate.min_standing == "any_regulated":
        out.append(
            MandateWarning(
                code="weak_minimum_standing",
                severity=Severity.MEDIUM,
                message=(
                    "A pension, bank or ETF issuer accepts any regulated custodian; such clients "
                    "usually require a trust company or bank."
                ),
                mitigation="Consider requiring a trust company or bank, or record the rationale.",
                question_ids=("reg.min_standing", "client.entity_type"),
            )
        )

    if mandate.staking and values.get("assets.slashing_borne_by_provider") in (None, "unknown"):
        out.append(
            MandateWarning(
                code="slashing_treatment_undecided",
                severity=Severity.LOW,
                message="Staking is required but who bears slashing losses is not decided.",
                mitigation="Decide whether the provider must bear slashing losses before diligence.",
                question_ids=("assets.slashing_borne_by_provider",),
            )
        )

    if not eligible:
        out.append(
            MandateWarning(
                code="no_eligible_provider",
                severity=Severity.HIGH,
                message=(
                    "Every provider in the catalog breaches at least one hard requirement of the "
                    "mandate, on a stated fact or a diligence answer."
                ),
                mitigation="Review the exclusion reasons and relax the requirement that excludes most.",
                question_ids=(),
            )
        )
    return out


def shortlist_warnings(
    shortlist: Sequence[str] | None, excluded: Sequence[Exclusion], names: dict[str, str]
) -> list[MandateWarning]:
    if not shortlist:
        return []
    reasons = {e.provider_id: e.reasons for e in excluded}
    out: list[MandateWarning] = []
    for pid in shortlist:
        if pid not in names:
            out.append(
                MandateWarning(
                    code="shortlisted_provider_unknown",
                    severity=Severity.MEDIUM,
                    message=f"'{pid}' is on the shortlist but not in the provider catalog.",
                    mitigation="Check the provider data folder or remove it from the shortlist.",
                    question_ids=(),
                )
            )
        elif pid in reasons:
            out.append(
                MandateWarning(
                    code="shortlisted_provider_excluded",
                    severity=Severity.MEDIUM,
                    message=(
                        f"{names.get(pid, pid)} is on the shortlist but excluded. "
                        f"{' '.join(reasons[pid])}"
                    ),
                    mitigation="Remove it from the shortlist or revisit the requirement that excludes it.",
                    question_ids=(),
                )
            )
    return out


LIQUIDITY_RELEVANT_WEIGHT = 10
"""A Liquidity weight above this, with no trading, OTC, prime or settlement need, is flagged."""


def weight_warnings(mandate: Mandate, sheet: AnswerSheet) -> list[MandateWarning]:
    """Weights that do not fit the mandate, and non-default weights without a rationale."""
    out: list[MandateWarning] = []
    weights = mandate.weights
    liquidity = weights.get("liquidity", 0)
    trades = (
        mandate.trade_from_custody
        or mandate.otc_rfq
        or mandate.instant_network
        or mandate.prime_financing
    )
    if liquidity > LIQUIDITY_RELEVANT_WEIGHT and not trades:
        out.append(
            MandateWarning(
                code="weight_not_relevant",
                severity=Severity.MEDIUM,
                message=(
                    f"Liquidity weighs {liquidity} % but the mandate needs no trading from "
                    "custody, OTC/RFQ execution, prime financing or settlement network: the "
                    "ranking rewards services the client will not use."
                ),
                mitigation=(
                    "Consider moving weight from Liquidity to the criteria the mandate needs "
                    "(e.g. Security), or record why Liquidity matters."
                ),
                question_ids=("priorities.weights", "settlement.trade_from_custody"),
            )
        )
    rationale = weights_condition(sheet)
    if rationale is not None:
        out.append(
            MandateWarning(
                code="weights_rationale_missing",
                severity=Severity.MEDIUM,
                message=rationale.text,
                mitigation="Add a note to the weights answer saying why these weights.",
                question_ids=("priorities.weights",),
            )
        )
    return out


def _regions_served(providers: Sequence[Provider]) -> set[str]:
    """Every region some of these profiles state they serve (one read per profile)."""
    out: set[str] = set()
    for p in providers:
        served = p.regions.served
        if served != "unknown":
            out.update(served)
    return out
