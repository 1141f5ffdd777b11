"""Answer types declared once: what each accepts, how it is stored and how it reads.

Every answer type (yes/no, single and multiple choice, number, text, date, weights) is one
row of ``QUESTION_TYPES``: the problem with a raw value (from YAML, JSON or a widget), its
stored form, the text people read (memo, findings), and the shape rules a questionnaire file
must follow. Adding a type means adding a row here (and its widget in the TUI's
``VALUE_KINDS``), not a branch in each function that handles answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ddwizard.core.conditions import normalize_scalar

if TYPE_CHECKING:
    from ddwizard.core.questionnaire import Question


class AnswerType(StrEnum):
    YN = "yn"
    SINGLE = "single"
    MULTI = "multi"
    NUMBER = "number"
    TEXT = "text"
    DATE = "date"
    WEIGHTS = "weights"


YN_VALUES = ("yes", "no", "unknown")

CRITERIA: tuple[str, ...] = ("liquidity", "security", "coverage", "costs", "ux", "support")
"""Scoring criteria, in the seed methodology's order."""

CRITERION_LABELS: Mapping[str, str] = {
    "liquidity": "Liquidity",
    "security": "Security",
    "coverage": "Coverage",
    "costs": "Costs",
    "ux": "UX",
    "support": "Support",
}

Problem = Callable[["Question", Any], "str | None"]
Normalise = Callable[["Question", Any], Any]
Format = Callable[["Question", Any], str]


def _as_is(question: Question, raw: Any) -> Any:
    return raw


def _plain(question: Question, value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


@dataclass(frozen=True)
class QuestionType:
    """One answer type: ``problem`` says why a raw value (never None) does not fit,
    ``normalise`` turns a value that fits into its stored form, ``format`` words a stored
    value for people."""

    problem: Problem
    normalise: Normalise = _as_is
    format: Format = _plain
    has_choices: bool = False
    """A 'choices' list is required (and allowed only here)."""
    has_bounds: bool = False
    """'min'/'max' are allowed."""
    has_empty_label: bool = False
    """'empty_label' (an empty answer that is a documented answer) is allowed."""
    value_is_mapping: bool = False
    """The value itself is a mapping, so an answers file's ``{value: ...}`` wrapper is told
    apart from it by its 'value' key."""
    condition_values: Callable[[Question], tuple[str, ...]] | None = None
    """The literals a show_if condition on such a question may compare with, if limited."""
    expected: str | None = None
    """What an answers file must give, when a list or a mapping there is told apart by name
    ("expected text, got a list") rather than quoted back."""


# --- yes / no ----------------------------------------------------------------------------


def _yn_problem(question: Question, raw: Any) -> str | None:
    value = normalize_scalar(raw)
    if not isinstance(value, str) or value.lower() not in YN_VALUES:
        return f"expected yes, no or unknown, got {raw!r}"
    return None


def _yn_normalise(question: Question, raw: Any) -> Any:
    return normalize_scalar(raw).lower()


def _yn_format(question: Question, value: Any) -> str:
    text = str(value).lower()
    return {"yes": "Yes", "no": "No", "unknown": "Unknown (not disclosed)"}.get(text, text)


# --- choices -----------------------------------------------------------------------------


def _single_problem(question: Question, raw: Any) -> str | None:
    if not isinstance(raw, str) or raw not in question.choice_ids:
        return f"{raw!r} is not a choice; choose one of: {', '.join(question.choice_ids)}"
    return None


def _single_format(question: Question, value: Any) -> str:
    return question.choice_label(str(value))


def _multi_problem(question: Question, raw: Any) -> str | None:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple):
        return f"expected a list of choices, got {raw!r}"
    bad = [i for i in items if not isinstance(i, str) or i not in question.choice_ids]
    if bad:
        return (
            f"not a choice: {', '.join(repr(b) for b in bad)}; "
            f"choose from: {', '.join(question.choice_ids)}"
        )
    return None


def _multi_normalise(question: Question, raw: Any) -> Any:
    items = [raw] if isinstance(raw, str) else list(raw)
    order = question.choice_ids
    return sorted(set(items), key=order.index)


def _multi_format(question: Question, value: Any) -> str:
    items = value if isinstance(value, list | tuple) else [value]
    labels = ", ".join(question.choice_label(str(v)) for v in items)
    return labels or question.empty_label or "none"


def _choice_ids(question: Question) -> tuple[str, ...]:
    return question.choice_ids


def _yn_values(question: Question) -> tuple[str, ...]:
    return YN_VALUES


# --- number ------------------------------------------------------------------------------


def _number_problem(question: Question, raw: Any) -> str | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return f"expected a number, got {raw!r}"
    try:
        number = float(raw)
    except ValueError:
        return f"expected a number, got {raw!r}"
    if number != number or number in (float("inf"), float("-inf")):
        return "expected a finite number"
    if question.integer and not number.is_integer():
        return f"expected a whole number, got {raw!r}"
    if question.min is not None and number < question.min:
        return f"must be at least {_num(question.min)}, got {_num(number)}"
    if question.max is not None and number > question.max:
        return f"must be at most {_num(question.max)}, got {_num(number)}"
    return None


def _number_normalise(question: Question, raw: Any) -> Any:
    number = float(raw)
    return int(number) if number.is_integer() else number


def _number_format(question: Question, value: Any) -> str:
    number = f"{value:,.0f}" if isinstance(value, int) else f"{value:,}"
    return f"{number} {question.unit}" if question.unit else number


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# --- text --------------------------------------------------------------------------------


def _text_problem(question: Question, raw: Any) -> str | None:
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        return f"expected text, got {raw!r}"
    text = str(raw).strip()
    if question.required and not text:
        return "this answer is required and cannot be empty"
    if len(text) > question.max_length:
        return f"too long ({len(text)} characters; at most {question.max_length})"
    return None


def _text_normalise(question: Question, raw: Any) -> Any:
    return str(raw).strip()


# --- date --------------------------------------------------------------------------------


def _date_problem(question: Question, raw: Any) -> str | None:
    try:
        as_date(raw)
    except ValueError:
        return f"expected a date as YYYY-MM-DD, got {raw!r}"
    return None


def _date_normalise(question: Question, raw: Any) -> Any:
    return as_date(raw)


def as_date(raw: Any) -> date:
    """A date from a date, a datetime or an ISO text; ValueError otherwise."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        return date.fromisoformat(raw.strip())
    raise ValueError(raw)


# --- weights -----------------------------------------------------------------------------


def weights_problem(raw: Any) -> str | None:
    """Why ``raw`` is not a set of criterion weights (whole numbers summing to 100)."""
    if not isinstance(raw, Mapping):
        return "expected a mapping of criterion to weight, e.g. {liquidity: 30, security: 25, ...}"
    unknown = sorted(str(k) for k in raw if k not in CRITERIA)
    if unknown:
        return f"unknown criterion: {', '.join(unknown)} (criteria: {', '.join(CRITERIA)})"
    missing = [c for c in CRITERIA if c not in raw]
    if missing:
        return f"missing weight for: {', '.join(missing)}"
    for c in CRITERIA:
        w = raw[c]
        if isinstance(w, bool) or not isinstance(w, int) or w < 0 or w > 100:
            return f"weight for {c} must be a whole number from 0 to 100, got {w!r}"
    total = sum(raw[c] for c in CRITERIA)
    if total != 100:
        return f"weights must sum to 100, they sum to {total}"
    return None


def _weights_problem(question: Question, raw: Any) -> str | None:
    return weights_problem(raw)


def _weights_normalise(question: Question, raw: Any) -> Any:
    return {c: int(raw[c]) for c in CRITERIA}


def _weights_format(question: Question, value: Any) -> str:
    if not isinstance(value, Mapping):
        return _plain(question, value)
    return ", ".join(f"{CRITERION_LABELS.get(c, c)} {value.get(c)}" for c in CRITERIA)


# --- the table ---------------------------------------------------------------------------

QUESTION_TYPES: Mapping[AnswerType, QuestionType] = {
    AnswerType.YN: QuestionType(
        _yn_problem, _yn_normalise, _yn_format, condition_values=_yn_values
    ),
    AnswerType.SINGLE: QuestionType(
        _single_problem, format=_single_format, has_choices=True, condition_values=_choice_ids
    ),
    AnswerType.MULTI: QuestionType(
        _multi_problem,
        _multi_normalise,
        _multi_format,
        has_choices=True,
        has_empty_label=True,
        condition_values=_choice_ids,
    ),
    AnswerType.NUMBER: QuestionType(
        _number_problem, _number_normalise, _number_format, has_bounds=True
    ),
    AnswerType.TEXT: QuestionType(_text_problem, _text_normalise, expected="text"),
    AnswerType.DATE: QuestionType(_date_problem, _date_normalise),
    AnswerType.WEIGHTS: QuestionType(
        _weights_problem, _weights_normalise, _weights_format, value_is_mapping=True
    ),
}


def value_problem(question: Question, raw: Any) -> str | None:
    """Why ``raw`` is not a valid answer to ``question``, or None when it is."""
    if raw is None:
        return "no value given"
    return QUESTION_TYPES[question.type].problem(question, raw)


def coerce_value(question: Question, raw: Any) -> Any:
    """Normalize a raw answer (from YAML, JSON or a widget) to the stored form.

    Raises ValueError with a plain message when the value does not fit the question.
    """
    problem = value_problem(question, raw)
    if problem:
        raise ValueError(problem)
    return QUESTION_TYPES[question.type].normalise(question, raw)


def format_value(question: Question | None, value: Any) -> str:
    """An answer as people read it (memo, findings): labels, units, yes/no/unknown."""
    if value is None:
        return "—"
    if question is None:
        return str(value)
    return QUESTION_TYPES[question.type].format(question, value)
