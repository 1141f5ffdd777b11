"""Page 1: the decision the committee is asked to take, in the words its status allows.

DECISIONS.md §2: a supported recommendation asks to "approve X"; a provisional one asks to
note the ranking and authorise completion of diligence, with the conditions one by one; with
none, the memo says why and what would change it. The risks are those of the recommended
provider (the committee decides on it), and the diligence line says how many questions were
answered and how many on documentary evidence, never "no red flag" without that count.
"""

from __future__ import annotations

from dataclasses import dataclass

from ddwizard.core.questionnaire import Severity
from ddwizard.core.report.inputs import MemoInputs
from ddwizard.core.report.sections.common import ProviderBrief, RiskRow, brief, finding_risk
from ddwizard.core.report.text import plural
from ddwizard.core.results import (
    DiligenceProgress,
    RecommendationStatus,
    Tier,
)

MAX_CONDITIONS_ON_PAGE_ONE = 8
MAX_RISKS = 3

STATUS_LABELS = {
    RecommendationStatus.SUPPORTED: "Supported",
    RecommendationStatus.PROVISIONAL: "Provisional",
    RecommendationStatus.NONE: "No recommendation",
}
STATUS_MEANING = {
    RecommendationStatus.SUPPORTED: (
        "The provider meets every hard requirement of the mandate, its critical and "
        "mandate-related diligence questions are answered on current documents, and it has no "
        "open critical or high finding."
    ),
    RecommendationStatus.PROVISIONAL: (
        "A best candidate exists, but the conditions below must be met before approval can "
        "be requested."
    ),
    RecommendationStatus.NONE: "No provider can be recommended on the current answers.",
}


@dataclass(frozen=True)
class DecisionSection:
    status: str
    """``supported``, ``provisional`` or ``none``."""
    status_label: str
    status_meaning: str
    recommended: ProviderBrief | None
    decision: str
    """The decision requested of the committee, in the words of the status."""
    reason: str
    conditions: tuple[str, ...]
    """The first conditions (all of them are listed with the providers and in the record)."""
    conditions_total: int
    conditions_more: str
    conditions_all: tuple[str, ...]
    """Every condition, in order (page 1 prints the first ones)."""
    risks: tuple[RiskRow, ...]
    """The most important risks of the recommended provider, most severe first."""
    risks_note: str
    diligence: str
    """How many diligence questions were answered, and how many on documentary evidence."""
    next_in_line: tuple[ProviderBrief, ...]
    next_note: str
    what_would_change: tuple[str, ...]
    """For ``none``: what would make a recommendation possible."""


def progress_for(inputs: MemoInputs, provider_id: str) -> DiligenceProgress:
    """The rules' diligence count for a provider; counted from the answers if not given."""
    given = inputs.evaluation.diligence_progress.get(provider_id)
    if given is not None:
        return given
    from ddwizard.core.answers import diligence_lookup

    answers = inputs.sheet.diligence.get(provider_id, {})
    lookup = diligence_lookup(inputs.qset, inputs.applicable, answers)
    asked = [q for q in inputs.qset.diligence.questions() if inputs.qset.is_shown(q, lookup)]
    answered = [q for q in asked if q.id in answers]
    documentary = [
        q
        for q in answered
        if answers[q.id].evidence in ("seen_doc", "public_source")
        and answers[q.id].document_date is not None
        and not inputs.is_stale(answers[q.id].document_date)
    ]
    return DiligenceProgress(len(asked), len(answered), len(documentary))


def diligence_sentence(inputs: MemoInputs, provider_id: str) -> str:
    p = progress_for(inputs, provider_id)
    name = inputs.name(provider_id)
    if p.asked == 0:
        return f"No diligence question applies to {name}."
    return (
        f"Diligence on {name}: {p.answered} of {plural(p.asked, 'applicable question')} "
        f"answered, {p.documentary} of them on current documentary evidence."
    )


def build(inputs: MemoInputs) -> DecisionSection:
    ev = inputs.evaluation
    status = ev.recommendation_status
    if ev.recommendation is None:
        status = RecommendationStatus.NONE
    pid = ev.recommendation if status != RecommendationStatus.NONE else None
    recommended = brief(inputs, pid) if pid else None
    entity = inputs.entity
    # With no recommendation, the rules' conditions say what would change that.
    # Under the recommended provider's name, its conditions need not repeat it.
    own = f"{recommended.name}: " if recommended else "\0"
    conditions = (
        tuple(_sentence(inputs.plain(c.text).removeprefix(own)) for c in ev.conditions)
        if status != RecommendationStatus.NONE
        else ()
    )

    if status == RecommendationStatus.SUPPORTED and recommended:
        decision = (
            f"The committee is asked to approve {recommended.name} as custodian for {entity}."
        )
    elif status == RecommendationStatus.PROVISIONAL and recommended:
        decision = (
            "The committee is asked to note the provisional ranking and authorise completion "
            f"of diligence on {recommended.name}; approval is not requested until the "
            "conditions below are met."
        )
    else:
        decision = (
            f"The committee is asked to note that no provider can be recommended for {entity} "
            "on the current answers, for the reasons below."
        )

    shown = conditions[:MAX_CONDITIONS_ON_PAGE_ONE]
    more = len(conditions) - len(shown)
    conditions_more = (
        f"… and {more} more, listed in the section on {recommended.name}."
        if more and recommended
        else f"… and {more} more."
        if more
        else ""
    )

    risks: list[RiskRow] = []
    risks_note = ""
    diligence = ""
    if pid is not None:
        findings = sorted(ev.findings_for(pid), key=lambda f: (-f.severity.rank, f.question_id))
        risks = [finding_risk(inputs, f) for f in findings[:MAX_RISKS]]
        ranked = inputs.ranked(pid)
        for u in ranked.unconfirmed if ranked else ():
            if len(risks) >= MAX_RISKS:
                break
            risks.append(
                RiskRow(
                    "open",
                    "Unconfirmed",
                    recommended.name if recommended else "",
                    inputs.plain(u.to_confirm),
                    "",
                )
            )
        diligence = diligence_sentence(inputs, pid)
        name = inputs.name(pid)
        count = len(findings)
        if not findings:
            p = progress_for(inputs, pid)
            if p.answered == 0:
                risks_note = (
                    f"No diligence question has been answered for {name} yet (0 of {p.asked}): "
                    "its risks are not known."
                )
            else:
                risks_note = (
                    f"No red flag was raised for {name} from the {p.answered} diligence "
                    f"answers given ({p.asked - p.answered} of {p.asked} questions not answered)."
                )
        elif count > MAX_RISKS:
            serious = sum(1 for f in findings if f.severity.rank >= Severity.HIGH.rank)
            risks_note = (
                f"The {MAX_RISKS} most severe of {plural(count, 'finding')} for {name} "
                f"({serious} high or critical); all are in the red-flags table."
            )
        else:
            where = "it is" if count == 1 else "all are"
            risks_note = f"{plural(count, 'finding')} for {name}; {where} in the red-flags table."

    next_in_line = tuple(brief(inputs, a) for a in ev.alternates if a != pid)
    next_note = ""
    if next_in_line and recommended:
        next_note = (
            f"If {recommended.name} cannot be appointed, the next candidates in ranked order are "
            "listed here; each would need its own diligence and approval."
        )
    elif next_in_line:
        next_note = "Best-placed candidates, in ranked order; none can be recommended yet."

    return DecisionSection(
        status=status.value,
        status_label=STATUS_LABELS[status],
        status_meaning=STATUS_MEANING[status],
        recommended=recommended,
        decision=decision,
        reason=inputs.plain(ev.recommendation_reason),
        conditions=shown,
        conditions_total=len(conditions),
        conditions_more=conditions_more,
        conditions_all=conditions,
        risks=tuple(risks),
        risks_note=risks_note,
        diligence=diligence,
        next_in_line=next_in_line,
        next_note=next_note,
        what_would_change=_what_would_change(inputs) if status == RecommendationStatus.NONE else (),
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _what_would_change(inputs: MemoInputs) -> tuple[str, ...]:
    ev = inputs.evaluation
    out = [inputs.plain(c.text) for c in ev.conditions]
    conditional = [r for r in ev.eligible if r.tier == Tier.CONDITIONAL and r.profiled]
    meets = [r for r in ev.eligible if r.tier == Tier.MEETS and r.profiled]
    if meets:
        names = ", ".join(inputs.name(r.provider_id) for r in meets[:3])
        out.append(
            f"Resolving the findings and conditions listed for {names}, which meet the mandate."
        )
    elif conditional:
        names = ", ".join(inputs.name(r.provider_id) for r in conditional[:3])
        out.append(
            f"Confirming with {names} the requirements listed as “to confirm” on page 2 "
            "(on current documents)."
        )
    else:
        out.append(
            "Every profiled provider breaches a hard requirement: a change to the mandate's "
            "hard requirements, with its rationale, or a provider profile that meets them."
        )
    return tuple(dict.fromkeys(out))
