"""Editing an open session: every change validated, audited and saved before it returns.

``SessionHandle`` holds the session's lock. Each edit builds the new session on a copy,
seals its audit events (the last one carrying the hash of the state it leaves, see
``audit``), writes the file atomically and only then replaces ``session``, so a failed save
leaves both the file and the object as they were. The rules live beside it: ``validation``
(what may be saved), ``merge`` (how a new answer combines with the old), ``records`` (the
audit records of a change) and ``describe`` (changes in words).
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ddwizard.core.answers import WEIGHTS_QUESTION, Answer, AnswersFile
from ddwizard.core.errors import DataError, DdwizardError
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.sessions import records, validation
from ddwizard.core.sessions import session as _model
from ddwizard.core.sessions.atomic import write_atomic
from ddwizard.core.sessions.audit import append_events, default_actor, last_state, state_hash
from ddwizard.core.sessions.describe import describe_change, show_list
from ddwizard.core.sessions.errors import (
    ReadOnlySession,
    SessionConflict,
    SessionTampered,
)
from ddwizard.core.sessions.files import FileState
from ddwizard.core.sessions.locking import LockInfo, release_lock
from ddwizard.core.sessions.merge import (
    KEEP,
    diligence_answer,
    from_file,
    mandate_answer,
    with_note,
)
from ddwizard.core.sessions.migration import (
    QuestionnaireChanges,
    migrate_questionnaires,
    upgrade_change,
)
from ddwizard.core.sessions.session import (
    STATUSES,
    Position,
    Session,
    SessionStatus,
)
from ddwizard.core.text import MAX_PERSON_LENGTH, MAX_REASON_LENGTH, check_free_text

_KEEP: Any = KEEP


class SessionHandle:
    """A locked session. Every change is saved (atomically) before the method returns.

    Changes are made on a copy of the session that replaces ``session`` only once it is on
    disk, so a failed save leaves both the file and the object as they were.
    """

    def __init__(
        self,
        path: Path,
        session: Session,
        qset: QuestionnaireSet,
        catalog: ProviderCatalog,
        lock: LockInfo,
        state: FileState,
        *,
        actor: str | None = None,
    ) -> None:
        self.path = path
        self.session = session
        self.qset = qset
        self.catalog = catalog
        self._lock = lock
        self._state: FileState | None = state
        self.actor = actor or session.preparer or default_actor()
        self.closed = False
        self._finalizer = weakref.finalize(self, release_lock, path, lock.token)
        bound = last_state(session.audit)
        # Whether the record on disk is the state its trail last sealed (None: an older
        # trail that sealed no state, which the next change starts to bind).
        self._bound: bool | None = (
            None if bound is None else state_hash(session, as_stored=True) == bound.state
        )
        # A layout upgrade not yet recorded: on a session edited outside ddwizard, it goes
        # into the trail with the next save (only a memo marked unverified can be saved).
        self._pending: list[dict[str, Any]] = []

    # -- life cycle

    def __enter__(self) -> SessionHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the lock (the session is already saved)."""
        if not self.closed:
            self.closed = True
            self._finalizer()

    @property
    def read_only(self) -> bool:
        return self.session.status == "final"

    @property
    def head_hash(self) -> str | None:
        """Hash of the last audit event (what a memo records), None without events."""
        return self.session.audit[-1].hash if self.session.audit else None

    def _after_open(self, recovered: LockInfo | None, original_schema: int | None) -> None:
        changes: list[dict[str, Any]] = []
        if recovered is not None:
            changes.append(
                {
                    "action": "lock_recovered",
                    "detail": f"stale lock of process {recovered.pid} on {recovered.host} "
                    f"(user {recovered.user}, since {recovered.time}) removed; that process had "
                    "ended",
                }
            )
        session = self.session.model_copy(deep=False)
        migration: QuestionnaireChanges = migrate_questionnaires(session, self.qset)
        update: dict[str, Any] = {
            "answers": session.answers,
            "diligence": session.diligence,
            "retired_answers": session.retired_answers,
            "questionnaires": session.questionnaires,
        }
        # A newer file layout, newer questionnaires and newer provider data are one upgrade:
        # one event.
        upgrade = upgrade_change(
            migration,
            stamps_refreshed=session.questionnaires != self.session.questionnaires,
            old_data_hash=self.session.provider_data_hash,
            catalog=self.catalog,
            schema_from=original_schema,
        )
        if self._bound is False and (upgrade is None or upgrade["action"] == "schema_upgraded"):
            # Edited outside ddwizard: nothing can be added to its trail. A lock recovery or
            # a layout upgrade alone changes nothing in the record, so the session still
            # opens (to read it, or to write a memo marked unverified) instead of failing on
            # its housekeeping; the layout upgrade is recorded if that memo is.
            self._pending = [] if upgrade is None else [upgrade]
            return
        if upgrade is not None:
            changes.append(upgrade)
            update["provider_data_hash"] = self.catalog.data_hash
        if changes:
            # Housekeeping on open is allowed on a final session: it changes no answer.
            self._commit(update, changes, check_read_only=False)

    # -- saving

    def _commit(
        self,
        update: Mapping[str, Any],
        changes: list[dict[str, Any]],
        *,
        touch: bool = True,
        check_read_only: bool = True,
        unbound_ok: bool = False,
    ) -> None:
        """Save ``update`` with ``changes`` sealed in the trail.

        On a session whose record no longer matches its trail, only ``unbound_ok`` changes
        that alter nothing in the record (a memo written on request despite a failed
        verification) are recorded; they carry the last sealed state forward, so verification
        still fails, and anything else raises ``SessionTampered``. A layout upgrade left
        pending on such a session (``_after_open``) is recorded with whatever is saved next.
        """
        if self.closed:
            raise DdwizardError(f"session {self.path} is closed; open it again to edit it")
        if check_read_only and self.read_only:
            raise ReadOnlySession(self.session, self.path)
        now = _model.utc_now()
        fields = dict(update)
        pending_only = not changes and bool(self._pending)
        changes = [*self._pending, *changes]
        if touch and changes:
            fields["updated_at"] = now
        if changes:
            bound = last_state(self.session.audit)
            if self._bound is False:
                # Only what changes nothing in the state: no field but the wizard's position.
                if not (unbound_ok or pending_only) or set(update) - {"position"} or not bound:
                    raise SessionTampered(self.path, self.session.id)
                fields.pop("updated_at", None)
                sealed = bound.state
            else:
                sealed = state_hash(self.session.model_copy(update=fields))
            for change in changes:
                change.setdefault("at", now)
            fields["audit"] = [
                *self.session.audit,
                *append_events(self.session.audit, self.actor, *changes, state=sealed),
            ]
        elif set(fields) - {"position"} and any(
            fields[key] != getattr(self.session, key) for key in fields
        ):
            raise DdwizardError("internal: a change to the record needs an audit event")
        new = self.session.model_copy(update=fields)
        self._write(new)
        new.mark_stored()  # the file now holds the current layout
        self.session = new
        if changes:
            self._pending = []
        if changes and self._bound is not False:
            self._bound = True

    def _write(self, session: Session) -> None:
        data = session.to_json_chunks()
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise SessionConflict(
                f"session file {self.path} was deleted or moved while open; your last change "
                "was not saved. Restore the file (or its .bak) and open it again"
            ) from None
        if self._state is not None and FileState.of(st) != self._state:
            raise SessionConflict(
                f"session file {self.path} was changed by another program while ddwizard had "
                "it open; not overwriting it, so your last change was not saved. Close the "
                "session and open it again"
            )
        write_atomic(self.path, data, keep_backup=True)
        self._state = FileState.of(os.stat(self.path))

    def save(self) -> None:
        """Write the session as it is (normally not needed: every change saves itself)."""
        self._commit({}, [], touch=False, check_read_only=False)

    # -- selection answers

    def set_answer(self, question_id: str, value: Any, *, note: str | None = _KEEP) -> None:
        """Answer a mandate question (validated); the audit records old and new values."""
        self._check_editable()
        coerced = validation.coerce(self.qset, question_id, value, selection=True)
        old = self.session.answers.get(question_id)
        new = mandate_answer(question_id, old, coerced, note)
        changes = records.answer_changes(question_id, old, new)
        if not changes:
            return
        answers = {**self.session.answers, question_id: new}
        self._commit({"answers": answers}, changes)

    def confirm_answer(self, question_id: str) -> None:
        """Keep an answer flagged after a questionnaire change, as it is."""
        old = self.session.answers.get(question_id)
        if old is None:
            raise DataError.single(f"'{question_id}' has no answer to confirm", field=question_id)
        self.set_answer(question_id, old.value)

    def clear_answer(self, question_id: str) -> None:
        self._check_editable()
        validation.question(self.qset, question_id, selection=True)
        old = self.session.answers.get(question_id)
        if old is None:
            return
        answers = {k: v for k, v in self.session.answers.items() if k != question_id}
        self._commit({"answers": answers}, [records.answer_cleared(question_id, old)])

    def set_note(self, question_id: str, note: str | None, *, provider: str | None = None) -> None:
        """Change the note of an answer (an unanswered question keeps its note in the audit)."""
        self._check_editable()
        note = note if note and note.strip() else None
        if provider is None:
            validation.question(self.qset, question_id, selection=True)
            old = self.session.answers.get(question_id)
            if old is None:
                raise DataError.single(
                    f"answer '{question_id}' before adding a note to it", field=question_id
                )
            if old.note == note:
                return
            answer = self._noted(question_id, old, note)
            self._commit(
                {"answers": {**self.session.answers, question_id: answer}},
                [records.note_changed(question_id, old.note, note)],
            )
            return
        validation.provider(self.catalog, provider)
        validation.question(self.qset, question_id, selection=False)
        per = self.session.diligence.get(provider, {})
        old = per.get(question_id)
        if old is None:
            raise DataError.single(
                f"answer '{question_id}' for {provider} before adding a note to it",
                field=question_id,
            )
        if old.note == note:
            return
        answer = self._noted(f"{provider}:{question_id}", old, note)
        diligence = {**self.session.diligence, provider: {**per, question_id: answer}}
        self._commit(
            {"diligence": diligence},
            [records.note_changed(f"{provider}:{question_id}", old.note, note)],
        )

    @staticmethod
    def _noted(where: str, old: Answer, note: str | None) -> Answer:
        # Validate the note like any new answer (length, control characters).
        validation.make_answer(where, value=old.value, note=note)
        return with_note(old, note)

    def set_weights(self, weights: dict[str, int]) -> None:
        self.set_answer(WEIGHTS_QUESTION, weights)

    # -- diligence

    def set_diligence(
        self,
        provider: str,
        question_id: str,
        value: Any,
        *,
        evidence: Any = _KEEP,
        document_date: Any = _KEEP,
        reference: Any = _KEEP,
        note: Any = _KEEP,
    ) -> None:
        """Answer a diligence question for a provider. Omitted details keep their old value."""
        self._check_editable()
        validation.provider(self.catalog, provider)
        coerced = validation.coerce(self.qset, question_id, value, selection=False)
        old = self.session.diligence.get(provider, {}).get(question_id)
        new = diligence_answer(
            f"{provider}:{question_id}",
            old,
            coerced,
            evidence=evidence,
            document_date=document_date,
            reference=reference,
            note=note,
        )
        change = records.diligence_change(provider, question_id, old, new)
        if change is None:
            return
        per = {**self.session.diligence.get(provider, {}), question_id: new}
        self._commit({"diligence": {**self.session.diligence, provider: per}}, [change])

    def clear_diligence(self, provider: str, question_id: str) -> None:
        self._check_editable()
        per = self.session.diligence.get(provider, {})
        old = per.get(question_id)
        if old is None:
            validation.provider(self.catalog, provider)
            validation.question(self.qset, question_id, selection=False)
            return
        rest = {k: v for k, v in per.items() if k != question_id}
        diligence = dict(self.session.diligence)
        if rest:
            diligence[provider] = rest
        else:
            diligence.pop(provider)
        self._commit(
            {"diligence": diligence}, [records.diligence_cleared(provider, question_id, old)]
        )

    # -- shortlist, status, position, memo

    def set_shortlist(self, provider_ids: list[str]) -> None:
        self._check_editable()
        unknown = [p for p in provider_ids if p not in self.catalog]
        if unknown:
            raise DataError.single(
                f"unknown provider id(s): {', '.join(map(str, unknown))} "
                f"(known: {', '.join(self.catalog.ids)})",
                field="shortlist",
            )
        ids: list[str] = []
        for pid in provider_ids:
            if pid not in ids:
                ids.append(pid)
        if ids == self.session.shortlist:
            return
        self._commit({"shortlist": ids}, [records.shortlist_changed(self.session.shortlist, ids)])

    def set_status(
        self,
        status: SessionStatus,
        *,
        actor: str | None = None,
        reason: str | None = None,
        reviewer: str | None = None,
        rationale: str | None = None,
        override: bool = False,
    ) -> None:
        """Move the review on; who, when, reason, reviewer and rationale go in the trail.

        Leaving ``final`` is a ``reopened`` event that needs a reason. The sign-off rules
        (who may make a review final, and whether it is an ``override``) are
        ``core.signoff``'s; this records the decision, the reviewer, rationale and override
        as separate fields of the event (``records.status_change``).
        """
        if status not in STATUSES:
            raise DataError.single(
                f"unknown status '{status}' (choose {', '.join(STATUSES)})", field="status"
            )
        reason = _optional(reason, "reason", MAX_REASON_LENGTH, multiline=True)
        reviewer = _optional(reviewer, "reviewer", MAX_PERSON_LENGTH)
        rationale = _optional(rationale, "rationale", MAX_REASON_LENGTH, multiline=True)
        actor = _optional(actor, "actor", MAX_PERSON_LENGTH)
        if status != "final" and (reviewer or rationale or override):
            raise DataError.single(
                "a reviewer, rationale or override is for signing a review off as final",
                field="status",
            )
        old = self.session.status
        if status == old:
            return
        pending = self.session.needs_reconfirmation()
        if status == "final" and pending:
            raise DataError.single(
                f"{len(pending)} answer(s) must be re-confirmed before the review can be "
                f"final (the questionnaire changed): {', '.join(pending)}",
                field="status",
            )
        if old == "final" and reason is None:
            raise DataError.single(
                f"session {self.session.id} is final; reopening it needs a reason, e.g. "
                f"ddwizard status {self.session.id} {status} --reason 'committee asked for "
                "changes'",
            )
        change = records.status_change(
            old, status, reason=reason, reviewer=reviewer, rationale=rationale, override=override
        )
        if actor is not None:
            change["actor"] = actor
        self._commit({"status": status}, [change], check_read_only=False)

    def set_position(self, position: Position) -> None:
        """Remember where the wizard is (saved, not audited; allowed on a final session)."""
        if position == self.session.position:
            return
        self._commit({"position": position}, [], touch=False, check_read_only=False)

    def record_memo(
        self, output: Path, sha256: str, fmt: str, *, head_hash: str | None = None
    ) -> None:
        """Audit that a memo was produced (allowed on a final session).

        ``head_hash`` is the audit head the memo records. On a session that failed
        verification the event is still recorded, without vouching for the record.
        """
        self._commit(
            {},
            [records.memo_generated(str(output), sha256, fmt, head_hash)],
            check_read_only=False,
            unbound_ok=True,
        )

    # -- answers files

    def apply_answers(self, parsed: AnswersFile) -> list[str]:
        """Apply a parsed answers file in one save (all or nothing); the changes, in words."""
        self._check_editable()
        answers = dict(self.session.answers)
        diligence = {pid: dict(per) for pid, per in self.session.diligence.items()}
        changes: list[dict[str, Any]] = []
        lines: list[str] = []
        for qid, given in parsed.sheet.selection.items():
            value = validation.coerce(self.qset, qid, given.value, selection=True)
            old = answers.get(qid)
            new = mandate_answer(qid, old, value, given.note if given.note is not None else KEEP)
            found = records.answer_changes(qid, old, new)
            if found:
                answers[qid] = new
                changes += found
                lines.append(describe_change(qid, old, new))
        for pid, per in parsed.sheet.diligence.items():
            validation.provider(self.catalog, pid)
            target = diligence.setdefault(pid, {})
            for qid, given in per.items():
                old = target.get(qid)
                coerced = validation.coerce(self.qset, qid, given.value, selection=False)
                merged = diligence_answer(f"{pid}:{qid}", old, coerced, **from_file(given, old))
                change = records.diligence_change(pid, qid, old, merged)
                if change is not None:
                    target[qid] = merged
                    changes.append(change)
                    lines.append(describe_change(f"{pid} {qid}", old, merged))
            if not target:
                diligence.pop(pid)
        update: dict[str, Any] = {"answers": answers, "diligence": diligence}
        shortlist = parsed.sheet.shortlist
        if shortlist is not None:
            for pid in shortlist:
                validation.provider(self.catalog, pid)
            if list(shortlist) != self.session.shortlist:
                changes.append(records.shortlist_changed(self.session.shortlist, list(shortlist)))
                update["shortlist"] = list(shortlist)
                lines.append(
                    f"shortlist: {show_list(self.session.shortlist)} -> {show_list(shortlist)}"
                )
        if parsed.name and not self.session.title:
            update["title"] = parsed.name
        if parsed.preparer and not self.session.preparer:
            update["preparer"] = parsed.preparer
            changes.append(records.preparer_recorded(parsed.preparer))
            lines.append(f"preparer: {parsed.preparer}")
        changes.append(records.answers_file_applied(str(parsed.path), len(lines)))
        self._commit(update, changes, touch=len(lines) > 0 or "title" in update)
        return lines

    def _check_editable(self) -> None:
        if self.read_only:
            raise ReadOnlySession(self.session, self.path)


def _optional(
    value: str | None, field: str, max_len: int, *, multiline: bool = False
) -> str | None:
    if value is None or not value.strip():
        return None
    return check_free_text(value.strip(), field=field, max_len=max_len, multiline=multiline)
