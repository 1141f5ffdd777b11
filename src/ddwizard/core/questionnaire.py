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
from enum import StrEnum
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ddwizard.core.conditions import Condition, evaluate, normalize_scalar
from ddwizard.core.errors import Problem
from ddwizard.core.question_types import CRITERIA as CRITERIA
from ddwizard.core.question_types import CRITERION_LABELS as CRITERION_LABELS
from ddwizard.core.question_types import QUESTION_TYPES
from ddwizard.core.question_types import YN_VALUES as YN_VALUES
from ddwizard.core.question_types import AnswerType as AnswerType
from ddwizard.core.question_types import coerce_value as coerce_value
from ddwizard.core.question_types import format_value as format_value
from ddwizard.core.question_types import value_problem as value_problem
from ddwizard.core.question_types import weights_problem as weights_problem

DEFAULT_WEIGHTS: Mapping[str, int] = {
    "liquidity": 30,
    "security": 25,
    "coverage": 15,
    "costs": 15,
    "ux": 10,
    "support": 5,
}

ID_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"
CHOICE_PATTERN = r"^[a-z0-9][a-z0-9_]*$"


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
        kind = QUESTION_TYPES[self.type]
        if self.empty_label is not None and not kind.has_empty_label:
            raise ValueError("'empty_label' applies to multiple-choice questions only")
        has_choices = kind.has_choices
        if has_choices and not self.choices:
            raise ValueError(f"a '{self.type}' question needs 'choices'")
        if not has_choices and self.choices:
            raise ValueError(f"a '{self.type}' question cannot have 'choices'")
        ids = [c.id for c in self.choices]
        dupes = sorted({c for c in ids if ids.count(c) > 1})
        if dupes:
            raise ValueError(f"duplicate choice id(s): {', '.join(dupes)}")
        if (self.min is not None or self.max is not None) and not kind.has_bounds:
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
        allowed_of = QUESTION_TYPES[target.type].condition_values
        if allowed_of is not None:
            allowed = allowed_of(target)
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
