"""The answer-type table: every type has one row, and each row accepts, stores and words
answers as the questionnaire, answers files and the memo always have."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest

from ddwizard.core import questionnaire
from ddwizard.core.question_types import QUESTION_TYPES, AnswerType
from ddwizard.core.questionnaire import (
    Choice,
    Question,
    coerce_value,
    format_value,
    value_problem,
)


def _question(kind: AnswerType, **extra: Any) -> Question:
    if kind in (AnswerType.SINGLE, AnswerType.MULTI):
        extra.setdefault(
            "choices", (Choice(id="bank", label="Bank"), Choice(id="trust", label="Trust company"))
        )
    return Question(id="q", type=kind, prompt="Prompt?", help="", **extra)


def test_every_answer_type_has_one_row() -> None:
    assert set(QUESTION_TYPES) == set(AnswerType)


def test_questionnaire_names_are_the_table_s_own() -> None:
    assert questionnaire.AnswerType is AnswerType
    assert questionnaire.value_problem is value_problem


WEIGHTS = {"liquidity": 30, "security": 25, "coverage": 15, "costs": 15, "ux": 10, "support": 5}


@pytest.mark.parametrize(
    ("kind", "extra", "raw", "stored", "shown"),
    [
        (AnswerType.YN, {}, True, "yes", "Yes"),  # a YAML boolean reads as yes/no
        (AnswerType.YN, {}, "Unknown", "unknown", "Unknown (not disclosed)"),
        (AnswerType.SINGLE, {}, "trust", "trust", "Trust company"),
        (
            AnswerType.MULTI,
            {},
            ["trust", "bank", "trust"],
            ["bank", "trust"],
            "Bank, Trust company",
        ),
        (AnswerType.MULTI, {"empty_label": "None needed"}, [], [], "None needed"),
        (AnswerType.NUMBER, {"unit": "USD"}, "1500000", 1500000, "1,500,000 USD"),
        (AnswerType.NUMBER, {}, 2.5, 2.5, "2.5"),
        (AnswerType.TEXT, {}, "  hello ", "hello", "hello"),
        (AnswerType.TEXT, {}, 42, "42", "42"),
        (AnswerType.DATE, {}, "2025-03-01", date(2025, 3, 1), "2025-03-01"),
        (AnswerType.DATE, {}, datetime(2025, 3, 1, 9, 30), date(2025, 3, 1), "2025-03-01"),
        (
            AnswerType.WEIGHTS,
            {},
            WEIGHTS,
            WEIGHTS,
            "Liquidity 30, Security 25, Coverage 15, Costs 15, UX 10, Support 5",
        ),
    ],
)
def test_accepted_value_is_stored_and_shown(
    kind: AnswerType, extra: dict[str, Any], raw: Any, stored: Any, shown: str
) -> None:
    question = _question(kind, **extra)
    assert value_problem(question, raw) is None
    value = coerce_value(question, raw)
    assert value == stored
    assert format_value(question, value) == shown


@pytest.mark.parametrize(
    ("kind", "extra", "raw", "message"),
    [
        (AnswerType.YN, {}, "maybe", "expected yes, no or unknown, got 'maybe'"),
        (AnswerType.SINGLE, {}, "broker", "'broker' is not a choice; choose one of: bank, trust"),
        (AnswerType.MULTI, {}, ["x"], "not a choice: 'x'; choose from: bank, trust"),
        (AnswerType.MULTI, {}, 3, "expected a list of choices, got 3"),
        (AnswerType.NUMBER, {}, "1e3x", "expected a number, got '1e3x'"),
        (AnswerType.NUMBER, {}, True, "expected a number, got True"),
        (AnswerType.NUMBER, {}, "nan", "expected a finite number"),
        (AnswerType.NUMBER, {"integer": True}, 1.5, "expected a whole number, got 1.5"),
        (AnswerType.NUMBER, {"min": 1}, 0, "must be at least 1, got 0"),
        (AnswerType.NUMBER, {"max": 10}, 10.5, "must be at most 10, got 10.5"),
        (AnswerType.TEXT, {"required": True}, "  ", "this answer is required and cannot be empty"),
        (AnswerType.TEXT, {"max_length": 3}, "abcd", "too long (4 characters; at most 3)"),
        (AnswerType.DATE, {}, "1/3/2025", "expected a date as YYYY-MM-DD, got '1/3/2025'"),
        (AnswerType.WEIGHTS, {}, {**WEIGHTS, "ux": 11}, "weights must sum to 100, they sum to 101"),
        (AnswerType.YN, {}, None, "no value given"),
    ],
)
def test_refused_value_says_why(
    kind: AnswerType, extra: dict[str, Any], raw: Any, message: str
) -> None:
    question = _question(kind, **extra)
    assert value_problem(question, raw) == message
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        coerce_value(question, raw)


def test_unanswered_and_unknown_question_read_plainly() -> None:
    assert format_value(_question(AnswerType.NUMBER), None) == "—"
    assert format_value(None, 7) == "7"


def test_choices_belong_to_choice_types_only() -> None:
    with pytest.raises(ValueError, match="needs 'choices'"):
        Question(id="q", type=AnswerType.SINGLE, prompt="P?", help="")
    with pytest.raises(ValueError, match="cannot have 'choices'"):
        Question(
            id="q", type=AnswerType.TEXT, prompt="P?", help="", choices=(Choice(id="a", label="A"),)
        )


def test_bounds_and_empty_label_belong_to_their_types_only() -> None:
    with pytest.raises(ValueError, match="'min'/'max' apply to number questions only"):
        Question(id="q", type=AnswerType.TEXT, prompt="P?", help="", min=1)
    with pytest.raises(ValueError, match="'empty_label' applies to multiple-choice questions"):
        _question(AnswerType.SINGLE, empty_label="None")
