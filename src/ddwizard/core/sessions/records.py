"""The audit records an edit produces: which action, on what, from which value to which.

Each function compares the answer before and after and returns the change records
(keyword dicts for ``audit.make_event``); no records means nothing changed and nothing is
saved.
"""

from __future__ import annotations

from typing import Any

from ddwizard.core.answers import WEIGHTS_QUESTION, Answer
from ddwizard.core.sessions.session import answer_record
from ddwizard.core.text import printable

Change = dict[str, Any]


def answer_changes(question_id: str, old: Answer | None, new: Answer) -> list[Change]:
    """A mandate answer set, changed, re-confirmed, and/or its note changed."""
    changes: list[Change] = []
    if question_id == WEIGHTS_QUESTION:
        if old is None or old.value != new.value:
            changes.append(
                {
                    "action": "weights_changed",
                    "target": question_id,
                    "old": None if old is None else old.value,
                    "new": new.value,
                }
            )
    elif old is None:
        changes.append({"action": "answer_set", "target": question_id, "new": new.value})
    elif old.value != new.value:
        changes.append(
            {"action": "answer_changed", "target": question_id, "old": old.value, "new": new.value}
        )
    elif old.needs_reconfirmation and not new.needs_reconfirmation:
        changes.append(
            {
                "action": "answer_confirmed",
                "target": question_id,
                "new": new.value,
                "detail": "answer re-confirmed after a questionnaire change",
            }
        )
    if (old.note if old else None) != new.note:
        changes.append(
            {
                "action": "note_changed",
                "target": question_id,
                "old": old.note if old else None,
                "new": new.note,
            }
        )
    return changes


def answer_cleared(question_id: str, old: Answer) -> Change:
    action = "weights_changed" if question_id == WEIGHTS_QUESTION else "answer_cleared"
    return {
        "action": action,
        "target": question_id,
        "old": old.value,
        "new": None,
        "detail": None if old.note is None else f"note was: {old.note}",
    }


def note_changed(target: str, old: str | None, new: str | None) -> Change:
    return {"action": "note_changed", "target": target, "old": old, "new": new}


def diligence_change(
    provider: str, question_id: str, old: Answer | None, new: Answer
) -> Change | None:
    """A diligence answer set, changed or re-confirmed; None when nothing changed."""
    target = f"{provider}:{question_id}"
    old_rec, new_rec = answer_record(old), answer_record(new)
    if old is None:
        return {"action": "diligence_set", "target": target, "new": new_rec}
    if old_rec != new_rec:
        return {"action": "diligence_changed", "target": target, "old": old_rec, "new": new_rec}
    if old.needs_reconfirmation:
        return {
            "action": "answer_confirmed",
            "target": target,
            "new": new_rec,
            "detail": "answer re-confirmed after a questionnaire change",
        }
    return None


def diligence_cleared(provider: str, question_id: str, old: Answer) -> Change:
    return {
        "action": "diligence_cleared",
        "target": f"{provider}:{question_id}",
        "old": answer_record(old),
    }


def shortlist_changed(old: list[str] | None, new: list[str]) -> Change:
    return {"action": "shortlist_changed", "old": old, "new": new}


def preparer_recorded(preparer: str) -> Change:
    """A review created without a preparer gets one (never replaced: the sign-off rule
    compares the reviewer with the preparer, so a preparer once recorded stays)."""
    return {"action": "preparer_recorded", "target": "preparer", "old": None, "new": preparer}


def answers_file_applied(path: str, changed: int) -> Change:
    shown = printable(path)
    return {
        "action": "answers_file_applied",
        "target": shown,
        "detail": f"{changed} change(s) from {shown}",
    }


def status_change(
    old: str,
    new: str,
    *,
    reason: str | None,
    reviewer: str | None = None,
    rationale: str | None = None,
    override: bool = False,
) -> Change:
    """Leaving ``final`` is ``reopened``; a move to ``final`` is a sign-off.

    A sign-off's ``new`` is a mapping, ``{"status": "final", "override": bool, "reviewer":
    name or None, "rationale": text or None}``: who signed off and why are fields of the
    sealed event, never words inside the free-text reason (``detail``), so no reason or
    rationale can change who the record says signed off. Other moves keep ``new`` the status.
    """
    if new != "final" and (reviewer or rationale or override):
        raise ValueError("a reviewer, rationale or override belongs to a move to final")
    value: Any = new
    if new == "final":
        value = {
            "status": new,
            "override": override,
            "reviewer": reviewer,
            "rationale": rationale,
        }
    return {
        "action": "reopened" if old == "final" else "status_changed",
        "old": old,
        "new": value,
        "detail": reason,
    }


def status_of(value: Any) -> Any:
    """The status a status event's ``new`` (or ``old``) records: the value itself, or the
    ``status`` of a sign-off mapping."""
    return value.get("status") if isinstance(value, dict) else value


def memo_generated(output: str, sha256: str, fmt: str, head_hash: str | None = None) -> Change:
    output = printable(output)  # a path is not free text: show control characters escaped
    new: dict[str, Any] = {"path": output, "format": fmt, "sha256": sha256}
    if head_hash is not None:
        new["audit_head"] = head_hash
    return {
        "action": "memo_generated",
        "target": output,
        "new": new,
        "detail": f"{fmt} memo written to {output}",
    }
