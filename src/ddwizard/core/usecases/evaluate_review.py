"""Evaluate a review: eligibility, tiers, ranking, red flags and the recommendation's status.

A review is either a saved session or an answers file (read once, nothing saved). The rules
get the workspace's ``Settings`` and its clock's date, so the CLI, the TUI and the memo judge
evidence against the same staleness limit on the same day.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ddwizard.core.answers import AnswersFile, AnswerSheet
    from ddwizard.core.results import Evaluation
    from ddwizard.core.sessions.session import Session
    from ddwizard.core.workspace import Workspace

ANSWERS_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Review:
    """What a review is made of, wherever it came from."""

    sheet: AnswerSheet
    name: str | None
    preparer: str | None
    session: Session | None = None
    """The saved session (None for an answers file)."""
    answers_file: AnswersFile | None = None
    """The parsed answers file (None for a saved session)."""

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.answers_file.warnings if self.answers_file is not None else ()


def is_answers_file(ref: str | Path) -> bool:
    return Path(ref).suffix.lower() in ANSWERS_SUFFIXES


def load_review(workspace: Workspace, ref: str) -> Review:
    """An answers file (``.yaml``) or a saved session (id, name or ``.json`` path), unlocked."""
    if is_answers_file(ref):
        from ddwizard.core.usecases.apply_answers import read_answers_file

        parsed = read_answers_file(workspace, Path(ref))
        return Review(parsed.sheet, parsed.name, parsed.preparer, answers_file=parsed)
    from ddwizard.core.usecases.open_review import read_review

    session = read_review(workspace, ref)
    return Review(session.sheet(), session.name, session.preparer, session=session)


def evaluate_sheet(workspace: Workspace, sheet: AnswerSheet) -> Evaluation:
    """The rules over ``sheet`` with the workspace's settings and today's date."""
    from ddwizard.core.matching import evaluate

    return evaluate(
        workspace.qset,
        workspace.catalog,
        sheet,
        today=workspace.today(),
        settings=workspace.settings,
    )


def evaluate_review(workspace: Workspace, review: Review | str) -> Evaluation:
    """Evaluate a loaded review, or load ``review`` (a reference) first."""
    loaded = load_review(workspace, review) if isinstance(review, str) else review
    return evaluate_sheet(workspace, loaded.sheet)
