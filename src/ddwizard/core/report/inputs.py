"""What every memo section builder reads: the review, its evaluation and the memo's settings.

Section builders (``ddwizard.core.report.sections``) take one ``MemoInputs`` and return one
frozen section object, so each memo section can be built, tested and templated on its own.
Helpers here answer the questions several sections ask (a provider's display name, the
shortlist, a question's label, whether a date is stale) in one way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any, Protocol

from ddwizard.core.answers import AnswerSheet, applicable_values
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.report.record import ReviewRecord
from ddwizard.core.report.text import clean, humanize_id
from ddwizard.core.results import Evaluation, RankedProvider, Tier
from ddwizard.core.settings import Settings

NOT_VERIFIED_BANNER = "INTEGRITY NOT VERIFIED"


class IntegrityLike(Protocol):
    """What ``make_memo_context`` reads of an integrity statement (e.g. the use case's)."""

    @property
    def verified(self) -> bool | None: ...
    @property
    def events(self) -> int: ...
    @property
    def head_hash(self) -> str | None: ...
    @property
    def problems(self) -> tuple[str, ...]: ...
    @property
    def notes(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class MemoIntegrity:
    """What was checked about the record before the memo was written.

    ``verified``: True when the session's audit chain was verified and binds the session
    state; False when it was checked and failed, or was not checked (the memo then says
    "INTEGRITY NOT VERIFIED" on every page); None when there is nothing to verify (a memo
    straight from an answers file, which has no audit trail).
    """

    verified: bool | None
    events: int = 0
    head_hash: str | None = None
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    """What a passing check could not rule out (events written before the trail bound the
    session state); the memo's integrity statement names these limits."""


@dataclass(frozen=True)
class MemoInputs:
    qset: QuestionnaireSet
    catalog: ProviderCatalog
    sheet: AnswerSheet
    evaluation: Evaluation
    record: ReviewRecord
    today: date
    now: datetime
    settings: Settings
    integrity: IntegrityLike = field(default_factory=lambda: MemoIntegrity(verified=None))

    @cached_property
    def applicable(self) -> Mapping[str, Any]:
        return applicable_values(self.qset, self.sheet.selection)

    @cached_property
    def entity(self) -> str:
        return clean(self.sheet.value("client.entity_name") or self.record.name or "") or (
            "Unnamed institution"
        )

    @cached_property
    def shortlist(self) -> tuple[str, ...]:
        ev = self.evaluation
        ids = tuple(ev.shortlist) if ev.shortlist else tuple(r.provider_id for r in ev.eligible[:3])
        return tuple(pid for pid in ids if pid in self.catalog)

    @cached_property
    def reviewed(self) -> tuple[str, ...]:
        """Providers with a section in the memo: the shortlist, then any other provider that
        went through diligence (e.g. shortlisted, then excluded by a diligence answer)."""
        others = [pid for pid in self.sheet.diligence if pid in self.catalog]
        return tuple(dict.fromkeys([*self.shortlist, *others]))

    def name(self, provider_id: str | None) -> str:
        if provider_id is None:
            return "the mandate"
        provider = self.catalog.get(provider_id)
        return clean(provider.name) if provider else humanize_id(provider_id)

    def question_label(self, question_id: str | None) -> str:
        if not question_id:
            return ""
        q = self.qset.get(question_id)
        return clean(q.prompt) if q else humanize_id(question_id)

    @cached_property
    def _id_pattern(self) -> re.Pattern[str]:
        prefixes = sorted({q.id.split(".", 1)[0] for q in self._questions()})
        group = "|".join(map(re.escape, prefixes)) or "dd"
        return re.compile(rf"\s*\((?:{group})\.[a-z0-9_.]+\)|\b(?:{group})\.[a-z0-9_]+\b")

    @cached_property
    def _short_citations(self) -> tuple[tuple[str, str], ...]:
        """Full source citations as the rules quote them, and the memo's short form (the
        methodology section cites each source in full once). When no profile was verified,
        the methodology says so once, instead of after every quoted fact."""
        pairs = []
        for s in self.catalog.sources:
            short = f"\u201c{s.title}\u201d" + (f", {s.source_date}" if s.source_date else "")
            if s.citation() != short:
                pairs.append((s.citation(), short))
        if self.catalog.verified_count == 0:
            pairs.append((", not yet verified on a primary source", ""))
        return tuple(pairs)

    def _questions(self) -> list[Any]:
        return [*self.qset.selection.questions(), *self.qset.diligence.questions()]

    def plain(self, text: Any) -> str:
        """Text from the rules as people read it: no question ids, no control characters.

        A parenthesised id ("(dd.wallet_model)") is dropped; a bare one becomes the question.
        """
        cleaned = clean(text)
        for long, short in self._short_citations:
            cleaned = cleaned.replace(long, short)

        def label(match: re.Match[str]) -> str:
            found = match.group(0)
            if found.lstrip().startswith("("):
                return ""
            return f"\u201c{self.question_label(found)}\u201d" if found in self.qset else found

        return self._id_pattern.sub(label, cleaned)

    def is_stale(self, when: date | None) -> bool:
        return self.settings.is_stale(when, self.today)

    def ranked(self, provider_id: str) -> RankedProvider | None:
        return self.evaluation.ranked(provider_id)

    def tier(self, provider_id: str) -> Tier | None:
        return self.evaluation.tier_of(provider_id)

    @property
    def recommended(self) -> str | None:
        return self.evaluation.recommendation
