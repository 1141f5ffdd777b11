"""``ddwizard report`` and ``ddwizard demo``: write the due-diligence memo.

A saved session is opened (locked) before rendering, so the memo embeds exactly the session
that the ``memo_generated`` audit event is recorded on. An answers file is reported on
directly; nothing is saved. ``DDWIZARD_STALE_DAYS`` changes the age (default 365 days) after
which provider facts and documents are marked STALE.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ddwizard.cli.context import CliContext
from ddwizard.cli.inputs import is_answers_file
from ddwizard.core.errors import DataError
from ddwizard.core.report.context import DEFAULT_STALE_AFTER_DAYS

STALE_DAYS_ENV = "DDWIZARD_STALE_DAYS"


def stale_after_days() -> int:
    raw = os.environ.get(STALE_DAYS_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_STALE_AFTER_DAYS
    try:
        days = int(raw)
    except ValueError:
        raise DataError.single(
            f"expected a whole number of days, got {raw!r}", field=STALE_DAYS_ENV
        ) from None
    if days < 1:
        raise DataError.single("must be at least 1 day", field=STALE_DAYS_ENV)
    return days


def _templates_dir(ctx: CliContext) -> Path:
    folder = ctx.folders.templates
    if not folder.is_dir():
        raise DataError.single("templates folder not found", file=str(folder))
    return folder


def run_report(args: argparse.Namespace) -> int:
    from ddwizard.core.report import answers_file_memo, session_memo

    ctx = CliContext(args)
    templates = _templates_dir(ctx)
    days = stale_after_days()
    output: Path = args.output
    if is_answers_file(args.session):
        result = answers_file_memo(
            Path(args.session),
            ctx.questionnaires,
            ctx.catalog,
            output,
            fmt=args.format,
            templates_dir=templates,
            stale_after_days=days,
        )
    else:
        from ddwizard.core.sessions.store import SessionStore

        store = SessionStore(ctx.sessions_dir)
        with store.open(args.session, ctx.questionnaires, ctx.catalog) as handle:
            result = session_memo(
                handle.session,
                ctx.questionnaires,
                ctx.catalog,
                output,
                fmt=args.format,
                templates_dir=templates,
                stale_after_days=days,
            )
            handle.record_memo(result.path.resolve(), result.sha256, result.format)
    for warning in result.input_warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(result.path)
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from ddwizard.core.demo import run_demo as build_demo

    ctx = CliContext(args)
    demo = build_demo(
        ctx.sessions_dir,
        ctx.questionnaires,
        ctx.catalog,
        args.output,
        templates_dir=_templates_dir(ctx),
    )
    verb = "created" if demo.created else "updated"
    print(f"session {demo.session_id} ({verb}: {demo.session_path})")
    print(f"memo {demo.memo.path}")
    return 0
