"""How far each weight can move before the recommendation changes, solved exactly.

Moving one criterion's weight to ``w`` (0-100) and rescaling the others proportionally so the
weights still sum to 100 makes every provider's total a linear function of ``w``:

    total_p(w) = A_p + (s_pc - A_p) * w / 100

where ``s_pc`` is the provider's score on the moved criterion and ``A_p`` the average of its
other scores under their current (rescaled) weights. The recommended provider stays first
while its line lies above every other candidate's line, so the interval is bounded by the
nearest crossing on each side; each crossing is one division, no search. Candidates are the
providers that could be recommended (eligible, shortlisted when a shortlist was given, no open
critical finding). Ties at a crossing go to the documented tie-break, so the bound itself is
reported as the limit.

Weights move a provider only within its tier (tier first, then score): providers of a lower
tier that could take the recommendation (the alternates after a provider that meets the
mandate) stay behind it whatever the weights, and the summary says so by name instead of
calling the recommendation "the only provider that can be recommended".

Verdict: "stable" when every weight can move at least 10 points each way (within 0-100)
without a change; otherwise "sensitive". The margin is the recommendation's total minus the
runner-up's: the next provider in rank order that could take the recommendation (negative
when that provider is in a lower tier and scores more).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ddwizard.core.questionnaire import CRITERIA, CRITERION_LABELS
from ddwizard.core.results import Robustness, WeightSensitivity

STABLE_DISTANCE = 10.0
MAX_NAMED_BEHIND = 2
_EPS = 1e-9

Candidate = tuple[str, Sequence[float]]
"""Provider id and its criterion scores in CRITERIA order."""

Behind = tuple[str, float]
"""A provider of a lower tier that could take the recommendation, and its total."""


def _normalized(weights: Mapping[str, float]) -> list[float]:
    raw = [float(weights.get(c, 0)) for c in CRITERIA]
    total = sum(raw)
    if total <= 0:
        return [100.0 / len(raw)] * len(raw)
    return [100.0 * w / total for w in raw]


def _others_average(
    scores: Sequence[float], weights: Sequence[float], moved: int, weighted_sum: float
) -> float:
    """Average of the other criteria under their weights; O(1) given the full weighted sum."""
    rest_weight = 100.0 - weights[moved]
    if rest_weight <= _EPS:  # the moved weight is 100: the others share what it gives up equally
        return (sum(scores) - scores[moved]) / (len(scores) - 1)
    return (weighted_sum - weights[moved] * scores[moved]) / rest_weight


def _weighted_sum(scores: Sequence[float], weights: Sequence[float]) -> float:
    return sum(w * s for w, s in zip(weights, scores, strict=True))


def _fmt(weight: float) -> str:
    return f"{weight:.0f}" if abs(weight - round(weight)) < 0.05 else f"{weight:.1f}"


def sensitivity(
    criterion_index: int,
    weights: Sequence[float],
    recommended: Candidate,
    others: Sequence[Candidate],
    weighted_sums: Sequence[float] | None = None,
) -> WeightSensitivity:
    """Interval of the moved weight that keeps ``recommended`` first, and who takes over.

    ``weights`` must sum to 100; ``weighted_sums`` (optional) are the others' sums of
    weight x score, computed once for all criteria.
    """
    w0 = weights[criterion_index]
    rec_scores = recommended[1]
    sums = weighted_sums or [_weighted_sum(scores, weights) for _, scores in others]
    a_rec = _others_average(
        rec_scores, weights, criterion_index, _weighted_sum(rec_scores, weights)
    )
    slope_rec = (rec_scores[criterion_index] - a_rec) / 100.0
    lowest, highest = 0.0, 100.0
    taker_below: tuple[float, float, str] | None = None
    taker_above: tuple[float, float, str] | None = None
    moved_weight = weights[criterion_index]
    rest_weight = 100.0 - moved_weight
    for (pid, scores), weighted_sum in zip(others, sums, strict=True):
        # _others_average, inlined (same arithmetic): once per rival and criterion
        if rest_weight <= _EPS:
            a_other = (sum(scores) - scores[criterion_index]) / (len(scores) - 1)
        else:
            a_other = (weighted_sum - moved_weight * scores[criterion_index]) / rest_weight
        slope_other = (scores[criterion_index] - a_other) / 100.0
        # lead(w) = offset + slope * w: the recommended total minus the other's.
        offset = a_rec - a_other
        slope = slope_rec - slope_other
        if abs(slope) < 1e-12:
            continue
        crossing = -offset / slope
        if slope > 0 and crossing > 0.0 and crossing >= lowest - _EPS:
            # the lead shrinks as the weight falls: overtaken below the crossing
            candidate = (crossing, slope, pid)
            if taker_below is None or (crossing, slope) > taker_below[:2]:
                taker_below = candidate
            lowest = max(lowest, crossing)
        elif slope < 0 and crossing < 100.0 and crossing <= highest + _EPS:
            candidate = (-crossing, -slope, pid)
            if taker_above is None or (-crossing, -slope) > taker_above[:2]:
                taker_above = candidate
            highest = min(highest, crossing)
    lowest = min(lowest, w0)
    highest = max(highest, w0)
    return WeightSensitivity(
        criterion=CRITERIA[criterion_index],
        weight=round(w0),
        lowest=lowest,
        highest=highest,
        taker_below=taker_below[2] if taker_below else None,
        taker_above=taker_above[2] if taker_above else None,
    )


def _behind_text(
    name: str, behind: Sequence[Behind], names: Mapping[str, str], behind_label: str
) -> str:
    """Why the providers of a lower tier cannot overtake the recommendation."""
    named = [names.get(pid, pid) for pid, _ in behind[:MAX_NAMED_BEHIND]]
    more = len(behind) - len(named)
    if more:
        named.append(f"{more} more")
    who = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    verb = "stays" if len(behind) == 1 else "stay"
    return (
        f"Weights cannot move a provider across tiers: {who} ({behind_label}) {verb} behind "
        f"{name} whatever the weights."
    )


def analyse(
    weights: Mapping[str, float],
    recommended: Candidate | None,
    others: Sequence[Candidate],
    names: Mapping[str, str],
    *,
    behind: Sequence[Behind] = (),
    tier_label: str = "",
    behind_label: str = "conditional",
) -> Robustness:
    """Robustness of the recommendation to each weight, with a one-line summary.

    ``others`` are the providers of the recommendation's tier that could take it (in rank
    order); ``behind`` those of a lower tier (in rank order, with their totals), which no
    weight can move ahead of it. ``tier_label`` names the recommendation's tier
    ("meets the mandate") and ``behind_label`` the lower one.
    """
    if recommended is None:
        return Robustness(
            recommendation=None,
            verdict="not_applicable",
            summary="Not applicable: there is no recommendation to test.",
            margin=0.0,
        )
    vector = _normalized(weights)
    rec_total = _weighted_sum(recommended[1], vector) / 100.0
    sums = [_weighted_sum(scores, vector) for _, scores in others]
    runner_up: str | None = None
    margin = 0.0
    if sums:
        best = max(range(len(sums)), key=lambda i: (round(sums[i], 7), -i))
        runner_up, margin = others[best][0], rec_total - sums[best] / 100.0
    elif behind:
        runner_up, margin = behind[0][0], rec_total - behind[0][1]
    sensitivities = tuple(
        sensitivity(i, vector, recommended, others, sums) for i in range(len(CRITERIA))
    )
    stable = True
    closest: tuple[float, str] | None = None
    for w0, s in zip(vector, sensitivities, strict=True):
        down_room = w0 - s.lowest if s.taker_below else w0
        up_room = s.highest - w0 if s.taker_above else 100.0 - w0
        if s.taker_below and down_room < min(STABLE_DISTANCE, w0) - _EPS:
            stable = False
        if s.taker_above and up_room < min(STABLE_DISTANCE, 100.0 - w0) - _EPS:
            stable = False
        label = CRITERION_LABELS[s.criterion].lower() if s.criterion != "ux" else "UX"
        if s.taker_below:
            text = (
                f"{label} weight falls below {_fmt(s.lowest)} "
                f"(then {names.get(s.taker_below, s.taker_below)})"
            )
            if closest is None or (down_room, text) < closest:
                closest = (down_room, text)
        if s.taker_above:
            text = (
                f"{label} weight rises above {_fmt(s.highest)} "
                f"(then {names.get(s.taker_above, s.taker_above)})"
            )
            if closest is None or (up_room, text) < closest:
                closest = (up_room, text)
    name = names.get(recommended[0], recommended[0])
    verdict_word = "Stable" if stable else "Sensitive"
    if not others and not behind:
        summary = (
            f"{verdict_word}: {name} is the only provider that can be recommended, so no weight "
            "change alters the recommendation."
        )
    elif not others:
        tier = f"its tier ({tier_label})" if tier_label else "its tier"
        summary = (
            f"{verdict_word}: {name} is the only provider of {tier} that can be recommended, so "
            "no weight change alters the recommendation. "
            + _behind_text(name, behind, names, behind_label)
        )
    elif closest is None:
        summary = f"{verdict_word}: {name} stays first whichever single weight moves from 0 to 100."
    else:
        summary = f"{verdict_word}: {name} stays first unless {closest[1]}."
    if others and behind:
        summary += " " + _behind_text(name, behind, names, behind_label)
    return Robustness(
        recommendation=recommended[0],
        verdict="stable" if stable else "sensitive",
        summary=summary,
        margin=margin,
        sensitivities=sensitivities,
        runner_up=runner_up,
    )
