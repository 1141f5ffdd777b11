"""Write the due-diligence memo of a review: the one place a memo is assembled.

For a saved session the order is what makes the memo trustworthy:

1. the session's audit trail is verified; a session that fails is refused, unless the caller
   asks for ``unverified`` (then every page says "INTEGRITY NOT VERIFIED");
2. the memo is rendered from a snapshot of the session *without* holding its lock (a PDF takes
   seconds; the review stays editable meanwhile);
3. the rendered bytes go to a temporary file beside the output (fsynced);
4. under the session lock, if the session is still the snapshot, the ``memo_generated`` event
   is saved, and only then is the temporary file renamed into place. A process killed at any
   point leaves either no memo, or a memo whose event is recorded; a temporary file it leaves
   behind is removed by the next run (a live writer keeps an OS lock on its own).

An answers file is reported on directly; nothing is saved, so there is nothing to verify.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ddwizard.core.errors import DataError, DdwizardError
from ddwizard.core.settings import DEFAULT_SETTINGS, Settings
from ddwizard.core.usecases.verify_review import Integrity, check_integrity, require_integrity

if TYPE_CHECKING:
    from ddwizard.core.answers import AnswersFile, AnswerSheet
    from ddwizard.core.provider import ProviderCatalog
    from ddwizard.core.questionnaire import QuestionnaireSet
    from ddwizard.core.report.context import MemoContext, ReviewRecord
    from ddwizard.core.report.render import FetchLog, Format
    from ddwizard.core.results import Evaluation
    from ddwizard.core.sessions.session import Session
    from ddwizard.core.sessions.store import SessionHandle
    from ddwizard.core.workspace import Workspace

SNAPSHOT_ATTEMPTS = 3
"""Renders tried when the session keeps changing while its memo is rendered."""
STALE_TEMP_AGE = 3600.0
"""Seconds after which a temporary memo file counts as left behind where OS locks are absent."""

Step = Callable[[str], None]
Record = Callable[[Path, str, str], None]


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
    integrity: Integrity | None = None
    """What was verified about the session (None for an answers file)."""
    session_id: str | None = None


# --- assembling the memo -------------------------------------------------------------------


def build_memo_context(
    *,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    sheet: AnswerSheet,
    record: ReviewRecord,
    evaluation: Evaluation | None = None,
    today: date | None = None,
    now: datetime | None = None,
    settings: Settings = DEFAULT_SETTINGS,
    integrity: Integrity | None = None,
) -> MemoContext:
    """Evaluate (unless given) and build the memo context for one review."""
    from ddwizard.core.matching import evaluate
    from ddwizard.core.report.context import make_memo_context

    if evaluation is None:
        evaluation = evaluate(qset, catalog, sheet, today=today, settings=settings)
    return make_memo_context(
        qset=qset,
        catalog=catalog,
        sheet=sheet,
        evaluation=evaluation,
        record=record,
        today=today,
        now=now,
        settings=settings,
        integrity=integrity,
    )


def templates_folder(templates_dir: Path | None) -> Path:
    from ddwizard.core.resources import bundled_dir

    folder = Path(templates_dir) if templates_dir is not None else bundled_dir("report_templates")
    if not folder.is_dir():
        raise DataError.single("templates folder not found", file=str(folder))
    return folder


def _render(
    memo: MemoContext, record: ReviewRecord, fmt: Format, templates_dir: Path
) -> tuple[bytes, FetchLog]:
    from ddwizard.core.report.render import render_memo

    rendered = render_memo(memo, fmt, templates_dir, attachment=record.record_json)
    return rendered.data, rendered.fetch_log


def _format(output: Path, fmt: str | None) -> Format:
    from ddwizard.core.report.render import check_output, format_for

    chosen = format_for(output, fmt)
    check_output(output, chosen)
    return chosen


def _prepare(output: Path, fmt: str | None, templates_dir: Path | None) -> tuple[Format, Path]:
    """Before rendering: the output's format and the templates folder (both checked), and
    any temporary file a killed writer left beside the output removed."""
    chosen = _format(output, fmt)
    folder = templates_folder(templates_dir)
    cleanup_stale_temps(output)
    return chosen, folder


def check_memo_output(output: Path, fmt: str | None = None) -> str:
    """Refuse, before any time is spent rendering, an output that cannot become the memo
    (a folder, under a file, an extension of another format); the format it will have."""
    return _format(Path(output), fmt)


# --- answers files ------------------------------------------------------------------------


def answers_file_memo(
    path: Path,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    output: Path,
    *,
    fmt: str | None = None,
    templates_dir: Path | None = None,
    today: date | None = None,
    now: datetime | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> MemoResult:
    """Memo straight from an answers file; the PDF embeds a JSON record of file and results."""
    from ddwizard.core.answers import parse_answers_file

    chosen, folder = _prepare(output, fmt, templates_dir)
    parsed = parse_answers_file(Path(path), qset, catalog, now=now)
    memo, record = answers_memo_context(
        parsed, Path(path).name, qset, catalog, today=today, now=now, settings=settings
    )
    data, log = _render(memo, record, chosen, folder)
    staged = StagedFile.write(output, data)
    _record_and_publish(staged, None)
    return MemoResult(Path(output), staged.sha256, chosen, log, memo, parsed.warnings)


def answers_memo_context(
    parsed: AnswersFile,
    source_name: str,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    *,
    today: date | None = None,
    now: datetime | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> tuple[MemoContext, ReviewRecord]:
    """The memo context of a parsed answers file and the record it embeds (file and results)."""
    from ddwizard.core.matching import evaluate
    from ddwizard.core.report.context import record_from_answers_file

    evaluation = evaluate(qset, catalog, parsed.sheet, today=today, settings=settings)
    record = record_from_answers_file(
        source_name=source_name,
        content=parsed.content,
        name=parsed.name,
        preparer=parsed.preparer,
        evaluation=evaluation,
        qset=qset,
        catalog=catalog,
    )
    memo = build_memo_context(
        qset=qset,
        catalog=catalog,
        sheet=parsed.sheet,
        record=record,
        evaluation=evaluation,
        today=today,
        now=now,
        settings=settings,
    )
    return memo, record


# --- saved sessions -----------------------------------------------------------------------


def session_memo(
    session: Session,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    output: Path,
    *,
    fmt: str | None = None,
    templates_dir: Path | None = None,
    today: date | None = None,
    now: datetime | None = None,
    settings: Settings = DEFAULT_SETTINGS,
    unverified: bool = False,
    record: Record | None = None,
) -> MemoResult:
    """Memo of ``session`` as given (its JSON is embedded in a PDF). The session is verified
    first; ``record`` (e.g. ``SessionHandle.record_memo``) is called before the memo is moved
    into place."""
    chosen, folder = _prepare(output, fmt, templates_dir)
    integrity = _integrity(session, unverified)
    result, staged = _render_session(
        session, qset, catalog, output, chosen, folder, today, now, settings, integrity
    )
    _record_and_publish(staged, record, result.format)
    return result


def _integrity(session: Session, unverified: bool) -> Integrity:
    if unverified:
        return check_integrity(session)
    return require_integrity(
        session, hint=" (or write the memo anyway with --unverified: it is then marked)"
    )


def _render_session(
    session: Session,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    output: Path,
    fmt: Format,
    templates_dir: Path,
    today: date | None,
    now: datetime | None,
    settings: Settings,
    integrity: Integrity,
) -> tuple[MemoResult, StagedFile]:
    from ddwizard.core.report.context import record_from_session

    record = record_from_session(session)
    memo = build_memo_context(
        qset=qset,
        catalog=catalog,
        sheet=session.sheet(),
        record=record,
        today=today,
        now=now,
        settings=settings,
        integrity=integrity,
    )
    data, log = _render(memo, record, fmt, templates_dir)
    staged = StagedFile.write(output, data)
    result = MemoResult(
        Path(output), staged.sha256, fmt, log, memo, integrity=integrity, session_id=session.id
    )
    return result, staged


def _render_in_workspace(
    workspace: Workspace,
    session: Session,
    output: Path,
    fmt: Format,
    templates_dir: Path,
    integrity: Integrity,
) -> tuple[MemoResult, StagedFile]:
    """``_render_session`` with the workspace's questionnaires, providers, clock and settings."""
    return _render_session(
        session,
        workspace.qset,
        workspace.catalog,
        output,
        fmt,
        templates_dir,
        workspace.today(),
        workspace.now().astimezone(),
        workspace.settings,
        integrity,
    )


def _record_and_publish(staged: StagedFile, record: Record | None, fmt: str = "") -> None:
    """Save the audit event (if any), then move the memo into place; never leave the
    temporary file behind."""
    try:
        if record is not None:
            record(staged.path.resolve(), staged.sha256, fmt)
        staged.publish()
    finally:
        staged.discard()


def write_memo(
    workspace: Workspace,
    ref: str,
    output: Path,
    *,
    fmt: str | None = None,
    templates_dir: Path | None = None,
    unverified: bool = False,
    actor: str | None = None,
) -> MemoResult:
    """``ddwizard report``: the memo of a saved review (``ref``: id, name, .json path) or of an
    answers file (``ref`` ending in .yaml). A saved review's memo is recorded in its trail."""
    from ddwizard.core.usecases.evaluate_review import is_answers_file

    templates = templates_dir or workspace.templates_dir
    if is_answers_file(ref):
        from ddwizard.core.usecases.suggestions import suggest_question_ids

        try:
            return answers_file_memo(
                Path(ref),
                workspace.qset,
                workspace.catalog,
                output,
                fmt=fmt,
                templates_dir=templates,
                today=workspace.today(),
                now=workspace.now().astimezone(),
                settings=workspace.settings,
            )
        except DataError as error:
            raise suggest_question_ids(error, workspace.qset) from None
    from ddwizard.core.usecases.open_review import find_review, open_review

    path = find_review(workspace, ref)
    chosen, folder = _prepare(output, fmt, templates)
    # Open once to apply (and audit) any migration, then render from that snapshot unlocked.
    with open_review(workspace, path, actor=actor) as handle:
        snapshot = handle.session
    for _ in range(SNAPSHOT_ATTEMPTS):
        integrity = _integrity(snapshot, unverified)
        result, staged = _render_in_workspace(
            workspace, snapshot, output, chosen, folder, integrity
        )
        try:
            with open_review(workspace, path, actor=actor) as handle:
                if _same(handle.session, snapshot):
                    _record_and_publish(staged, _recorder(handle, integrity), result.format)
                    return result
                snapshot = handle.session
        finally:
            staged.discard()
    raise DdwizardError(
        f"session {snapshot.id} kept changing while its memo was rendered; nothing was written "
        "(try again when nobody is editing it)"
    )


def write_memo_of_handle(
    workspace: Workspace,
    handle: SessionHandle,
    output: Path,
    *,
    fmt: str | None = None,
    unverified: bool = False,
    on_step: Step | None = None,
    record: Record | None = None,
) -> MemoResult:
    """The memo of a review the caller holds open (the TUI); safe to run in a worker thread.

    ``record`` saves the ``memo_generated`` event (default ``handle.record_memo``; the TUI
    passes one that runs it on its event loop); it runs before the memo is moved into place.
    The memo is of the session as it was when rendering began; if its state changed
    meanwhile (not merely the wizard's position), it is rendered again.
    """
    step = on_step or (lambda _label: None)
    chosen, folder = _prepare(output, fmt, workspace.templates_dir)
    for _ in range(SNAPSHOT_ATTEMPTS):
        snapshot = handle.session
        step("Verifying the audit trail and scoring …")
        integrity = _integrity(snapshot, unverified)
        step(f"Rendering {chosen.upper()} …")
        result, staged = _render_in_workspace(
            workspace, snapshot, output, chosen, folder, integrity
        )
        try:
            if _same(handle.session, snapshot):
                step("Recording and writing the file …")
                _record_and_publish(staged, record or _recorder(handle, integrity), result.format)
                return result
        finally:
            staged.discard()
    raise DdwizardError("the review kept changing while its memo was rendered; nothing written")


def _recorder(handle: SessionHandle, integrity: Integrity) -> Record:
    """``handle.record_memo`` with the audit head the memo records."""

    def record(output: Path, sha256: str, fmt: str) -> None:
        handle.record_memo(output, sha256, fmt, head_hash=integrity.head_hash)

    return record


def _same(current: Session, snapshot: Session) -> bool:
    """The same review state: what the audit chain binds (answers, status, shortlist, ...),
    not the wizard's position, which moves without changing what the memo says."""
    from ddwizard.core.sessions.audit import state_hash

    return current is snapshot or state_hash(current) == state_hash(snapshot)


# --- the memo file ------------------------------------------------------------------------


def _temp_prefix(output: Path) -> str:
    return f".{output.name}."


class StagedFile:
    """Memo bytes in a fsynced temporary file beside ``path``, renamed into place on
    ``publish``. The writer holds an OS lock on the temporary file while it exists, so a
    later run can tell a file left by a killed writer (no lock) from one still being written."""

    def __init__(self, path: Path, tmp: Path, fd: int, sha256: str) -> None:
        self.path = path
        self.tmp = tmp
        self._fd: int | None = fd
        self.sha256 = sha256
        self.published = False

    @classmethod
    def write(cls, path: Path, data: bytes) -> StagedFile:
        from ddwizard.core.sessions.atomic import temp_path

        path = Path(path)
        folder = path.parent if str(path.parent) else Path(".")
        tmp: Path | None = None
        fd = -1
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = temp_path(path)  # named as the one atomic writer names its temporary files
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            _lock_fd(fd)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        except BaseException as exc:
            if fd >= 0:
                os.close(fd)
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                reason = exc.strerror or str(exc)
                raise DataError.single(f"cannot write the memo: {reason}", file=str(path)) from None
            raise
        return cls(path, tmp, fd, hashlib.sha256(data).hexdigest())

    def publish(self) -> None:
        """Rename into place (atomic) and make the rename durable."""
        try:
            os.replace(self.tmp, self.path)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise DataError.single(
                f"cannot write the memo: {reason}", file=str(self.path)
            ) from None
        self.published = True
        from ddwizard.core.sessions.atomic import fsync_dir

        fsync_dir(self.path.parent if str(self.path.parent) else Path("."))
        self._close()

    def discard(self) -> None:
        """Remove the temporary file unless it was published (idempotent)."""
        if not self.published:
            self.tmp.unlink(missing_ok=True)
        self._close()

    def _close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def _lock_fd(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: temporary files are judged by age instead
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _left_behind(tmp: Path) -> bool:
    """A temporary memo file whose writer is gone (no OS lock held on it)."""
    try:
        import fcntl
    except ImportError:
        try:
            return time.time() - tmp.stat().st_mtime > STALE_TEMP_AGE
        except OSError:
            return False
    try:
        fd = os.open(tmp, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # a live writer holds it
    finally:
        os.close(fd)
    return True


def cleanup_stale_temps(output: Path) -> list[Path]:
    """Remove temporary files a killed memo writer left beside ``output``; the ones removed."""
    output = Path(output)
    folder = output.parent if str(output.parent) else Path(".")
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    prefix = _temp_prefix(output)
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name.startswith(prefix) and entry.name.endswith(".tmp"):
                tmp = Path(entry.path)
                if _left_behind(tmp):
                    with contextlib.suppress(OSError):
                        tmp.unlink()
                        removed.append(tmp)
    return removed
