"""Checks an edit must pass before it is saved: the question exists and is of the right
kind, the provider is known, the value fits the question. Errors name the field."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ddwizard.core.answers import Answer
from ddwizard.core.errors import DataError
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import Question, QuestionnaireSet, coerce_value
from ddwizard.core.sessions.files import loc_text


def question(qset: QuestionnaireSet, question_id: str, *, selection: bool) -> Question:
    """The question ``question_id``, which must be a mandate (``selection``) or diligence one."""
    found = qset.get(question_id)
    if found is None:
        raise DataError.single(f"unknown question id '{question_id}'", field=question_id)
    if qset.is_selection(question_id) != selection:
        where = "a mandate (selection)" if not selection else "a diligence"
        raise DataError.single(
            f"'{question_id}' is {where} question, not a "
            f"{'mandate' if selection else 'diligence'} one",
            field=question_id,
        )
    return found


def coerce(qset: QuestionnaireSet, question_id: str, value: Any, *, selection: bool) -> Any:
    """``value`` normalised for its question, or a DataError naming the question."""
    found = question(qset, question_id, selection=selection)
    if isinstance(value, dict | list) and found.type.value == "text":
        raise DataError.single("expected text, got a list or mapping", field=question_id)
    try:
        return coerce_value(found, value)
    except ValueError as exc:
        raise DataError.single(str(exc), field=question_id) from None


def provider(catalog: ProviderCatalog, provider_id: str) -> str:
    if provider_id not in catalog:
        raise DataError.single(
            f"unknown provider id '{provider_id}' (known: {', '.join(catalog.ids)})",
            field=provider_id,
        )
    return provider_id


def make_answer(where: str, **fields: Any) -> Answer:
    """An ``Answer``, or a DataError naming ``where`` and the field that does not fit."""
    try:
        return Answer(**fields)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        message = str(err["msg"]).removeprefix("Value error, ")
        raise DataError.single(f"{loc_text(tuple(err['loc']))}: {message}", field=where) from None
