"""One section per shortlisted provider: what we verified, then what is open, then the fit.

Order matters to the reader: documents seen (with dates and references) and the hard
requirements with what each rests on come first; conflicts between the profile and diligence
show both sides with their dates (the diligence answer prevails); open items are grouped by
why they are open and counted; findings are referred to the red-flags table by row number.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ddwizard.core.answers import EVIDENCE_LABELS, Answer, diligence_lookup
from ddwizard.core.provider import (
    JURISDICTION_LABELS,
    LEGAL_BASIS_LABELS,
    LICENCE_KIND_LABELS,
    REGION_LABELS,
    Provider,
)
from ddwizard.core.questionnaire import CRITERION_LABELS, Question, format_value
from ddwizard.core.report.inputs import MemoInputs
from ddwizard.core.report.sections import decision, red_flags
from ddwizard.core.report.sections.answers import documentary
from ddwizard.core.report.sections.common import TIER_TITLES, LabelValue
from ddwizard.core.report.sections.decision import (
    MAX_CONDITIONS_ON_PAGE_ONE,
    diligence_sentence,
    progress_for,
)
from ddwizard.core.report.sections.glance import role
from ddwizard.core.report.text import clean, join_items, plural, yes_no
from ddwizard.core.results import (
    OpenItem,
    OpenItemKind,
    RecommendationStatus,
    RequirementState,
    Tier,
)

DOCUMENTARY = ("seen_doc", "public_source")
STATE_LABELS = {
    RequirementState.MET: "met",
    RequirementState.UNCONFIRMED: "to confirm",
    RequirementState.BREACHED: "breached",
}
KIND_LABELS = {
    "crypto_native": "crypto-native",
    "traditional_finance": "traditional finance",
    "bank": "bank",
}
STANDING_LABELS = {
    "bank": "bank charter",
    "trust": "trust charter",
    "regulated": "regulated (no trust or bank charter stated)",
    "unregistered": "not registered",
}


@dataclass(frozen=True)
class VerifiedRow:
    section: str
    question: str
    answer: str
    evidence: str
    """``document`` or ``public source``."""
    date: str
    reference: str
    note: str


@dataclass(frozen=True)
class RequirementRow:
    label: str
    state: str
    """``met``, ``to confirm`` or ``breached``."""
    basis: str


@dataclass(frozen=True)
class ConflictRow:
    label: str
    profile: str
    """What the profile says, with its source and date."""
    diligence: str
    """What the diligence answer says, with its evidence and date (this prevails)."""


@dataclass(frozen=True)
class OpenGroup:
    title: str
    count: int
    items: tuple[str, ...]

    @property
    def text(self) -> str:
        return join_items(self.items)


@dataclass(frozen=True)
class CriterionRow:
    criterion: str
    weight: str
    rating: str
    score: str
    points: str
    reasons: str


@dataclass(frozen=True)
class LicenceRow:
    jurisdiction: str
    regulator: str
    type: str
    entity: str
    entity_unknown: bool


@dataclass(frozen=True)
class ProviderSection:
    id: str
    anchor: str
    """In-document link target (``provider-1`` ...), never built from user text."""
    name: str
    role: str
    excluded: bool
    """Excluded from the ranking (e.g. by a diligence answer): the memo shows why and the
    evidence, not the full profile and fit."""
    tier: str
    rank: str
    points: str
    summary: str
    best_for: str
    consider_if: str
    verification: str
    """When the profile was checked against a primary source, or that nobody has."""
    stale: bool
    diligence: str
    verified: tuple[VerifiedRow, ...]
    closed: tuple[str, ...]
    """Profile gaps closed by current documentary diligence answers."""
    requirements: tuple[RequirementRow, ...]
    conflicts: tuple[ConflictRow, ...]
    undocumented: int
    """Answers given without a current document (claims, no evidence, stale): not relied on."""
    further_conditions: tuple[str, ...]
    """For the recommended provider: the conditions page 1 had no room for."""
    open_groups: tuple[OpenGroup, ...]
    open_total: int
    findings: str
    """Count by severity and the red-flags rows, e.g. "2 findings (1 high, 1 medium): R1, R4"."""
    known_facts: tuple[LabelValue, ...]
    facts_text: str
    """The stated facts as one sentence ("Kind: bank; Qualified custodian: Yes; ...")."""
    unknown_facts: tuple[str, ...]
    licences: tuple[LicenceRow, ...]
    fit: str
    criteria: tuple[CriterionRow, ...]


def build(inputs: MemoInputs) -> tuple[ProviderSection, ...]:
    refs = red_flags.references(inputs)
    return tuple(
        _section(inputs, inputs.catalog[pid], f"provider-{i}", refs)
        for i, pid in enumerate(inputs.reviewed, start=1)
    )


def _section(
    inputs: MemoInputs, provider: Provider, anchor: str, refs: dict[int, str]
) -> ProviderSection:
    ev = inputs.evaluation
    pid = provider.id
    ranked = inputs.ranked(pid)
    answers = inputs.sheet.diligence.get(pid, {})
    lookup = diligence_lookup(inputs.qset, inputs.applicable, answers)
    verified: list[VerifiedRow] = []
    undocumented: list[str] = []
    listed_open = {
        o.question_id
        for o in ev.open_items_for(pid)
        if o.kind in (OpenItemKind.UNVERIFIED, OpenItemKind.ANSWERED_UNKNOWN)
    }
    for section in inputs.qset.diligence.sections:
        for q in section.questions:
            a = answers.get(q.id)
            if a is None or not inputs.qset.is_shown(q, lookup):
                continue
            if documentary(inputs, a):
                verified.append(_verified_row(section.title, q, a))
            elif str(a.value) != "unknown" and q.id not in listed_open:
                undocumented.append(_undocumented(inputs, q, a))
    findings = ev.findings_for(pid)
    ids = {id(f) for f in findings}
    finding_refs = [refs[id(item)] for item in red_flags.ordered(inputs) if id(item) in ids]
    findings_text = (
        f"{plural(len(findings), 'finding')} "
        f"({red_flags.severity_counts([f.severity for f in findings])}): "
        f"see the red-flags table, {'row' if len(finding_refs) == 1 else 'rows'} "
        f"{', '.join(finding_refs)}."
        if findings
        else "none: no diligence answer has been given yet."
        if progress_for(inputs, pid).answered == 0
        else "no red flag was raised from the "
        f"{plural(progress_for(inputs, pid).answered, 'diligence answer')} given."
    )
    open_items = ev.open_items_for(pid)
    facts = provider_facts(provider)
    checks = ranked.requirements if ranked else ()
    if not checks:
        checks = next((e.requirements for e in ev.excluded if e.provider_id == pid), ())
    confirmed_topics = {str(c.topic).lower() for c in ev.confirmed_for(pid)}
    return ProviderSection(
        id=pid,
        anchor=anchor,
        name=clean(provider.name),
        role=(role(inputs, ranked) or "reviewed").capitalize() if ranked else "Excluded",
        excluded=ranked is None or ranked.tier == Tier.EXCLUDED,
        tier=TIER_TITLES.get(ranked.tier, "") if ranked else TIER_TITLES[_excluded()],
        rank=str(ranked.rank) if ranked else "—",
        points=f"{ranked.total:.1f}" if ranked else "—",
        summary=clean(provider.summary),
        best_for=clean(provider.best_for),
        consider_if=clean(provider.consider_if),
        verification=(
            f"profile verified against a primary source on {provider.last_verified.isoformat()}"
            if provider.last_verified
            else "profile not verified against a primary source"
            + (f" (source dated {clean(provider.source_date)})" if provider.source_date else "")
        ),
        stale=inputs.is_stale(provider.facts_as_of),
        diligence=diligence_sentence(inputs, pid),
        verified=tuple(verified),
        closed=tuple(inputs.plain(c.message) for c in ev.confirmed_for(pid)),
        requirements=tuple(
            RequirementRow(
                inputs.plain(c.label),
                STATE_LABELS.get(c.state, c.state.value),
                inputs.plain(c.basis),
            )
            for c in checks
        ),
        conflicts=tuple(
            ConflictRow(
                inputs.plain(c.label),
                inputs.plain(c.profile_basis).removeprefix("the profile: "),
                inputs.plain(c.basis),
            )
            for c in checks
            if c.profile_basis and c.state == RequirementState.BREACHED
        ),
        undocumented=len(undocumented),
        further_conditions=(
            decision.build(inputs).conditions_all[MAX_CONDITIONS_ON_PAGE_ONE:]
            if pid == ev.recommendation and ev.recommendation_status != RecommendationStatus.NONE
            else ()
        ),
        open_groups=group_open_items(inputs, open_items),
        open_total=len(open_items),
        findings=findings_text,
        known_facts=tuple(f for f in facts if not f.unknown),
        facts_text=join_items(f"{f.label}: {f.value}" for f in facts if not f.unknown),
        unknown_facts=tuple(f.label for f in facts if f.unknown),
        licences=_licences(provider),
        fit=_fit(inputs, pid),
        criteria=_criteria(inputs, pid, confirmed_topics),
    )


def _excluded() -> Any:
    return Tier.EXCLUDED


def _verified_row(section: str, q: Question, a: Answer) -> VerifiedRow:
    return VerifiedRow(
        section=clean(section),
        question=clean(q.prompt),
        answer=clean(format_value(q, a.value)),
        evidence="public source" if a.evidence == "public_source" else "document",
        date=a.document_date.isoformat() if a.document_date else "",
        reference=clean(a.reference),
        note=clean(a.note),
    )


def _undocumented(inputs: MemoInputs, q: Question, a: Answer) -> str:
    if a.evidence in DOCUMENTARY and a.document_date is not None:
        how = f"document dated {a.document_date.isoformat()}, stale"
    elif a.evidence in DOCUMENTARY:
        how = f"{EVIDENCE_LABELS[a.evidence]}, undated"
    else:
        how = EVIDENCE_LABELS.get(a.evidence or "", "no evidence recorded")
    return f"{clean(q.prompt)} {clean(format_value(q, a.value))} ({how})"


OPEN_TITLES = {
    OpenItemKind.NOT_STATED: "Not stated in the profile; confirm with the provider",
    OpenItemKind.UNVERIFIED: "Favourable answers without a current document; ask for it",
    OpenItemKind.ANSWERED_UNKNOWN: "Answered “unknown” (not disclosed)",
    OpenItemKind.UNANSWERED: "Diligence questions not answered",
}


def group_open_items(inputs: MemoInputs, items: Iterable[OpenItem]) -> tuple[OpenGroup, ...]:
    """Open items grouped by why they are open, each reason written once, with a count.

    Unanswered diligence questions are counted per questionnaire section (the appendix lists
    them); every other item names its fact or question once.
    """
    grouped: dict[OpenItemKind, list[OpenItem]] = {}
    for item in items:
        grouped.setdefault(item.kind, []).append(item)
    out: list[OpenGroup] = []
    for kind in OPEN_TITLES:
        members = grouped.get(kind, [])
        if not members:
            continue
        title = OPEN_TITLES[kind]
        if kind == OpenItemKind.NOT_STATED and members[0].when:
            title = f"Not stated in the profile ({inputs.plain(members[0].when)}); confirm with the provider"
        if kind == OpenItemKind.UNANSWERED:
            sections = Counter(
                inputs.qset.section_of(m.question_id).title
                if m.question_id and m.question_id in inputs.qset
                else "Other"
                for m in members
            )
            texts = tuple(f"{clean(title_)} {n}" for title_, n in sections.items())
        else:
            texts = tuple(
                dict.fromkeys(
                    inputs.plain(m.what)
                    or inputs.question_label(m.question_id)
                    or inputs.plain(m.message)
                    for m in members
                )
            )
        out.append(OpenGroup(title, len(members), texts))
    return tuple(out)


def provider_facts(p: Provider) -> tuple[LabelValue, ...]:
    """Profile facts in memo order; unknown facts are marked, never guessed."""
    km = p.key_management
    regions = p.regions.served
    rows: list[tuple[str, Any]] = [
        ("Legal entity", p.legal_entity),
        ("Parent / backing", p.parent),
        ("Kind", KIND_LABELS.get(p.kind, p.kind)),
        ("Regulatory standing", STANDING_LABELS.get(p.standing, p.standing)),
        ("Qualified custodian", p.qualified_custodian),
        ("Bank-backed", p.bank_backed),
        (
            "Regions served",
            "unknown"
            if regions == "unknown"
            else ", ".join(REGION_LABELS.get(r, r) for r in regions)
            + (" and possibly others" if p.regions.others == "unknown" else ""),
        ),
        ("Licences", _licence_places(p)),
        (
            "Legal segregation",
            "unknown"
            if p.legal_segregation == "unknown"
            else LEGAL_BASIS_LABELS.get(p.legal_segregation.basis, p.legal_segregation.basis),
        ),
        ("Wallet model", str(km.wallet_model).replace("_", " ")),
        ("Cold storage", km.cold_storage),
        ("Air-gapped", km.air_gapped),
        ("HSM", km.hsm),
        ("MPC", km.mpc),
        ("Multisig", km.multisig),
        ("Segregated wallets", km.segregated_wallets),
        ("Policy engine", km.policy_engine),
        ("SOC reports (any)", p.audits.soc_reports),
        ("SOC 1 report (any type)", p.audits.soc1),
        ("SOC 2 report (any type)", p.audits.soc2),
        ("SOC 1 Type II", p.audits.soc1_type2),
        ("SOC 2 Type II", p.audits.soc2_type2),
        ("Insurance", p.insurance.available),
        ("Insurance scope", str(p.insurance.scope).replace("_", " ")),
        ("Staking", p.staking.available),
        (
            "Staking assets",
            "unknown"
            if p.staking.assets == "unknown"
            else ", ".join(a.upper() for a in p.staking.assets) or "none listed",
        ),
        ("Governance", p.governance),
        ("Integrated trading", p.execution.integrated_trading),
        ("Trade from custody", p.execution.trade_from_custody),
        ("Markets services", p.execution.markets_services),
        ("Prime brokerage", p.execution.prime_brokerage),
        ("OTC / RFQ", p.execution.otc_rfq),
        ("Settlement network", p.execution.settlement_network),
        ("Instant settlement", p.execution.instant_settlement),
        ("Fee model", p.fees.model),
        (
            "Custody fee (bps on AUC)",
            "unknown" if p.fees.auc_bps == "unknown" else f"{p.fees.auc_bps:g}",
        ),
        ("Published fee schedule", p.fees.published_schedule),
        ("Network fees", p.fees.network_fees.replace("_", " ")),
        ("24/7 support", p.support.always_on),
        ("Named account team", p.support.white_glove),
        ("API", p.support.api),
        ("Contractual SLA", p.support.contractual_sla),
    ]
    out: list[LabelValue] = []
    for label, value in rows:
        text = str(value)
        if text == "unknown":
            out.append(LabelValue(label, "not stated", unknown=True))
        else:
            out.append(LabelValue(label, clean(yes_no(text))))
    return tuple(out)


def _licence_places(p: Provider) -> str:
    """Where the source names licences; 'unknown' when it names none (never 'holds none')."""
    if not p.licences.known:
        return "unknown"
    places = ", ".join(
        dict.fromkeys(
            JURISDICTION_LABELS.get(lic.jurisdiction, lic.jurisdiction) for lic in p.licences.listed
        )
    )
    if not places:
        return "none (the profile's list is complete)"
    return places + (" (the list may not be complete)" if not p.licences.closed else "")


def _licences(provider: Provider) -> tuple[LicenceRow, ...]:
    groups: dict[tuple[str, str, str, bool], list[str]] = {}
    for lic in provider.licences.listed:
        kind = LICENCE_KIND_LABELS.get(lic.kind, lic.kind)
        if lic.type:
            kind = clean(lic.type) if lic.kind == "unknown" else f"{kind}: {clean(lic.type)}"
        regulator = "not stated" if lic.regulator == "unknown" else clean(lic.regulator)
        key = (regulator, kind, clean(lic.entity) or "not stated", not lic.entity)
        groups.setdefault(key, []).append(
            JURISDICTION_LABELS.get(lic.jurisdiction, lic.jurisdiction.upper())
        )
    return tuple(
        LicenceRow(", ".join(dict.fromkeys(places)), regulator, kind, entity, unknown)
        for (regulator, kind, entity, unknown), places in groups.items()
    )


def _points(weight: float, score: float) -> float:
    return weight * score / 100


def _fit(inputs: MemoInputs, pid: str) -> str:
    ranked = inputs.ranked(pid)
    if ranked is None or not ranked.criteria:
        return "Not ranked: excluded by the mandate."
    weights = inputs.evaluation.weights
    contributions = {
        c.criterion: _points(weights.get(c.criterion, 0), c.score) for c in ranked.criteria
    }
    top = max(ranked.criteria, key=lambda c: contributions[c.criterion])
    label = CRITERION_LABELS.get(top.criterion, top.criterion)
    return (
        f"{inputs.name(pid)} totals {ranked.total:.1f} points out of 100 (rank {ranked.rank}). "
        f"Its largest contribution is {label}: {contributions[top.criterion]:.1f} points "
        f"(score {top.score:.0f} of 100 at weight {weights.get(top.criterion, 0)} %)."
    )


def _criteria(inputs: MemoInputs, pid: str, confirmed_topics: set[str]) -> tuple[CriterionRow, ...]:
    ranked = inputs.ranked(pid)
    if ranked is None:
        return ()
    weights = inputs.evaluation.weights
    return tuple(
        CriterionRow(
            criterion=CRITERION_LABELS.get(c.criterion, c.criterion),
            weight=f"{weights.get(c.criterion, 0)} %",
            rating="not rated" if c.rating is None else f"{c.rating:g} / 5",
            score=f"{c.score:.0f}",
            points=f"{_points(weights.get(c.criterion, 0), c.score):.1f}",
            reasons=compact_reasons([inputs.plain(r) for r in c.reasons], confirmed_topics),
        )
        for c in ranked.criteria
    )


_UNKNOWN_REASON = re.compile(
    r"^\+0 (?P<what>.+?): not stated in the profile \(an unknown earns nothing\)(?P<rest>.*)$"
)


def compact_reasons(reasons: list[str], confirmed_topics: set[str]) -> str:
    """A criterion's reasons, with the facts the profile does not state (0 points each)
    listed once at the end instead of one sentence each."""
    kept: list[str] = []
    unknown: list[str] = []
    for reason in reasons:
        if match := _UNKNOWN_REASON.match(reason):
            what = match["what"] + match["rest"]
            settled = _annotated(f"{match['what']} not stated", confirmed_topics)
            if settled != f"{match['what']} not stated":
                what += " (since confirmed in diligence)"
            unknown.append(what)
        else:
            kept.append(_annotated(reason, confirmed_topics))
    if unknown:
        kept.append("not stated in the profile, so 0 points: " + "; ".join(unknown))
    return "; ".join(kept)


def _annotated(reason: str, confirmed_topics: set[str]) -> str:
    """A profile-only scoring reason that diligence has since settled says so."""
    lowered = reason.lower()
    if "not state" in lowered and any(t and t in lowered for t in confirmed_topics):
        return reason + " (since confirmed in diligence; the score reads the profile only)"
    return reason
