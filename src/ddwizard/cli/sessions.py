"""Session commands: ``sessions``, ``answer``, ``verify`` and ``status``.

Thin wrappers over ``ddwizard.core.sessions.store``: the core validates and saves; these only choose
what to print. Errors are ``DdwizardError``s, which ``ddwizard.cli.main`` turns into exit 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ddwizard.cli.context import CliContext
from ddwizard.core.answers import parse_answers_file
from ddwizard.core.errors import DdwizardError
from ddwizard.core.sessions.audit import verify_session
from ddwizard.core.sessions.session import SESSION_SUFFIX
from ddwizard.core.sessions.store import (
    SessionHandle,
    SessionNotFound,
    SessionStore,
    SessionSummary,
    read_session_file,
)


def run_sessions(args: argparse.Namespace) -> int:
    ctx = CliContext(args)
    store = SessionStore(ctx.sessions_dir)
    try:
        qset = ctx.questionnaires
    except DdwizardError as exc:  # still list the sessions; progress needs the questionnaire
        print(f"warning: progress not shown: {exc}", file=sys.stderr)
        qset = None
    summaries = store.list(qset)
    if getattr(args, "json", False):
        print(json.dumps([s.to_json() for s in summaries], indent=2, ensure_ascii=False))
        return 0
    if not summaries:
        print(f"no sessions in {store.root}")
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
    ctx = CliContext(args)
    qset, catalog = ctx.questionnaires, ctx.catalog
    # Everything in the file is validated before any session is touched or created.
    parsed = parse_answers_file(Path(args.answers), qset, catalog)
    preparer = args.preparer or parsed.preparer
    store = SessionStore(ctx.sessions_dir)
    ref: str = args.session
    handle: SessionHandle
    try:
        path = store.resolve(ref)
    except SessionNotFound as missing:
        for unreadable in missing.unreadable:
            print(
                f"warning: {unreadable} cannot be read, so it was not matched by name; "
                "a new session is created instead (run 'ddwizard verify' on it for details)",
                file=sys.stderr,
            )
        at_path = ref.lower().endswith(SESSION_SUFFIX)
        name = Path(ref).stem if at_path else ref
        handle = store.create(
            name,
            qset,
            catalog,
            preparer=preparer,
            actor=preparer,
            title=parsed.name,
            path=Path(ref) if at_path else None,
        )
        created = True
    else:
        handle = store.open(path, qset, catalog, actor=preparer)
        created = False
    with handle:
        try:
            lines = handle.apply_answers(parsed)
        except BaseException:
            if created:  # leave nothing behind: the new session never got its answers
                handle.path.unlink(missing_ok=True)
            raise
        session = handle.session
        if created:
            print(f"created session {session.id} '{session.name}' ({handle.path})")
        for warning in parsed.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        for line in lines:
            print(f"  {line}")
        count = f"{len(lines)} change(s)" if lines else "no changes"
        print(
            f"{count} saved to session {session.id} ({handle.path}); "
            f"progress {session.progress(qset)}%"
        )
        pending = session.needs_reconfirmation()
        if pending:
            print(
                f"warning: {len(pending)} answer(s) need re-confirmation after a questionnaire "
                f"change: {', '.join(pending)}",
                file=sys.stderr,
            )
    return 0


def run_verify(args: argparse.Namespace) -> int:
    ctx = CliContext(args)
    store = SessionStore(ctx.sessions_dir)
    # The trail is checked as stored: no questionnaire needed, nothing migrated.
    session = read_session_file(store.resolve(args.session))
    problems = verify_session(session)
    if problems:
        print(
            f"audit trail of session {session.id} is NOT intact or does not match the record "
            f"({len(problems)} problem(s)):",
            file=sys.stderr,
        )
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"audit trail intact ({len(session.audit)} events)")
    return 0


def run_status(args: argparse.Namespace) -> int:
    ctx = CliContext(args)
    store = SessionStore(ctx.sessions_dir)
    with store.open(
        args.session, ctx.questionnaires, ctx.catalog, actor=getattr(args, "preparer", None)
    ) as handle:
        old = handle.session.status
        handle.set_status(args.status, reason=args.reason)
        new = handle.session.status
    if old == new:
        print(f"session {handle.session.id} is already {new}")
    else:
        print(f"session {handle.session.id}: {old} -> {new}")
    return 0
