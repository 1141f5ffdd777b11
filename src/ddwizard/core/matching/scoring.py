"""Criterion scores and the weighted ranking, each number explained in words.

Each criterion starts from the profile's sourced 0-5 rating x 20 and is adjusted for mandate
fit by small, named steps (5 to 15 points) so the seed-based ratings still dominate; the result
is bounded to 0-100. A criterion the profile could not rate (the source gives no facts for it)
starts from the neutral midpoint 50 instead: a 0 would claim a known weakness, a high score would
reward missing data; the reason says so and an open item asks for the facts. The weighted
total is ``sum(weight_c * score_c) / sum(weights)``, so multiplying every weight by the same
factor never changes a total or the order.

Ranking order (deterministic): total descending, then security score descending, then fewer
open items, then provider id ascending. Totals are compared after rounding to 9 decimals so
that float noise cannot break a mathematical tie differently for scaled weights.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ddwizard.core.matching.eligibility import confirm
from ddwizard.core.matching.mandate import ASSET_LABELS, Mandate, label_list, verified
from ddwizard.core.provider import Provider
from ddwizard.core.questionnaire import CRITERIA, CRITERION_LABELS
from ddwizard.core.results import CriterionScore, OpenItem

NEUTRAL_SCORE = 50.0
NOT_RATED = (
    "not rated: the profile has no sourced facts for this criterion; "
    "scored at the neutral midpoint 50 until verified"
)
SECURITY = CRITERIA.index("security")


@dataclass(frozen=True, slots=True)
class ProviderScore:
    provider: Provider
    criteria: tuple[CriterionScore, ...]
    open_items: tuple[OpenItem, ...]
    values: tuple[float, ...]
    """Criterion scores in CRITERIA order (what the weights multiply)."""

    @classmethod
    def build(
        cls,
        provider: Provider,
        criteria: tuple[CriterionScore, ...],
        open_items: tuple[OpenItem, ...],
    ) -> ProviderScore:
        return cls(provider, criteria, open_items, tuple(c.score for c in criteria))


def _fmt_rating(rating: float) -> str:
    return f"{rating:g}"


def _rated(rating: float, rationale: str) -> str:
    return f"rated {_fmt_rating(rating)}/5 ({rationale.strip().rstrip('.')})"


class _Fit:
    """Collects the adjustments for one provider, per criterion, and the facts to confirm."""

    __slots__ = ("adjust", "items", "provider", "when")

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self.adjust: dict[str, list[tuple[int, str]]] = {}
        self.items: list[OpenItem] = []
        self.when: str | None = None

    def add(self, criterion: str, delta: int, why: str) -> None:
        self.adjust.setdefault(criterion, []).append((delta, why))

    def unknown(self, topic: str, what: str, question_id: str | None) -> None:
        if self.when is None:
            self.when = verified(self.provider.last_verified)
        self.items.append(confirm(self.provider, topic, what, question_id, self.when))

    def fact(
        self,
        criterion: str,
        fact: str,
        *,
        yes: tuple[int, str],
        no: tuple[int, str],
        topic: str,
        what: str,
        question_id: str,
    ) -> None:
        """Reward a confirmed fact, penalise a stated absence, ask about an unknown."""
        if fact == "yes":
            self.add(criterion, *yes)
        elif fact == "no":
            self.add(criterion, *no)
        else:
            self.unknown(topic, what, question_id)


def _security(fit: _Fit, p: Provider, m: Mandate) -> None:
    km = p.key_management
    priority = m.cold_storage_priority
    if priority in ("critical", "important"):
        bonus, unknown_cost, absent_cost = (8, -10, -15) if priority == "critical" else (5, -5, -10)
        if km.air_gapped == "yes" or km.cold_storage == "yes":
            what = "air-gapped cold storage" if km.air_gapped == "yes" else "cold storage"
            fit.add(
                "security",
                bonus,
                f"your mandate marks cold storage {priority} and the profile confirms {what}",
            )
        elif km.air_gapped == "no" and km.cold_storage == "no":
            fit.add(
                "security",
                absent_cost,
                f"your mandate marks cold storage {priority} and the profile records none",
            )
        else:
            fit.add(
                "security",
                unknown_cost,
                f"your mandate marks cold storage {priority} but the profile does not state it",
            )
            fit.unknown(
                "cold storage",
                "cold or air-gapped storage of client keys",
                "controls.cold_storage_priority",
            )
    if m.key_tech is not None:
        tech = {"hsm": "HSM", "mpc": "MPC", "multisig": "multisig"}.get(m.key_tech, m.key_tech)
        fit.fact(
            "security",
            getattr(km, m.key_tech, "unknown"),
            yes=(5, f"the profile confirms {tech} key management, as your mandate prefers"),
            no=(-10, f"the profile records no {tech} key management, which your mandate prefers"),
            topic="key management",
            what=f"use of {tech} for key management",
            question_id="controls.key_tech",
        )
    if m.policy_engine:
        fit.fact(
            "security",
            km.policy_engine,
            yes=(5, "the profile confirms a policy engine (approvals, roles, allowlists)"),
            no=(-10, "the profile records no policy engine, which your mandate requires"),
            topic="policy engine",
            what="multi-approval policies, role segregation and allowlists",
            question_id="controls.policy_engine",
        )
    if m.insurance:
        fit.fact(
            "security",
            p.insurance.available,
            yes=(5, "the profile confirms insurance cover, which your mandate requires"),
            no=(-10, "the profile records no insurance, which your mandate requires"),
            topic="insurance",
            what="insurance cover for assets in custody",
            question_id="controls.insurance_required",
        )
    if m.bank_backed == "preferred":
        fit.fact(
            "security",
            p.bank_backed,
            yes=(5, "bank-backed, as your mandate prefers"),
            no=(-5, "not bank-backed, which your mandate prefers"),
            topic="bank backing",
            what="whether it is bank-backed",
            question_id="reg.bank_backed",
        )
    if m.brand is not None and p.kind != "unknown":
        wanted = (
            ("traditional_finance", "bank")
            if m.brand == "traditional_finance"
            else ("crypto_native",)
        )
        label = (
            "a traditional financial institution"
            if m.brand == "traditional_finance"
            else "a crypto-native firm"
        )
        if p.kind in wanted:
            fit.add("security", 5, f"{label}, as your mandate prefers")


def _coverage(fit: _Fit, p: Provider, m: Mandate) -> None:
    if m.staking and p.staking.available == "yes":
        fit.add(
            "coverage", 5, "the profile confirms staking from custody, which your mandate requires"
        )
    if m.staking and m.staking_assets and p.staking.available != "no":
        offered = p.staking.assets
        if offered == "unknown":
            fit.unknown(
                "staking assets",
                f"staking support for {m.staking_assets_text}",
                "assets.staking_assets",
            )
        else:
            missing = [a for a in m.staking_assets if a not in offered]
            if missing:
                fit.add(
                    "coverage",
                    -min(15, 5 * len(missing)),
                    f"no staking recorded for {label_list(missing, ASSET_LABELS)}",
                )
            else:
                fit.add("coverage", 5, "stakes every asset your mandate lists")
    if m.governance:
        fit.fact(
            "coverage",
            p.governance,
            yes=(5, "the profile confirms governance (voting) support, which your mandate wants"),
            no=(-10, "the profile records no governance support, which your mandate wants"),
            topic="governance",
            what="on-chain governance and voting from custody",
            question_id="assets.governance",
        )
    if m.assets_required:
        supported = p.assets
        if supported == "unknown":
            fit.unknown(
                "supported assets",
                f"custody of {m.assets_required_text}",
                "assets.required",
            )
        else:
            missing = [a for a in m.assets_required if a not in supported]
            if missing:
                fit.add(
                    "coverage",
                    -min(15, 5 * len(missing)),
                    f"the profile does not list {label_list(missing, ASSET_LABELS)}",
                )
            else:
                fit.add("coverage", 5, "supports every asset class your mandate lists")


def _liquidity(fit: _Fit, p: Provider, m: Mandate) -> None:
    ex = p.execution
    if m.otc_rfq:
        fit.fact(
            "liquidity",
            ex.otc_rfq,
            yes=(5, "the profile confirms OTC/RFQ execution, which your mandate wants"),
            no=(-10, "the profile records no OTC/RFQ execution, which your mandate wants"),
            topic="OTC/RFQ",
            what="OTC or RFQ execution",
            question_id="settlement.otc_rfq",
        )
    if m.trade_from_custody and ex.trade_from_custody == "yes":
        fit.add("liquidity", 5, "trades from custody, as your mandate requires")
    if m.instant_network and ex.instant_settlement == "yes":
        network = ex.settlement_network if ex.settlement_network not in ("unknown", "none") else ""
        via = f" ({network})" if network else ""
        fit.add("liquidity", 5, f"24/7 instant settlement{via}, as your mandate requires")


def _costs(fit: _Fit, p: Provider, m: Mandate) -> None:
    published = p.fees.published_schedule
    if m.published_schedule:
        fit.fact(
            "costs",
            published,
            yes=(10, "publishes a fee schedule, which your mandate requires"),
            no=(-15, "no published fee schedule, which your mandate requires"),
            topic="fee schedule",
            what="a published fee schedule",
            question_id="fees.published_schedule_required",
        )
    elif m.fee_sensitivity in ("high", "medium") and published == "yes":
        bonus = 10 if m.fee_sensitivity == "high" else 5
        fit.add(
            "costs", bonus, f"publishes a fee schedule; your mandate is {m.fee_sensitivity} on fees"
        )
    if m.fee_sensitivity == "high" and published == "no":
        fit.add("costs", -5, "no published fee schedule while your mandate is highly fee-sensitive")


def _ux_support(fit: _Fit, p: Provider, m: Mandate) -> None:
    sup = p.support
    if m.api:
        fit.fact(
            "ux",
            sup.api,
            yes=(5, "the profile confirms an API, which your mandate wants"),
            no=(-10, "the profile records no API, which your mandate wants"),
            topic="API",
            what="API access for reporting and operations",
            question_id="reporting.api",
        )
    if m.always_on:
        fit.fact(
            "support",
            sup.always_on,
            yes=(10, "the profile confirms a 24/7 operations desk, which your mandate requires"),
            no=(-15, "the profile records no 24/7 operations desk, which your mandate requires"),
            topic="24/7 support",
            what="a 24/7 operations desk",
            question_id="support.always_on",
        )
    if m.white_glove:
        fit.fact(
            "support",
            sup.white_glove,
            yes=(5, "the profile confirms a named account team, which your mandate wants"),
            no=(-10, "the profile records no named account team, which your mandate wants"),
            topic="account team",
            what="a named account team (white-glove service)",
            question_id="support.white_glove",
        )
    if m.etf_servicing:
        fit.fact(
            "support",
            p.etf_experience,
            yes=(5, "the profile confirms ETF servicing experience, which your mandate needs"),
            no=(-10, "the profile records no ETF servicing experience, which your mandate needs"),
            topic="ETF servicing",
            what="experience servicing ETFs or ETPs",
            question_id="reg.etf_servicing",
        )


def _unconfirmed_requirements(fit: _Fit, p: Provider, m: Mandate) -> None:
    """A hard requirement the profile neither confirms nor denies costs a little fit.

    Eligibility already turned the unknown into an open item; this keeps a provider that
    confirms the requirement ahead of one that merely might meet it.
    """
    checks = (
        (
            m.qualified_custodian,
            p.qualified_custodian,
            "security",
            -10,
            "qualified-custodian status",
        ),
        (m.staking, p.staking.available, "coverage", -10, "staking from custody"),
        (
            m.trade_from_custody,
            p.execution.trade_from_custody,
            "liquidity",
            -10,
            "trading from custody",
        ),
        (
            m.instant_network,
            p.execution.instant_settlement,
            "liquidity",
            -10,
            "24/7 instant settlement",
        ),
        (m.soc1, p.audits.soc1_type2, "security", -5, "a SOC 1 Type II report"),
        (m.soc2, p.audits.soc2_type2, "security", -5, "a SOC 2 Type II report"),
    )
    for needed, fact, criterion, delta, what in checks:
        if needed and fact == "unknown":
            fit.add(
                criterion, delta, f"your mandate requires {what} but the profile does not state it"
            )


def score_provider(provider: Provider, mandate: Mandate) -> ProviderScore:
    """Six criterion scores with reasons, plus the facts the mandate needs confirmed."""
    fit = _Fit(provider)
    _unconfirmed_requirements(fit, provider, mandate)
    _liquidity(fit, provider, mandate)
    _security(fit, provider, mandate)
    _coverage(fit, provider, mandate)
    _costs(fit, provider, mandate)
    _ux_support(fit, provider, mandate)
    ratings = provider.ratings
    criteria: list[CriterionScore] = []
    for criterion in CRITERIA:
        rating = getattr(ratings, criterion)
        if rating.score is None:
            base = NEUTRAL_SCORE
            reasons = [NOT_RATED]
            fit.unknown(
                f"{CRITERION_LABELS[criterion].lower()} facts",
                f"facts to rate {CRITERION_LABELS[criterion]} (the source states none)",
                None,
            )
        else:
            base = rating.score * 20.0
            reasons = [_rated(rating.score, rating.rationale)]
        total = base
        for delta, why in fit.adjust.get(criterion, ()):
            total += delta
            reasons.append(f"{delta:+d} {why}")
        bounded = min(100.0, max(0.0, total))
        if bounded != total:
            reasons.append(f"bounded to {bounded:g}")
        rated = None if rating.score is None else float(rating.score)
        criteria.append(CriterionScore(criterion, bounded, rated, tuple(reasons)))
    return ProviderScore.build(provider, tuple(criteria), tuple(fit.items))


def weighted_total(scores: Sequence[float], weights: Sequence[float]) -> float:
    """``sum(w * s) / sum(w)``; equal weights when every weight is zero."""
    total_weight = sum(weights)
    if total_weight <= 0:
        return sum(scores) / len(scores)
    return sum(w * s for w, s in zip(weights, scores, strict=True)) / total_weight


def weight_vector(weights: Mapping[str, float]) -> tuple[float, ...]:
    return tuple(float(weights.get(c, 0)) for c in CRITERIA)


def rank_key(
    total: float, security: float, open_items: int, provider_id: str
) -> tuple[float, float, int, str]:
    """Sort key of the documented tie-break: total, security, fewer open items, id."""
    return (-round(total, 9), -round(security, 9), open_items, provider_id)


@dataclass(frozen=True, slots=True)
class Ranked:
    score: ProviderScore
    total: float
    open_count: int


def rank(
    scores: Sequence[ProviderScore],
    weights: Mapping[str, float],
    open_counts: Mapping[str, int] | None = None,
) -> list[Ranked]:
    """Scores in rank order under ``weights`` (any non-negative scale)."""
    vector = weight_vector(weights)
    counts = open_counts or {}
    ranked = [
        Ranked(s, weighted_total(s.values, vector), counts.get(s.provider.id, len(s.open_items)))
        for s in scores
    ]
    ranked.sort(
        key=lambda r: rank_key(r.total, r.score.values[SECURITY], r.open_count, r.score.provider.id)
    )
    return ranked


def explain_rank(ranked: Sequence[Ranked], index: int, weights: Mapping[str, float]) -> str:
    """One to three sentences on why a provider sits where it does."""
    me = ranked[index]
    name = me.score.provider.name
    vector = weight_vector(weights)
    total_weight = sum(vector) or 1.0
    values = me.score.values
    weighted = [
        (vector[i] * values[i], CRITERIA[i])
        for i in range(len(CRITERIA))
        if vector[i] > 0 and values[i] > 0
    ]
    parts = [f"{name} ranks {index + 1} of {len(ranked)} with {me.total:.1f}."]
    if weighted:
        best = max(weighted)[1]
        parts[0] = (
            f"{name} ranks {index + 1} of {len(ranked)} with {me.total:.1f}; its largest weighted "
            f"contribution is {CRITERION_LABELS[best]} ({values[CRITERIA.index(best)]:.0f})."
        )
    other = ranked[index - 1] if index > 0 else (ranked[1] if len(ranked) > 1 else None)
    if other is not None:
        gaps = [
            (vector[i] * (other.score.values[i] - values[i]) / total_weight, CRITERIA[i])
            for i in range(len(CRITERIA))
        ]
        gap = me.total - other.total
        if index > 0:
            key_gap, crit = max(gaps)
            if round(gap, 9) == 0:
                parts.append(
                    f"It ties with {other.score.provider.name} on total and is placed after it by "
                    "the tie-break (security score, then fewer open items, then provider id)."
                )
            elif key_gap > 0:
                parts.append(
                    f"It trails {other.score.provider.name} by {-gap:.1f} points, mostly on "
                    f"{CRITERION_LABELS[crit]} ({values[CRITERIA.index(crit)]:.0f} vs "
                    f"{other.score.values[CRITERIA.index(crit)]:.0f})."
                )
        else:
            key_gap, crit = min(gaps)
            if round(gap, 9) == 0:
                parts.append(
                    f"It ties with {other.score.provider.name} on total and leads by the tie-break "
                    "(security score, then fewer open items, then provider id)."
                )
            elif key_gap < 0:
                parts.append(
                    f"It leads {other.score.provider.name} by {gap:.1f} points, mostly on "
                    f"{CRITERION_LABELS[crit]} ({values[CRITERIA.index(crit)]:.0f} vs "
                    f"{other.score.values[CRITERIA.index(crit)]:.0f})."
                )
    return " ".join(parts)
