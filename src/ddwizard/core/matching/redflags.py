"""Findings from the diligence answers, judged against the mandate (DECISIONS.md §3-§4).

For each applicable diligence question a provider has answered, the question's ``red_flags``
rules (data in diligence.yaml, falling back to the mandate values so rules can compare with
thresholds such as ``controls.min_approvers``) give at most one finding, the most severe. On
top of the rules:

- an answer that contradicts a hard requirement of the mandate (``requirements.Breach``) is a
  finding that ``breaches_mandate`` (high, critical for qualified custody and segregation);
- ``unknown`` on a critical-rule question is a high "not disclosed" finding, on a high-rule
  question a medium one; three or more such refusals are the "limited disclosures" red flag;
- a favourable answer on a critical- or high-rule question that rests on a claim or no
  evidence stays open: "unverified: ask for the document";
- documentary evidence older than the ``Settings`` staleness limit is a medium finding and
  confirms nothing;
- a reviewer step not yet done (licences checked on the register) is a gap of the review, not
  a finding about the provider: it is returned separately and blocks sign-off.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ddwizard.core.answers import Answer, diligence_lookup
from ddwizard.core.conditions import Condition as RuleCondition
from ddwizard.core.conditions import evaluate
from ddwizard.core.matching.evidence import Strength, stale_document, strength
from ddwizard.core.matching.requirements import Breach
from ddwizard.core.questionnaire import (
    AnswerType,
    Question,
    QuestionnaireSet,
    RedFlagRule,
    Severity,
    format_value,
)
from ddwizard.core.results import (
    Condition,
    ConditionKind,
    DiligenceProgress,
    Finding,
    OpenItem,
    OpenItemKind,
    Topic,
)
from ddwizard.core.settings import Settings

REVIEWER_QUESTIONS: Mapping[str, str] = {
    "dd.licences_verified": "licences not yet verified on the regulators' public registers",
}
"""Questions about a step of the reviewer, not about the provider."""
LIMITED_DISCLOSURE_QUESTION = "dd.disclosure_quality"
LIMITED_DISCLOSURE_COUNT = 3
"""Refusals (``unknown`` on critical- or high-rule questions) that make "limited disclosures"."""
SERIOUS = (Severity.CRITICAL, Severity.HIGH)
HOW: Mapping[Strength, str] = {
    Strength.CLAIM: "the provider's claim",
    Strength.NONE: "no evidence",
    Strength.UNDATED: "an undated document",
    Strength.STALE: "a stale document",
    Strength.RECONFIRM: "an answer awaiting re-confirmation (its question changed)",
}


@dataclass(frozen=True, slots=True)
class DiligenceResult:
    findings: tuple[Finding, ...]
    open_items: tuple[OpenItem, ...]
    ignored: tuple[str, ...]
    progress: DiligenceProgress
    gaps: tuple[Condition, ...] = ()
    """What stands between this provider and a supported recommendation on the diligence side:
    unanswered or unverified critical / mandate-related questions, reviewer steps."""


def _worst_rule(question: Question, lookup: Any, qset: QuestionnaireSet) -> RedFlagRule | None:
    worst: RedFlagRule | None = None
    for rule in question.red_flags:
        if (worst is None or rule.severity.rank > worst.severity.rank) and evaluate(
            rule.when, lookup, qset.order
        ):
            worst = rule
    return worst


def _rule_of(question: Question, severity: Severity) -> RedFlagRule | None:
    for rule in question.red_flags:
        if rule.severity == severity:
            return rule
    return None


def _referenced(cond: RuleCondition | None) -> Iterable[str]:
    if cond is None:
        return
    if cond.question:
        yield cond.question
    for child in (*(cond.all or ()), *(cond.any or ())):
        yield from _referenced(child)
    yield from _referenced(cond.not_)
    for operand in (cond.lt, cond.le, cond.gt, cond.ge):
        ref = getattr(operand, "question", None)
        if isinstance(ref, str):
            yield ref


def mandate_related(
    qset: QuestionnaireSet, mandate_values: Mapping[str, Any], requirement_questions: Iterable[str]
) -> frozenset[str]:
    """Diligence questions tied to this mandate: those that settle one of its hard
    requirements, and those whose red-flag rules read a mandate answer it gives."""
    related = set(requirement_questions)
    for question in qset.diligence.questions():
        for rule in question.red_flags:
            if any(q in mandate_values for q in _referenced(rule.when) if qset.is_selection(q)):
                related.add(question.id)
    return frozenset(related)


@dataclass(frozen=True, slots=True)
class _Context:
    qset: QuestionnaireSet
    provider_id: str
    provider_name: str
    today: date
    settings: Settings


def _finding(
    ctx: _Context,
    question: Question,
    answer: Answer,
    severity: Severity,
    message: str,
    mitigation: str | None,
    source: Any,
    breach: Breach | None = None,
) -> Finding:
    return Finding(
        provider_id=ctx.provider_id,
        question_id=question.id,
        severity=severity,
        message=message,
        mitigation=mitigation,
        answer=answer.value,
        evidence=answer.evidence,
        document_date=answer.document_date.isoformat() if answer.document_date else None,
        source=source,
        breaches_mandate=breach is not None,
        requirement=breach.requirement if breach else None,
    )


def _judge_answer(
    ctx: _Context, question: Question, answer: Answer, lookup: Any, breach: Breach | None
) -> Finding | None:
    rule = _worst_rule(question, lookup, ctx.qset)
    if breach is None:
        if rule is None:
            return None
        return _finding(
            ctx, question, answer, rule.severity, rule.message, rule.mitigation, "diligence"
        )
    severity = breach.severity
    if rule is not None and rule.severity.rank > severity.rank:
        severity = rule.severity
    lead = rule.message if rule is not None else f"Contradicts the mandate: {question.prompt}"
    message = f"{lead}; breaches a hard requirement of the mandate: {breach.text}"
    mitigation = (rule.mitigation if rule else None) or (
        "The provider does not meet the mandate on this point: exclude it, or revisit the "
        "requirement with a documented rationale."
    )
    return _finding(ctx, question, answer, severity, message, mitigation, "diligence", breach)


def _possible_rule(ctx: _Context, question: Question, lookup: Any) -> RedFlagRule | None:
    """The worst rule an answer to ``question`` could trigger under this mandate.

    For yes/no and choice questions each possible answer is tried (a rule that needs a
    mandate requirement the client did not state cannot fire); for figures, the worst rule.
    """
    if question.type == AnswerType.YN:
        candidates: tuple[str, ...] = ("yes", "no")
    elif question.type == AnswerType.SINGLE:
        candidates = tuple(c for c in question.choice_ids if c != "unknown")
    else:
        worst = question.worst_severity
        return _rule_of(question, worst) if worst is not None else None
    best: RedFlagRule | None = None
    for candidate in candidates:

        def trial(qid: str, candidate: str = candidate) -> Any:
            return candidate if qid == question.id else lookup(qid)

        rule = _worst_rule(question, trial, ctx.qset)
        if rule is not None and (best is None or rule.severity.rank > best.severity.rank):
            best = rule
    return best


def _not_disclosed(
    ctx: _Context, question: Question, answer: Answer, lookup: Any
) -> Finding | None:
    rule = _possible_rule(ctx, question, lookup)
    worst = rule.severity if rule is not None else None
    if worst == Severity.CRITICAL:
        severity = Severity.HIGH
    elif worst == Severity.HIGH:
        severity = Severity.MEDIUM
    else:
        return None
    what = rule.message if rule else question.prompt
    return _finding(
        ctx,
        question,
        answer,
        severity,
        f"Not disclosed: {what} cannot be ruled out",
        rule.mitigation if rule else None,
        "unknown_answer",
    )


def _stale(ctx: _Context, question: Question, answer: Answer) -> Finding:
    days = ctx.settings.stale_after_days
    when = answer.document_date.isoformat() if answer.document_date else ""
    return _finding(
        ctx,
        question,
        answer,
        Severity.MEDIUM,
        (
            f"Stale evidence: the answer '{format_value(question, answer.value)}' to "
            f"“{question.prompt}” rests on a document dated {when}, older than the "
            f"{days}-day staleness limit on {ctx.today.isoformat()}; it confirms nothing"
        ),
        "Obtain a current version of the document and re-confirm the answer.",
        "stale_evidence",
    )


def _item(
    ctx: _Context, question: Question, topic: Topic, kind: OpenItemKind, message: str, when: str
) -> OpenItem:
    return OpenItem(
        provider_id=ctx.provider_id,
        topic=topic,
        message=message,
        question_id=question.id,
        what=question.prompt,
        kind=kind,
        when=when,
    )


def _unanswered_item(ctx: _Context, question: Question) -> OpenItem:
    """The open item of a shortlisted provider's unanswered diligence question."""
    return _item(
        ctx,
        question,
        Topic.DILIGENCE_UNANSWERED,
        OpenItemKind.UNANSWERED,
        f"Diligence not answered for {ctx.provider_name}: {question.prompt}",
        "not answered",
    )


def provider_diligence(
    qset: QuestionnaireSet,
    provider_id: str,
    provider_name: str,
    mandate_values: Mapping[str, Any],
    answers: Mapping[str, Answer],
    *,
    today: date,
    settings: Settings,
    shortlisted: bool,
    breaches: Sequence[Breach] = (),
    related: frozenset[str] = frozenset(),
) -> DiligenceResult:
    """Findings, open items, progress and sign-off gaps for one provider's diligence."""
    ctx = _Context(qset, provider_id, provider_name, today, settings)
    lookup = diligence_lookup(qset, mandate_values, answers)
    breach_of = {b.question_id: b for b in breaches}
    findings: list[Finding] = []
    items: list[OpenItem] = []
    ignored: list[str] = []
    gaps: list[Condition] = []
    asked = answered = documentary = refusals = 0
    for question in qset.diligence.questions():
        applicable = question.show_if is None or evaluate(question.show_if, lookup, qset.order)
        answer = answers.get(question.id)
        if answer is not None and not applicable:
            cond = question.show_if.describe() if question.show_if else ""
            ignored.append(
                f"diligence answer '{question.id}' for {provider_id} is ignored: shown only when {cond}"
            )
            continue
        if not applicable:
            continue
        asked += 1
        serious = question.worst_severity in SERIOUS
        needed = question.worst_severity == Severity.CRITICAL or question.id in related
        if question.id in REVIEWER_QUESTIONS:
            if (
                answer is None
                or answer.value != "yes"
                or strength(answer, settings, today, question) != Strength.DOCUMENTARY
            ):
                gaps.append(
                    Condition(
                        ConditionKind.REVIEWER_PROCESS,
                        f"Reviewer step for {provider_name}: {REVIEWER_QUESTIONS[question.id]} "
                        "(a step of the review, not a fault of the provider).",
                        provider_id,
                        question.id,
                    )
                )
            if answer is not None:
                answered += 1
                documentary += strength(answer, settings, today, question) == Strength.DOCUMENTARY
            elif shortlisted:
                items.append(_unanswered_item(ctx, question))
            continue
        if answer is None:
            if shortlisted:
                items.append(_unanswered_item(ctx, question))
            if needed:
                gaps.append(
                    Condition(
                        ConditionKind.UNANSWERED_QUESTION,
                        f"Answer for {provider_name}, on a current document: {question.prompt}",
                        provider_id,
                        question.id,
                    )
                )
            continue
        answered += 1
        level = strength(answer, settings, today, question)
        documentary += level == Strength.DOCUMENTARY
        if answer.value == "unknown":
            finding = _not_disclosed(ctx, question, answer, lookup)
            if finding is not None:
                refusals += 1
                findings.append(finding)
            else:
                items.append(
                    _item(
                        ctx,
                        question,
                        Topic.DILIGENCE_UNKNOWN,
                        OpenItemKind.ANSWERED_UNKNOWN,
                        f"Confirm with the provider: {question.prompt} (answered unknown)",
                        "answered unknown",
                    )
                )
            if needed:
                gaps.append(
                    Condition(
                        ConditionKind.UNANSWERED_QUESTION,
                        f"{provider_name} answered unknown (not disclosed): {question.prompt}",
                        provider_id,
                        question.id,
                    )
                )
        else:
            finding = _judge_answer(ctx, question, answer, lookup, breach_of.get(question.id))
            if finding is not None:
                findings.append(finding)
            # A favourable answer needs its document; so does an unfavourable figure or choice
            # whose finding is minor (the document shows the real value). A serious finding
            # is a condition of its own, and a plain "no" has no document to ask for.
            minor = finding is not None and finding.severity not in SERIOUS
            document_shows = finding is None or (minor and question.type != AnswerType.YN)
            if level != Strength.DOCUMENTARY and document_shows and (needed or serious):
                how = HOW[level]
                shown = format_value(question, answer.value)
                if finding is None:  # favourable, but resting on no document: still open
                    text = (
                        f"Unverified: ask for the document. “{question.prompt}” answered "
                        f"{shown} on {how}"
                    )
                    items.append(
                        _item(
                            ctx,
                            question,
                            Topic.DILIGENCE_UNVERIFIED,
                            OpenItemKind.UNVERIFIED,
                            text,
                            f"answered on {how}",
                        )
                    )
                gaps.append(
                    Condition(
                        ConditionKind.UNVERIFIED_ANSWER,
                        f"Obtain the document from {provider_name}: “{question.prompt}” was "
                        f"answered {shown} on {how} only.",
                        provider_id,
                        question.id,
                    )
                )
        if stale_document(answer, settings, today, question):
            findings.append(_stale(ctx, question, answer))
    if refusals >= LIMITED_DISCLOSURE_COUNT and not any(
        f.question_id == LIMITED_DISCLOSURE_QUESTION and f.source != "stale_evidence"
        for f in findings
    ):
        findings.append(
            Finding(
                provider_id=provider_id,
                question_id=LIMITED_DISCLOSURE_QUESTION,
                severity=Severity.HIGH,
                message=(
                    f"Limited disclosures: {refusals} critical or high questions answered unknown "
                    "(the provider did not disclose them)"
                ),
                mitigation="Obtain the undisclosed answers in writing before going further.",
                source="unknown_answer",
            )
        )
    return DiligenceResult(
        tuple(findings),
        tuple(items),
        tuple(ignored),
        DiligenceProgress(asked, answered, documentary),
        tuple(gaps),
    )
