"""Frozen results of the matching rules: what the CLI prints, the TUI shows and the memo cites.

The rules in ``ddwizard.core.matching`` build these; nothing downstream recomputes a score or
a finding. ``Evaluation.to_json`` is the ``ddwizard score --json`` contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from enum import StrEnum
from typing import Any, Literal, NamedTuple, TypeVar

from ddwizard.core.questionnaire import Severity

_Frozen = TypeVar("_Frozen", bound=type)


def slot_init(cls: _Frozen) -> _Frozen:
    """Give a frozen, slotted dataclass an ``__init__`` that stores through the slots.

    The generated ``__init__`` of a frozen dataclass sets each field with
    ``object.__setattr__``; this one calls each slot's descriptor directly: same signature,
    defaults and immutability (assignment after construction still raises), about 40 % less
    time per object. One evaluation of 10,000 providers builds several hundred thousand
    checks and open items (PRODUCT.md: scored in under 1 s).
    """
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: slot_init would skip its __post_init__")
    params: list[str] = []
    body: list[str] = []
    scope: dict[str, Any] = {}
    for f in fields(cls):
        if f.default_factory is not MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: slot_init does not take default_factory")
        if f.default is MISSING:
            params.append(f.name)
        else:
            scope[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        scope[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
        body.append(f"    _set_{f.name}(self, {f.name})")
    source = f"def __init__(self, {', '.join(params)}) -> None:\n" + "\n".join(body)
    exec(source, scope)  # generated from the field names only
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    cls.__init__ = init  # type: ignore[misc]
    return cls


class Tier(StrEnum):
    """Where a provider stands against the mandate's hard requirements (DECISIONS.md §1)."""

    MEETS = "meets"
    """Every hard requirement met."""
    CONDITIONAL = "conditional"
    """None breached, at least one unconfirmed."""
    EXCLUDED = "excluded"
    """At least one breached."""

    @property
    def order(self) -> int:
        return _TIER_ORDER[self]

    @property
    def label(self) -> str:
        return TIER_LABELS[self]


_TIER_ORDER: Mapping[Tier, int] = {Tier.MEETS: 0, Tier.CONDITIONAL: 1, Tier.EXCLUDED: 2}
TIER_LABELS: Mapping[Tier, str] = {
    Tier.MEETS: "meets the mandate",
    Tier.CONDITIONAL: "conditional",
    Tier.EXCLUDED: "excluded",
}


class RequirementState(StrEnum):
    MET = "met"
    UNCONFIRMED = "unconfirmed"
    BREACHED = "breached"


class RecommendationStatus(StrEnum):
    """How far the recommendation can be relied on (DECISIONS.md §2)."""

    SUPPORTED = "supported"
    PROVISIONAL = "provisional"
    NONE = "none"


class RequirementId(StrEnum):
    """Typed id of a hard requirement the mandate can state (one row of the facts table)."""

    REGIONS = "regions"
    LICENCES = "licences"
    QUALIFIED_CUSTODIAN = "qualified_custodian"
    MIN_STANDING = "min_standing"
    BANK_BACKED = "bank_backed"
    STAKING = "staking"
    TRADE_FROM_CUSTODY = "trade_from_custody"
    INSTANT_SETTLEMENT = "instant_settlement"
    SOC1 = "soc1"
    SOC2 = "soc2"
    INSURANCE = "insurance"
    POLICY_ENGINE = "policy_engine"
    SEGREGATION = "segregation"
    BANKRUPTCY_REMOTENESS = "bankruptcy_remoteness"
    SLA = "sla"
    MAX_FEE = "max_fee"
    SLASHING = "slashing"
    COLD_STORAGE = "cold_storage"


class Topic(StrEnum):
    """Typed topic of an open or confirmed item; values keep the wording used before."""

    REGIONS = "regions served"
    LICENCES = "licences"
    QUALIFIED_CUSTODIAN = "qualified custodian"
    MIN_STANDING = "regulatory standing"
    BANK_BACKED = "bank backing"
    STAKING = "staking"
    TRADE_FROM_CUSTODY = "trading from custody"
    INSTANT_SETTLEMENT = "instant settlement"
    SOC1 = "SOC 1 Type II"
    SOC2 = "SOC 2 Type II"
    INSURANCE = "insurance"
    POLICY_ENGINE = "policy engine"
    SEGREGATION = "segregation"
    BANKRUPTCY_REMOTENESS = "bankruptcy remoteness"
    SLA = "contractual SLA"
    MAX_FEE = "custody fee"
    SLASHING = "slashing losses"
    COLD_STORAGE = "cold storage"
    KEY_MANAGEMENT = "key management"
    STAKING_ASSETS = "staking assets"
    GOVERNANCE = "governance"
    SUPPORTED_ASSETS = "supported assets"
    OTC_RFQ = "OTC/RFQ"
    PRIME_FINANCING = "prime financing"
    NETWORK_FEES = "network fees"
    FEE_SCHEDULE = "fee schedule"
    API = "API"
    ALWAYS_ON = "24/7 support"
    WHITE_GLOVE = "account team"
    ETF_SERVICING = "ETF servicing"
    BRAND = "kind of institution"
    DILIGENCE_UNANSWERED = "diligence unanswered"
    DILIGENCE_UNKNOWN = "diligence unknown"
    DILIGENCE_UNVERIFIED = "diligence unverified"
    """A favourable answer on a critical/high question backed by a claim or nothing."""


class OpenItemKind(StrEnum):
    """Why an item is open: lets the memo group items without parsing their messages."""

    NOT_STATED = "not_stated"
    """The profile does not state the fact (``when``: its last-verified text)."""
    UNANSWERED = "unanswered"
    """A diligence question not answered yet."""
    ANSWERED_UNKNOWN = "answered_unknown"
    """A diligence question answered ``unknown``."""
    UNVERIFIED = "unverified"
    """A favourable answer resting on a claim or no evidence: ask for the document."""


class ConditionKind(StrEnum):
    """What stands between a provisional recommendation and a supported one."""

    UNCONFIRMED_REQUIREMENT = "unconfirmed_requirement"
    UNANSWERED_QUESTION = "unanswered_question"
    UNVERIFIED_ANSWER = "unverified_answer"
    OPEN_FINDING = "open_finding"
    REVIEWER_PROCESS = "reviewer_process"
    """A step of the reviewer (e.g. licences not yet checked on the register), not a fault
    of the provider; it still blocks sign-off."""
    WEIGHTS_RATIONALE = "weights_rationale"
    NO_CANDIDATE = "no_candidate"


class DiligenceKey(NamedTuple):
    """A diligence answer's key: which provider, which question ("provider:question" as text)."""

    provider_id: str
    question_id: str

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.question_id}"

    @classmethod
    def parse(cls, text: str) -> DiligenceKey:
        provider_id, sep, question_id = text.partition(":")
        if not sep or not provider_id or not question_id:
            raise ValueError(f"expected 'provider:question', got {text!r}")
        return cls(provider_id, question_id)


@slot_init
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


@slot_init
@dataclass(frozen=True, slots=True)
class Exclusion:
    provider_id: str
    reasons: tuple[str, ...]
    """One per breached requirement, quoting the fact, source and date, or the answer."""
    requirements: tuple[RequirementCheck, ...] = ()
    """Every hard requirement with its state (breached ones give the reasons)."""


@slot_init
@dataclass(frozen=True, slots=True)
class OpenItem:
    """Something unknown that must be confirmed with the provider (or the client)."""

    provider_id: str | None
    topic: Topic
    message: str
    question_id: str | None = None
    what: str = ""
    """The fact to confirm, without the lead-in ("a current SOC 2 Type II report")."""
    kind: OpenItemKind = OpenItemKind.NOT_STATED
    when: str = ""
    """For NOT_STATED: the profile's "last verified D"; for diligence items: how answered."""
    requirement: RequirementId | None = None
    """The hard requirement this item leaves unconfirmed, if any."""


@slot_init
@dataclass(frozen=True, slots=True)
class ConfirmedItem:
    """A profile gap the diligence answers have closed, and the answers that closed it."""

    provider_id: str | None
    topic: Topic
    message: str
    question_ids: tuple[str, ...] = ()


FindingSource = Literal["diligence", "unknown_answer", "stale_evidence", "missing_evidence"]


@slot_init
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
    breaches_mandate: bool = False
    """The answer contradicts a hard requirement of the mandate (the provider is excluded)."""
    requirement: RequirementId | None = None
    """The requirement it breaches, when ``breaches_mandate``."""

    @property
    def blocks_recommendation(self) -> bool:
        return self.severity == Severity.CRITICAL

    @property
    def key(self) -> DiligenceKey:
        return DiligenceKey(self.provider_id, self.question_id)


@slot_init
@dataclass(frozen=True, slots=True)
class RequirementCheck:
    """One hard requirement for one provider: its state and what it rests on."""

    requirement: RequirementId
    label: str
    """The requirement in words ("SOC 1 Type II report")."""
    state: RequirementState
    basis: str
    """Why, quoting the fact with its source and date, or the diligence answer and its date."""
    to_confirm: str = ""
    """For UNCONFIRMED: the sentence saying what to confirm with the provider."""
    question_id: str | None = None
    """The question (mandate or diligence) that asks about it."""
    profile_basis: str = ""
    """When diligence decided the state: what the profile said, kept for display."""
    answered_by: tuple[str, ...] = ()
    """When diligence decided the state: the diligence questions whose answers did."""


@slot_init
@dataclass(frozen=True, slots=True)
class Unconfirmed:
    """A hard requirement not yet confirmed for a conditional provider."""

    requirement: RequirementId
    label: str
    to_confirm: str


@dataclass(frozen=True, slots=True)
class Condition:
    """One thing that must happen before the recommendation is supported."""

    kind: ConditionKind
    text: str
    provider_id: str | None = None
    question_id: str | None = None


@dataclass(frozen=True, slots=True)
class DiligenceProgress:
    """How much of a provider's applicable diligence questionnaire is answered, and how well."""

    asked: int
    """Applicable questions."""
    answered: int
    """Answered (any value, including unknown)."""
    documentary: int
    """Answered on current documentary evidence (seen_doc/public_source, dated, not stale)."""


@dataclass(frozen=True, slots=True)
class MandateWarning:
    """A classic mistake in the mandate itself (not about a provider)."""

    code: str
    severity: Severity
    message: str
    mitigation: str | None = None
    question_ids: tuple[str, ...] = ()


@slot_init
@dataclass(frozen=True, slots=True)
class RankedProvider:
    provider_id: str
    rank: int
    total: float
    criteria: tuple[CriterionScore, ...]
    explanation: str
    blocked_by: tuple[Finding, ...] = ()
    """Open critical findings: such a provider is never the recommendation."""
    tier: Tier = Tier.MEETS
    unconfirmed: tuple[Unconfirmed, ...] = ()
    """For a conditional provider: each requirement to confirm."""
    requirements: tuple[RequirementCheck, ...] = ()
    """Every hard requirement of the mandate with its state for this provider."""
    profiled: bool = True
    """False: the profile confirms none of the hard requirements ("to consider, not profiled")."""

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
    """The recommendation's total minus the runner-up's, in points of the total (0 without a
    runner-up; negative when the runner-up is in a lower tier and scores more)."""
    sensitivities: tuple[WeightSensitivity, ...] = ()
    runner_up: str | None = None
    """The next provider in rank order that could take the recommendation (same tier first,
    else the first of a lower tier); None when no other provider can be recommended."""


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
    recommendation_status: RecommendationStatus = RecommendationStatus.NONE
    conditions: tuple[Condition, ...] = ()
    """What must happen before the recommendation is supported, one by one."""
    not_profiled: tuple[str, ...] = ()
    """Provider ids whose profile confirms none of the hard requirements: to consider only."""
    diligence_progress: Mapping[str, DiligenceProgress] = field(default_factory=dict)
    """Per shortlisted provider."""
    rubric_version: str = ""
    """Version of the scoring rubric the scores were computed with."""
    shortlist_excluded: tuple[str, ...] = ()
    """Provider ids on the explicit shortlist that a breached requirement excludes: kept out
    of ``shortlist`` (no diligence, never recommended) but to be marked, not dropped silently."""

    def tier_of(self, provider_id: str) -> Tier | None:
        ranked = self.ranked(provider_id)
        if ranked is not None:
            return ranked.tier
        if any(e.provider_id == provider_id for e in self.excluded):
            return Tier.EXCLUDED
        return None

    def ranked(self, provider_id: str) -> RankedProvider | None:
        for r in self.eligible:
            if r.provider_id == provider_id:
                return r
        return None

    def findings_for(self, provider_id: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.red_flags if f.provider_id == provider_id)

    def open_items_for(self, provider_id: str) -> tuple[OpenItem, ...]:
        return tuple(o for o in self.open_items if o.provider_id == provider_id)

    @property
    def shortlist_open_items(self) -> tuple[OpenItem, ...]:
        """The open items every surface counts (TUI review, results, home list, memo): what
        is still to confirm for the shortlisted providers, and for the mandate itself."""
        return tuple(
            o for o in self.open_items if o.provider_id is None or o.provider_id in self.shortlist
        )

    OPEN_ITEMS_MEANING = "facts still to confirm for the shortlisted providers"
    """What ``shortlist_open_items`` counts, in words, for labels beside the count."""

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
                    "tier": r.tier.value,
                    "unconfirmed": [u.label for u in r.unconfirmed],
                    "profiled": r.profiled,
                }
                for r in self.eligible
            ],
            "excluded": [
                {"provider": e.provider_id, "reasons": list(e.reasons)} for e in self.excluded
            ],
            "recommendation": self.recommendation,
            "recommendation_reason": self.recommendation_reason,
            "recommendation_status": self.recommendation_status.value,
            "conditions": [c.text for c in self.conditions],
            "not_profiled": list(self.not_profiled),
            "rubric_version": self.rubric_version,
            "diligence_progress": {
                pid: {"asked": p.asked, "answered": p.answered, "documentary": p.documentary}
                for pid, p in self.diligence_progress.items()
            },
            "alternates": list(self.alternates),
            "shortlist": list(self.shortlist),
            "shortlist_excluded": list(self.shortlist_excluded),
            "red_flags": [
                {
                    "provider": f.provider_id,
                    "question": f.question_id,
                    "severity": f.severity.value,
                    "message": f.message,
                    "mitigation": f.mitigation,
                    "source": f.source,
                    "breaches_mandate": f.breaches_mandate,
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
                "runner_up": self.robustness.runner_up,
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
