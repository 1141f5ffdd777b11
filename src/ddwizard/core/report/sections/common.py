"""Small shapes several sections share: a labelled value, a provider in brief, a risk row."""

from __future__ import annotations

from dataclasses import dataclass

from ddwizard.core.report.inputs import MemoInputs
from ddwizard.core.results import Finding, Tier

TIER_TITLES = {
    Tier.MEETS: "Meets the mandate",
    Tier.CONDITIONAL: "Conditional",
    Tier.EXCLUDED: "Excluded",
}


@dataclass(frozen=True)
class LabelValue:
    label: str
    value: str
    unknown: bool = False


@dataclass(frozen=True)
class ProviderBrief:
    id: str
    name: str
    points: str
    """Total score, e.g. ``72.2`` (points out of 100); ``—`` when not ranked."""
    rank: str
    tier: str
    """``Meets the mandate`` / ``Conditional`` / ``Excluded`` / ``""``."""


@dataclass(frozen=True)
class RiskRow:
    severity: str
    severity_label: str
    subject: str
    message: str
    mitigation: str


def brief(inputs: MemoInputs, provider_id: str) -> ProviderBrief:
    ranked = inputs.ranked(provider_id)
    tier = inputs.tier(provider_id)
    return ProviderBrief(
        id=provider_id,
        name=inputs.name(provider_id),
        points=f"{ranked.total:.1f}" if ranked else "—",
        rank=str(ranked.rank) if ranked else "—",
        tier=TIER_TITLES.get(tier, "") if tier else "",
    )


def finding_risk(inputs: MemoInputs, f: Finding) -> RiskRow:
    from ddwizard.core.report.text import severity_label

    return RiskRow(
        severity=f.severity.value,
        severity_label=severity_label(f.severity),
        subject=inputs.name(f.provider_id),
        message=inputs.plain(f.message),
        mitigation=inputs.plain(f.mitigation),
    )
