"""The due-diligence memo: context building, templates and PDF/HTML/Markdown rendering.

Entry points for the CLI and the TUI. Importing this package is cheap: Jinja is loaded when a
memo is rendered and WeasyPrint only when a PDF is written, so the TUI can import it at start.

- ``session_memo(session, qset, catalog, output)``: memo of a saved session (its JSON is
  embedded in the PDF); the caller records the result with ``SessionHandle.record_memo``.
- ``answers_file_memo(path, qset, catalog, output)``: memo straight from an answers file.
- ``write_memo(memo, record, output)``: render an already built ``MemoContext``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ddwizard.core.report.context import (
    DEFAULT_STALE_AFTER_DAYS,
    MemoContext,
    ReviewRecord,
    make_memo_context,
    record_from_answers_file,
    record_from_session,
)

if TYPE_CHECKING:
    from ddwizard.core.answers import AnswerSheet
    from ddwizard.core.provider import ProviderCatalog
    from ddwizard.core.questionnaire import QuestionnaireSet
    from ddwizard.core.report.render import FetchLog
    from ddwizard.core.results import Evaluation

__all__ = [
    "DEFAULT_STALE_AFTER_DAYS",
    "MemoContext",
    "MemoResult",
    "ReviewRecord",
    "answers_file_memo",
    "build_memo",
    "make_memo_context",
    "record_from_answers_file",
    "record_from_session",
    "session_memo",
    "write_memo",
]


@dataclass(frozen=True)
class MemoResult:
    """A written memo: where, its SHA-256 (for the audit trail), format and fetch log."""

    path: Path
    sha256: str
    format: str
    fetch_log: FetchLog
    memo: MemoContext
    input_warnings: tuple[str, ...] = ()
    """Notes on the input (e.g. answers ignored because their question does not apply)."""


def build_memo(
    *,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    sheet: AnswerSheet,
    record: ReviewRecord,
    evaluation: Evaluation | None = None,
    today: date | None = None,
    stale_after_days: int = DEFAULT_STALE_AFTER_DAYS,
) -> MemoContext:
    """Evaluate (unless given) and build the memo context for one review."""
    if evaluation is None:
        from ddwizard.core.matching import evaluate

        evaluation = evaluate(qset, catalog, sheet, today=today)
    return make_memo_context(
        qset=qset,
        catalog=catalog,
        sheet=sheet,
        evaluation=evaluation,
        record=record,
        today=today,
        stale_after_days=stale_after_days,
    )


def write_memo(
    memo: MemoContext,
    record: ReviewRecord,
    output: Path,
    *,
    fmt: str | None = None,
    templates_dir: Path | None = None,
) -> MemoResult:
    """Render ``memo`` in ``fmt`` (default: from the extension, else PDF), write atomically."""
    from ddwizard.core.report.render import check_output, format_for, render_memo, write_atomic
    from ddwizard.core.resources import bundled_dir

    chosen = format_for(output, fmt)
    check_output(output, chosen)
    folder = templates_dir or bundled_dir("report_templates")
    rendered = render_memo(memo, chosen, folder, attachment=record.record_json)
    sha256 = write_atomic(output, rendered.data)
    return MemoResult(Path(output), sha256, chosen, rendered.fetch_log, memo)


def session_memo(
    session: Any,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    output: Path,
    *,
    fmt: str | None = None,
    templates_dir: Path | None = None,
    today: date | None = None,
    stale_after_days: int = DEFAULT_STALE_AFTER_DAYS,
) -> MemoResult:
    """Memo of a saved ``Session``; the PDF embeds exactly ``session.to_json_bytes()``."""
    record = record_from_session(session)
    memo = build_memo(
        qset=qset,
        catalog=catalog,
        sheet=session.sheet(),
        record=record,
        today=today,
        stale_after_days=stale_after_days,
    )
    return write_memo(memo, record, output, fmt=fmt, templates_dir=templates_dir)


def answers_file_memo(
    path: Path,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    output: Path,
    *,
    fmt: str | None = None,
    templates_dir: Path | None = None,
    today: date | None = None,
    stale_after_days: int = DEFAULT_STALE_AFTER_DAYS,
) -> MemoResult:
    """Memo straight from an answers file; the PDF embeds a JSON record of file and results."""
    from ddwizard.core.answers import parse_answers_file
    from ddwizard.core.matching import evaluate

    parsed = parse_answers_file(Path(path), qset, catalog)
    evaluation = evaluate(qset, catalog, parsed.sheet, today=today)
    record = record_from_answers_file(
        source_name=Path(path).name,
        content=parsed.content,
        name=parsed.name,
        preparer=parsed.preparer,
        evaluation=evaluation,
        qset=qset,
        catalog=catalog,
    )
    memo = build_memo(
        qset=qset,
        catalog=catalog,
        sheet=parsed.sheet,
        record=record,
        evaluation=evaluation,
        today=today,
        stale_after_days=stale_after_days,
    )
    result = write_memo(memo, record, output, fmt=fmt, templates_dir=templates_dir)
    return replace(result, input_warnings=parsed.warnings)
