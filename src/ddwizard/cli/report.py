"""``ddwizard report`` and ``ddwizard demo``: write the due-diligence memo.

Both call the ``write_memo`` use case: a saved session is verified first (``--unverified``
writes a memo marked INTEGRITY NOT VERIFIED instead of refusing), rendered without holding its
lock, and recorded in its audit trail before the memo file appears. An answers file is
reported on directly; nothing is saved. ``DDWIZARD_STALE_DAYS`` (read by ``Settings``) changes
the age (default 365 days) after which provider facts and documents are stale.
"""

from __future__ import annotations

import argparse
import sys

from ddwizard.cli.context import workspace


def run_report(args: argparse.Namespace) -> int:
    from ddwizard.core.usecases.write_memo import write_memo

    result = write_memo(
        workspace(args),
        args.session,
        args.output,
        fmt=args.format,
        unverified=bool(getattr(args, "unverified", False)),
    )
    for warning in result.input_warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if result.integrity is not None and not result.integrity.verified:
        print(
            "warning: the session's audit trail does not verify; the memo says INTEGRITY NOT "
            "VERIFIED on every page",
            file=sys.stderr,
        )
    print(result.path)
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from ddwizard.core.usecases.demo import run_demo as build_demo

    demo = build_demo(workspace(args), args.output)
    verb = "created" if demo.created else "updated"
    print(f"session {demo.session_id} ({verb}: {demo.session_path})")
    print(f"memo {demo.memo.path}")
    return 0
