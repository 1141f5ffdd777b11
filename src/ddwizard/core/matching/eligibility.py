"""Tiers: which providers meet the mandate, which might, which cannot (DECISIONS.md §1).

``check`` runs every hard requirement of the mandate (``requirements.REQUIREMENTS``) for one
provider and places it in a tier: **meets** (all met), **conditional** (none breached, some
unconfirmed: each becomes an open item saying what to confirm) or **excluded** (some breached:
the reason quotes the fact with its source and date, or the diligence answer with its date).
A provider whose profile confirms none of the requirements is "to consider, not profiled".
An unknown never excludes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ddwizard.core.answers import Answer
from ddwizard.core.matching.facts import as_of, states_any
from ddwizard.core.matching.mandate import Mandate
from ddwizard.core.matching.requirements import BY_ID, Breach, Requirement, active, assess
from ddwizard.core.provider import Provider
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.results import (
    OpenItem,
    OpenItemKind,
    RequirementCheck,
    RequirementState,
    Tier,
    Topic,
    Unconfirmed,
    slot_init,
)
from ddwizard.core.settings import Settings


def confirm(
    provider: Provider,
    topic: Topic,
    what: str,
    question_id: str | None,
    when: str | None = None,
    requirement: RequirementCheck | None = None,
) -> OpenItem:
    """An open item for a fact the profile does not state (``when``: its last-verified text)."""
    when = when or as_of(provider)
    return OpenItem(
        provider.id,
        topic,
        confirm_message(what, when),
        question_id,
        what,
        OpenItemKind.NOT_STATED,
        when,
        requirement.requirement if requirement else None,
    )


@lru_cache(maxsize=4096)
def confirm_message(what: str, when: str) -> str:
    """The open item's message for a fact the profile does not state."""
    # Thousands of providers share these texts: format (and store) each one once.
    return f"Confirm with the provider: {what} (not stated in the profile, {when})"


@slot_init
@dataclass(frozen=True, slots=True)
class EligibilityResult:
    provider_id: str
    tier: Tier
    checks: tuple[RequirementCheck, ...]
    reasons: tuple[str, ...]
    """One per breached requirement."""
    open_items: tuple[OpenItem, ...]
    """One per unconfirmed requirement."""
    unconfirmed: tuple[Unconfirmed, ...]
    breaches: tuple[Breach, ...]
    """Diligence answers that contradict a requirement (they become findings)."""
    profiled: bool

    @property
    def eligible(self) -> bool:
        return self.tier != Tier.EXCLUDED


_BREACHED = RequirementState.BREACHED
_MET = RequirementState.MET
_UNCONFIRMED = RequirementState.UNCONFIRMED
_NOT_STATED = OpenItemKind.NOT_STATED


def _sentence(text: str) -> str:
    """An exclusion reason stands alone (memo, TUI): it ends with its full stop."""
    return text if text.endswith((".", "?", "!")) else text + "."


@lru_cache(maxsize=1024)
def _what(to_confirm: str) -> str:
    return to_confirm.split(": ", 1)[1] if ": " in to_confirm else to_confirm


def check(
    provider: Provider,
    mandate: Mandate,
    requirements: Sequence[Requirement] | None = None,
    *,
    answers: Mapping[str, Answer] | None = None,
    qset: QuestionnaireSet | None = None,
    settings: Settings | None = None,
    today: date | None = None,
    shared: dict[tuple[str, str, str], Unconfirmed] | None = None,
) -> EligibilityResult:
    """Every hard requirement for one provider, and its tier.

    ``answers``: the provider's applicable diligence answers (documentary ones confirm,
    contradicting ones breach); ``requirements``: ``active(mandate)``, computed once by the
    caller for a whole catalog; ``shared``: one dict per catalog in which equal (immutable)
    ``Unconfirmed`` entries are built once and shared by the providers that have them.
    """
    requirements = active(mandate) if requirements is None else requirements
    assessment = assess(
        provider, mandate, requirements, answers=answers, qset=qset, settings=settings, today=today
    )
    reasons: list[str] = []
    pending: list[RequirementCheck] = []
    confirms_any = False  # some requirement met (none: "not profiled")
    for c in assessment.checks:  # one pass: this runs once per provider of the catalog
        if c.state is _BREACHED:
            reasons.append(_sentence(f"Requirement “{c.label}” breached: {c.basis}"))
        elif c.state is _UNCONFIRMED:
            pending.append(c)
        elif c.state is _MET:
            confirms_any = True
    items: tuple[OpenItem, ...] = ()
    if not reasons and pending:  # an excluded provider has nothing left to confirm
        when = as_of(provider)
        pid = provider.id
        # confirm(), inlined: thousands of providers times each unconfirmed requirement
        items = tuple(
            [
                OpenItem(
                    pid,
                    BY_ID[c.requirement].topic,
                    confirm_message(what, when),
                    c.question_id,
                    what,
                    _NOT_STATED,
                    when,
                    c.requirement,
                )
                for c in pending
                for what in (_what(c.to_confirm),)
            ]
        )
    tier = Tier.EXCLUDED if reasons else (Tier.CONDITIONAL if pending else Tier.MEETS)
    if shared is None:
        unconfirmed = [Unconfirmed(c.requirement, c.label, c.to_confirm) for c in pending]
    else:
        unconfirmed = []
        for c in pending:
            key = (c.requirement, c.label, c.to_confirm)
            entry = shared.get(key)
            if entry is None:
                entry = shared[key] = Unconfirmed(c.requirement, c.label, c.to_confirm)
            unconfirmed.append(entry)
    return EligibilityResult(
        provider.id,
        tier,
        assessment.checks,
        tuple(reasons),
        items,
        tuple(unconfirmed),
        assessment.breaches,
        # profiled: it confirms a hard requirement; with none in the mandate, it states a fact
        confirms_any or (not assessment.checks and states_any(provider)),
    )
