"""Structured conditions: when a question is shown and when a red flag fires.

Conditions are plain YAML mappings (``all`` / ``any`` / ``not`` over ``question`` plus one
test), evaluated by a small interpreter: never ``eval``. Yes/no values are compared as the
strings ``yes`` / ``no`` / ``unknown`` so YAML booleans and strings mean the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Scalar = str | int | float | bool
AnswerLookup = Callable[[str], Any]
"""Returns the current value of a question id, or None when unanswered or not applicable."""


def normalize_scalar(value: Any) -> Any:
    """YAML ``yes``/``no`` load as booleans; the answer model stores them as strings."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


class QuestionRef(BaseModel):
    """Compare against another question's answer (``default`` when it is unanswered)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str
    default: float | str | None = None


Operand = float | QuestionRef


class Condition(BaseModel):
    """Exactly one form: ``all``, ``any``, ``not``, or ``question`` with one test."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    all: tuple[Condition, ...] | None = None
    any: tuple[Condition, ...] | None = None
    not_: Condition | None = Field(default=None, alias="not")
    question: str | None = None
    equals: Scalar | None = None
    in_: tuple[Scalar, ...] | None = Field(default=None, alias="in")
    contains: Scalar | None = None
    answered: bool | None = None
    lt: Operand | None = None
    le: Operand | None = None
    gt: Operand | None = None
    ge: Operand | None = None

    @field_validator("equals", "contains", mode="before")
    @classmethod
    def _norm_scalar(cls, value: Any) -> Any:
        return normalize_scalar(value)

    @field_validator("in_", mode="before")
    @classmethod
    def _norm_list(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return tuple(normalize_scalar(v) for v in value)
        return value

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        groups = [n for n in ("all", "any", "not_") if getattr(self, n) is not None]
        tests = [n for n in TESTS if getattr(self, n) is not None]
        if self.question is None:
            if len(groups) != 1 or tests:
                raise ValueError(
                    "a condition needs exactly one of 'all', 'any', 'not', or 'question' with a test"
                )
        else:
            if groups:
                raise ValueError("'question' cannot be combined with 'all', 'any' or 'not'")
            if len(tests) != 1:
                raise ValueError(
                    "a 'question' condition needs exactly one test: equals, in, contains, "
                    "answered, lt, le, gt or ge"
                )
        return self

    def questions(self) -> Iterator[str]:
        """Every question id this condition reads, including comparison operands."""
        if self.question is not None:
            yield self.question
        for op in (self.lt, self.le, self.gt, self.ge):
            if isinstance(op, QuestionRef):
                yield op.question
        for child in (*(self.all or ()), *(self.any or ())):
            yield from child.questions()
        if self.not_ is not None:
            yield from self.not_.questions()

    def describe(
        self,
        question_text: Callable[[str], str] | None = None,
        value_text: Callable[[str, Any], str] | None = None,
    ) -> str:
        """Plain-words rendering ("shown only when ..."): with ids by default, or with the
        texts the two functions give for a question id and for a value of that question."""
        qt = question_text or str
        vt = value_text or (lambda _q, v: str(v))

        def again(c: Condition) -> str:
            text = c.describe(question_text, value_text)
            return f"({text})" if c.all is not None or c.any is not None else text

        if self.all is not None:
            return " and ".join(again(c) for c in self.all)
        if self.any is not None:
            return " or ".join(again(c) for c in self.any)
        if self.not_ is not None:
            return f"not ({self.not_.describe(question_text, value_text)})"
        q = self.question or ""
        if self.equals is not None:
            if value_text is None:
                return f"{q} = {self.equals}"
            return f"{qt(q)} is {vt(q, self.equals)}"
        if self.in_ is not None:
            values = [vt(q, v) for v in self.in_]
            if value_text is None:
                return f"{q} is one of {', '.join(values)}"
            listed = values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"
            return f"{qt(q)} is {listed}"
        if self.contains is not None:
            return f"{qt(q)} includes {vt(q, self.contains)}"
        if self.answered is not None:
            return f"{qt(q)} is {'answered' if self.answered else 'unanswered'}"
        for name, sym in (("lt", "<"), ("le", "<="), ("gt", ">"), ("ge", ">=")):
            op = getattr(self, name)
            if op is not None:
                rhs = qt(op.question) if isinstance(op, QuestionRef) else _fmt(op)
                return f"{qt(q)} {sym} {rhs}"
        return qt(q)


TESTS = ("equals", "in_", "contains", "answered", "lt", "le", "gt", "ge")


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


OrderOf = Callable[[str, Any], float | None]
"""Maps (question id, value) to a number for ordering; single choices use their position."""


def evaluate(cond: Condition, lookup: AnswerLookup, order: OrderOf | None = None) -> bool:
    """True when ``cond`` holds for the answers behind ``lookup``; unanswered never matches a test."""
    if cond.all is not None:
        return all(evaluate(c, lookup, order) for c in cond.all)
    if cond.any is not None:
        return any(evaluate(c, lookup, order) for c in cond.any)
    if cond.not_ is not None:
        return not evaluate(cond.not_, lookup, order)
    assert cond.question is not None
    value = normalize_scalar(lookup(cond.question))
    if cond.answered is not None:
        return (value is not None and value != [] and value != "") == cond.answered
    if value is None:
        return False
    if cond.equals is not None:
        return bool(value == cond.equals)
    if cond.in_ is not None:
        return value in cond.in_
    if cond.contains is not None:
        return isinstance(value, list | tuple | set | frozenset) and cond.contains in value
    for name in ("lt", "le", "gt", "ge"):
        operand = getattr(cond, name)
        if operand is None:
            continue
        rhs = _resolve(operand, lookup)
        if rhs is None:
            return False
        left = _orderable(cond.question, value, order)
        right = _orderable(cond.question, rhs, order)
        if left is None or right is None:
            return False
        return {
            "lt": left < right,
            "le": left <= right,
            "gt": left > right,
            "ge": left >= right,
        }[name]
    return False


def _resolve(operand: Operand, lookup: AnswerLookup) -> Any:
    if isinstance(operand, QuestionRef):
        value = normalize_scalar(lookup(operand.question))
        return operand.default if value is None or value == "unknown" else value
    return operand


def _orderable(question: str, value: Any, order: OrderOf | None) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, date):
        return float(value.toordinal())
    if order is not None:
        return order(question, value)
    return None
