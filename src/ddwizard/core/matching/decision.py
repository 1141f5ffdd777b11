"""Shortlist, recommendation, its status and its conditions (DECISIONS.md §1-§2).

- The shortlist is the one given, kept to its eligible providers in rank order (tier, then
  score); else the first ``DEFAULT_SHORTLIST_SIZE`` profiled providers of tier 1, then tier 2.
- The recommendation is the first shortlisted provider that can be recommended: profiled (its
  profile or diligence confirms at least one hard requirement) and without an open critical
  finding. Alternates are the next such providers of the shortlist; only without an explicit
  shortlist do they continue down the ranking (tier 1, then tier 2).
- Status: **supported** when the recommended provider meets the mandate, every critical-rule
  and mandate-related diligence question for it is answered on current documentary evidence,
  no critical or high finding is open and the review has no other gap (reviewer steps, a
  rationale for non-default weights); **provisional** otherwise, with each condition listed;
  **none** when nobody can be recommended, saying why and what would change it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice

from ddwizard.core.answers import WEIGHTS_QUESTION, AnswerSheet
from ddwizard.core.matching.eligibility import EligibilityResult
from ddwizard.core.matching.requirements import confirming_questions
from ddwizard.core.matching.scoring import Ranked
from ddwizard.core.questionnaire import CRITERIA, CRITERION_LABELS, DEFAULT_WEIGHTS, Severity
from ddwizard.core.results import (
    Condition,
    ConditionKind,
    DiligenceProgress,
    Finding,
    RankedProvider,
    RecommendationStatus,
    Tier,
)

DEFAULT_SHORTLIST_SIZE = 3
MAX_ALTERNATES = 2
SERIOUS = (Severity.CRITICAL, Severity.HIGH)


def shortlist(
    ranked: Sequence[Ranked], given: Sequence[str] | None, profiled: Mapping[str, bool]
) -> tuple[str, ...]:
    order = {r.score.provider.id: i for i, r in enumerate(ranked)}
    if given is not None:
        return tuple(sorted((p for p in dict.fromkeys(given) if p in order), key=order.__getitem__))
    profiled_ids = (r.score.provider.id for r in ranked if profiled.get(r.score.provider.id, True))
    return tuple(islice(profiled_ids, DEFAULT_SHORTLIST_SIZE))  # the first few of 10,000


@dataclass(frozen=True, slots=True)
class Choice:
    recommendation: str | None
    alternates: tuple[str, ...]
    passed_over: tuple[str, ...]
    """Shortlisted providers ranked above the recommendation that cannot be recommended."""
    recommendable: frozenset[str]


def _recommendable(entry: RankedProvider) -> bool:
    return entry.profiled and not entry.blocked_by and entry.tier != Tier.EXCLUDED


def choose(entries: Sequence[RankedProvider], shortlisted: Sequence[str], explicit: bool) -> Choice:
    by_id = {e.provider_id: e for e in entries}
    pool = shortlisted if explicit else [*shortlisted, *(e.provider_id for e in entries)]
    candidates = [p for p in dict.fromkeys(pool) if p in by_id and _recommendable(by_id[p])]
    recommendation = next((p for p in shortlisted if p in candidates), None)
    passed: list[str] = []
    for pid in shortlisted:
        if pid == recommendation:
            break
        passed.append(pid)
    alternates = (
        tuple(p for p in candidates if p != recommendation)[:MAX_ALTERNATES]
        if recommendation
        else ()
    )
    return Choice(recommendation, alternates, tuple(passed), frozenset(candidates))


def weights_condition(sheet: AnswerSheet) -> Condition | None:
    """Weights that differ from the defaults need a written rationale (a note on the answer)."""
    weights = sheet.weights
    if all(weights.get(c) == DEFAULT_WEIGHTS[c] for c in CRITERIA):
        return None
    answer = sheet.selection.get(WEIGHTS_QUESTION)
    if answer is not None and answer.note and answer.note.strip():
        return None
    changed = ", ".join(
        f"{CRITERION_LABELS[c]} {weights.get(c)} (default {DEFAULT_WEIGHTS[c]})"
        for c in CRITERIA
        if weights.get(c) != DEFAULT_WEIGHTS[c]
    )
    return Condition(
        ConditionKind.WEIGHTS_RATIONALE,
        f"The weights differ from the defaults ({changed}): record the rationale as a note on "
        "the weights answer; the memo prints it.",
        None,
        WEIGHTS_QUESTION,
    )


def sentence(text: str) -> str:
    """``text`` as a sentence that stands alone: capitalised, ending with its full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def _finding_condition(name: str, finding: Finding) -> Condition:
    breach = finding.breaches_mandate and "breach" not in finding.message.lower()
    lead = "it breaches the mandate: " if breach else ""
    return Condition(
        ConditionKind.OPEN_FINDING,
        sentence(
            f"Resolve the open {finding.severity.value} finding on {name}: {lead}"
            f"{finding.message[:1].lower() + finding.message[1:]}"
        ),
        finding.provider_id,
        finding.question_id,
    )


def _to_confirm_sentence(name: str, to_confirm: str, label: str) -> str:
    """ "Confirm with the provider: X" for one named provider, as a sentence."""
    lead, sep, what = to_confirm.partition(": ")
    if not sep:
        lead, what = "Confirm", to_confirm
    where = lead.replace("the provider", name) if "the provider" in lead else f"{lead} for {name}"
    return sentence(f"{where}: {what} (hard requirement “{label}”, not yet confirmed)")


def status(
    recommendation: str | None,
    entries: Sequence[RankedProvider],
    findings: Mapping[str, Sequence[Finding]],
    gaps: Mapping[str, Sequence[Condition]],
    names: Mapping[str, str],
    weights_gap: Condition | None,
    shortlisted: Sequence[str] = (),
    shortlist_excluded: Sequence[str] = (),
) -> tuple[RecommendationStatus, tuple[Condition, ...]]:
    if recommendation is None:
        return RecommendationStatus.NONE, _none_conditions(
            entries, names, shortlisted, shortlist_excluded
        )
    entry = next(e for e in entries if e.provider_id == recommendation)
    name = names.get(recommendation, recommendation)
    asked_by = {c.requirement: c.question_id for c in entry.requirements}
    own_gaps = gaps.get(recommendation, ())
    unanswered = {c.question_id for c in own_gaps if c.kind == ConditionKind.UNANSWERED_QUESTION}
    merged: set[str | None] = set()
    conditions = []
    for u in entry.unconfirmed:
        # one condition per fact: the unanswered diligence question that would confirm this
        # requirement is named in it, not listed again on its own
        asks = sorted(confirming_questions(u.requirement) & unanswered)
        merged.update(asks)
        text = _to_confirm_sentence(name, u.to_confirm, u.label)
        if asks:
            text = text.removesuffix(").") + "; the diligence question on it is not answered yet)."
        conditions.append(
            Condition(
                ConditionKind.UNCONFIRMED_REQUIREMENT,
                text,
                recommendation,
                asked_by.get(u.requirement),
            )
        )
    conditions += [
        c
        for c in own_gaps
        if c.kind != ConditionKind.REVIEWER_PROCESS
        and not (c.kind == ConditionKind.UNANSWERED_QUESTION and c.question_id in merged)
    ]
    conditions += [
        _finding_condition(name, f)
        for f in findings.get(recommendation, ())
        if f.severity in SERIOUS
    ]
    conditions += [
        c for c in gaps.get(recommendation, ()) if c.kind == ConditionKind.REVIEWER_PROCESS
    ]
    if weights_gap is not None:
        conditions.append(weights_gap)
    kind = RecommendationStatus.PROVISIONAL if conditions else RecommendationStatus.SUPPORTED
    return kind, tuple(conditions)


def _names(ids: Sequence[str], names: Mapping[str, str]) -> str:
    shown = [names.get(p, p) for p in ids]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _none_conditions(
    entries: Sequence[RankedProvider],
    names: Mapping[str, str],
    shortlisted: Sequence[str] = (),
    shortlist_excluded: Sequence[str] = (),
) -> tuple[Condition, ...]:
    """Why nobody can be recommended, naming who and why, and what would change it."""
    if not entries:
        text = (
            "No recommendation: no provider meets every hard requirement of the mandate (each "
            "breaches at least one). Relax the requirement that excludes most (see the exclusion "
            "reasons) or look beyond the catalog."
        )
        return (Condition(ConditionKind.NO_CANDIDATE, text),)
    if all(not e.profiled for e in entries):
        text = (
            "No recommendation: the eligible providers' profiles confirm none of "
            "the hard requirements. Confirm the requirements with them (documentary diligence) "
            "or profile them first."
        )
        return (Condition(ConditionKind.NO_CANDIDATE, text),)
    by_id = {e.provider_id: e for e in entries}
    listed = [by_id[p] for p in shortlisted if p in by_id]
    blocked = [e.provider_id for e in listed if e.blocked_by]
    unprofiled = [e.provider_id for e in listed if not e.profiled and not e.blocked_by]
    why: list[str] = []
    if shortlist_excluded:
        verb = "is" if len(shortlist_excluded) == 1 else "are"
        why.append(
            f"{_names(shortlist_excluded, names)} {verb} excluded (a hard requirement breached)"
        )
    if unprofiled:
        verb = "is" if len(unprofiled) == 1 else "are"
        why.append(f"{_names(unprofiled, names)} {verb} to consider, not profiled")
    if blocked:
        verb = "has" if len(blocked) == 1 else "have"
        why.append(f"{_names(blocked, names)} {verb} an open critical finding")
    if not listed and not shortlist_excluded:
        why.append("the shortlist names no eligible provider")
    candidates = [
        e.provider_id for e in entries if e.provider_id not in shortlisted and _recommendable(e)
    ][:3]
    change = []
    if candidates:
        change.append(
            f"shortlist a provider that can be recommended (e.g. {_names(candidates, names)})"
        )
    if blocked:
        change.append("resolve the critical finding")
    if shortlist_excluded:
        them = "it" if len(shortlist_excluded) == 1 else "them"
        change.append(f"revisit the requirement that excludes {them} (with a rationale)")
    text = (
        "No recommendation: no shortlisted provider can be recommended: "
        + "; ".join(why)
        + ". "
        + sentence(", or ".join(change) or "profile or shortlist another provider")
    )
    return (Condition(ConditionKind.NO_CANDIDATE, text),)


def _progress_text(progress: DiligenceProgress | None) -> str:
    if progress is None or progress.asked == 0:
        return "No diligence question was asked."
    return (
        f"Diligence: {progress.answered} of {progress.asked} questions answered, "
        f"{progress.documentary} on current documentary evidence."
    )


def reason(
    choice: Choice,
    kind: RecommendationStatus,
    conditions: Sequence[Condition],
    entries: Sequence[RankedProvider],
    shortlisted: Sequence[str],
    names: Mapping[str, str],
    progress: Mapping[str, DiligenceProgress],
    explicit: bool,
) -> str:
    """The recommendation in words, following its status (never "no red flag" unasked)."""
    by_id = {e.provider_id: e for e in entries}
    passed = " ".join(_passed_text(by_id[p], names) for p in choice.passed_over if p in by_id)
    if choice.recommendation is None:
        text = conditions[0].text if conditions else "No recommendation."
        return f"{text} {passed}".strip()
    entry = by_id[choice.recommendation]
    name = names.get(choice.recommendation, choice.recommendation)
    which = "shortlisted" if explicit else "eligible"
    where = f"rank {entry.rank} of {len(entries)}, a total of {entry.total:.1f} points out of 100"
    diligence = _progress_text(progress.get(choice.recommendation))
    count = len(conditions)
    listed = (
        f"the {count} conditions listed with it are"
        if count != 1
        else ("the condition listed with it is")
    )
    if kind == RecommendationStatus.SUPPORTED:
        text = (
            f"Supported: {name} meets every hard requirement of the mandate, every critical and "
            "mandate-related diligence question is answered on current documentary evidence "
            f"and no critical or high finding is open ({where}). {diligence}"
        )
    elif entry.tier == Tier.CONDITIONAL:
        none_meet = not any(e.tier == Tier.MEETS for e in entries)
        lead = "No provider meets every hard requirement of the mandate. " if none_meet else ""
        text = (
            f"Provisional: {lead}{name} is the best-ranked {which} provider that can be "
            f"recommended ({where}), but it is conditional: {_unconfirmed_text(entry)}. The "
            f"recommendation is not supported until {listed} met. {diligence}"
        )
    else:
        text = (
            f"Provisional: {name} is the best-ranked {which} provider that can be recommended "
            f"and meets the mandate ({where}), but the recommendation is not supported until "
            f"{listed} met. {diligence}"
        )
    above = [
        e.provider_id
        for e in entries[: entry.rank - 1]
        if e.provider_id not in shortlisted and e.profiled
    ]
    if above:
        text += (
            " We recommend only among shortlisted providers (those that go through diligence); "
            f"not shortlisted: {', '.join(names.get(p, p) for p in above)}."
        )
    return f"{text} {passed}".strip()


def _unconfirmed_text(entry: RankedProvider) -> str:
    labels = [f"“{u.label}”" for u in entry.unconfirmed]
    if len(labels) == 1:
        return f"the hard requirement {labels[0]} is not yet confirmed"
    return f"the hard requirements {', '.join(labels[:-1])} and {labels[-1]} are not yet confirmed"


def _passed_text(entry: RankedProvider, names: Mapping[str, str]) -> str:
    name = names.get(entry.provider_id, entry.provider_id)
    if entry.blocked_by:
        what = "; ".join(f.message.rstrip(".") for f in entry.blocked_by)
        why = f"has an open critical finding ({what})"
    else:
        why = "is to consider, not profiled (its profile confirms none of the hard requirements)"
    return f"{name} {why}, so it is passed over although it ranks {entry.rank}."


def precedence(
    screened: Mapping[str, EligibilityResult],
) -> Callable[[Ranked, Ranked], str | None]:
    """Why one provider is placed ahead of another regardless of score (None: the score
    decides): its tier first, then profiled before "to consider, not profiled"."""

    def why(before: Ranked, after: Ranked) -> str | None:
        a, b = screened[before.score.provider.id], screened[after.score.provider.id]
        first, second = before.score.provider.name, after.score.provider.name
        if a.tier != b.tier:
            return (
                f"{first} {_tier_phrase(a.tier)} and {second} {_tier_phrase(b.tier)} "
                "(tier first, then score)"
            )
        if a.profiled != b.profiled:
            return (
                f"both are {a.tier.label}, but the profile of {first} confirms some of the hard "
                f"requirements and that of {second} none (to consider, not profiled: placed "
                "after the profiled providers of its tier)"
            )
        return None

    return why


def _tier_phrase(tier: Tier) -> str:
    return "meets the mandate" if tier == Tier.MEETS else f"is {tier.label}"


def explain(text: str, screened: EligibilityResult, blocked: Sequence[Finding]) -> str:
    """The rank explanation with the provider's tier and what stops its recommendation."""
    if screened.tier == Tier.CONDITIONAL:
        text += (
            " Conditional, to confirm: " + "; ".join([u.label for u in screened.unconfirmed]) + "."
        )
    if not screened.profiled:
        text += (
            " To consider, not profiled: its profile confirms none of the hard requirements, so "
            "it is never recommended."
        )
    if blocked:
        text += (
            " It cannot be recommended until its critical finding is resolved: "
            + "; ".join(f.message.rstrip(".") for f in blocked)
            + "."
        )
    return text
