"""Answers: the recorded value of a question plus the note and evidence behind it.

``AnswerSheet`` is what the matching rules read: the mandate (selection answers), the
per-provider diligence answers, the shortlist and the weights. Sessions and answers files
both produce one. ``parse_answers_file`` reads the YAML answers-file format of the CLI
contract and validates all of it before anything is applied.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from ddwizard.core.conditions import normalize_scalar
from ddwizard.core.errors import DataError, Problem
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.question_types import QUESTION_TYPES
from ddwizard.core.questionnaire import (
    CRITERIA,
    DEFAULT_WEIGHTS,
    Question,
    QuestionnaireSet,
    coerce_value,
)
from ddwizard.core.text import (
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_REFERENCE_LENGTH,
    MAX_TEXT_ANSWER_LENGTH,
    control_character_problem,
    free_text_problem,
)
from ddwizard.core.yamlio import LoadedYaml, decode_text, dotted, parse_yaml, read_checked_bytes

Evidence = Literal["seen_doc", "provider_claim", "public_source", "none"]
EVIDENCE_LABELS: Mapping[str, str] = {
    "seen_doc": "document seen",
    "provider_claim": "provider's claim",
    "public_source": "public source",
    "none": "no evidence",
}
WEIGHTS_QUESTION = "priorities.weights"
MAX_ANSWERS_FILE_BYTES = 1024 * 1024
MAX_VALUE_BITS = 100
"""Integers in answers stay far below this (about 30 decimal digits)."""


class Answer(BaseModel):
    """One answer. ``value`` is already normalized for its question type."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: Any
    note: str | None = None
    evidence: Evidence | None = None
    document_date: date | None = None
    reference: str | None = None
    answered_at: datetime | None = None
    needs_reconfirmation: bool = False

    @field_validator("note")
    @classmethod
    def _note_text(cls, value: str | None) -> str | None:
        return _checked(value, MAX_NOTE_LENGTH, multiline=True)

    @field_validator("reference")
    @classmethod
    def _reference_text(cls, value: str | None) -> str | None:
        return _checked(value, MAX_REFERENCE_LENGTH, multiline=False)

    @field_validator("value")
    @classmethod
    def _plain_value(cls, value: Any) -> Any:
        problem = value_text_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value


def _checked(value: str | None, max_len: int, *, multiline: bool) -> str | None:
    if value is None:
        return None
    problem = free_text_problem(value, max_len=max_len, multiline=multiline)
    if problem is not None:
        raise ValueError(problem)
    return value


def value_text_problem(value: Any) -> str | None:
    """Why an answer's value may not be stored: control characters, over-long text, numbers
    too large to print or not finite (checked without converting them to text)."""
    if isinstance(value, str):
        return free_text_problem(value, max_len=MAX_TEXT_ANSWER_LENGTH)
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int) and item.bit_length() > MAX_VALUE_BITS:
            return "number is too large"
        if isinstance(item, float) and not math.isfinite(item):
            return "number is not finite"
        if isinstance(item, str):
            problem = control_character_problem(item)
            if problem is not None:
                return problem
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return None


@dataclass(frozen=True)
class AnswerSheet:
    """Everything the rules read. Mappings are treated as read-only."""

    selection: Mapping[str, Answer] = field(default_factory=dict)
    diligence: Mapping[str, Mapping[str, Answer]] = field(default_factory=dict)
    shortlist: tuple[str, ...] | None = None

    @property
    def weights(self) -> dict[str, int]:
        answer = self.selection.get(WEIGHTS_QUESTION)
        if answer is None or not isinstance(answer.value, Mapping):
            return dict(DEFAULT_WEIGHTS)
        return {c: int(answer.value[c]) for c in CRITERIA}

    def value(self, question_id: str) -> Any:
        answer = self.selection.get(question_id)
        return None if answer is None else answer.value


def applicable_values(qset: QuestionnaireSet, answers: Mapping[str, Answer]) -> dict[str, Any]:
    """Values of answered questions whose show-conditions hold (conditions may chain)."""
    memo: dict[str, bool] = {}

    def shown(qid: str) -> bool:
        if qid not in memo:
            memo[qid] = False  # guards against cycles; validation rejects them anyway
            q = qset.get(qid)
            memo[qid] = q is not None and qset.is_shown(q, lookup)
        return memo[qid]

    def lookup(qid: str) -> Any:
        answer = answers.get(qid)
        if answer is None or not shown(qid):
            return None
        return answer.value

    return {qid: a.value for qid, a in answers.items() if qid in qset and shown(qid)}


def diligence_lookup(
    qset: QuestionnaireSet, mandate: Mapping[str, Any], answers: Mapping[str, Answer]
) -> Any:
    """Lookup over one provider's diligence answers, falling back to the mandate values."""

    def lookup(qid: str) -> Any:
        if qid in answers:
            return answers[qid].value
        return mandate.get(qid)

    return lookup


# --- answers files ---------------------------------------------------------------------


@dataclass(frozen=True)
class AnswersFile:
    """A validated answers file, ready to apply in one go."""

    path: Path
    name: str | None
    preparer: str | None
    sheet: AnswerSheet
    warnings: tuple[str, ...] = ()
    content: bytes = b""  # the exact bytes parsed (a memo embeds them; the file is read once)


def document_date_problem(value: date, today: date) -> str | None:
    """A document dated after today is a typo (2062 for 2026) that would also hide staleness.

    One day of slack covers time zones (the document's date may already be tomorrow's there).
    """
    if value > today + timedelta(days=1):
        return (
            f"document date {value.isoformat()} is in the future (today is {today.isoformat()}); "
            "check the year"
        )
    return None


TOP_LEVEL_KEYS = ("name", "preparer", "answers", "shortlist", "diligence")
ANSWER_KEYS = ("value", "note", "evidence", "document_date", "reference")


def parse_answers_file(
    path: Path, qset: QuestionnaireSet, catalog: ProviderCatalog, *, now: datetime | None = None
) -> AnswersFile:
    """Load and validate an answers file completely; raise DataError listing every problem."""
    raw = read_checked_bytes(path, max_bytes=MAX_ANSWERS_FILE_BYTES, what="answers file")
    loaded = parse_yaml(decode_text(raw, str(path), "answers file"), str(path))
    return replace(parse_answers_data(loaded, qset, catalog, now=now), content=raw)


@dataclass
class _Problems:
    """Problems found in one answers file, each with its line and field."""

    loaded: LoadedYaml
    found: list[Problem] = field(default_factory=list)

    def __call__(self, message: str, path: tuple[str | int, ...]) -> None:
        self.found.append(
            Problem(
                message,
                file=self.loaded.file,
                line=self.loaded.line_of(path),
                field=dotted(path) or None,
            )
        )


def parse_answers_data(
    loaded: LoadedYaml,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    *,
    now: datetime | None = None,
) -> AnswersFile:
    """Validate a parsed answers file completely; raise DataError listing every problem."""
    data = loaded.data
    file = loaded.file
    if not isinstance(data, dict):
        raise DataError.single(
            "an answers file must be a mapping with 'answers' (and optionally name, preparer, "
            "shortlist, diligence)",
            file=file,
            line=1,
        )
    problem = _Problems(loaded)
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            problem(
                f"unknown top-level key '{key}' (allowed: {', '.join(TOP_LEVEL_KEYS)})", (str(key),)
            )
    name = _optional_text(data.get("name"), ("name",), problem)
    preparer = _optional_text(data.get("preparer"), ("preparer",), problem)
    selection = _parse_selection(data.get("answers"), qset, problem, now)
    diligence = _parse_diligence(data.get("diligence"), qset, catalog, problem, now)
    shortlist = _parse_shortlist(data.get("shortlist"), catalog, problem)
    if problem.found:
        raise DataError(problem.found)
    return AnswersFile(
        path=Path(file),
        name=name,
        preparer=preparer,
        sheet=AnswerSheet(selection=selection, diligence=diligence, shortlist=shortlist),
        warnings=tuple(_ignored_answers(qset, selection, diligence, file)),
    )


def _parse_selection(
    raw_answers: Any, qset: QuestionnaireSet, problem: _Problems, now: datetime | None
) -> dict[str, Answer]:
    """The ``answers:`` mapping: mandate questions only."""
    selection: dict[str, Answer] = {}
    if raw_answers is None:
        return selection
    if not isinstance(raw_answers, dict):
        problem("'answers' must be a mapping of question id to answer", ("answers",))
        return selection
    for qid, raw in raw_answers.items():
        path: tuple[str | int, ...] = ("answers", str(qid))
        question = qset.get(str(qid))
        if question is None:
            problem(f"unknown question id '{qid}'", path)
            continue
        if not qset.is_selection(question.id):
            problem(
                f"'{qid}' is a diligence question; put it under 'diligence: <provider id>:'", path
            )
            continue
        answer = _parse_answer(question, raw, path, problem, allow_evidence=False, now=now)
        if answer is not None:
            selection[question.id] = answer
    return selection


def _parse_diligence(
    raw_dd: Any,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    problem: _Problems,
    now: datetime | None,
) -> dict[str, dict[str, Answer]]:
    """The ``diligence:`` mapping: provider id -> diligence question id -> answer."""
    diligence: dict[str, dict[str, Answer]] = {}
    if raw_dd is None:
        return diligence
    if not isinstance(raw_dd, dict):
        problem("'diligence' must be a mapping of provider id to answers", ("diligence",))
        return diligence
    for pid, answers in raw_dd.items():
        ppath: tuple[str | int, ...] = ("diligence", str(pid))
        if str(pid) not in catalog:
            problem(f"unknown provider id '{pid}' (known: {', '.join(catalog.ids)})", ppath)
            continue
        if not isinstance(answers, dict):
            problem("expected a mapping of diligence question id to answer", ppath)
            continue
        per: dict[str, Answer] = {}
        for qid, raw in answers.items():
            path = (*ppath, str(qid))
            question = qset.get(str(qid))
            if question is None:
                problem(f"unknown question id '{qid}'", path)
                continue
            if qset.is_selection(question.id):
                problem(f"'{qid}' is a mandate question; put it under 'answers'", path)
                continue
            answer = _parse_answer(question, raw, path, problem, allow_evidence=True, now=now)
            if answer is not None:
                per[question.id] = answer
        diligence[str(pid)] = per
    return diligence


def _parse_shortlist(
    raw_short: Any, catalog: ProviderCatalog, problem: _Problems
) -> tuple[str, ...] | None:
    """The ``shortlist:`` (one id or a list of distinct known provider ids)."""
    if raw_short is None:
        return None
    if isinstance(raw_short, str):
        raw_short = [raw_short]
    if not isinstance(raw_short, list):
        problem("'shortlist' must be a list of provider ids", ("shortlist",))
        return None
    ids: list[str] = []
    for i, pid in enumerate(raw_short):
        if not isinstance(pid, str) or pid not in catalog:
            shown = pid if isinstance(pid, str | int | float) else _kind(pid)
            problem(
                f"unknown provider id '{shown}' (known: {', '.join(catalog.ids)})", ("shortlist", i)
            )
        elif pid in ids:
            problem(f"provider '{pid}' is listed twice", ("shortlist", i))
        else:
            ids.append(pid)
    return tuple(ids)


def _ignored_answers(
    qset: QuestionnaireSet,
    selection: Mapping[str, Answer],
    diligence: Mapping[str, Mapping[str, Answer]],
    file: str,
) -> list[str]:
    """Warnings for answers to questions that do not apply (kept, but not read by the rules)."""
    warnings: list[str] = []
    applicable = applicable_values(qset, selection)
    for qid in selection:
        if qid not in applicable:
            cond = qset.question(qid).show_if
            why = f" (shown only when {cond.describe()})" if cond else ""
            warnings.append(
                f"{file}: answer to '{qid}' is ignored: the question does not apply{why}"
            )
    for pid, per in diligence.items():
        for qid in per:
            q = qset.question(qid)
            if q.show_if is not None and not qset.is_shown(
                q, diligence_lookup(qset, applicable, per)
            ):
                warnings.append(
                    f"{file}: diligence answer '{qid}' for {pid} is ignored: "
                    f"shown only when {q.show_if.describe()}"
                )
    return warnings


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "yes/no (put it in quotes to keep it as text)"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _optional_text(value: Any, path: tuple[str, ...], problem: _Problems) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        problem(f"expected text, got {_kind(value)}", path)
        return None
    text = str(value).strip()
    trouble = free_text_problem(text, max_len=MAX_NAME_LENGTH)
    if trouble is not None:
        problem(trouble, path)
        return None
    return text or None


def _parse_answer(
    question: Question,
    raw: Any,
    path: tuple[str | int, ...],
    problem: _Problems,
    *,
    allow_evidence: bool,
    now: datetime | None,
) -> Answer | None:
    fields: dict[str, Any] = {}
    kind = QUESTION_TYPES[question.type]
    if isinstance(raw, dict) and (not kind.value_is_mapping or "value" in raw):
        allowed = ANSWER_KEYS if allow_evidence else ("value", "note")
        unknown = [k for k in raw if k not in allowed]
        if unknown:
            problem(
                f"unknown key(s) {', '.join(map(str, unknown))} (allowed: {', '.join(allowed)})",
                path,
            )
            return None
        if "value" not in raw:
            problem("missing 'value'", path)
            return None
        fields = {k: v for k, v in raw.items() if k != "value"}
        raw = raw["value"]
    if kind.expected is not None and isinstance(raw, Mapping | list):
        problem(f"expected {kind.expected}, got {_kind(raw)}", (*path, "value") if fields else path)
        return None
    try:
        value = coerce_value(question, raw)
    except ValueError as exc:
        problem(str(exc), (*path, "value") if fields else path)
        return None
    note = fields.get("note")
    if isinstance(note, int | float | date) and not isinstance(note, bool):
        note = str(note)  # "note: 42" is the text 42
    elif note is not None and not isinstance(note, str):
        problem(f"a note must be text, got {_kind(note)}", (*path, "note"))
        return None
    reference = fields.get("reference")
    if isinstance(reference, int | float | date) and not isinstance(reference, bool):
        reference = str(reference)
    elif reference is not None and not isinstance(reference, str):
        problem(f"a reference must be text, got {_kind(reference)}", (*path, "reference"))
        return None
    evidence = normalize_scalar(fields.get("evidence"))
    try:
        answer = Answer(
            value=value,
            note=note,
            evidence=evidence,
            document_date=fields.get("document_date"),
            reference=reference,
            answered_at=now,
        )
    except Exception as exc:  # pydantic ValidationError: report its first message plainly
        errors = getattr(exc, "errors", None)
        if callable(errors):
            for err in errors(include_url=False):
                message = str(err["msg"]).removeprefix("Value error, ")
                name = str(err["loc"][0]) if err["loc"] else "value"
                problem(message, path if name == "value" and not fields else (*path, name))
        else:
            problem(str(exc), path)
        return None
    if answer.document_date is not None:
        today = (now or datetime.now().astimezone()).date()
        future = document_date_problem(answer.document_date, today)
        if future:
            problem(future, (*path, "document_date"))
            return None
    return answer
