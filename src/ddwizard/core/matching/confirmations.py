"""Open items of the scoring that the diligence answers have closed.

Hard requirements are settled by ``requirements`` (a current documentary answer makes them
met). The fit facts scoring asks about (cold storage under an "important" mandate, ...) are
open items; when the provider's diligence answers confirm the fact on current documentary
evidence (DECISIONS §3: a claim or no evidence closes nothing), the item is listed as
confirmed, with the answer that closed it. Scores are computed from the profile alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ddwizard.core.answers import EVIDENCE_LABELS, Answer
from ddwizard.core.matching.evidence import is_current_documentary
from ddwizard.core.matching.requirements import BY_ID
from ddwizard.core.questionnaire import QuestionnaireSet, format_value
from ddwizard.core.results import (
    ConfirmedItem,
    OpenItem,
    RequirementCheck,
    RequirementState,
    Topic,
)
from ddwizard.core.settings import Settings


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


@dataclass(frozen=True, slots=True)
class Confirmation:
    """Which diligence answers confirm an open item's fact, and when they do."""

    question_ids: tuple[str, ...]
    holds: Callable[[Mapping[str, Any]], bool]


def _yes(question_id: str) -> Confirmation:
    return Confirmation((question_id,), lambda values: values.get(question_id) == "yes")


CONFIRMED_BY: Mapping[Topic, Confirmation] = {
    # open-item topic -> the diligence answers that settle it
    Topic.SOC1: _yes("dd.soc1_type2"),
    Topic.SOC2: _yes("dd.soc2_type2"),
    Topic.INSURANCE: _yes("dd.insurance_certificate_seen"),
    Topic.SLA: _yes("dd.sla_contractual"),
    Topic.FEE_SCHEDULE: _yes("dd.fee_schedule_received"),
    Topic.COLD_STORAGE: Confirmation(
        ("dd.cold_storage_pct",), lambda values: _number(values.get("dd.cold_storage_pct")) > 0
    ),
    Topic.POLICY_ENGINE: Confirmation(
        ("dd.allowlisting_enforced", "dd.withdrawal_quorum"),
        lambda values: (
            values.get("dd.allowlisting_enforced") == "yes"
            and _number(values.get("dd.withdrawal_quorum")) >= 2
        ),
    ),
}


def split_confirmed(
    items: list[OpenItem],
    answers: Mapping[str, Answer],
    qset: QuestionnaireSet,
    *,
    shown: Callable[[str], Any],
    settings: Settings,
    today: date,
) -> tuple[list[OpenItem], list[ConfirmedItem]]:
    """``items`` still open, and those the provider's diligence answers confirm.

    ``shown`` is the provider's diligence lookup (conditions decide which answers apply). Only
    current documentary answers count: a claim, no evidence, an undated or a stale document
    confirm nothing.
    """
    values = {
        qid: a.value
        for qid, a in answers.items()
        if qid in qset
        and qset.is_shown(qset.question(qid), shown)
        and is_current_documentary(a, settings, today)
    }
    still_open: list[OpenItem] = []
    confirmed: list[ConfirmedItem] = []
    for item in items:
        rule = CONFIRMED_BY.get(item.topic)
        if rule is None or not rule.holds(values):
            still_open.append(item)
            continue
        evidence = "; ".join(_answer_text(qset, qid, answers[qid]) for qid in rule.question_ids)
        confirmed.append(
            ConfirmedItem(
                provider_id=item.provider_id,
                topic=item.topic,
                message=f"{item.what or item.topic}: confirmed in diligence ({evidence})",
                question_ids=rule.question_ids,
            )
        )
    return still_open, confirmed


def _answer_text(qset: QuestionnaireSet, question_id: str, answer: Answer) -> str:
    question = qset.question(question_id)
    text = f"{question.prompt} {format_value(question, answer.value)}"
    details = [EVIDENCE_LABELS.get(answer.evidence, answer.evidence)] if answer.evidence else []
    if answer.document_date:
        details.append(answer.document_date.isoformat())
    return f"{text}, {', '.join(details)}" if details else text


def confirmed_requirements(
    checks: Sequence[RequirementCheck],
    provider_id: str,
    answers: Mapping[str, Answer],
    qset: QuestionnaireSet,
) -> list[ConfirmedItem]:
    """Hard requirements the profile left open that current documentary answers met."""
    out: list[ConfirmedItem] = []
    for check in checks:
        if not check.answered_by or check.state != RequirementState.MET:
            continue  # answered_by first: empty for nearly every check of a large catalog
        what = check.to_confirm.split(": ", 1)[-1] if check.to_confirm else check.label
        evidence = "; ".join(
            _answer_text(qset, qid, answers[qid]) for qid in check.answered_by if qid in answers
        )
        out.append(
            ConfirmedItem(
                provider_id=provider_id,
                topic=BY_ID[check.requirement].topic,
                message=f"{what}: confirmed in diligence ({evidence})",
                question_ids=check.answered_by,
            )
        )
    return out
