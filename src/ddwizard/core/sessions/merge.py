"""How a new answer combines with the one it replaces.

A mandate answer keeps its note unless a new one is given. A diligence answer keeps each
detail (evidence, document date, reference, note) that the edit does not give: a user who
re-answers "yes" after seeing the document does not lose its date by omission.
"""

from __future__ import annotations

from typing import Any

from ddwizard.core.answers import Answer
from ddwizard.core.sessions import session as _model
from ddwizard.core.sessions.validation import make_answer

KEEP: Any = ...
"""Sentinel for "not given: keep the old value"."""

DETAILS = ("evidence", "document_date", "reference", "note")


def mandate_answer(question_id: str, old: Answer | None, value: Any, note: Any) -> Answer:
    """The new mandate answer; ``note`` may be ``KEEP``."""
    keep_note = old.note if old is not None else None
    return make_answer(
        question_id,
        value=value,
        note=keep_note if note is KEEP else note,
        answered_at=_model.utc_now(),
    )


def diligence_answer(where: str, old: Answer | None, value: Any, **given: Any) -> Answer:
    """The new diligence answer; each detail in ``given`` may be ``KEEP`` (or absent)."""

    def pick(name: str) -> Any:
        value = given.get(name, KEEP)
        if value is KEEP:
            return getattr(old, name) if old is not None else None
        return value

    return make_answer(
        where, value=value, **{name: pick(name) for name in DETAILS}, answered_at=_model.utc_now()
    )


def from_file(given: Answer, old: Answer | None) -> dict[str, Any]:
    """Details an answers file gives for a diligence answer: an omitted one keeps the old."""
    out: dict[str, Any] = {}
    for name in DETAILS:
        value = getattr(given, name)
        out[name] = KEEP if value is None and old is not None else value
    return out


def with_note(answer: Answer, note: str | None) -> Answer:
    return answer.model_copy(update={"note": note})
