"""Evidence strength of a diligence answer (DECISIONS.md §3).

Documentary evidence (a document seen, or a public source), dated and not older than the
staleness limit of ``Settings``, is the only evidence that confirms a requirement or closes an
open item. A provider's claim, no evidence, an undated document or a stale one confirm nothing.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from ddwizard.core.answers import EVIDENCE_LABELS, Answer
from ddwizard.core.questionnaire import Question, format_value
from ddwizard.core.settings import Settings

DOCUMENTARY = ("seen_doc", "public_source")


class Strength(StrEnum):
    DOCUMENTARY = "documentary"
    """Documentary, dated, current."""
    STALE = "stale"
    """Documentary but older than the staleness limit: a finding, confirms nothing."""
    UNDATED = "undated"
    """Documentary without a document date: cannot be shown current."""
    CLAIM = "claim"
    NONE = "none"
    RECONFIRM = "reconfirm"
    """Flagged for re-confirmation after its question changed: confirms nothing until then."""


def strength(
    answer: Answer, settings: Settings, today: date, question: Question | None = None
) -> Strength:
    """How strongly ``answer`` is documented. The date of an event question
    (``question.date_kind == "event"``: an enforcement order of 2023) dates a fact that stays
    true, so it never makes the evidence stale. An answer flagged for re-confirmation (its
    question changed) confirms nothing until it is re-confirmed."""
    if answer.needs_reconfirmation:
        return Strength.RECONFIRM
    if answer.evidence in DOCUMENTARY:
        if answer.document_date is None:
            return Strength.UNDATED
        event = question is not None and question.date_kind == "event"
        if not event and settings.is_stale(answer.document_date, today):
            return Strength.STALE
        return Strength.DOCUMENTARY
    if answer.evidence == "provider_claim":
        return Strength.CLAIM
    return Strength.NONE


def stale_document(
    answer: Answer, settings: Settings, today: date, question: Question | None = None
) -> bool:
    """A dated documentary answer older than the limit (an event's date never is)."""
    if answer.evidence not in DOCUMENTARY or answer.document_date is None:
        return False
    if question is not None and question.date_kind == "event":
        return False
    return settings.is_stale(answer.document_date, today)


def is_current_documentary(answer: Answer, settings: Settings, today: date) -> bool:
    return strength(answer, settings, today) == Strength.DOCUMENTARY


def answer_date(answer: Answer) -> str | None:
    """The date an answer can be quoted with: its document's, else when it was recorded."""
    if answer.document_date is not None:
        return answer.document_date.isoformat()
    if answer.answered_at is not None:
        return answer.answered_at.date().isoformat()
    return None


def quote(name: str, question: Question | None, answer: Answer) -> str:
    """``SOC 1 Type II answered No on 2026-03-31 (document seen)``."""
    shown = format_value(question, answer.value)
    if " " in shown and not shown[:1].isdigit():  # a choice's label reads as a quotation
        shown = f"“{shown}”"
    text = f"{name} answered {shown}"
    when = answer_date(answer)
    text += f" on {when}" if when else " (undated)"
    if answer.evidence:
        text += f" ({EVIDENCE_LABELS.get(answer.evidence, answer.evidence)})"
    return text
