"""Everything a memo template sees: one ``MemoContext``, assembled from one builder per section.

Templates only present. Every label, date, count, ordering and "not stated" marker is decided
by the section builders in ``ddwizard.core.report.sections`` from the evaluation the matching
rules produced, so a firm can restyle the memo with its own templates without re-implementing
any rule. Free text stays plain ``str`` without control characters; the template environment
escapes it. What templates receive is documented in ``report_templates/README.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from ddwizard import __version__
from ddwizard.core.answers import AnswerSheet
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.report.inputs import (
    NOT_VERIFIED_BANNER,
    IntegrityLike,
    MemoInputs,
    MemoIntegrity,
)
from ddwizard.core.report.record import (
    ReviewRecord,
    record_from_answers_file,
    record_from_session,
)
from ddwizard.core.report.sections import (
    answers,
    audit,
    decision,
    glance,
    mandate,
    methodology,
    providers,
    red_flags,
    scores,
    signoff,
)
from ddwizard.core.report.sections.signoff import ATTACHMENT_NAME
from ddwizard.core.report.text import clean, long_date, shorten
from ddwizard.core.results import Evaluation
from ddwizard.core.settings import DEFAULT_STALE_AFTER_DAYS, Settings

__all__ = [
    "ATTACHMENT_NAME",
    "DEFAULT_STALE_AFTER_DAYS",
    "NOT_VERIFIED_BANNER",
    "MemoContext",
    "MemoIntegrity",
    "MemoMeta",
    "ReviewRecord",
    "make_memo_context",
    "record_from_answers_file",
    "record_from_session",
]

CONFIDENTIALITY = (
    "Confidential. Prepared for the investment committee and its advisers only; not for "
    "distribution to providers or third parties."
)
STATUS_WORDS = {
    "in_progress": "in progress",
    "ready_for_review": "ready for review",
    "final": "final",
}
RUNNING_TITLE_LIMIT = 70


@dataclass(frozen=True)
class MemoMeta:
    """Who, when and what status: the memo's header and running page header."""

    title: str
    entity: str
    review_name: str
    running_title: str
    """The entity, shortened for the page header."""
    preparer: str
    memo_date: str
    memo_date_iso: str
    generated_at: str
    session_id: str
    source: str
    status: Literal["DRAFT", "FINAL"]
    status_detail: str
    is_final: bool
    integrity_banner: str
    """``INTEGRITY NOT VERIFIED`` on every page when the record was not verified, else ""."""
    confidentiality: str
    tool_version: str
    attachment_name: str


@dataclass(frozen=True)
class MemoContext:
    """The whole memo, section by section. Templates read it as ``memo``."""

    meta: MemoMeta
    decision: decision.DecisionSection
    glance: glance.GlanceSection
    mandate: mandate.MandateSection
    scores: scores.ScoresSection
    providers: tuple[providers.ProviderSection, ...]
    red_flags: red_flags.RedFlagsSection
    methodology: methodology.MethodologySection
    answers: answers.AnswersSection
    audit: audit.AuditSection
    signoff: signoff.SignoffSection

    # A few flat names kept for templates written against earlier versions of this context.
    @property
    def entity(self) -> str:
        return self.meta.entity

    @property
    def preparer(self) -> str:
        return self.meta.preparer

    @property
    def memo_date(self) -> str:
        return self.meta.memo_date

    @property
    def status(self) -> str:
        return self.meta.status

    @property
    def is_final(self) -> bool:
        return self.meta.is_final

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def decision_requested(self) -> str:
        return self.decision.decision

    @property
    def record_sha256(self) -> str:
        return self.signoff.hashes[0].value


def make_memo_context(
    *,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    sheet: AnswerSheet,
    evaluation: Evaluation,
    record: ReviewRecord,
    today: date | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
    integrity: IntegrityLike | None = None,
    stale_after_days: int | None = None,
) -> MemoContext:
    """Build the memo context; pure apart from reading the clock when ``now`` is not given.

    ``settings`` carries the staleness limit shared with the rules (``stale_after_days`` is
    the older way to give it). ``integrity`` says what the caller verified about the record;
    for a session without it, the memo says "INTEGRITY NOT VERIFIED" on every page.
    """
    now = now or datetime.now().astimezone()
    today = today or now.date()
    if settings is None:
        settings = Settings(stale_after_days or DEFAULT_STALE_AFTER_DAYS)
    if integrity is None:
        integrity = MemoIntegrity(verified=None if record.kind != "session" else False)
    inputs = MemoInputs(
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
    signoff_section = signoff.build(inputs)
    is_final = record.status == "final"
    entity = inputs.entity
    meta = MemoMeta(
        title="Custody due-diligence memo",
        entity=entity,
        review_name=clean(record.name) or entity,
        running_title=shorten(entity, RUNNING_TITLE_LIMIT),
        preparer=clean(record.preparer) or "not recorded",
        memo_date=long_date(today),
        memo_date_iso=today.isoformat(),
        generated_at=now.strftime("%Y-%m-%d %H:%M %Z").strip(),
        session_id=record.session_id or "none (answers file)",
        source="a saved session" if record.kind == "session" else "an answers file",
        status="FINAL" if is_final else "DRAFT",
        status_detail=STATUS_WORDS.get(record.status, record.status.replace("_", " ")),
        is_final=is_final,
        integrity_banner=signoff_section.banner,
        confidentiality=CONFIDENTIALITY,
        tool_version=__version__,
        attachment_name=ATTACHMENT_NAME,
    )
    return MemoContext(
        meta=meta,
        decision=decision.build(inputs),
        glance=glance.build(inputs),
        mandate=mandate.build(inputs),
        scores=scores.build(inputs),
        providers=providers.build(inputs),
        red_flags=red_flags.build(inputs),
        methodology=methodology.build(inputs),
        answers=answers.build(inputs),
        audit=audit.build(inputs),
        signoff=signoff_section,
    )
