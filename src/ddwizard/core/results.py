"""Frozen results of the matching rules: what the CLI prints, the TUI shows and the memo cites.

The rules in ``ddwizard.core.matching`` build these; nothing downstream recomputes a score or
a finding. ``Evaluation.to_json`` is the ``ddwizard score --json`` contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ddwizard.core.questionnaire import Severity


@dataclass(frozen=True, slots=True)
class CriterionScore:
    """One criterion for one provider: 0-100 and the reasons, in plain words."""

    criterion: str
    score: float
    rating: float | None
    """The profile's 0-5 rating it started from (None: not rated in the profile)."""
    reasons: tuple[str, ...]

    def explain(self) -> str:
        from ddwizard.core.questionnaire import CRITERION_LABELS

        label = CRITERION_LABELS.get(self.criterion, self.criterion)
        return f"{label} {self.score:.0f}: " + "; ".join(self.reasons)


@dataclass(frozen=True, slots=True)
class Exclusion:
    provider_id: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OpenItem:
    """Something unknown that must be confirmed with the provider (or the client)."""

    provider_id: str | None
    topic: str
    message: str
    question_id: str | None = None
    what: str = ""
    """The fact to confirm, without the lead-in ("a current SOC 2 Type II report")."""


@dataclass(frozen=True, slots=True)
class ConfirmedItem:
    """A profile gap the diligence answers have closed, and the answers that closed it."""

    provider_id: str | None
    topic: str
    message: str
    question_ids: tuple[str, ...] = ()


FindingSource = Literal["diligence", "unknown_answer", "stale_evidence", "missing_evidence"]


@dataclass(frozen=True, slots=True)
class Finding:
    """A red flag about one provider, raised from a diligence answer."""

    provider_id: str
    question_id: str
    severity: Severity
    message: str
    mitigation: str | None = None
    answer: Any = None
    evidence: str | None = None
    document_date: str | None = None
    source: FindingSource = "diligence"

    @property
    def blocks_recommendation(self) -> bool:
        return self.severity == Severity.CRITICAL


@dataclass(frozen=True, slots=True)
class MandateWarning:
    """A classic mistake in the mandate itself (not about a provider)."""

    code: str
    severity: Severity
    message: str
    mitigation: str | None = None
    question_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RankedProvider:
    provider_id: str
    rank: int
    total: float
    criteria: tuple[CriterionScore, ...]
    explanation: str
    blocked_by: tuple[Finding, ...] = ()
    """Open critical findings: such a provider is never the recommendation."""

    def criterion(self, name: str) -> CriterionScore:
        for c in self.criteria:
            if c.criterion == name:
                return c
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class WeightSensitivity:
    """How far one weight can move (others rescaled) before the recommendation changes."""

    criterion: str
    weight: int
    lowest: float
    """Lowest weight (0-100) keeping the same recommendation."""
    highest: float
    """Highest weight (0-100) keeping the same recommendation."""
    taker_below: str | None
    """Who takes over when the weight drops below ``lowest`` (None: nobody within 0)."""
    taker_above: str | None
    """Who takes over when the weight rises above ``highest`` (None: nobody up to 100)."""


@dataclass(frozen=True, slots=True)
class Robustness:
    recommendation: str | None
    verdict: Literal["stable", "sensitive", "not_applicable"]
    summary: str
    margin: float
    """Total-score lead of the recommendation over the runner-up."""
    sensitivities: tuple[WeightSensitivity, ...] = ()


@dataclass(frozen=True, slots=True)
class Evaluation:
    weights: dict[str, int]
    eligible: tuple[RankedProvider, ...]
    excluded: tuple[Exclusion, ...]
    recommendation: str | None
    recommendation_reason: str
    alternates: tuple[str, ...]
    shortlist: tuple[str, ...]
    red_flags: tuple[Finding, ...]
    open_items: tuple[OpenItem, ...]
    warnings: tuple[MandateWarning, ...]
    robustness: Robustness
    answers_ignored: tuple[str, ...] = ()
    """Notes on answers that do not apply (their question's condition is false)."""
    confirmed_items: tuple[ConfirmedItem, ...] = ()
    """Open items of the profiles that the diligence answers have closed."""

    def ranked(self, provider_id: str) -> RankedProvider | None:
        for r in self.eligible:
            if r.provider_id == provider_id:
                return r
        return None

    def findings_for(self, provider_id: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.red_flags if f.provider_id == provider_id)

    def open_items_for(self, provider_id: str) -> tuple[OpenItem, ...]:
        return tuple(o for o in self.open_items if o.provider_id == provider_id)

    def confirmed_for(self, provider_id: str) -> tuple[ConfirmedItem, ...]:
        return tuple(c for c in self.confirmed_items if c.provider_id == provider_id)

    def to_json(self) -> dict[str, Any]:
        """The ``ddwizard score --json`` contract (PRODUCT.md)."""
        return {
            "weights": dict(self.weights),
            "eligible": [
                {
                    "provider": r.provider_id,
                    "rank": r.rank,
                    "score": round(r.total, 2),
                    "criteria": {c.criterion: round(c.score, 2) for c in r.criteria},
                    "explanation": r.explanation,
                    "criteria_explanations": {c.criterion: c.explain() for c in r.criteria},
                    "blocked_by_critical": [f.question_id for f in r.blocked_by],
                }
                for r in self.eligible
            ],
            "excluded": [
                {"provider": e.provider_id, "reasons": list(e.reasons)} for e in self.excluded
            ],
            "recommendation": self.recommendation,
            "recommendation_reason": self.recommendation_reason,
            "alternates": list(self.alternates),
            "shortlist": list(self.shortlist),
            "red_flags": [
                {
                    "provider": f.provider_id,
                    "question": f.question_id,
                    "severity": f.severity.value,
                    "message": f.message,
                    "mitigation": f.mitigation,
                    "source": f.source,
                }
                for f in self.red_flags
            ],
            "open_items": [
                {
                    "provider": o.provider_id,
                    "topic": o.topic,
                    "message": o.message,
                    "question": o.question_id,
                }
                for o in self.open_items
            ],
            "warnings": [
                {
                    "code": w.code,
                    "severity": w.severity.value,
                    "message": w.message,
                    "mitigation": w.mitigation,
                }
                for w in self.warnings
            ],
            "robustness": {
                "recommendation": self.robustness.recommendation,
                "verdict": self.robustness.verdict,
                "summary": self.robustness.summary,
                "margin": round(self.robustness.margin, 2),
                "weights": [
                    {
                        "criterion": s.criterion,
                        "weight": s.weight,
                        "lowest": round(s.lowest, 1),
                        "highest": round(s.highest, 1),
                        "taker_below": s.taker_below,
                        "taker_above": s.taker_above,
                    }
                    for s in self.robustness.sensitivities
                ],
            },
            "answers_ignored": list(self.answers_ignored),
            "confirmed_items": [
                {
                    "provider": c.provider_id,
                    "topic": c.topic,
                    "message": c.message,
                    "questions": list(c.question_ids),
                }
                for c in self.confirmed_items
            ],
        }
