"""Appendix A, compact: answered questions in full, the rest one line per section.

An auditor reads every answer with its note, evidence, document date and reference. Questions
not answered, and questions that do not apply, take one line per (provider and) section with
a count, instead of a row each. Question ids stay in the embedded record, not on the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ddwizard.core.answers import EVIDENCE_LABELS, Answer, diligence_lookup
from ddwizard.core.questionnaire import Question, format_value
from ddwizard.core.report.inputs import MemoInputs
from ddwizard.core.report.sections.mandate import MANDATE_LABELS
from ddwizard.core.report.text import clean, plural, shorten

SHORT_QUESTION = 90


@dataclass(frozen=True)
class AnswerRow:
    question: str
    answer: str
    note: str
    evidence: str
    """Evidence kind, document date and reference, in words ("" for mandate answers)."""
    stale: bool
    reconfirm: bool
    """The question changed since this answer was given: to be re-confirmed."""


@dataclass(frozen=True)
class AnswerSection:
    title: str
    rows: tuple[AnswerRow, ...]
    unanswered: str
    """One line: "3 not answered: question; question; question" ("" when none)."""
    not_applicable: str
    """One line: how many questions do not apply here ("" when none)."""
    verified: str
    """One line: answers on current documents, printed in full in the provider's section."""


@dataclass(frozen=True)
class AnswerGroup:
    title: str
    summary: str
    sections: tuple[AnswerSection, ...]
    anchor: str = ""
    """The provider section listing this group's verified answers in full ("" for the mandate)."""


@dataclass(frozen=True)
class RetiredRow:
    question: str
    answer: str
    note: str


@dataclass(frozen=True)
class AnswersSection:
    groups: tuple[AnswerGroup, ...]
    retired: tuple[RetiredRow, ...]
    ignored: tuple[str, ...]


def build(inputs: MemoInputs) -> AnswersSection:
    qset = inputs.qset
    sheet = inputs.sheet
    applicable = inputs.applicable
    groups = [
        _group(
            inputs,
            f"Mandate: {clean(qset.selection.title)}",
            qset.selection.sections,
            sheet.selection,
            lambda q: q.id in applicable or qset.is_shown(q, lambda qid: applicable.get(qid)),
            evidence=False,
            in_section=lambda q, a: q.id in MANDATE_LABELS and not a.note,
            moved="in the mandate summary",
        )
    ]
    anchors = {pid: f"provider-{i}" for i, pid in enumerate(inputs.reviewed, start=1)}
    for pid in inputs.reviewed:
        answers = sheet.diligence.get(pid, {})
        lookup = diligence_lookup(qset, applicable, answers)
        groups.append(
            _group(
                inputs,
                f"Diligence: {inputs.name(pid)}",
                qset.diligence.sections,
                answers,
                lambda q, lookup=lookup: qset.is_shown(q, lookup),  # type: ignore[misc]
                evidence=True,
                in_section=lambda q, a: documentary(inputs, a),
                anchor=anchors.get(pid, ""),
            )
        )
    return AnswersSection(
        groups=tuple(groups),
        retired=tuple(_retired(inputs)),
        ignored=tuple(inputs.plain(n) for n in inputs.evaluation.answers_ignored),
    )


def _group(
    inputs: MemoInputs,
    title: str,
    sections: Iterable[Any],
    answers: Mapping[str, Answer],
    shown: Callable[[Question], bool],
    *,
    evidence: bool,
    in_section: Callable[[Question, Answer], bool],
    anchor: str = "",
    moved: str = "on current documents, under \u201cWhat we verified\u201d",
) -> AnswerGroup:
    out: list[AnswerSection] = []
    answered = asked = 0
    for section in sections:
        rows: list[AnswerRow] = []
        missing: list[str] = []
        not_applicable = 0
        verified = 0
        for q in section.questions:
            a = answers.get(q.id)
            if not shown(q):
                not_applicable += 1
                continue
            asked += 1
            if a is None:
                missing.append(shorten(clean(q.prompt), SHORT_QUESTION))
                continue
            answered += 1
            if in_section(q, a):
                verified += 1
                continue
            rows.append(
                AnswerRow(
                    question=clean(q.prompt),
                    answer=clean(format_value(q, a.value)),
                    note=clean(a.note),
                    evidence=_evidence(a) if evidence else "",
                    # an event's date (date_kind: event) is a fact, never stale evidence
                    stale=bool(
                        evidence
                        and a.document_date
                        and q.date_kind == "evidence"
                        and inputs.is_stale(a.document_date)
                    ),
                    reconfirm=a.needs_reconfirmation,
                )
            )
        out.append(
            AnswerSection(
                title=clean(section.title),
                rows=tuple(rows),
                unanswered=(
                    f"{len(missing)} not answered: " + "; ".join(missing) if missing else ""
                ),
                not_applicable=(f"{not_applicable} not applicable" if not_applicable else ""),
                verified=(f"{verified} more {moved}" if verified else ""),
            )
        )
    summary = f"{answered} of {plural(asked, 'applicable question')} answered."
    return AnswerGroup(title, summary, tuple(out), anchor)


def documentary(inputs: MemoInputs, a: Answer) -> bool:
    """A current documentary answer (the provider section prints it in full)."""
    return (
        a.evidence in ("seen_doc", "public_source")
        and a.document_date is not None
        and not inputs.is_stale(a.document_date)
        and str(a.value) != "unknown"
    )


def _evidence(a: Answer) -> str:
    parts = (
        [EVIDENCE_LABELS.get(a.evidence, a.evidence)] if a.evidence else ["no evidence recorded"]
    )
    if a.document_date:
        parts.append(f"dated {a.document_date.isoformat()}")
    text = ", ".join(parts)
    if a.reference:
        text += f"; reference: {clean(a.reference)}"
    return text


def _retired(inputs: MemoInputs) -> Iterable[RetiredRow]:
    for r in inputs.record.retired:
        provider, sep, qid = r.key.partition(":")
        label = inputs.question_label(qid if sep else r.key)
        if sep:
            label = f"{inputs.name(provider)}: {label}"
        value = r.value
        text = ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
        yield RetiredRow(label, shorten(clean(text), 200), clean(r.note))
