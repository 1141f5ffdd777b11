"""Review commands: ``sessions``, ``answer``, ``questions``, ``verify`` and ``status``.

Thin wrappers over the use cases in ``ddwizard.core.usecases``: the core validates, saves and
refuses; these only choose what to print. Errors are ``DdwizardError``s, which
``ddwizard.cli.main`` turns into exit 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ddwizard.cli.context import workspace
from ddwizard.core.errors import DdwizardError

if TYPE_CHECKING:
    from ddwizard.core.sessions.store import SessionSummary


def run_sessions(args: argparse.Namespace) -> int:
    from ddwizard.core.usecases.open_review import list_reviews

    ws = workspace(args)
    try:
        summaries = list_reviews(ws)
    except DdwizardError as exc:  # still list the sessions; progress needs the questionnaire
        print(f"warning: progress not shown: {exc}", file=sys.stderr)
        summaries = list_reviews(ws, with_progress=False)
    if getattr(args, "json", False):
        print(json.dumps([s.to_json() for s in summaries], indent=2, ensure_ascii=False))
        return 0
    if not summaries:
        print(f"no sessions in {ws.sessions_dir}")
        return 0
    print(format_table(summaries))
    if any(s.error for s in summaries):
        for s in summaries:
            if s.error:
                print(f"warning: {s.error}", file=sys.stderr)
    return 0


def format_table(summaries: list[SessionSummary]) -> str:
    rows = [("ID", "NAME", "STATUS", "PROGRESS", "UPDATED")]
    for s in summaries:
        updated = (
            "-" if s.updated_at is None else s.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
        )
        progress = "-" if s.progress is None else f"{s.progress}%"
        name = _one_line(s.label)
        rows.append((s.id, name, s.status, progress, updated))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for row in rows:
        cells = [row[i].rjust(widths[i]) if i == 3 else row[i].ljust(widths[i]) for i in range(5)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _one_line(text: str, limit: int = 48) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def run_answer(args: argparse.Namespace) -> int:
    from ddwizard.core.usecases.apply_answers import apply_answers_file

    done = apply_answers_file(
        workspace(args),
        args.session,
        Path(args.answers),
        preparer=args.preparer,
        create=bool(getattr(args, "new", False)),
    )
    if done.created:
        print(f"created session {done.session_id} '{done.name}' ({done.path})")
    for warning in done.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for line in done.changes:
        print(f"  {line}")
    count = f"{len(done.changes)} change(s)" if done.changes else "no changes"
    print(f"{count} saved to session {done.session_id} ({done.path}); progress {done.progress}%")
    if done.pending:
        print(
            f"warning: {len(done.pending)} answer(s) need re-confirmation after a questionnaire "
            f"change: {', '.join(done.pending)}",
            file=sys.stderr,
        )
    return 0


def run_questions(args: argparse.Namespace) -> int:
    from ddwizard.core.usecases.questions import list_questions

    rows = list_questions(workspace(args), section=args.section, questionnaire=args.questionnaire)
    if getattr(args, "json", False):
        payload = [
            {
                "questionnaire": r.questionnaire,
                "section": r.section,
                "id": r.id,
                "type": r.type,
                "label": r.label,
                "choices": list(r.choices),
            }
            for r in rows
        ]
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    width = max(len(r.id) for r in rows)
    type_width = max(len(r.type) for r in rows)
    heading = None
    for r in rows:
        if (r.questionnaire, r.section) != heading:
            if heading is not None:
                print()
            heading = (r.questionnaire, r.section)
            print(f"[{r.questionnaire}] {r.section}: {_one_line(r.section_title, 80)}")
        line = f"  {r.id.ljust(width)}  {r.type.ljust(type_width)}  {_one_line(r.label, 70)}"
        if r.choices:
            line += f"  ({', '.join(r.choices)})"
        print(line.rstrip())
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from ddwizard.core.usecases.verify_review import verify_review

    # The trail is checked as stored: no questionnaire needed, nothing migrated.
    result = verify_review(workspace(args), args.session, memo=getattr(args, "memo", None))
    integrity = result.integrity
    if not integrity.verified:
        print(
            f"audit trail of session {result.session_id} is NOT intact or does not match the "
            f"record ({len(integrity.problems)} problem(s)):",
            file=sys.stderr,
        )
        for problem in integrity.problems:
            print(f"  {problem}", file=sys.stderr)
    if result.memo_problems:
        print(
            f"memo {result.memo_checked} does not match session {result.session_id}:",
            file=sys.stderr,
        )
        for problem in result.memo_problems:
            print(f"  {problem}", file=sys.stderr)
    if not result.ok:
        return 1
    head = f", head {integrity.head_hash}" if integrity.head_hash else ""
    print(f"audit trail intact ({integrity.events} events{head})")
    for note in integrity.notes:
        print(f"note: {note}", file=sys.stderr)
    if result.memo_checked is not None:
        print(f"memo {result.memo_checked} was issued from this session's trail")
    return 0


def run_status(args: argparse.Namespace) -> int:
    from ddwizard.core.usecases.change_status import change_status

    done = change_status(
        workspace(args),
        args.session,
        args.status,
        actor=getattr(args, "preparer", None),
        reason=args.reason,
        reviewer=getattr(args, "reviewer", None),
        rationale=getattr(args, "rationale", None),
    )
    if not done.changed:
        print(f"session {done.session_id} is already {done.new}")
    else:
        override = " (signed off by override)" if done.override else ""
        print(f"session {done.session_id}: {done.old} -> {done.new}{override}")
    return 0
