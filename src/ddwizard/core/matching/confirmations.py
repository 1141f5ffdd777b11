"""Open items that the diligence answers have closed.

Eligibility and scoring read only the provider profile, so a fact the profile does not state
is an open item ("confirm with the provider: a current SOC 2 Type II report"). When the
diligence answers for that provider confirm the fact, the item is no longer open: it is listed
as confirmed, with the answer that closed it. Only clear one-to-one confirmations are mapped;
the ranking (and its tie-break on open items) is computed from the profile alone and does not
change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ddwizard.core.answers import EVIDENCE_LABELS, Answer
from ddwizard.core.questionnaire import QuestionnaireSet, format_value
from ddwizard.core.results import ConfirmedItem, OpenItem


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


@dataclass(frozen=True, slots=True)
class Confirmation:
    """Which diligence answers confirm an open item's fact, and when they do."""

    question_ids: tuple[str, ...]
    holds: Callable[[Mapping[str, Any]], bool]


def _yes(question_id: str) -> Confirmation:
    return Confirmation((question_id,), lambda values: values.get(question_id) == "yes")


CONFIRMED_BY: Mapping[str, Confirmation] = {
    # open-item topic (eligibility and scoring) -> the diligence answers that settle it
    "SOC 1 Type II": _yes("dd.soc1_type2"),
    "SOC 2 Type II": _yes("dd.soc2_type2"),
    "insurance": _yes("dd.insurance_certificate_seen"),
    "cold storage": Confirmation(
        ("dd.cold_storage_pct",), lambda values: _number(values.get("dd.cold_storage_pct")) > 0
    ),
    "policy engine": Confirmation(
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
    stale_before: date,
) -> tuple[list[OpenItem], list[ConfirmedItem]]:
    """``items`` still open, and those the provider's diligence answers confirm.

    ``shown`` is the provider's diligence lookup (conditions decide which answers apply). An
    answer resting on a document dated before ``stale_before`` confirms nothing: it is a stale
    evidence finding, and "a current report" is exactly what it cannot show.
    """
    values = {
        qid: a.value
        for qid, a in answers.items()
        if qset.is_shown(qset.question(qid), shown)
        and (a.document_date is None or a.document_date >= stale_before)
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
