"""Scores and robustness: the points behind the ranking and how far the weights can move.

Numbers say what they are: criterion scores are 0-100; points are weight x score / 100 and
add up to the total out of 100. The lead is the recommended provider's total minus the best
other ranked total, computed from the same totals the ranking shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from ddwizard.core.questionnaire import CRITERION_LABELS
from ddwizard.core.report.inputs import MemoInputs
from ddwizard.core.results import RankedProvider, Tier

VERDICT_LABELS = {
    "stable": "Stable",
    "sensitive": "Sensitive to the weights",
    "not_applicable": "Not applicable",
}


@dataclass(frozen=True)
class SensitivityRow:
    criterion: str
    weight: str
    range: str
    below: str
    above: str


@dataclass(frozen=True)
class ScoresSection:
    verdict: str
    summary: str
    lead: str
    """The lead over the runner-up in points, in a sentence ("" without a runner-up)."""
    sensitivities: tuple[SensitivityRow, ...]


def lead_sentence(inputs: MemoInputs, pid: str | None) -> str:
    ranked = [r for r in inputs.evaluation.eligible if r.tier != Tier.EXCLUDED and r.profiled]
    leader = inputs.ranked(pid) if pid else None
    if leader is None:
        return ""
    others = [r for r in ranked if r.provider_id != pid]
    if not others:
        return f"{inputs.name(pid)} is the only ranked provider."
    best: RankedProvider = max(others, key=lambda r: (r.total, -r.rank))
    gap = leader.total - best.total
    if gap >= 0:
        return (
            f"{inputs.name(pid)} leads {inputs.name(best.provider_id)} by {gap:.1f} points "
            f"(totals {leader.total:.1f} and {best.total:.1f} out of 100)."
        )
    if best.tier.order > leader.tier.order:  # e.g. a conditional alternate: weights cannot help it
        why = f"which is {best.tier.label} and so ranks after it (tier first, then score)"
    elif best.provider_id not in inputs.shortlist:
        why = "which is not on the shortlist for diligence"
    else:
        why = "which cannot be recommended"
    return (
        f"{inputs.name(pid)} totals {leader.total:.1f} points, {-gap:.1f} below "
        f"{inputs.name(best.provider_id)} ({best.total:.1f}), {why}."
    )


def _summary(inputs: MemoInputs) -> str:
    """The rules' robustness sentence; "the only provider" never stands beside a fallback."""
    text = inputs.plain(inputs.evaluation.robustness.summary)
    for word in ("Stable: ", "Sensitive: "):  # the verdict is printed just before it
        text = text.removeprefix(word)
    fallback = [a for a in inputs.evaluation.alternates if a != inputs.evaluation.recommendation]
    if fallback and "the only provider that can be recommended" in text:  # not "… of its tier"
        return (
            f"{inputs.name(inputs.evaluation.recommendation)} stays first under any weights; "
            f"{inputs.name(fallback[0])} is next in line."
        )
    return text


def build(inputs: MemoInputs) -> ScoresSection:
    rob = inputs.evaluation.robustness
    return ScoresSection(
        verdict=VERDICT_LABELS.get(rob.verdict, rob.verdict),
        summary=_summary(inputs),
        lead=lead_sentence(inputs, inputs.evaluation.recommendation),
        sensitivities=tuple(
            SensitivityRow(
                criterion=CRITERION_LABELS.get(s.criterion, s.criterion),
                weight=f"{s.weight} %",
                range=f"{s.lowest:.0f} – {s.highest:.0f} %",
                below=inputs.name(s.taker_below) if s.taker_below else "no change down to 0",
                above=inputs.name(s.taker_above) if s.taker_above else "no change up to 100",
            )
            for s in rob.sensitivities
        ),
    )
