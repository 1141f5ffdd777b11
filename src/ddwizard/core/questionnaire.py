"""Questionnaire models: the mandate checklist and the per-provider red-flag questions.

The YAML files are validated into frozen models. ``QuestionnaireSet`` is the runtime view the
rest of the core uses: both questionnaires, an index by question id, content hashes for
traceability, and the cross-checks a single file cannot do (conditions that point at unknown
questions or form a cycle).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ddwizard.core.conditions import Condition, evaluate, normalize_scalar
from ddwizard.core.errors import Problem

CRITERIA: tuple[str, ...] = ("liquidity", "security", "coverage", "costs", "ux", "support")
"""Scoring criteria, in the seed methodology's order."""

DEFAULT_WEIGHTS: Mapping[str, int] = {
    "liquidity": 30,
    "security": 25,
    "coverage": 15,
    "costs": 15,
    "ux": 10,
    "support": 5,
}
CRITERION_LABELS: Mapping[str, str] = {
    "liquidity": "Liquidity",
    "security": "Security",
    "coverage": "Coverage",
    "costs": "Costs",
    "ux": "UX",
    "support": "Support",
}

ID_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"
CHOICE_PATTERN = r"^[a-z0-9][a-z0-9_]*$"


class AnswerType(StrEnum):
    YN = "yn"
    SINGLE = "single"
    MULTI = "multi"
    NUMBER = "number"
    TEXT = "text"
    DATE = "date"
    WEIGHTS = "weights"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return SEVERITY_RANK[self]


SEVERITY_RANK: Mapping[Severity, int] = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
}

YN_VALUES = ("yes", "no", "unknown")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Choice(_Frozen):
    id: str = Field(pattern=CHOICE_PATTERN)
    label: str
    help: str | None = None


class RedFlagRule(_Frozen):
    """A finding raised when ``when`` holds; the question's own answer is read by its id."""

    when: Condition
    severity: Severity
    message: str
    mitigation: str | None = None


class Question(_Frozen):
    id: str = Field(pattern=ID_PATTERN)
    type: AnswerType
    prompt: str
    help: str
    required: bool = False
    choices: tuple[Choice, ...] = ()
    min: float | None = None
    max: float | None = None
    integer: bool = False
    unit: str | None = None
    max_length: int = Field(default=2000, ge=1, le=100_000)
    show_if: Condition | None = None
    red_flags: tuple[RedFlagRule, ...] = ()
    default: Any = None
    drives: str | None = None
    empty_label: str | None = None
    """Multiple choice only: an empty answer is a valid, documented answer that reads like
    this ("No specific licence required"); without it ticking nothing leaves it unanswered."""
    date_kind: Literal["evidence", "event"] = "evidence"
    """Diligence: what the document date is. 'evidence' (a report, a certificate) goes stale
    after the staleness limit; 'event' dates a past fact (an enforcement order of 2023),
    which stays true and is never stale evidence."""

    @model_validator(mode="after")
    def _shape(self) -> Question:
        if self.empty_label is not None and self.type != AnswerType.MULTI:
            raise ValueError("'empty_label' applies to multiple-choice questions only")
        has_choices = self.type in (AnswerType.SINGLE, AnswerType.MULTI)
        if has_choices and not self.choices:
            raise ValueError(f"a '{self.type}' question needs 'choices'")
        if not has_choices and self.choices:
            raise ValueError(f"a '{self.type}' question cannot have 'choices'")
        ids = [c.id for c in self.choices]
        dupes = sorted({c for c in ids if ids.count(c) > 1})
        if dupes:
            raise ValueError(f"duplicate choice id(s): {', '.join(dupes)}")
        if (self.min is not None or self.max is not None) and self.type != AnswerType.NUMBER:
            raise ValueError("'min'/'max' apply to number questions only")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("'min' is greater than 'max'")
        if self.default is not None:
            problem = value_problem(self, self.default)
            if problem:
                raise ValueError(f"default: {problem}")
        return self

    @property
    def choice_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.choices)

    def choice_label(self, choice_id: str) -> str:
        for c in self.choices:
            if c.id == choice_id:
                return c.label
        return choice_id

    @property
    def worst_severity(self) -> Severity | None:
        if not self.red_flags:
            return None
        return max((r.severity for r in self.red_flags), key=lambda s: s.rank)


class Section(_Frozen):
    id: str = Field(pattern=CHOICE_PATTERN)
    title: str
    intro: str | None = None
    questions: tuple[Question, ...] = Field(min_length=1)


class Questionnaire(_Frozen):
    id: str = Field(pattern=CHOICE_PATTERN)
    kind: Literal["selection", "diligence"]
    version: str
    title: str
    description: str | None = None
    sections: tuple[Section, ...] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value

    def questions(self) -> Iterator[Question]:
        for section in self.sections:
            yield from section.questions

    @cached_property
    def content_hash(self) -> str:
        data = self.model_dump(mode="json", by_alias=True)
        for section in data["sections"]:
            for question in section["questions"]:
                _drop_unset_later_fields(question)
        return canonical_hash(data)

    def question_hashes(self) -> dict[str, str]:
        """Per-question hash, used to tell changed questions from unchanged ones on resume."""
        return {
            q.id: canonical_hash(_drop_unset_later_fields(q.model_dump(mode="json", by_alias=True)))
            for q in self.questions()
        }


LATER_QUESTION_FIELDS: Mapping[str, Any] = {"empty_label": None, "date_kind": "evidence"}
"""Fields added after sessions were first saved: left out of the hashes while at their
default, so adding them does not flag every saved answer for re-confirmation."""


def _drop_unset_later_fields(question: dict[str, Any]) -> dict[str, Any]:
    for name, default in LATER_QUESTION_FIELDS.items():
        if question.get(name, default) == default:
            question.pop(name, None)
    return question


def canonical_hash(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class QuestionnaireSet:
    """Selection plus diligence questionnaires, indexed, with cross-file checks done."""

    def __init__(self, selection: Questionnaire, diligence: Questionnaire) -> None:
        self.selection = selection
        self.diligence = diligence
        self._index: dict[str, Question] = {}
        self._section_of: dict[str, Section] = {}
        self._kind_of: dict[str, str] = {}
        for qn in (selection, diligence):
            for section in qn.sections:
                for q in section.questions:
                    self._index.setdefault(q.id, q)
                    self._section_of.setdefault(q.id, section)
                    self._kind_of.setdefault(q.id, qn.kind)

    def __contains__(self, question_id: object) -> bool:
        return question_id in self._index

    def question(self, question_id: str) -> Question:
        return self._index[question_id]

    def get(self, question_id: str) -> Question | None:
        return self._index.get(question_id)

    def section_of(self, question_id: str) -> Section:
        return self._section_of[question_id]

    def is_selection(self, question_id: str) -> bool:
        return self._kind_of.get(question_id) == "selection"

    def order(self, question_id: str, value: Any) -> float | None:
        """Ordering for comparisons: a single choice's position in its question's choices."""
        q = self._index.get(question_id)
        if q is None or not q.choices:
            return None
        ids = q.choice_ids
        return float(ids.index(value)) if value in ids else None

    def is_shown(self, question: Question, lookup: Any) -> bool:
        if question.show_if is None:
            return True
        return evaluate(question.show_if, lookup, self.order)

    def describe_condition(self, condition: Condition) -> str:
        """A condition in the questions' own words, for readers who never see question ids:
        'the answer to “What kind of institution is it?” is Bank or Broker-dealer'."""

        def question_text(question_id: str) -> str:
            q = self.get(question_id)
            return f"the answer to \u201c{q.prompt}\u201d" if q else question_id

        def value_text(question_id: str, value: Any) -> str:
            q = self.get(question_id)
            text = format_value(q, normalize_scalar(value))
            # choice labels may contain "or" themselves ("US investment adviser or fund")
            return f"\u2018{text}\u2019" if q is not None and q.choices else text

        return condition.describe(question_text, value_text)

    @property
    def versions(self) -> dict[str, dict[str, str]]:
        return {
            qn.kind: {"id": qn.id, "version": qn.version, "hash": qn.content_hash}
            for qn in (self.selection, self.diligence)
        }

    def check(self) -> list[Problem]:
        """Cross-file problems: duplicate ids, unknown references, undefined choices, cycles."""
        problems: list[Problem] = []
        seen: dict[str, str] = {}
        for qn in (self.selection, self.diligence):
            for q in qn.questions():
                if q.id in seen:
                    problems.append(
                        Problem(
                            f"duplicate question id (also in questionnaire '{seen[q.id]}')",
                            file=qn.id,
                            field=q.id,
                        )
                    )
                seen.setdefault(q.id, qn.id)
        graph: dict[str, set[str]] = {}
        for qn in (self.selection, self.diligence):
            for q in qn.questions():
                conds: list[tuple[str, Condition]] = []
                if q.show_if is not None:
                    conds.append(("show_if", q.show_if))
                conds += [(f"red_flags[{i}].when", r.when) for i, r in enumerate(q.red_flags)]
                for where, cond in conds:
                    for ref in cond.questions():
                        target = self._index.get(ref)
                        if target is None:
                            problems.append(
                                Problem(
                                    f"condition refers to unknown question '{ref}'",
                                    file=qn.id,
                                    field=f"{q.id}.{where}",
                                )
                            )
                        elif qn.kind == "selection" and self._kind_of[ref] == "diligence":
                            problems.append(
                                Problem(
                                    f"a mandate question cannot depend on diligence question '{ref}'",
                                    file=qn.id,
                                    field=f"{q.id}.{where}",
                                )
                            )
                    problems += self._check_choice_literals(cond, qn.id, f"{q.id}.{where}")
                if q.show_if is not None:
                    graph[q.id] = set(q.show_if.questions())
        cycle = find_cycle(graph)
        if cycle:
            problems.append(
                Problem(
                    "conditions form a cycle: " + " -> ".join(cycle),
                    field=cycle[0],
                )
            )
        return problems

    def _check_choice_literals(self, cond: Condition, file: str, where: str) -> list[Problem]:
        out: list[Problem] = []
        for child in (*(cond.all or ()), *(cond.any or ())):
            out += self._check_choice_literals(child, file, where)
        if cond.not_ is not None:
            out += self._check_choice_literals(cond.not_, file, where)
        if cond.question is None:
            return out
        target = self._index.get(cond.question)
        if target is None:
            return out
        literals = [v for v in (cond.equals, cond.contains) if v is not None] + list(cond.in_ or ())
        allowed: tuple[str, ...] | None = None
        if target.type in (AnswerType.SINGLE, AnswerType.MULTI):
            allowed = target.choice_ids
        elif target.type == AnswerType.YN:
            allowed = YN_VALUES
        if allowed is not None:
            for lit in literals:
                if lit not in allowed:
                    out.append(
                        Problem(
                            f"'{lit}' is not a choice of question '{target.id}' "
                            f"(choices: {', '.join(allowed)})",
                            file=file,
                            field=where,
                        )
                    )
        return out


def find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """A dependency cycle as a path that returns to its start, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if state.get(nxt) is None:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if state.get(start) is None:
            found = visit(start)
            if found:
                return found
    return None


# --- answer values ---------------------------------------------------------------------


def coerce_value(question: Question, raw: Any) -> Any:
    """Normalize a raw answer (from YAML, JSON or a widget) to the stored form.

    Raises ValueError with a plain message when the value does not fit the question.
    """
    problem = value_problem(question, raw)
    if problem:
        raise ValueError(problem)
    return _normalize(question, raw)


def _normalize(question: Question, raw: Any) -> Any:
    t = question.type
    if t == AnswerType.YN:
        return normalize_scalar(raw).lower()
    if t == AnswerType.MULTI:
        items = [raw] if isinstance(raw, str) else list(raw)
        order = question.choice_ids
        return sorted(set(items), key=order.index)
    if t == AnswerType.NUMBER:
        number = float(raw)
        return int(number) if number.is_integer() else number
    if t == AnswerType.DATE:
        return _as_date(raw)
    if t == AnswerType.WEIGHTS:
        return {c: int(raw[c]) for c in CRITERIA}
    if t == AnswerType.TEXT:
        return str(raw).strip()
    return raw


def value_problem(question: Question, raw: Any) -> str | None:
    """Why ``raw`` is not a valid answer to ``question``, or None when it is."""
    t = question.type
    if raw is None:
        return "no value given"
    if t == AnswerType.YN:
        value = normalize_scalar(raw)
        if not isinstance(value, str) or value.lower() not in YN_VALUES:
            return f"expected yes, no or unknown, got {raw!r}"
        return None
    if t == AnswerType.SINGLE:
        if not isinstance(raw, str) or raw not in question.choice_ids:
            return f"{raw!r} is not a choice; choose one of: {', '.join(question.choice_ids)}"
        return None
    if t == AnswerType.MULTI:
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
    if t == AnswerType.NUMBER:
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
    if t == AnswerType.TEXT:
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            return f"expected text, got {raw!r}"
        text = str(raw).strip()
        if question.required and not text:
            return "this answer is required and cannot be empty"
        if len(text) > question.max_length:
            return f"too long ({len(text)} characters; at most {question.max_length})"
        return None
    if t == AnswerType.DATE:
        try:
            _as_date(raw)
        except ValueError:
            return f"expected a date as YYYY-MM-DD, got {raw!r}"
        return None
    if t == AnswerType.WEIGHTS:
        return weights_problem(raw)
    return f"unsupported answer type {t}"


def weights_problem(raw: Any) -> str | None:
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


def _as_date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        return date.fromisoformat(raw.strip())
    raise ValueError(raw)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def format_value(question: Question | None, value: Any) -> str:
    """An answer as people read it (memo, findings): labels, units, yes/no/unknown."""
    if value is None:
        return "—"
    if question is None:
        return str(value)
    t = question.type
    if t == AnswerType.YN:
        text = str(value).lower()
        return {"yes": "Yes", "no": "No", "unknown": "Unknown (not disclosed)"}.get(text, text)
    if t == AnswerType.SINGLE:
        return question.choice_label(str(value))
    if t == AnswerType.MULTI:
        items = value if isinstance(value, list | tuple) else [value]
        labels = ", ".join(question.choice_label(str(v)) for v in items)
        return labels or question.empty_label or "none"
    if t == AnswerType.NUMBER:
        number = f"{value:,.0f}" if isinstance(value, int) else f"{value:,}"
        return f"{number} {question.unit}" if question.unit else number
    if t == AnswerType.WEIGHTS and isinstance(value, Mapping):
        return ", ".join(f"{CRITERION_LABELS.get(c, c)} {value.get(c)}" for c in CRITERIA)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
