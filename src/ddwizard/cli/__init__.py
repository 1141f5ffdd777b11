"""Command line: the stable contract of PRODUCT.md, dispatching to the use cases of the core.

Handlers live in one module per area and are named in ``HANDLERS`` as strings, imported only
when their command runs, so ``ddwizard --help`` and the TUI start without loading WeasyPrint or
the matching engine. The wizard's commands (``ddwizard``, ``new``, ``resume``) are handled by
``ddwizard.tui.run``: the CLI names it in the table but never imports the TUI (checked by
``tests/architecture``). Exit codes: 0 success, 1 user or input error (message on stderr, no
traceback), 2 usage (a mistyped command or choice gets "did you mean").
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from ddwizard import __version__

HANDLERS: dict[str, str] = {
    "tui": "ddwizard.tui.run:run_home",
    "new": "ddwizard.tui.run:run_new",
    "resume": "ddwizard.tui.run:run_resume",
    "sessions": "ddwizard.cli.sessions:run_sessions",
    "questions": "ddwizard.cli.sessions:run_questions",
    "answer": "ddwizard.cli.sessions:run_answer",
    "verify": "ddwizard.cli.sessions:run_verify",
    "status": "ddwizard.cli.sessions:run_status",
    "score": "ddwizard.cli.score:run_score",
    "report": "ddwizard.cli.report:run_report",
    "demo": "ddwizard.cli.report:run_demo",
    "validate": "ddwizard.cli.validate:run_validate",
    "schema": "ddwizard.cli.validate:run_schema",
}


class _Parser(argparse.ArgumentParser):
    """argparse, with "did you mean" for a mistyped command or choice."""

    def error(self, message: str) -> NoReturn:
        found = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if found:
            from ddwizard.core.usecases.suggestions import did_you_mean

            choices = re.findall(r"'([^']*)'", found.group(2))
            message += did_you_mean(found.group(1), choices)
        super().error(message)


def _add_global_options(parser: argparse.ArgumentParser, *, after_command: bool) -> None:
    # After the subcommand, SUPPRESS keeps a value given before it unless repeated.
    default = argparse.SUPPRESS if after_command else None
    group = parser.add_argument_group("data and storage (accepted before or after the command)")
    group.add_argument(
        "--sessions-dir",
        type=Path,
        default=default,
        metavar="DIR",
        help="folder of session files (default: $DDWIZARD_HOME/sessions, "
        "else the user data folder)",
    )
    group.add_argument(
        "--providers",
        type=Path,
        default=default,
        metavar="DIR",
        help="folder of provider profiles (default: bundled)",
    )
    group.add_argument(
        "--questionnaires",
        type=Path,
        default=default,
        metavar="DIR",
        help="folder with selection.yaml and diligence.yaml (default: bundled)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ddwizard",
        description="Choose an institutional crypto custodian and write a due-diligence memo. "
        "Without a command, opens the terminal wizard.",
    )
    parser.add_argument("--version", action="version", version=f"ddwizard {__version__}")
    _add_global_options(parser, after_command=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _add_global_options(p, after_command=True)
        return p

    p = command("new", "start a new review in the terminal wizard")
    p.add_argument("--name", help="name of the review, e.g. 'Acme Fund custody review'")
    p.add_argument("--preparer", help="who prepares the review (recorded in the audit trail)")

    p = command("resume", "resume a review in the terminal wizard")
    p.add_argument(
        "session", metavar="SESSION", help="session id, unique name prefix, or .json path"
    )

    p = command("sessions", "list saved reviews, most recent first")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    p = command("answer", "apply an answers file to a review (--new to start one)")
    p.add_argument("session", metavar="SESSION", help="session id, name, or .json path")
    p.add_argument(
        "--answers",
        type=Path,
        required=True,
        metavar="FILE.yaml",
        help="YAML answers file (see README)",
    )
    p.add_argument("--preparer", help="who applies these answers (default: the file's preparer)")
    p.add_argument(
        "--new",
        action="store_true",
        help="start a new review called SESSION (a name that matches no review is refused "
        "without it)",
    )

    p = command("questions", "list question ids with their labels and types")
    p.add_argument("--section", metavar="S", help="only this section (id or title)")
    p.add_argument(
        "--questionnaire",
        choices=("selection", "diligence"),
        default=None,
        help="only the mandate (selection) or the diligence questions",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    p = command("score", "eligibility, ranking, explanations, red flags and open items")
    p.add_argument(
        "session", metavar="SESSION", help="session id, name, .json path, or answers .yaml"
    )
    p.add_argument("--json", action="store_true", help="print the JSON contract")

    p = command("report", "write the due-diligence memo")
    p.add_argument(
        "session", metavar="SESSION", help="session id, name, .json path, or answers .yaml"
    )
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE", help="output file")
    p.add_argument(
        "--format",
        choices=("pdf", "html", "md"),
        default=None,
        help="output format (default: from the extension: .pdf, .html or .md; none: pdf)",
    )
    p.add_argument(
        "--templates",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder of memo templates (default: bundled)",
    )
    p.add_argument(
        "--unverified",
        action="store_true",
        help="write the memo even if the session's audit trail does not verify; every page "
        "then says INTEGRITY NOT VERIFIED",
    )

    p = command("demo", "build a complete example review and its memo, no questions asked")
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("ddwizard-demo-memo.pdf"),
        metavar="FILE",
        help="memo path (default: ./ddwizard-demo-memo.pdf)",
    )

    p = command("validate", "check provider and questionnaire folders; list every problem")
    p.add_argument(
        "--templates",
        type=Path,
        default=None,
        metavar="DIR",
        help="also check a memo templates folder",
    )

    p = command("schema", "write JSON Schema for provider and questionnaire files")
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="folder to write the schema files into (default: current folder)",
    )

    p = command("verify", "check that a session's audit trail is intact")
    p.add_argument("session", metavar="SESSION", help="session id, name, or .json path")
    p.add_argument(
        "--memo",
        type=Path,
        default=None,
        metavar="MEMO",
        help="also check that this memo was issued from the session and that the session's "
        "trail was not rewritten since",
    )

    p = command("status", "move a review to in_progress, ready_for_review or final")
    p.add_argument("session", metavar="SESSION", help="session id, name, or .json path")
    p.add_argument("status", choices=("in_progress", "ready_for_review", "final"))
    p.add_argument("--reason", help="why (required to reopen a final review)")
    p.add_argument("--preparer", help="who makes the change (recorded in the audit trail)")
    p.add_argument(
        "--reviewer",
        metavar="NAME",
        help="final without a supported recommendation: the second person signing it off "
        "(not the preparer)",
    )
    p.add_argument(
        "--rationale", metavar="TEXT", help="with --reviewer: why it is signed off anyway"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error (already printed)
        return done.code if isinstance(done.code, int) else 2
    command = args.command or "tui"
    module_name, _, func_name = HANDLERS[command].partition(":")
    from ddwizard.core.errors import DataError, DdwizardError

    try:
        handler = getattr(importlib.import_module(module_name), func_name)
        return int(handler(args) or 0)
    except DataError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    except DdwizardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except Exception as exc:  # last resort: never show a traceback to the user
        if os.environ.get("DDWIZARD_DEBUG"):
            raise
        print(
            f"error: unexpected {type(exc).__name__}: {exc} (set DDWIZARD_DEBUG=1 to see details)",
            file=sys.stderr,
        )
        return 1
