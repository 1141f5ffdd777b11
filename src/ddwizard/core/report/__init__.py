"""The due-diligence memo's renderer: context building, templates, PDF/HTML/Markdown output.

This package only turns a review into a memo context and a context into bytes; it never opens
sessions or decides when a memo may be written. That is the ``write_memo`` use case
(``ddwizard.core.usecases.write_memo``), which the CLI and the TUI call. Importing this
package is cheap: Jinja is loaded when a memo is rendered and WeasyPrint only for a PDF.
"""

from __future__ import annotations

from ddwizard.core.report.context import (
    DEFAULT_STALE_AFTER_DAYS,
    MemoContext,
    ReviewRecord,
    make_memo_context,
    record_from_answers_file,
    record_from_session,
)

__all__ = [
    "DEFAULT_STALE_AFTER_DAYS",
    "MemoContext",
    "ReviewRecord",
    "make_memo_context",
    "record_from_answers_file",
    "record_from_session",
]
