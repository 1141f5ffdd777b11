"""Appendix B: the audit trail in words, runs of the same action summarised.

Events name questions by their text, providers by name and choices by label; file paths are
reduced to file names. The complete hash-chained trail, with every id, old and new value, is
in the record embedded in the PDF.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ddwizard.core.answers import EVIDENCE_LABELS
from ddwizard.core.questionnaire import CRITERIA, CRITERION_LABELS, format_value
from ddwizard.core.report.inputs import MemoInputs
from ddwizard.core.report.record import AuditEntry
from ddwizard.core.report.text import clean, plural, shorten

MAX_AUDIT_ROWS = 400
ACTION_LABELS: Mapping[str, str] = {
    "session_created": "review created",
    "answer_set": "mandate answer given",
    "answer_changed": "mandate answer changed",
    "answer_cleared": "mandate answer cleared",
    "answer_confirmed": "answer re-confirmed",
    "note_changed": "note changed",
    "diligence_set": "diligence answer given",
    "diligence_changed": "diligence answer changed",
    "diligence_cleared": "diligence answer cleared",
    "weights_changed": "weights changed",
    "shortlist_changed": "shortlist changed",
    "status_changed": "status changed",
    "reopened": "review reopened",
    "memo_generated": "memo written",
    "questionnaire_migrated": "questionnaire updated",
    "schema_upgraded": "session format upgraded",
    "provider_data_changed": "provider data changed",
    "lock_recovered": "stale lock recovered",
    "answers_file_applied": "answers file applied",
}
STATUS_WORDS = {
    "in_progress": "in progress",
    "ready_for_review": "ready for review",
    "final": "final",
}
_PATH = re.compile(r"(?:[A-Za-z]:\\|~?/)[^\s'\"]*")


@dataclass(frozen=True)
class AuditRow:
    seq: str
    at: str
    actor: str
    action: str
    subject: str
    change: str


@dataclass(frozen=True)
class AuditSection:
    rows: tuple[AuditRow, ...]
    total: int
    omitted: int
    has_trail: bool
    source: str


def without_paths(text: str) -> str:
    """Local file paths reduced to their file names."""
    return _PATH.sub(lambda m: m.group().rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1], text)


def _when(e: AuditEntry) -> str:
    return e.at.strftime("%Y-%m-%d %H:%M UTC") if e.at else ""


def _subject(inputs: MemoInputs, e: AuditEntry) -> str:
    target = e.target
    if e.action in (
        "answer_set",
        "answer_changed",
        "answer_cleared",
        "answer_confirmed",
        "note_changed",
    ):
        if ":" in target:
            pid, _, qid = target.partition(":")
            return f"{inputs.name(pid)}: {shorten(inputs.question_label(qid), 80)}"
        return shorten(inputs.question_label(target), 80)
    if e.action.startswith("diligence_"):
        pid, _, qid = target.partition(":")
        return f"{inputs.name(pid)}: {shorten(inputs.question_label(qid), 80)}"
    if e.action in (
        "session_created",
        "memo_generated",
        "answers_file_applied",
        "weights_changed",
        "shortlist_changed",
    ):
        return ""
    return shorten(clean(without_paths(target)), 80)


def _value(inputs: MemoInputs, qid: str, value: Any) -> str:
    if value is None:
        return "—"
    q = inputs.qset.get(qid)
    if isinstance(value, Mapping) and "value" in value:
        text = format_value(q, value["value"])
        extra = (
            [EVIDENCE_LABELS.get(str(value.get("evidence")), "")] if value.get("evidence") else []
        )
        if value.get("document_date"):
            extra.append(str(value["document_date"]))
        return shorten(
            clean(text + (f" ({', '.join(x for x in extra if x)})" if extra else "")), 80
        )
    return shorten(clean(format_value(q, value)), 80)


def _change(inputs: MemoInputs, e: AuditEntry) -> str:
    action = e.action
    if action == "memo_generated" and isinstance(e.new, Mapping):
        fmt = str(e.new.get("format", "")).upper()
        sha = str(e.new.get("sha256", ""))
        return f"{fmt} memo, SHA-256 {sha}" if sha else f"{fmt} memo"
    if action in ("status_changed", "reopened"):
        old = STATUS_WORDS.get(_status(e.old), _status(e.old))
        new = STATUS_WORDS.get(_status(e.new), _status(e.new))
        text = f"{old} → {new}"
        if isinstance(e.new, Mapping):  # a sign-off: reviewer and rationale are fields
            reviewer = clean(e.new.get("reviewer") or "")
            if e.new.get("override") is True:
                text += f"; override by reviewer {reviewer or 'not named'}"
            elif reviewer:
                text += f"; reviewer {reviewer}"
            if e.new.get("rationale"):
                text += f"; rationale “{shorten(clean(e.new['rationale']), 160)}”"
        if e.detail:
            # Before sign-offs had fields, a sign-off's reviewer and rationale were part of
            # this free text: show it as recorded, not as a reason.
            label = "as recorded" if new == "final" and not isinstance(e.new, Mapping) else "reason"
            text += f"; {label} “{shorten(clean(e.detail), 160)}”"
        return text
    if action == "shortlist_changed":
        names = [inputs.name(str(p)) for p in (e.new or [])] if isinstance(e.new, list) else []
        return ", ".join(names) or "—"
    if action == "weights_changed" and isinstance(e.new, Mapping):
        return ", ".join(f"{CRITERION_LABELS[c]} {e.new.get(c)}" for c in CRITERIA if c in e.new)
    if action == "session_created":
        return shorten(clean(without_paths(e.detail)), 120)
    if action.startswith(("answer_", "diligence_", "note_")):
        qid = e.target.partition(":")[2] if ":" in e.target else e.target
        if action == "note_changed":
            return "note edited"
        return f"{_value(inputs, qid, e.old)} → {_value(inputs, qid, e.new)}"
    return shorten(clean(without_paths(e.detail)), 160)


def _status(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("status", ""))
    return str(value or "")


def _row(inputs: MemoInputs, e: AuditEntry) -> AuditRow:
    return AuditRow(
        seq=str(e.seq),
        at=_when(e),
        actor=clean(e.actor),
        action=ACTION_LABELS.get(e.action, e.action.replace("_", " ")),
        subject=_subject(inputs, e),
        change=_change(inputs, e),
    )


RUN_KINDS: Mapping[str, str] = {
    "answer_set": "mandate answers",
    "answer_changed": "mandate answers",
    "answer_cleared": "mandate answers",
    "answer_confirmed": "mandate answers",
    "note_changed": "mandate answers",
    "diligence_set": "diligence answers",
    "diligence_changed": "diligence answers",
    "diligence_cleared": "diligence answers",
}
"""Actions summarised together when they follow each other (one person answering)."""


VERBS: Mapping[str, str] = {
    "answer_set": "given",
    "answer_changed": "changed",
    "answer_cleared": "cleared",
    "answer_confirmed": "re-confirmed",
    "note_changed": "note edited",
    "diligence_set": "given",
    "diligence_changed": "changed",
    "diligence_cleared": "cleared",
}


def _kind(e: AuditEntry) -> str:
    return RUN_KINDS.get(e.action, e.action)


def _run(inputs: MemoInputs, run: Sequence[AuditEntry]) -> AuditRow:
    if len(run) == 1:
        return _row(inputs, run[0])
    first, last = run[0], run[-1]
    at = _when(first) if _when(first) == _when(last) else f"{_when(first)} – {_when(last)}"
    per_provider = Counter(inputs.name(e.target.partition(":")[0]) for e in run if ":" in e.target)
    if per_provider:
        subject = ", ".join(f"{name} {n}" for name, n in per_provider.items())
    else:
        subject = plural(len({e.target for e in run}), "question")
    verbs = Counter(VERBS.get(e.action, ACTION_LABELS.get(e.action, e.action)) for e in run)
    kind = _kind(first)
    return AuditRow(
        seq=f"{first.seq}–{last.seq}",
        at=at,
        actor=clean(first.actor),
        action=kind if kind != first.action else ACTION_LABELS.get(kind, kind),
        subject=subject,
        change=", ".join(f"{verb} {n}" for verb, n in verbs.items()),
    )


def build(inputs: MemoInputs) -> AuditSection:
    events = inputs.record.audit
    rows: list[AuditRow] = []
    run: list[AuditEntry] = []
    for e in events:
        if run and (
            _kind(e) != _kind(run[-1])
            or e.actor != run[-1].actor
            or e.action in ("memo_generated", "status_changed", "reopened")
        ):
            rows.append(_run(inputs, run))
            run = []
        run.append(e)
    if run:
        rows.append(_run(inputs, run))
    shown = rows[-MAX_AUDIT_ROWS:]
    return AuditSection(
        rows=tuple(shown),
        total=len(events),
        omitted=len(rows) - len(shown),
        has_trail=inputs.record.kind == "session",
        source="a saved session" if inputs.record.kind == "session" else "an answers file",
    )
