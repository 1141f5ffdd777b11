"""Answers: the recorded value of a question plus the note and evidence behind it.

``AnswerSheet`` is what the matching rules read: the mandate (selection answers), the
per-provider diligence answers, the shortlist and the weights. Sessions and answers files
both produce one. ``parse_answers_file`` reads the YAML answers-file format of the CLI
contract and validates all of it before anything is applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from ddwizard.core.conditions import normalize_scalar
from ddwizard.core.errors import DataError, Problem
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import (
    CRITERIA,
    DEFAULT_WEIGHTS,
    AnswerType,
    Question,
    QuestionnaireSet,
    coerce_value,
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
MAX_NOTE_LENGTH = 20_000
MAX_ANSWERS_FILE_BYTES = 1024 * 1024


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

    @field_validator("note", "reference")
    @classmethod
    def _bounded_text(cls, value: str | None) -> str | None:
        if value is not None and len(value) > MAX_NOTE_LENGTH:
            raise ValueError(f"too long ({len(value)} characters; at most {MAX_NOTE_LENGTH})")
        return value


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


def parse_answers_data(
    loaded: LoadedYaml,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    *,
    now: datetime | None = None,
) -> AnswersFile:
    data = loaded.data
    file = loaded.file
    problems: list[Problem] = []

    def problem(message: str, path: tuple[str | int, ...]) -> None:
        problems.append(
            Problem(message, file=file, line=loaded.line_of(path), field=dotted(path) or None)
        )

    if not isinstance(data, dict):
        raise DataError.single(
            "an answers file must be a mapping with 'answers' (and optionally name, preparer, "
            "shortlist, diligence)",
            file=file,
            line=1,
        )
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            problem(
                f"unknown top-level key '{key}' (allowed: {', '.join(TOP_LEVEL_KEYS)})", (str(key),)
            )
    name = _optional_text(data.get("name"), ("name",), problem)
    preparer = _optional_text(data.get("preparer"), ("preparer",), problem)

    selection: dict[str, Answer] = {}
    raw_answers = data.get("answers") or {}
    if not isinstance(raw_answers, dict):
        problem("'answers' must be a mapping of question id to answer", ("answers",))
        raw_answers = {}
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

    diligence: dict[str, dict[str, Answer]] = {}
    raw_dd = data.get("diligence") or {}
    if not isinstance(raw_dd, dict):
        problem("'diligence' must be a mapping of provider id to answers", ("diligence",))
        raw_dd = {}
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

    shortlist: tuple[str, ...] | None = None
    raw_short = data.get("shortlist")
    if raw_short is not None:
        if isinstance(raw_short, str):
            raw_short = [raw_short]
        if not isinstance(raw_short, list):
            problem("'shortlist' must be a list of provider ids", ("shortlist",))
        else:
            ids: list[str] = []
            for i, pid in enumerate(raw_short):
                if str(pid) not in catalog:
                    problem(
                        f"unknown provider id '{pid}' (known: {', '.join(catalog.ids)})",
                        ("shortlist", i),
                    )
                elif str(pid) in ids:
                    problem(f"provider '{pid}' is listed twice", ("shortlist", i))
                else:
                    ids.append(str(pid))
            shortlist = tuple(ids)

    if problems:
        raise DataError(problems)

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
    return AnswersFile(
        path=Path(file),
        name=name,
        preparer=preparer,
        sheet=AnswerSheet(selection=selection, diligence=diligence, shortlist=shortlist),
        warnings=tuple(warnings),
    )


def _optional_text(value: Any, path: tuple[str, ...], problem: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        problem("expected text", path)
        return None
    text = str(value).strip()
    if len(text) > 500:
        problem("too long (at most 500 characters)", path)
        return None
    return text or None


def _parse_answer(
    question: Question,
    raw: Any,
    path: tuple[str | int, ...],
    problem: Any,
    *,
    allow_evidence: bool,
    now: datetime | None,
) -> Answer | None:
    fields: dict[str, Any] = {}
    if isinstance(raw, dict) and (question.type != AnswerType.WEIGHTS or "value" in raw):
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
    try:
        value = coerce_value(question, raw)
    except ValueError as exc:
        problem(str(exc), (*path, "value") if fields else path)
        return None
    note = fields.get("note")
    if note is not None and not isinstance(note, str):
        note = str(note)
    evidence = normalize_scalar(fields.get("evidence"))
    try:
        answer = Answer(
            value=value,
            note=note,
            evidence=evidence,
            document_date=fields.get("document_date"),
            reference=None if fields.get("reference") is None else str(fields["reference"]),
            answered_at=now,
        )
    except Exception as exc:  # pydantic ValidationError: report its first message plainly
        errors = getattr(exc, "errors", None)
        if callable(errors):
            for err in errors(include_url=False):
                loc = ".".join(str(p) for p in err["loc"])
                problem(f"{loc}: {err['msg']}", (*path, str(err["loc"][0])))
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
