"""Keeping old sessions usable: file-layout upgrades and questionnaire changes.

Two kinds of drift happen to a review that lasts days or is reopened months later:

* the session file was written by an older ddwizard (``schema_version`` below the current
  one): ``upgrade_document`` rewrites the raw JSON data step by step, before validation;
* the questionnaire changed since the answers were given: ``migrate_questionnaires`` keeps
  answers to unchanged questions, flags answers to changed questions (and answers that no
  longer validate) for re-confirmation, moves answers to removed questions to
  ``retired_answers`` (never dropped: they are part of the record) and re-stamps the session
  with the current questionnaire hashes. New questions are simply unanswered.

Both are recorded when the session is next opened, in one event for one upgrade
(``upgrade_change``): the file layout upgraded, questionnaire versions, answers to
re-confirm, new questions, and the provider data version and hash the session now reads.
Read-only uses (``ddwizard sessions``, ``verify``, ``score``) upgrade in memory and write
nothing; the file keeps its old layout until ddwizard opens it to edit or to write a memo.

Session schema versions (``session.SCHEMA_VERSION``):

* 0: the prototype's layout, without an audit trail (``upgrade_v0_to_v1``);
* 1: the record plus a hash-chained audit trail bound to the session state;
* 2: a sign-off's status event (``status_changed`` or ``reopened`` to ``final``) records
  ``new`` as a mapping ``{"status": "final", "override", "reviewer", "rationale"}``
  (``records.status_change``) where schema 1 recorded the plain string ``"final"`` with
  reviewer and rationale inside the free-text detail. A ddwizard that reads only schema 1
  would replay that mapping as the status and call an intact trail tampered; schema 2
  makes it refuse the file instead ("made by a newer ddwizard; upgrade"). Every file this
  version writes is schema 2, whether or not it holds such an event. Schema-1 files need
  no data change (``upgrade_v1_to_v2``): their plain-string sign-offs stay valid and the
  memo reads them as legacy sign-offs.

An upgrade that changes no field of the state but ``schema_version`` keeps the trail of an
old file verifying before it is saved: ``audit.state_hash(..., as_stored=True)`` hashes the
state with the version its file says (``Session.stored_schema_version``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ddwizard.core.answers import WEIGHTS_QUESTION, Answer
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import Questionnaire, QuestionnaireSet, value_problem
from ddwizard.core.sessions.session import SCHEMA_VERSION, QuestionnaireStamp, Session


class UpgradeError(ValueError):
    """The raw data cannot be upgraded; the message says which field is wrong."""


# --- file layout upgrades -----------------------------------------------------------------

_V0_STATUS = {"draft": "in_progress", "review": "ready_for_review", "final": "final"}


def upgrade_v0_to_v1(doc: dict[str, Any]) -> dict[str, Any]:
    """Schema 0 (the prototype's layout) to schema 1.

    Schema 0 looked like::

        {"version": 0, "id": "...", "name": "...", "preparer": "...",
         "created": "<iso>", "modified": "<iso>", "state": "draft" | "review" | "final",
         "answers": {question id: value or {"value": ..., "note": ...}},
         "weights": {criterion: int},
         "diligence": {provider id: {question id: value or {"value": ..., "evidence": ...}}},
         "shortlist": [...], "questionnaire_versions": {"selection": "1", "diligence": "1"},
         "providers_hash": "..."}

    It had no audit trail and no per-question hashes; the store records the upgrade as the
    first event, and questionnaire migration flags every answer when the version differs.
    """
    for key in ("id", "name", "created"):
        if key not in doc:
            raise UpgradeError(f"schema 0 session is missing '{key}'")
    state = doc.get("state", "draft")
    if state not in _V0_STATUS:
        raise UpgradeError(f"state: unknown value {state!r} (expected draft, review or final)")

    def answer(raw: Any, field_name: str) -> dict[str, Any]:
        if isinstance(raw, Mapping):
            if "value" not in raw:
                raise UpgradeError(f"{field_name}: missing 'value'")
            return dict(raw)
        return {"value": raw}

    answers = {}
    raw_answers = doc.get("answers") or {}
    if not isinstance(raw_answers, Mapping):
        raise UpgradeError("answers: expected a mapping")
    for qid, raw in raw_answers.items():
        answers[str(qid)] = answer(raw, f"answers.{qid}")
    if doc.get("weights") is not None:
        answers[WEIGHTS_QUESTION] = {"value": doc["weights"]}
    diligence: dict[str, dict[str, Any]] = {}
    raw_dd = doc.get("diligence") or {}
    if not isinstance(raw_dd, Mapping):
        raise UpgradeError("diligence: expected a mapping")
    for pid, per in raw_dd.items():
        if not isinstance(per, Mapping):
            raise UpgradeError(f"diligence.{pid}: expected a mapping")
        diligence[str(pid)] = {
            str(qid): answer(raw, f"diligence.{pid}.{qid}") for qid, raw in per.items()
        }
    versions = doc.get("questionnaire_versions") or {}
    stamps = {
        kind: {"id": kind, "version": str(version), "hash": "", "question_hashes": {}}
        for kind, version in versions.items()
    }
    return {
        "schema_version": 1,
        "id": doc["id"],
        "name": doc["name"],
        "title": None,
        "preparer": doc.get("preparer"),
        "created_at": doc["created"],
        "updated_at": doc.get("modified") or doc["created"],
        "status": _V0_STATUS[state],
        "answers": answers,
        "diligence": diligence,
        "shortlist": doc.get("shortlist"),
        "retired_answers": {},
        "questionnaires": stamps,
        "provider_data_hash": doc.get("providers_hash") or "",
        "audit": [],
    }


def upgrade_v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 to schema 2: only the version changes.

    Schema 2 lets a sign-off's status event record a mapping as ``new`` (see the module
    docstring); the plain-string status events of schema 1 stay valid as they are.
    """
    return {**doc, "schema_version": 2}


UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    0: upgrade_v0_to_v1,
    1: upgrade_v1_to_v2,
}
"""``UPGRADES[n]`` turns schema n into schema n + 1."""


class SessionTooNewError(ValueError):
    """The file was written by a newer ddwizard."""


def schema_version_of(doc: Mapping[str, Any]) -> int | None:
    """The file's schema version; 0 for the prototype layout; None when it cannot be told."""
    version = doc.get("schema_version")
    if version is None:
        if "state" in doc or "created" in doc:
            return 0
        return None
    if isinstance(version, bool) or not isinstance(version, int):
        raise UpgradeError(f"schema_version: expected a whole number, got {version!r}")
    return version


def upgrade_document(doc: dict[str, Any]) -> tuple[dict[str, Any], int | None]:
    """Upgrade raw session data to the current schema; returns it and the original version.

    Data without any version marker is returned unchanged (validation then reports the
    missing field). Raises ``SessionTooNewError`` for files from a newer ddwizard.
    """
    original = schema_version_of(doc)
    if original is None:
        return doc, None
    if original > SCHEMA_VERSION:
        raise SessionTooNewError(
            f"it was written by a newer ddwizard (session schema {original}; this version "
            f"reads up to {SCHEMA_VERSION}); upgrade ddwizard to open it"
        )
    version = original
    while version < SCHEMA_VERSION:
        step = UPGRADES.get(version)
        if step is None:
            raise UpgradeError(f"no upgrade path from session schema {version}")
        doc = step(doc)
        version += 1
    return doc, original


# --- questionnaire migration --------------------------------------------------------------


@dataclass
class QuestionnaireChanges:
    """What resuming against the current questionnaires changed in a session."""

    changed: list[str] = field(default_factory=list)
    """Answered questions whose wording, choices or rules changed: flagged."""
    invalid: list[str] = field(default_factory=list)
    """Answers that no longer fit their question (e.g. a removed choice): flagged."""
    retired: list[str] = field(default_factory=list)
    """Answers to removed questions, moved to ``retired_answers``."""
    added: list[str] = field(default_factory=list)
    """Questions new since the session was stamped (unanswered)."""
    removed: list[str] = field(default_factory=list)
    """Questions removed since the session was stamped."""
    versions: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    """Questionnaire kind -> (stamped version, current version) where the content changed."""

    @property
    def any(self) -> bool:
        return bool(self.changed or self.invalid or self.retired or self.versions)

    def describe(self) -> str:
        parts = []
        for kind, (old, new) in sorted(self.versions.items()):
            parts.append(f"{kind} questionnaire {old or '(unknown)'} -> {new}")
        for label, items in (
            ("re-confirm (question changed)", self.changed),
            ("re-confirm (answer no longer valid)", self.invalid),
            ("retired (question removed)", self.retired),
            ("new questions", self.added),
            ("removed questions", self.removed),
        ):
            if items:
                parts.append(f"{label}: {', '.join(items)}")
        return "; ".join(parts) or "no changes"

    def as_record(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "invalid": self.invalid,
            "retired": self.retired,
            "added": self.added,
            "removed": self.removed,
            "versions": {k: list(v) for k, v in sorted(self.versions.items())},
        }


_STAMPS: dict[int, tuple[Questionnaire, QuestionnaireStamp]] = {}


def stamp(questionnaire: Questionnaire) -> QuestionnaireStamp:
    """The questionnaire's stamp (cached: questionnaires are frozen, hashing all is not free)."""
    cached = _STAMPS.get(id(questionnaire))
    if cached is not None and cached[0] is questionnaire:
        return cached[1].model_copy(deep=True)
    result = QuestionnaireStamp(
        id=questionnaire.id,
        version=questionnaire.version,
        hash=questionnaire.content_hash,
        question_hashes=questionnaire.question_hashes(),
    )
    if len(_STAMPS) > 32:
        _STAMPS.clear()
    _STAMPS[id(questionnaire)] = (questionnaire, result)
    return result.model_copy(deep=True)


def current_stamps(qset: QuestionnaireSet) -> dict[str, QuestionnaireStamp]:
    return {"selection": stamp(qset.selection), "diligence": stamp(qset.diligence)}


def migrate_questionnaires(session: Session, qset: QuestionnaireSet) -> QuestionnaireChanges:
    """Bring ``session`` (modified in place) up to the current questionnaires."""
    changes = QuestionnaireChanges()
    now_stamps = current_stamps(qset)
    old_stamps = session.questionnaires
    selection_same = _same(old_stamps.get("selection"), now_stamps["selection"])
    diligence_same = _same(old_stamps.get("diligence"), now_stamps["diligence"])

    for kind, current in now_stamps.items():
        old = old_stamps.get(kind)
        if not _same(old, current):
            changes.versions[kind] = (None if old is None else old.version, current.version)
            if old is not None and old.question_hashes:
                changes.added += sorted(set(current.question_hashes) - set(old.question_hashes))
                changes.removed += sorted(set(old.question_hashes) - set(current.question_hashes))

    retired = dict(session.retired_answers)

    def carried(qid: str, key: str, answer: Answer, kind: str, same: bool) -> Answer | None:
        """The answer kept under the current questionnaire, or None once retired as ``key``."""
        result = _check(
            qid, key, answer, qset, kind, old_stamps.get(kind), now_stamps[kind], same, changes
        )
        if result is None:
            _retire(retired, key, answer)
        return result

    answers: dict[str, Answer] = {}
    for qid, answer in session.answers.items():
        result = carried(qid, qid, answer, "selection", selection_same)
        if result is not None:
            answers[qid] = result
    diligence: dict[str, dict[str, Answer]] = {}
    for pid, per in session.diligence.items():
        kept: dict[str, Answer] = {}
        for qid, answer in per.items():
            result = carried(qid, f"{pid}:{qid}", answer, "diligence", diligence_same)
            if result is not None:
                kept[qid] = result
        diligence[pid] = kept

    session.answers = answers
    session.diligence = diligence
    session.retired_answers = retired
    session.questionnaires = now_stamps
    return changes


def upgrade_change(
    changes: QuestionnaireChanges,
    *,
    stamps_refreshed: bool,
    old_data_hash: str,
    catalog: ProviderCatalog,
    schema_from: int | None = None,
) -> dict[str, Any] | None:
    """The one audit change recording that a session met a newer ddwizard.

    A release that changes the file layout (``schema_from``: the schema the file was read
    with), questionnaires and provider profiles is one upgrade for the reader of the trail:
    its event lists the layout upgrade, the questionnaire versions (old -> new), the answers
    flagged for re-confirmation, the new questions, and the provider data version and hash.
    It is a ``questionnaire_migrated`` event (with ``schema`` {old, new} in its record when
    the layout changed too), else ``provider_data_changed`` (the layout upgrade named in its
    detail), else ``schema_upgraded`` (old and new schema). None when nothing changed.
    """
    layout = schema_from is not None and schema_from < SCHEMA_VERSION
    layout_text = f"session file layout upgraded from schema {schema_from} to {SCHEMA_VERSION}"
    data_changed = catalog.data_hash != old_data_hash
    data = {
        "old": old_data_hash or None,
        "new": catalog.data_hash,
        "version": catalog.version,
    }
    data_text = f"provider data now version {catalog.version_label}"
    if changes.any or stamps_refreshed:
        record = changes.as_record()
        detail = (
            changes.describe()
            if changes.any
            else "questionnaire stamps refreshed; no answer affected"
        )
        if data_changed:
            record["provider_data"] = data
            detail = f"{detail}; {data_text}"
        if layout:
            record["schema"] = {"old": schema_from, "new": SCHEMA_VERSION}
            detail = f"{layout_text}; {detail}"
        return {"action": "questionnaire_migrated", "new": record, "detail": detail}
    if data_changed:
        detail = f"provider profiles changed since the session was last saved; {data_text}"
        return {
            "action": "provider_data_changed",
            "old": data["old"],
            "new": catalog.data_hash,
            "detail": f"{layout_text}; {detail}" if layout else detail,
        }
    if layout:
        return {
            "action": "schema_upgraded",
            "old": schema_from,
            "new": SCHEMA_VERSION,
            "detail": layout_text,
        }
    return None


def _same(old: QuestionnaireStamp | None, current: QuestionnaireStamp) -> bool:
    return old is not None and old.hash == current.hash and old.id == current.id


def _check(
    qid: str,
    key: str,
    answer: Answer,
    qset: QuestionnaireSet,
    kind: str,
    old: QuestionnaireStamp | None,
    current: QuestionnaireStamp,
    unchanged_questionnaire: bool,
    changes: QuestionnaireChanges,
) -> Answer | None:
    """The answer to keep (possibly flagged), or None when its question is gone."""
    question = qset.get(qid)
    if question is None or (qset.is_selection(qid) != (kind == "selection")):
        changes.retired.append(key)
        return None
    if unchanged_questionnaire:
        changed = False
    elif old is not None and old.question_hashes:
        changed = old.question_hashes.get(qid) != current.question_hashes.get(qid)
    else:
        # No per-question hashes (older file): only an identical version counts as unchanged.
        changed = old is None or old.version != current.version
    if changed:
        changes.changed.append(key)
    elif value_problem(question, answer.value) is not None:
        changes.invalid.append(key)
        changed = True
    if changed and not answer.needs_reconfirmation:
        return answer.model_copy(update={"needs_reconfirmation": True})
    return answer


def _retire(retired: dict[str, Answer], key: str, answer: Answer) -> None:
    slot = key
    n = 2
    while slot in retired:
        slot = f"{key}#{n}"
        n += 1
    retired[slot] = answer
