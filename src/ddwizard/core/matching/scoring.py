"""Criterion scores from the written rubric, and the weighted ranking, each explained in words.

Each criterion's score is the sum of the points its stated facts earn under the rubric
(``providers/_rubric.yaml``, see ``rubric``): 100 when every fact is stated favourably, and an
unknown fact earns nothing, which the reasons say. A fit adjustment (negative, under the
criterion of its fact) applies when the mandate asks for a fact the profile states is absent;
a fact the mandate asks for that the profile leaves unknown becomes an open item. Hard
requirements act through the tiers (``eligibility``), never here. Nothing is clipped: a
criterion can fall below 0 when the mandate's fit adjustments take away more than the stated
facts earned, and its reasons say each step. The
profile's 0-5 analyst rating is kept beside the score for reading, never added to it.

The weighted total is ``sum(weight_c * score_c) / sum(weights)``, so multiplying every weight
by the same factor never changes a total or the order. Ranking order (deterministic): tier,
then total descending, then security score descending, then fewer open items, then provider
id. Totals are compared after rounding to 9 decimals so that float noise cannot break a
mathematical tie differently for scaled weights.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from typing import Any

from ddwizard.core.matching.eligibility import confirm_message
from ddwizard.core.matching.facts import FACTS, UNKNOWN, as_of, value
from ddwizard.core.matching.mandate import ASSET_LABELS, Mandate, label_list
from ddwizard.core.matching.rubric import Need, Rubric, RubricItem
from ddwizard.core.provider import Provider
from ddwizard.core.questionnaire import CRITERIA, CRITERION_LABELS
from ddwizard.core.results import CriterionScore, OpenItem, OpenItemKind, Topic, slot_init

SECURITY = CRITERIA.index("security")
_NOT_STATED = OpenItemKind.NOT_STATED
KEY_TECH_LABELS: Mapping[str, str] = {"hsm": "HSM", "mpc": "MPC", "multisig": "multisig"}
BRAND_KINDS: Mapping[str, tuple[str, ...]] = {
    "traditional_finance": ("traditional_finance", "bank"),
    "crypto_native": ("crypto_native",),
}


@slot_init
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


# --- what the mandate asks for (computed once per evaluation) ------------------------------


@dataclass(frozen=True, slots=True)
class NeedSpec:
    """How the mandate states a need, the topic of its open item and the question asking it."""

    applies: Callable[[Mandate], bool]
    topic: Topic
    question_id: str
    wants: Callable[[Mandate], str]
    """What the mandate wants, in words (for reasons and open items)."""


NEEDS: Mapping[Need, NeedSpec] = {
    Need.OTC_RFQ: NeedSpec(
        lambda m: m.otc_rfq, Topic.OTC_RFQ, "settlement.otc_rfq", lambda m: "OTC or RFQ execution"
    ),
    Need.PRIME_FINANCING: NeedSpec(
        lambda m: m.prime_financing,
        Topic.PRIME_FINANCING,
        "settlement.prime_financing",
        lambda m: "prime brokerage and financing",
    ),
    Need.KEY_TECH: NeedSpec(
        lambda m: m.key_tech is not None,
        Topic.KEY_MANAGEMENT,
        "controls.key_tech",
        lambda m: f"use of {KEY_TECH_LABELS.get(m.key_tech or '', m.key_tech)} for key management",
    ),
    Need.COLD_STORAGE_IMPORTANT: NeedSpec(
        lambda m: m.cold_storage_priority == "important",
        Topic.COLD_STORAGE,
        "controls.cold_storage_priority",
        lambda m: "cold or air-gapped storage of client keys",
    ),
    Need.BANK_BACKED_PREFERRED: NeedSpec(
        lambda m: m.bank_backed == "preferred",
        Topic.BANK_BACKED,
        "reg.bank_backed",
        lambda m: "whether it is bank-backed",
    ),
    Need.ASSETS_REQUIRED: NeedSpec(
        lambda m: bool(m.assets_required),
        Topic.SUPPORTED_ASSETS,
        "assets.required",
        lambda m: f"custody of {m.assets_required_text}",
    ),
    Need.STAKING_ASSETS: NeedSpec(
        lambda m: m.staking and bool(m.staking_assets),
        Topic.STAKING_ASSETS,
        "assets.staking_assets",
        lambda m: f"staking support for {m.staking_assets_text}",
    ),
    Need.GOVERNANCE: NeedSpec(
        lambda m: m.governance,
        Topic.GOVERNANCE,
        "assets.governance",
        lambda m: "on-chain governance and voting from custody",
    ),
    Need.PUBLISHED_SCHEDULE: NeedSpec(
        lambda m: m.published_schedule,
        Topic.FEE_SCHEDULE,
        "fees.published_schedule_required",
        lambda m: "a published fee schedule",
    ),
    Need.NETWORK_FEES_AT_COST: NeedSpec(
        lambda m: m.network_fees_at_cost,
        Topic.NETWORK_FEES,
        "fees.network_fees_at_cost",
        lambda m: "network fees passed through at cost",
    ),
    Need.API: NeedSpec(
        lambda m: m.api,
        Topic.API,
        "reporting.api",
        lambda m: "API access for reporting and operations",
    ),
    Need.ALWAYS_ON: NeedSpec(
        lambda m: m.always_on,
        Topic.ALWAYS_ON,
        "support.always_on",
        lambda m: "a 24/7 operations desk",
    ),
    Need.WHITE_GLOVE: NeedSpec(
        lambda m: m.white_glove,
        Topic.WHITE_GLOVE,
        "support.white_glove",
        lambda m: "a named account team (white-glove service)",
    ),
    Need.BRAND: NeedSpec(
        lambda m: m.brand is not None,
        Topic.BRAND,
        "reg.brand_preference",
        lambda m: (
            "a traditional financial institution"
            if m.brand == "traditional_finance"
            else "a crypto-native firm"
        ),
    ),
    Need.ETF_SERVICING: NeedSpec(
        lambda m: m.etf_servicing,
        Topic.ETF_SERVICING,
        "reg.etf_servicing",
        lambda m: "experience servicing ETFs or ETPs",
    ),
}


# --- one rubric item for one provider ------------------------------------------------------


@lru_cache(maxsize=4096)
def _earned_text(points: int, earns: str, detail: str) -> str:
    return f"+{points} {earns}{detail}"


@lru_cache(maxsize=4096)
def _nothing_text(earns: str, why: str) -> str:
    return f"+0 {earns}: {why}"


NOT_STATED = "not stated in the profile (an unknown earns nothing)"
STATED_ABSENT = "the profile states it is absent"


def _earn(item: RubricItem, provider: Provider) -> tuple[int, str, Any]:
    """Points, the reason, and the fact's value (for fits)."""
    if item.any_of:
        states = [value(provider, f) for f in item.any_of]
        named = [FACTS[f].label for f, s in zip(item.any_of, states, strict=True) if s == "yes"]
        if named:
            return (
                item.points or 0,
                _earned_text(item.points or 0, item.earns, f" ({', '.join(named)})"),
                "yes",
            )
        if all(s == "no" for s in states):
            return 0, _nothing_text(item.earns, STATED_ABSENT), "no"
        return 0, _nothing_text(item.earns, NOT_STATED), UNKNOWN
    fact = value(provider, item.fact)  # type: ignore[arg-type]
    if fact == UNKNOWN or fact is None:
        return 0, _nothing_text(item.earns, NOT_STATED), UNKNOWN
    if item.points is not None:
        if fact == "yes":
            return item.points, _earned_text(item.points, item.earns, ""), fact
        return 0, _nothing_text(item.earns, STATED_ABSENT), fact
    if item.stated is not None:
        if fact == "none":
            return 0, _nothing_text(item.earns, STATED_ABSENT), fact
        return item.stated, _earned_text(item.stated, item.earns, f" ({fact})"), fact
    if item.values is not None:
        points = item.values.get(str(fact), 0)
        detail = f" ({str(fact).replace('_', ' ')})"
        if points:
            return points, _earned_text(points, item.earns, detail), fact
        return 0, _nothing_text(item.earns, f"stated as {str(fact).replace('_', ' ')}"), fact
    listed = tuple(fact) if isinstance(fact, tuple | list) else ()
    points = sum((item.each or {}).get(entry, 0) for entry in listed)
    if not points:
        return 0, _nothing_text(item.earns, "none of the scored entries is listed"), listed
    return (
        points,
        _earned_text(points, item.earns, f" ({label_list(listed, ASSET_LABELS)})"),
        listed,
    )


Ask = tuple[Topic, str, str]
"""An open item to raise: its topic, what to confirm and the mandate question."""


def _fit(
    item: RubricItem, fact: Any, provider: Provider, mandate: Mandate, items: list[Ask]
) -> tuple[int, str] | None:
    """The negative fit adjustment for one item, or None; unknowns become open items."""
    if item.fit is None:
        return None
    spec = NEEDS[item.fit.need]
    if not spec.applies(mandate):
        return None
    need = item.fit.need
    if need == Need.KEY_TECH:
        fact = getattr(provider.key_management, mandate.key_tech or "", UNKNOWN)
    if need in (Need.ASSETS_REQUIRED, Need.STAKING_ASSETS):
        wanted = mandate.assets_required if need == Need.ASSETS_REQUIRED else mandate.staking_assets
        if fact == UNKNOWN:
            items.append((spec.topic, spec.wants(mandate), spec.question_id))
            return None
        missing = [a for a in wanted if a not in fact]
        if not missing:
            return None
        return item.fit.absent * len(missing), (
            f"your mandate wants {label_list(missing, ASSET_LABELS)}, not listed in the profile"
        )
    if fact == UNKNOWN:
        items.append((spec.topic, spec.wants(mandate), spec.question_id))
        return None
    if need == Need.BRAND:
        wanted_kinds = BRAND_KINDS.get(mandate.brand or "", ())
        absent = fact not in wanted_kinds
    elif need == Need.NETWORK_FEES_AT_COST:
        absent = fact != "pass_through"
    else:
        absent = fact == "no"
    if not absent:
        return None
    return item.fit.absent, f"your mandate wants {spec.wants(mandate)}; {STATED_ABSENT}"


Scored = tuple[tuple[CriterionScore, ...], tuple[Ask, ...], tuple[float, ...]]
"""Criterion scores, open items to raise and the scores in CRITERIA order (``values``)."""
Plan = tuple[tuple[tuple[RubricItem, bool], ...], ...]
"""Per criterion, each rubric item and whether the mandate has its fit need."""


def plan(rubric: Rubric, mandate: Mandate) -> Plan:
    """Which fit adjustments this mandate switches on, decided once for a whole catalog."""
    return tuple(
        tuple(
            (item, item.fit is not None and NEEDS[item.fit.need].applies(mandate))
            for item in rubric.criteria[criterion]
        )
        for criterion in CRITERIA
    )


class ScoreCache:
    """Scores by the facts they read (one per evaluation: same mandate, rubric and plan).

    Providers stating the same facts score the same; the signature is read with one
    ``attrgetter`` over every fact path of the rubric and the six ratings.
    """

    def __init__(self, scoring_plan: Plan) -> None:
        paths = [f.value for items in scoring_plan for item, _ in items for f in item.facts]
        paths += [f"ratings.{c}.score" for c in CRITERIA]
        self.signature = attrgetter(*paths)
        self.entries: dict[Any, Scored] = {}


def score_provider(
    provider: Provider,
    mandate: Mandate,
    rubric: Rubric,
    scoring_plan: Plan | None = None,
    cache: ScoreCache | None = None,
) -> ProviderScore:
    """Six criterion scores with their reasons, plus the facts the mandate needs confirmed.

    ``cache`` reuses the scores of a provider stating the same facts; open items are always
    the provider's own.
    """
    scoring_plan = scoring_plan or plan(rubric, mandate)
    hit = None
    key: Any = None
    if cache is not None:
        try:
            key = cache.signature(provider)
            hit = cache.entries.get(key)
        except (AttributeError, TypeError):  # a schema without some fact, or unhashable
            cache = None
    if hit is None:
        hit = _score(provider, mandate, scoring_plan)
        if cache is not None:
            cache.entries[key] = hit
    criteria, asks, values = hit
    if not asks:
        return ProviderScore(provider, criteria, (), values)
    when = as_of(provider)
    pid = provider.id
    # confirm(), inlined: one open item per unknown fact the mandate needs, per provider
    items = tuple(
        [
            OpenItem(pid, topic, confirm_message(what, when), qid, what, _NOT_STATED, when)
            for topic, what, qid in asks
        ]
    )
    return ProviderScore(provider, criteria, items, values)


def _score(provider: Provider, mandate: Mandate, scoring_plan: Plan) -> Scored:
    asks: list[Ask] = []
    criteria: list[CriterionScore] = []
    ratings = provider.ratings
    for criterion, plan_items in zip(CRITERIA, scoring_plan, strict=True):
        total = 0
        reasons: list[str] = []
        for item, fits in plan_items:
            points, why, fact = _earn(item, provider)
            total += points
            reasons.append(why)
            if not fits:
                continue
            adjustment = _fit(item, fact, provider, mandate, asks)
            if adjustment is not None:
                total += adjustment[0]
                reasons.append(f"{adjustment[0]:+d} {adjustment[1]}")
        rating = getattr(ratings, criterion).score
        criteria.append(
            CriterionScore(
                criterion, float(total), None if rating is None else float(rating), tuple(reasons)
            )
        )
    return tuple(criteria), tuple(asks), tuple([c.score for c in criteria])


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


@slot_init
@dataclass(frozen=True, slots=True)
class Ranked:
    score: ProviderScore
    total: float
    open_count: int


def rank(
    scores: Sequence[ProviderScore],
    weights: Mapping[str, float],
    open_counts: Mapping[str, int] | None = None,
    group: Mapping[str, int] | None = None,
) -> list[Ranked]:
    """Scores in rank order under ``weights`` (any non-negative scale).

    ``group`` (tier, then profiled before not profiled) orders before the score.
    """
    vector = weight_vector(weights)
    counts = open_counts or {}
    groups = group or {}
    ranked = [
        Ranked(s, weighted_total(s.values, vector), counts.get(s.provider.id, len(s.open_items)))
        for s in scores
    ]
    ranked.sort(
        key=lambda r: (
            groups.get(r.score.provider.id, 0),
            *rank_key(r.total, r.score.values[SECURITY], r.open_count, r.score.provider.id),
        )
    )
    return ranked


def _pct(weight: float) -> str:
    return f"{weight:.0f}" if abs(weight - round(weight)) < 0.05 else f"{weight:.1f}"


@dataclass(frozen=True, slots=True)
class WeightShares:
    """The weights as the rank explanations state them, computed once per ranking."""

    vector: tuple[float, ...]
    total_weight: float
    share_text: tuple[str, ...]
    """Each criterion's share of the total weight, in percent, as printed."""

    @classmethod
    def of(cls, weights: Mapping[str, float]) -> WeightShares:
        vector = weight_vector(weights)
        total_weight = sum(vector) or 1.0
        return cls(vector, total_weight, tuple([_pct(100.0 * w / total_weight) for w in vector]))


def _default_precedence(before: str, after: str) -> str:
    return (
        f"{before} stands better against the mandate's hard requirements (tier first, then score)"
    )


def explain_rank(
    ranked: Sequence[Ranked],
    index: int,
    weights: Mapping[str, float],
    precedence: Callable[[Ranked, Ranked], str | None] | None = None,
    *,
    shares: WeightShares | None = None,
) -> str:
    """One to three sentences on why a provider sits where it does.

    Numbers say what they are: a total and a gap are points of the total (out of 100); a
    criterion score (0-100) is named as such and shown with the weight that turns it into
    points. ``precedence(before, after)`` says why ``before`` is placed ahead of a provider
    that scores more (its tier, or profiled before not profiled), or None when both stand
    alike and the score decides. ``shares``: ``WeightShares.of(weights)``, when the caller
    explains a whole ranking.
    """
    me = ranked[index]
    name = me.score.provider.name
    shares = WeightShares.of(weights) if shares is None else shares
    vector, total_weight, share_text = shares.vector, shares.total_weight, shares.share_text
    values = me.score.values
    points = [vector[i] * values[i] / total_weight for i in range(len(CRITERIA))]

    def why_before(before: Ranked, after: Ranked) -> str | None:
        if precedence is None:
            return _default_precedence(before.score.provider.name, after.score.provider.name)
        return precedence(before, after)

    def detail(i: int) -> str:
        return f"criterion score {values[i]:.0f} × weight {share_text[i]} %"

    opening = f"{name} ranks {index + 1} of {len(ranked)} with a total of {me.total:.1f} points"
    best = max(points) if points else 0.0
    top = [i for i in range(len(CRITERIA)) if points[i] > 0 and round(points[i] - best, 9) == 0]
    if len(top) == 1:
        i = top[0]
        parts = [
            f"{opening}; its largest contribution to the total is {CRITERION_LABELS[CRITERIA[i]]}: "
            f"{points[i]:.1f} points ({detail(i)})."
        ]
    elif top:
        labels = [CRITERION_LABELS[CRITERIA[i]] for i in top]
        parts = [
            f"{opening}; its largest contributions to the total are "
            f"{', '.join(labels[:-1])} and {labels[-1]}: {best:.1f} points each ("
            + "; ".join(f"{CRITERION_LABELS[CRITERIA[i]]}: {detail(i)}" for i in top)
            + ")."
        ]
    else:
        parts = [f"{opening}; no criterion adds points to its total."]
    other = ranked[index - 1] if index > 0 else (ranked[1] if len(ranked) > 1 else None)
    if other is None:
        return " ".join(parts)
    theirs = other.score.values
    gap = me.total - other.total
    other_name = other.score.provider.name

    def on(lead: str, crit: str, gap_points: float) -> str:
        i = CRITERIA.index(crit)
        return (
            f"{lead} {CRITERION_LABELS[crit]}: criterion score {values[i]:.0f} "
            f"vs {theirs[i]:.0f}, {abs(gap_points):.1f} points of the total at weight "
            f"{share_text[i]} %"
        )

    before, after = (other, me) if index > 0 else (me, other)
    standing = why_before(before, after)
    if index > 0 and round(gap, 9) > 0:
        parts.append(
            f"It scores {gap:.1f} points more than {other_name} in total but comes after it: "
            f"{standing or _default_precedence(other_name, name)}."
        )
    elif index == 0 and round(gap, 9) < 0:
        parts.append(
            f"{other_name} scores {-gap:.1f} points more in total but comes after it: "
            f"{standing or _default_precedence(name, other_name)}."
        )
    elif round(gap, 9) == 0 and standing:
        placed = "after" if index > 0 else "ahead of"
        parts.append(f"It ties with {other_name} on total and is placed {placed} it: {standing}.")
    elif round(gap, 9) == 0:
        placed = "after it" if index > 0 else "ahead of it"
        parts.append(
            f"It ties with {other_name} on total and is placed {placed} by the tie-break "
            "(security score, then fewer open items, then provider id)."
        )
    elif index > 0:
        key_gap, crit = max(_gaps(vector, theirs, values, total_weight))
        if key_gap > 0:
            behind = on("it falls furthest behind on", crit, key_gap)
            parts.append(f"It trails {other_name} by {-gap:.1f} points; {behind}.")
    else:
        key_gap, crit = min(_gaps(vector, theirs, values, total_weight))
        if key_gap < 0:
            ahead = on("its largest advantage is", crit, key_gap)
            parts.append(f"It leads {other_name} by {gap:.1f} points; {ahead}.")
    return " ".join(parts)


def _gaps(
    vector: Sequence[float], theirs: Sequence[float], values: Sequence[float], total_weight: float
) -> list[tuple[float, str]]:
    """Per criterion: how many points of the total the other provider gains on it."""
    return [
        (vector[i] * (theirs[i] - values[i]) / total_weight, CRITERIA[i])
        for i in range(len(CRITERIA))
    ]
