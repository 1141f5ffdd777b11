"""Apply answers to a review: a whole answers file, or one answer at a time.

An answers file is validated completely before any session is touched or created, and is
applied in one save (all or nothing). A review is created only when asked (``create=True``);
a new review that fails to take its answers is removed again, so nothing is half-made.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ddwizard.core.errors import DataError
from ddwizard.core.usecases.open_review import ReviewNotFound, create_review, open_review
from ddwizard.core.usecases.suggestions import did_you_mean, suggest_question_ids

if TYPE_CHECKING:
    from ddwizard.core.answers import AnswersFile
    from ddwizard.core.sessions.store import SessionHandle
    from ddwizard.core.workspace import Workspace


@dataclass(frozen=True)
class AnswersApplied:
    """What an answers file changed in a review, in words."""

    session_id: str
    name: str
    path: Path
    created: bool
    changes: tuple[str, ...]
    warnings: tuple[str, ...]
    """Notes on the input (e.g. answers ignored because their question does not apply)."""
    progress: int
    pending: tuple[str, ...]
    """Answers that need re-confirmation after a questionnaire change."""


def apply_answers_file(
    workspace: Workspace,
    ref: str,
    answers: Path,
    *,
    preparer: str | None = None,
    create: bool = False,
) -> AnswersApplied:
    """Apply the answers file ``answers`` to the review ``ref`` (created when ``create``)."""
    qset = workspace.qset
    parsed = read_answers_file(workspace, Path(answers))
    preparer = preparer or parsed.preparer
    if create:
        handle = create_review(workspace, ref, preparer=preparer, title=parsed.name, unique=True)
    else:
        try:
            handle = open_review(workspace, ref, actor=preparer)
        except ReviewNotFound as missing:
            raise ReviewNotFound(
                f"{missing}; to start a new review called '{ref}', add --new",
                missing.suggestions,
            ) from None
    with handle:
        try:
            lines = handle.apply_answers(parsed)
        except BaseException:
            if create:  # leave nothing behind: the new review never got its answers
                handle.path.unlink(missing_ok=True)
            raise
        session = handle.session
        other = _other_preparer(parsed.preparer, session.preparer)
        return AnswersApplied(
            session_id=session.id,
            name=session.name,
            path=handle.path,
            created=create,
            changes=tuple(lines),
            warnings=(*parsed.warnings, *other),
            progress=session.progress(qset),
            pending=tuple(session.needs_reconfirmation()),
        )


def _other_preparer(named: str | None, recorded: str | None) -> tuple[str, ...]:
    """A warning when the answers file names a preparer other than the review's.

    A recorded preparer is never replaced (the sign-off rule compares the reviewer with it),
    so the file's is ignored: say so. The same person written another way (case, a title
    after a comma) is not another preparer, by the sign-off rule's own comparison.
    """
    from ddwizard.core.signoff import same_person
    from ddwizard.core.text import printable

    if not named or not recorded or same_person(named, recorded):
        return ()
    return (
        f"the answers file names preparer '{printable(named)}' but this review was prepared "
        f"by '{printable(recorded)}'; the review keeps '{printable(recorded)}'",
    )


def read_answers_file(workspace: Workspace, path: Path) -> AnswersFile:
    """Parse and validate an answers file; unknown question ids get "did you mean"."""
    from ddwizard.core.answers import parse_answers_file

    try:
        return parse_answers_file(
            Path(path), workspace.qset, workspace.catalog, now=workspace.now()
        )
    except DataError as error:
        raise suggest_question_ids(error, workspace.qset) from None


def check_question_id(workspace: Workspace, question_id: str) -> None:
    """Refuse an unknown question id, naming the closest ones."""
    qset = workspace.qset
    if question_id in qset:
        return
    known = [q.id for qn in (qset.selection, qset.diligence) for q in qn.questions()]
    raise DataError.single(
        f"unknown question id '{question_id}'{did_you_mean(question_id, known)} "
        "(see 'ddwizard questions')",
        field="question",
    )


def apply_answer(
    workspace: Workspace,
    handle: SessionHandle,
    question_id: str,
    value: Any,
    *,
    provider: str | None = None,
    **fields: Any,
) -> None:
    """One answer, saved and audited before this returns: a mandate answer, or with
    ``provider`` a diligence answer (``fields``: note, evidence, document_date, reference)."""
    check_question_id(workspace, question_id)
    if provider is None:
        handle.set_answer(question_id, value, **fields)
    else:
        handle.set_diligence(provider, question_id, value, **fields)
