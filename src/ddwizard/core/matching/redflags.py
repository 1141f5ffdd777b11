"""Red flags from the diligence answers, one finding per question at most, plus stale evidence.

For each applicable diligence question a provider has answered, the question's ``red_flags``
rules are evaluated against that provider's answers (falling back to the mandate, so rules can
compare with thresholds such as ``controls.min_approvers``) and the most severe matching rule
becomes one Finding. An ``unknown`` answer is judged before the rules: on a question with a
critical rule it is a high finding ("not disclosed"), as QUESTIONS.md says; otherwise an open
item. Evidence dated more than 12 months before ``today`` is a medium finding of its own.
Unanswered applicable questions of shortlisted providers are open items.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ddwizard.core.answers import Answer, diligence_lookup
from ddwizard.core.conditions import evaluate
from ddwizard.core.questionnaire import (
    Question,
    QuestionnaireSet,
    RedFlagRule,
    Severity,
    format_value,
)
from ddwizard.core.results import Finding, OpenItem

STALE_AFTER = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class DiligenceResult:
    findings: tuple[Finding, ...]
    open_items: tuple[OpenItem, ...]
    ignored: tuple[str, ...]


def _worst_rule(question: Question, lookup: Any, qset: QuestionnaireSet) -> RedFlagRule | None:
    worst: RedFlagRule | None = None
    for rule in question.red_flags:
        if (worst is None or rule.severity.rank > worst.severity.rank) and evaluate(
            rule.when, lookup, qset.order
        ):
            worst = rule
    return worst


def _critical_rule(question: Question) -> RedFlagRule | None:
    for rule in question.red_flags:
        if rule.severity == Severity.CRITICAL:
            return rule
    return None


def provider_diligence(
    qset: QuestionnaireSet,
    provider_id: str,
    provider_name: str,
    mandate_values: Mapping[str, Any],
    answers: Mapping[str, Answer],
    *,
    today: date,
    shortlisted: bool,
) -> DiligenceResult:
    """Findings and open items for one provider's diligence answers."""
    lookup = diligence_lookup(qset, mandate_values, answers)
    findings: list[Finding] = []
    items: list[OpenItem] = []
    ignored: list[str] = []
    stale_before = today - STALE_AFTER
    for question in qset.diligence.questions():
        applicable = question.show_if is None or evaluate(question.show_if, lookup, qset.order)
        answer = answers.get(question.id)
        if answer is None:
            if shortlisted and applicable:
                items.append(
                    OpenItem(
                        provider_id=provider_id,
                        topic="diligence unanswered",
                        message=f"Diligence not answered for {provider_name}: {question.prompt}",
                        question_id=question.id,
                    )
                )
            continue
        if not applicable:
            cond = question.show_if.describe() if question.show_if else ""
            ignored.append(
                f"diligence answer '{question.id}' for {provider_id} is ignored: shown only when {cond}"
            )
            continue
        document_date = answer.document_date.isoformat() if answer.document_date else None
        if answer.value == "unknown":
            critical = _critical_rule(question)
            if critical is not None:
                findings.append(
                    Finding(
                        provider_id=provider_id,
                        question_id=question.id,
                        severity=Severity.HIGH,
                        message=f"not disclosed: {critical.message} cannot be ruled out",
                        mitigation=critical.mitigation,
                        answer=answer.value,
                        evidence=answer.evidence,
                        document_date=document_date,
                        source="unknown_answer",
                    )
                )
            else:
                items.append(
                    OpenItem(
                        provider_id=provider_id,
                        topic="diligence unknown",
                        message=f"Confirm with the provider: {question.prompt} (answered unknown)",
                        question_id=question.id,
                    )
                )
        else:
            rule = _worst_rule(question, lookup, qset)
            if rule is not None:
                findings.append(
                    Finding(
                        provider_id=provider_id,
                        question_id=question.id,
                        severity=rule.severity,
                        message=rule.message,
                        mitigation=rule.mitigation,
                        answer=answer.value,
                        evidence=answer.evidence,
                        document_date=document_date,
                        source="diligence",
                    )
                )
        if answer.document_date is not None and answer.document_date < stale_before:
            findings.append(
                Finding(
                    provider_id=provider_id,
                    question_id=question.id,
                    severity=Severity.MEDIUM,
                    message=(
                        f"Stale evidence: the answer '{format_value(question, answer.value)}' to "
                        f"“{question.prompt}” rests on a document dated {document_date}, "
                        f"more than 12 months before {today.isoformat()}"
                    ),
                    mitigation="Obtain a current version of the document and re-confirm the answer.",
                    answer=answer.value,
                    evidence=answer.evidence,
                    document_date=document_date,
                    source="stale_evidence",
                )
            )
    return DiligenceResult(tuple(findings), tuple(items), tuple(ignored))
