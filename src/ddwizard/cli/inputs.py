"""Resolve the SESSION argument of ``score`` and ``report``: an answers file or a saved session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ddwizard.cli.context import CliContext
from ddwizard.core.answers import AnswerSheet, parse_answers_file

if TYPE_CHECKING:
    from ddwizard.core.sessions.session import Session


@dataclass(frozen=True)
class ReviewInput:
    sheet: AnswerSheet
    name: str | None
    preparer: str | None
    session: Session | None
    warnings: tuple[str, ...] = ()


def is_answers_file(ref: str) -> bool:
    return Path(ref).suffix.lower() in (".yaml", ".yml")


def load_review_input(ctx: CliContext, ref: str) -> ReviewInput:
    if is_answers_file(ref):
        parsed = parse_answers_file(Path(ref), ctx.questionnaires, ctx.catalog)
        return ReviewInput(
            sheet=parsed.sheet,
            name=parsed.name,
            preparer=parsed.preparer,
            session=None,
            warnings=parsed.warnings,
        )
    from ddwizard.core.sessions.store import SessionStore

    session = SessionStore(ctx.sessions_dir).load(ref, ctx.questionnaires, ctx.catalog)
    return ReviewInput(
        sheet=session.sheet(),
        name=session.name,
        preparer=session.preparer,
        session=session,
    )
