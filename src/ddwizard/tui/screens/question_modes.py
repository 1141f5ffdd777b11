"""What differs between the mandate and the diligence questions, in one object each.

The questions screen is the same for both (sections, fields, help, moving on); these strategy
objects say which questionnaire it shows, whose answers, how a change is saved through the
session handle and where to go after the last section. The screen never branches on a mode.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from ddwizard.core.answers import Answer, applicable_values, diligence_lookup
from ddwizard.core.questionnaire import Questionnaire

if TYPE_CHECKING:
    from ddwizard.tui.app import DdwizardApp
    from ddwizard.tui.widgets.question import QuestionField
    from ddwizard.tui.widgets.sidebar import SectionState


class QuestionsMode:
    """The mandate: one set of answers, saved with ``set_answer``."""

    name = "mandate"
    title = "Mandate"
    per_provider = False
    """Answered once per shortlisted provider, with evidence."""

    def __init__(self, app: DdwizardApp) -> None:
        self.app = app

    @property
    def questionnaire(self) -> Questionnaire:
        return self.app.services.qset.selection

    def answers(self, provider: str | None) -> dict[str, Answer]:
        return dict(self.app.session.answers)

    def lookup(self, provider: str | None) -> Callable[[str], Any]:
        return applicable_values(self.app.services.qset, self.app.session.answers).get

    def progress(self, states: list[SectionState]) -> int:
        return self.app.session.progress(self.app.services.qset)

    def save_value(self, field: QuestionField, provider: str | None, value: Any) -> bool:
        handle = self.app.handle
        if handle is None:
            return False
        # The note typed before the question was answered is saved with the answer.
        note = field.note_text().strip() or None
        return self.app.apply(handle.set_answer, field.question.id, value, note=note)

    def clear_value(self, field: QuestionField, provider: str | None) -> None:
        if self.app.handle is not None:
            self.app.apply(self.app.handle.clear_answer, field.question.id)

    def save_note(self, field: QuestionField, provider: str | None, note: str | None) -> None:
        if self.app.handle is not None:
            self.app.apply(self.app.handle.set_note, field.question.id, note)

    def save_extras(self, field: QuestionField, provider: str | None, answer: Answer) -> None:
        """Evidence belongs to diligence answers only."""

    def confirm(self, field: QuestionField, provider: str | None) -> bool:
        if self.app.handle is None:
            return False
        return self.app.apply(self.app.handle.confirm_answer, field.question.id)

    def after_last_section(self, provider: str | None) -> str | None:
        """The provider to continue with, or None after going to the next screen."""
        self.app.go("results")
        return None

    def providers(self) -> list[str]:
        return []


class DiligenceMode(QuestionsMode):
    """Red-flag questions per shortlisted provider, each answer with its evidence."""

    name = "diligence"
    title = "Diligence"
    per_provider = True

    @property
    def questionnaire(self) -> Questionnaire:
        return self.app.services.qset.diligence

    def answers(self, provider: str | None) -> dict[str, Answer]:
        return dict(self.app.session.diligence.get(provider or "", {}))

    def lookup(self, provider: str | None) -> Callable[[str], Any]:
        qset = self.app.services.qset
        mandate = applicable_values(qset, self.app.session.answers)
        return diligence_lookup(qset, mandate, self.answers(provider))  # type: ignore[no-any-return]

    def progress(self, states: list[SectionState]) -> int:
        total = sum(s.shown for s in states)
        return 0 if not total else sum(s.answered for s in states) * 100 // total

    def providers(self) -> list[str]:
        session = self.app.session
        if session.shortlist is not None:
            return list(session.shortlist)
        return list(self.app.evaluation().shortlist)

    def save_value(self, field: QuestionField, provider: str | None, value: Any) -> bool:
        handle = self.app.handle
        if handle is None or provider is None:
            return False
        extras = field.extras() or {}
        note = field.note_text().strip() or None
        return self.app.apply(
            handle.set_diligence, provider, field.question.id, value, note=note, **extras
        )

    def clear_value(self, field: QuestionField, provider: str | None) -> None:
        if self.app.handle is not None and provider is not None:
            self.app.apply(self.app.handle.clear_diligence, provider, field.question.id)

    def save_note(self, field: QuestionField, provider: str | None, note: str | None) -> None:
        if self.app.handle is not None:
            self.app.apply(self.app.handle.set_note, field.question.id, note, provider=provider)

    def save_extras(self, field: QuestionField, provider: str | None, answer: Answer) -> None:
        extras = field.extras()
        handle = self.app.handle
        if extras is None or handle is None or provider is None:
            return
        self.app.apply(
            handle.set_diligence,
            provider,
            field.question.id,
            answer.value,
            note=answer.note,
            **extras,
        )

    def confirm(self, field: QuestionField, provider: str | None) -> bool:
        handle = self.app.handle
        if handle is None or provider is None or field.answer is None:
            return False
        return self.app.apply(handle.set_diligence, provider, field.question.id, field.answer.value)

    def after_last_section(self, provider: str | None) -> str | None:
        providers = self.providers()
        index = providers.index(provider) if provider in providers else -1
        if index + 1 < len(providers):
            return providers[index + 1]
        self.app.go("review")
        return None


MODES: dict[str, type[QuestionsMode]] = {"mandate": QuestionsMode, "diligence": DiligenceMode}


def today_of(app: DdwizardApp) -> date:
    return app.services.clock().astimezone().date()
