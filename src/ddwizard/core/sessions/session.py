"""A saved review: the record a compliance officer builds over days and files for audit.

The session is plain data (pydantic models); ``ddwizard.core.sessions.store`` owns the file, the lock
and every edit. The on-disk form is canonical JSON: the record's fields, then the audit trail
with one event per line, so a long trail is cheap to re-serialize (events serialized by one
save are reused by the next) and the file stays readable and diffable.
"""

from __future__ import annotations

import json
import operator
import re
import secrets
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, TypeAdapter, field_validator

from ddwizard.core.answers import Answer, AnswerSheet, applicable_values
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.text import (
    MAX_NAME_LENGTH,
    control_character_problem,
    free_text_problem,
    strings_in,
)

SCHEMA_VERSION = 2
"""Version of the session file layout; ``ddwizard.core.sessions.migration`` upgrades older files
(and says what each version changed)."""

SessionStatus = Literal["in_progress", "ready_for_review", "final"]
STATUSES: tuple[str, ...] = ("in_progress", "ready_for_review", "final")

SESSION_ID_PATTERN = r"^\d{8}-[0-9a-f]{8}$"
_SESSION_ID_RE = re.compile(SESSION_ID_PATTERN)
SESSION_SUFFIX = ".json"


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_session_id(now: datetime | None = None) -> str:
    """``20261128-3f9a1c2b``: creation date plus 32 random bits; safe as a file name."""
    return f"{(now or utc_now()):%Y%m%d}-{secrets.token_hex(4)}"


def is_session_id(text: str) -> bool:
    return bool(_SESSION_ID_RE.match(text))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _no_control_characters(value: Any) -> Any:
    """For ids and short labels read from a session file: no escape codes, no line breaks."""
    for text in strings_in(value):
        problem = control_character_problem(text)
        if problem is not None:
            raise ValueError(problem)
    return value


class QuestionnaireStamp(_Model):
    """Which questionnaire the answers were given against, down to each question's hash."""

    id: str
    version: str
    hash: str
    question_hashes: dict[str, str] = Field(default_factory=dict)

    _plain = field_validator("id", "version", "hash", "question_hashes")(_no_control_characters)


class Position(_Model):
    """Where the wizard was, so resuming lands on the same place."""

    screen: str = "mandate"
    section: str | None = None
    question: str | None = None
    provider: str | None = None

    _plain = field_validator("screen", "section", "question", "provider")(_no_control_characters)


class AuditEvent(_Model):
    """One append-only, hash-chained entry of the audit trail (see ``ddwizard.core.sessions.audit``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int
    at: datetime
    actor: str
    action: str
    target: str | None = None
    old: Any = None
    new: Any = None
    detail: str | None = None
    prev_hash: str
    hash: str
    state: str | None = Field(default=None, exclude_if=lambda v: v is None)
    """SHA-256 of the session state after this event (see ``audit.state_hash``); set on the
    last event of each save. Absent on events written before the chain bound the state (it
    is then left out of the event's hash too, so their hashes still verify)."""


def audit_text_problem(events: list[AuditEvent]) -> str | None:
    """The first event text with a control character (multi-line text allowed in ``detail``,
    ``old`` and ``new``), in words; None when there is none.

    Run by the file reader only when the file's bytes hint at such characters, so a long
    trail costs nothing to load in the normal case.
    """
    for index, event in enumerate(events):
        for name in ("actor", "action", "target"):
            text = getattr(event, name)
            problem = None if text is None else control_character_problem(text)
            if problem is not None:
                return f"audit[{index}].{name}: {problem}"
        for name in ("detail", "old", "new"):
            for text in strings_in(getattr(event, name)):
                problem = control_character_problem(text, multiline=True)
                if problem is not None:
                    return f"audit[{index}].{name}: {problem}"
    return None


def session_label(name: str, title: str | None) -> str:
    """How a review is shown: its name, and the title of its answers file when that differs
    (``ddwizard answer "Kestrel" --answers demo.yaml`` -> "Kestrel (Demo — ...)")."""
    return name if not title or title == name else f"{name} ({title})"


class Session(_Model):
    schema_version: int = SCHEMA_VERSION
    id: str = Field(pattern=SESSION_ID_PATTERN)
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    title: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    preparer: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    created_at: datetime
    updated_at: datetime
    status: SessionStatus = "in_progress"
    answers: dict[str, Answer] = Field(default_factory=dict)
    diligence: dict[str, dict[str, Answer]] = Field(default_factory=dict)
    shortlist: list[str] | None = None
    retired_answers: dict[str, Answer] = Field(default_factory=dict)
    questionnaires: dict[str, QuestionnaireStamp] = Field(default_factory=dict)
    provider_data_hash: str = ""
    position: Position = Field(default_factory=Position)
    audit: list[AuditEvent] = Field(default_factory=list)

    # Question and provider ids are printed in lists and messages: no escape codes.
    _plain_ids = field_validator(
        "answers",
        "diligence",
        "retired_answers",
        "shortlist",
        "questionnaires",
        "provider_data_hash",
    )(_no_control_characters)

    @field_validator("name", "title", "preparer")
    @classmethod
    def _single_line_text(cls, value: str | None) -> str | None:
        if value is not None:
            problem = free_text_problem(value, max_len=MAX_NAME_LENGTH)
            if problem is not None:
                raise ValueError(problem)
        return value

    # The audit events last serialized and their JSON, reused by the next save.
    _audit_cache: tuple[list[AuditEvent], list[bytes]] | None = PrivateAttr(default=None)
    # The schema_version of the file this was read from, when it was upgraded in memory.
    _schema_on_disk: int | None = PrivateAttr(default=None)

    @property
    def stored_schema_version(self) -> int:
        """The ``schema_version`` its file says: the audit trail sealed the state with it.

        A file of an older layout is upgraded in memory when read (``files``); until
        ddwizard saves it, its file (and the state hash its trail recorded) still say the
        old version.
        """
        return self.schema_version if self._schema_on_disk is None else self._schema_on_disk

    def mark_stored(self, schema_version: int | None = None) -> None:
        """Record the ``schema_version`` its file says (None: the one in memory, as saved)."""
        self._schema_on_disk = None if schema_version == self.schema_version else schema_version

    @property
    def label(self) -> str:
        return session_label(self.name, self.title)

    def sheet(self) -> AnswerSheet:
        """What the matching rules read."""
        return AnswerSheet(
            selection=dict(self.answers),
            diligence={pid: dict(per) for pid, per in self.diligence.items()},
            shortlist=None if self.shortlist is None else tuple(self.shortlist),
        )

    def progress(self, qset: QuestionnaireSet) -> int:
        """Percent of the applicable selection questions that have an answer (0-100)."""
        applicable = applicable_values(qset, self.answers)
        total = 0
        answered = 0
        for question in qset.selection.questions():
            if question.show_if is not None and not qset.is_shown(question, applicable.get):
                continue
            total += 1
            if question.id in applicable:
                answered += 1
        return 0 if total == 0 else (answered * 100) // total

    def needs_reconfirmation(self) -> list[str]:
        """Selection ids, then ``provider:question`` ids, flagged after a questionnaire change."""
        out = [qid for qid, a in self.answers.items() if a.needs_reconfirmation]
        for pid, per in self.diligence.items():
            out += [f"{pid}:{qid}" for qid, a in per.items() if a.needs_reconfirmation]
        return out

    def to_json_bytes(self) -> bytes:
        """Canonical file content: the record (indented), then one audit event per line."""
        return b"".join(self.to_json_chunks())

    def to_json_chunks(self) -> list[bytes]:
        """``to_json_bytes`` in pieces, so a long audit trail is written without copying it."""
        head = self.model_dump(mode="json", exclude={"audit"})
        lines = [
            f"  {_compact(key)}: {_block(value, _EXPAND.get(key, 0), 1)}"
            for key, value in head.items()
        ]
        text = "{\n" + ",\n".join(lines) + ","
        pieces = self._audit_pieces()
        if not pieces:
            return [(text + '\n  "audit": []\n}\n').encode("utf-8")]
        return [text.encode("utf-8") + _AUDIT_OPEN, *pieces, _AUDIT_CLOSE]

    @classmethod
    def from_canonical_json(cls, raw: bytes) -> Session | None:
        """Parse a file in the layout ``to_json_bytes`` writes, or None when it is not.

        The record and the audit trail are validated separately; the trail's text is then
        kept, so the next save reuses it instead of serializing every event again. This is
        sound for any file where both halves validate: the trail's text is then a complete
        JSON array body, so it can only ever mean these events.
        """
        cut = raw.rfind(_AUDIT_OPEN)
        if cut < 0 or not raw.endswith(_AUDIT_CLOSE):
            return None
        body = raw[cut + len(_AUDIT_OPEN) : len(raw) - len(_AUDIT_CLOSE)]
        try:
            session = cls.model_validate_json(raw[:cut] + b'\n  "audit": []\n}')
            events = _EVENTS_ADAPTER.validate_json(b"[" + body + b"]")
        except (ValueError, RecursionError):  # pydantic's ValidationError is a ValueError
            return None
        if not events:
            return None
        session.audit = events
        session._audit_cache = (list(events), [body])
        return session

    def _audit_pieces(self) -> list[bytes]:
        """The serialized events, in pieces; events serialized by an earlier save are reused."""
        audit = self.audit
        cache = self._audit_cache
        if cache is not None:
            events, pieces = cache
            # Events are frozen: the same objects in the same order serialize the same way.
            if len(events) <= len(audit) and all(map(operator.is_, events, audit)):
                if len(events) == len(audit):
                    return pieces
                extra = _render_events(audit[len(events) :])
                pieces = [*pieces, _EVENT_SEPARATOR + extra] if pieces else [extra]
                if len(pieces) > 64:
                    pieces = [b"".join(pieces)]
                self._audit_cache = (list(audit), pieces)
                return pieces
        pieces = [_render_events(audit)] if audit else []
        self._audit_cache = (list(audit), pieces)
        return pieces


# How many levels of each top-level field get their own lines in the file (the rest is compact).
_EXPAND = {"answers": 1, "retired_answers": 1, "diligence": 2, "questionnaires": 2, "position": 1}
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))
_EVENTS_ADAPTER: TypeAdapter[list[AuditEvent]] = TypeAdapter(list[AuditEvent])
_EVENT_SEPARATOR = b",\n    "
_AUDIT_OPEN = b'\n  "audit": [\n    '
_AUDIT_CLOSE = b"\n  ]\n}\n"


def _compact(value: Any) -> str:
    return _ENCODER.encode(value)


def _block(value: Any, levels: int, indent: int) -> str:
    if levels <= 0 or not isinstance(value, dict) or not value:
        return _compact(value)
    pad = "  " * (indent + 1)
    items = [f"{pad}{_compact(k)}: {_block(v, levels - 1, indent + 1)}" for k, v in value.items()]
    return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"


def _render_events(events: list[AuditEvent]) -> bytes:
    if not events:
        return b""
    raw = _EVENTS_ADAPTER.dump_json(events)
    # One event per line. The pattern cannot occur inside a JSON string (quotes are escaped);
    # where it occurs inside an event's value it only adds whitespace between tokens.
    return raw[1:-1].replace(b'},{"seq":', b'},\n    {"seq":')


def answer_record(answer: Answer | None) -> dict[str, Any] | None:
    """An answer as JSON data for the audit trail (without bookkeeping fields)."""
    if answer is None:
        return None
    data = answer.model_dump(mode="json", exclude={"answered_at", "needs_reconfirmation"})
    return {k: v for k, v in data.items() if v is not None}
