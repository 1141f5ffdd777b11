"""Page 2: eligibility and ranking at a glance.

Every provider once, in the tiers of DECISIONS.md §1 and in this order: meets the mandate,
conditional (with exactly what to confirm), excluded (with the reason quoting fact, source
and date, or the diligence answer), and "to consider, not profiled". Within a tier, by score.
The chart shows each criterion's contribution in points, so the bar length is the total.
"""

from __future__ import annotations

from dataclasses import dataclass

from ddwizard.core.questionnaire import CRITERIA, CRITERION_LABELS
from ddwizard.core.report.chart import ChartInput, ScoreChart, build_score_chart
from ddwizard.core.report.inputs import MemoInputs
from ddwizard.core.report.sections.common import TIER_TITLES
from ddwizard.core.report.text import grouped_by_lead, join_items, plural
from ddwizard.core.results import RankedProvider, Tier

TIER_EXPLAINED = {
    Tier.MEETS: "every hard requirement of the mandate is met",
    Tier.CONDITIONAL: "none breached, some not yet confirmed: listed with what to confirm",
    Tier.EXCLUDED: "at least one hard requirement breached",
}


@dataclass(frozen=True)
class TierRow:
    name: str
    points: str
    """Total in points out of 100 (``—`` when not ranked)."""
    rank: str
    role: str
    """``recommended``, ``alternate``, ``shortlisted``, ``blocked: critical finding`` or ``""``."""
    detail: str
    """Conditional: what to confirm; excluded: why."""
    shortlisted: bool


@dataclass(frozen=True)
class TierGroup:
    key: str
    title: str
    explained: str
    rows: tuple[TierRow, ...]


@dataclass(frozen=True)
class RankingRow:
    rank: str
    name: str
    tier: str
    total: str
    scores: tuple[str, ...]
    """Criterion scores 0-100, in ``criteria_labels`` order."""
    shortlisted: bool


@dataclass(frozen=True)
class GlanceSection:
    groups: tuple[TierGroup, ...]
    not_profiled: tuple[str, ...]
    """Names of providers "to consider, not profiled" (never recommended)."""
    not_profiled_note: str
    counts: str
    chart: ScoreChart
    has_ranking: bool
    criteria_labels: tuple[str, ...]
    ranking: tuple[RankingRow, ...]


def role(inputs: MemoInputs, r: RankedProvider) -> str:
    ev = inputs.evaluation
    if r.provider_id == ev.recommendation and ev.recommendation_status.value == "supported":
        return "recommended"
    if r.provider_id == ev.recommendation and ev.recommendation_status.value == "provisional":
        return "provisional pick"
    if r.blocked_by:
        return "blocked: critical finding"
    if r.provider_id in ev.alternates:
        return "alternate"
    if r.provider_id in inputs.shortlist:
        return "shortlisted"
    return ""


def build(inputs: MemoInputs) -> GlanceSection:
    ev = inputs.evaluation
    not_profiled = set(ev.not_profiled) | {r.provider_id for r in ev.eligible if not r.profiled}
    ranked = [r for r in ev.eligible if r.provider_id not in not_profiled]
    groups: list[TierGroup] = []
    for tier in (Tier.MEETS, Tier.CONDITIONAL):
        rows = tuple(
            TierRow(
                name=inputs.name(r.provider_id),
                points=f"{r.total:.1f}",
                rank=str(r.rank),
                role=role(inputs, r),
                detail=(
                    _to_confirm(grouped_by_lead(inputs.plain(u.to_confirm) for u in r.unconfirmed))
                    if tier == Tier.CONDITIONAL and r.unconfirmed
                    else ""
                ),
                shortlisted=r.provider_id in inputs.shortlist,
            )
            for r in sorted((r for r in ranked if r.tier == tier), key=lambda r: (-r.total, r.rank))
        )
        if rows:
            groups.append(TierGroup(tier.value, TIER_TITLES[tier], TIER_EXPLAINED[tier], rows))
    excluded_rows = [
        TierRow(
            name=inputs.name(r.provider_id),
            points=f"{r.total:.1f}",
            rank=str(r.rank),
            role="",
            detail=join_items(
                inputs.plain(c.basis) for c in r.requirements if c.state.value == "breached"
            )
            if r.requirements
            else "",
            shortlisted=r.provider_id in inputs.shortlist,
        )
        for r in ranked
        if r.tier == Tier.EXCLUDED
    ]
    excluded_rows += [
        TierRow(
            name=inputs.name(e.provider_id),
            points="—",
            rank="—",
            role="",
            detail=" ".join(join_items([inputs.plain(reason)]) for reason in e.reasons),
            shortlisted=False,
        )
        for e in sorted(ev.excluded, key=lambda e: inputs.name(e.provider_id))
    ]
    if excluded_rows:
        groups.append(
            TierGroup(
                Tier.EXCLUDED.value,
                TIER_TITLES[Tier.EXCLUDED],
                TIER_EXPLAINED[Tier.EXCLUDED],
                tuple(excluded_rows),
            )
        )
    chartable = [r for r in ranked if r.tier != Tier.EXCLUDED]
    chart = build_score_chart(
        [
            ChartInput(
                label=inputs.name(r.provider_id),
                total=r.total,
                scores={c.criterion: c.score for c in r.criteria},
            )
            for r in chartable
        ],
        ev.weights,
    )
    profiled_names = tuple(
        inputs.name(pid) for pid in sorted(not_profiled, key=lambda p: inputs.name(p))
    )
    meets = sum(1 for r in ranked if r.tier == Tier.MEETS)
    conditional = sum(1 for r in ranked if r.tier == Tier.CONDITIONAL)
    counts = (
        f"{plural(len(inputs.catalog), 'provider')} profiled: {meets} meet the mandate, "
        f"{conditional} conditional, {len(excluded_rows)} excluded"
        + (f", {len(profiled_names)} to consider but not profiled" if profiled_names else "")
        + f"; {plural(len(inputs.reviewed), 'provider')} put through diligence"
        + (
            f" ({len(inputs.shortlist)} still eligible)."
            if len(inputs.shortlist) != len(inputs.reviewed)
            else "."
        )
    )
    return GlanceSection(
        groups=tuple(groups),
        not_profiled=profiled_names,
        not_profiled_note=(
            "Its profile confirms none of the mandate's hard requirements, so it is never "
            "recommended."
            if len(profiled_names) == 1
            else "Their profiles confirm none of the mandate's hard requirements, so they are "
            "never recommended."
        ),
        counts=counts,
        chart=chart,
        has_ranking=bool(chartable),
        criteria_labels=tuple(CRITERION_LABELS[c] for c in CRITERIA),
        ranking=tuple(
            RankingRow(
                rank=str(r.rank),
                name=inputs.name(r.provider_id),
                tier=TIER_TITLES.get(r.tier, ""),
                total=f"{r.total:.1f}",
                scores=tuple(_score(r, c) for c in CRITERIA),
                shortlisted=r.provider_id in inputs.shortlist,
            )
            for r in chartable
        ),
    )


def _to_confirm(text: str) -> str:
    return text if text.lower().startswith("confirm") else f"To confirm: {text}"


def _score(r: RankedProvider, criterion: str) -> str:
    for c in r.criteria:
        if c.criterion == criterion:
            return f"{c.score:.0f}"
    return "—"
