"""Hard requirements of the mandate: met, unconfirmed or breached, per provider (DECISIONS §1).

One table (``REQUIREMENTS``) lists every hard requirement the mandate can state: when the
mandate states it, what the profile fact says (via the facts table) and which diligence
answers settle it. One generic ``assess`` applies them all alike:

- **met**: the profile states it (quoted with its source and date), or a current documentary
  diligence answer confirms it;
- **unconfirmed**: the profile says ``unknown`` (or does not name it in an open list) and no
  current documentary answer confirms it;
- **breached**: the profile states the opposite, or a diligence answer (any evidence)
  contradicts it. Diligence wins over the profile; both are kept for display.

An unknown never excludes, confirms or closes anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from ddwizard.core.answers import Answer
from ddwizard.core.matching.evidence import is_current_documentary, quote
from ddwizard.core.matching.facts import FACT_GETTERS, FACTS, UNKNOWN, FactId, cite
from ddwizard.core.matching.mandate import (
    MIN_STANDING_LABELS,
    STANDING_LABELS,
    Mandate,
    label_list,
)
from ddwizard.core.provider import (
    CUSTODY_LICENCE_KINDS,
    JURISDICTION_LABELS,
    REGION_LABELS,
    Provider,
)
from ddwizard.core.questionnaire import QuestionnaireSet, Severity
from ddwizard.core.results import (
    RequirementCheck,
    RequirementId,
    RequirementState,
    Topic,
    slot_init,
)
from ddwizard.core.settings import Settings

MET, UNCONFIRMED, BREACHED = (
    RequirementState.MET,
    RequirementState.UNCONFIRMED,
    RequirementState.BREACHED,
)
ProfileVerdict = tuple[RequirementState, str]
"""State from the profile alone and the sentence quoting the fact."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the diligence answers say about a requirement."""

    state: RequirementState
    question_ids: tuple[str, ...]
    severity: Severity = Severity.HIGH
    """For a breach: the severity of the finding it raises."""


Judge = Callable[[Mapping[str, Any], Mandate], Verdict | None]


@dataclass(frozen=True, slots=True)
class Requirement:
    """One row of the requirements table."""

    id: RequirementId
    topic: Topic
    question_id: str
    """The mandate question that states it."""
    applies: Callable[[Mandate], bool]
    label: Callable[[Mandate], str]
    profile: Callable[[Provider, Mandate], ProfileVerdict]
    to_confirm: Callable[[Mandate], str]
    judge: Judge | None = None
    breach_severity: Severity = Severity.HIGH
    narrow: Callable[[Provider, Mandate], str | None] | None = None
    """For a list requirement: what to confirm for this provider alone (only the regions or
    jurisdictions its profile does not state), when that differs from ``to_confirm``."""


@dataclass(frozen=True, slots=True)
class Breach:
    """A diligence answer that contradicts a hard requirement: a finding to raise."""

    requirement: RequirementId
    question_id: str
    severity: Severity
    answer: Answer
    text: str


@slot_init
@dataclass(frozen=True, slots=True)
class Assessment:
    checks: tuple[RequirementCheck, ...]
    breaches: tuple[Breach, ...] = ()

    @property
    def confirms_any(self) -> bool:
        """Some requirement is met (a provider confirming none is "not profiled")."""
        return any(c.state == MET for c in self.checks)


# --- profile verdicts ----------------------------------------------------------------------


def _yes_no(fact: FactId, has: str, lacks: str) -> Callable[[Provider, Mandate], ProfileVerdict]:
    read = FACT_GETTERS[fact]

    def verdict(p: Provider, _m: Mandate) -> ProfileVerdict:
        try:  # value(p, fact), inlined: once per provider and requirement
            stated = read(p)
        except AttributeError:
            stated = UNKNOWN
        if stated == "yes":
            return MET, f"the profile states it {has} ({cite(p, fact)})"
        if stated == "no":
            return BREACHED, f"the profile states it {lacks} ({cite(p, fact)})"
        return UNCONFIRMED, f"the profile does not state whether it {has} ({cite(p, fact)})"

    return verdict


def _soc(fact: FactId, any_type: str, name: str) -> Callable[[Provider, Mandate], ProfileVerdict]:
    typed = _yes_no(fact, f"has a {name} Type II report", f"has no {name} Type II report")

    def verdict(p: Provider, m: Mandate) -> ProfileVerdict:
        state, text = typed(p, m)
        if state == UNCONFIRMED and getattr(p.audits, any_type, "unknown") == "yes":
            return UNCONFIRMED, (
                f"the profile names a {name} report but not that it is Type II ({cite(p, fact)})"
            )
        return state, text

    return verdict


def _regions(p: Provider, m: Mandate) -> ProfileVerdict:
    regions = p.regions
    served = regions.served
    if served == "unknown":
        return (
            UNCONFIRMED,
            f"the profile does not state the regions it serves ({cite(p, FactId.REGIONS)})",
        )
    listed = label_list(served, REGION_LABELS) or "no region"
    states = {r: regions.serves(r) for r in m.regions}
    missing = [r for r, s in states.items() if s == "no"]
    if missing:
        source_text = regions.source_text.strip().rstrip(".")
        return BREACHED, (
            f"does not serve {label_list(missing, REGION_LABELS)}; its profile lists only "
            f"{listed} (the source says '{source_text}'; {cite(p, FactId.REGIONS)})"
        )
    open_ = [r for r, s in states.items() if s != "yes"]
    if open_:
        return UNCONFIRMED, (
            f"the profile lists {listed} and may serve others; "
            f"{label_list(open_, REGION_LABELS)} not stated ({cite(p, FactId.REGIONS)})"
        )
    return MET, f"the profile lists {listed} ({cite(p, FactId.REGIONS)})"


def _regions_to_confirm(p: Provider, m: Mandate) -> str | None:
    if p.regions.served == "unknown":
        return None
    open_ = [r for r in m.regions if p.serves(r) != "yes"]
    if not open_ or len(open_) == len(m.regions):
        return None
    return (
        "Confirm with the provider: that it can onboard clients in "
        f"{label_list(open_, REGION_LABELS)}"
    )


def _licences_to_confirm(p: Provider, m: Mandate) -> str | None:
    kinds = _licence_kinds(m)
    open_ = [j for j in m.licences if p.licence_in(j, kinds) != "yes"]
    if not open_ or len(open_) == len(m.licences):
        return None
    what = _licence_kind_text(m)
    return (
        f"Confirm on the regulator's public register: a {what} in "
        f"{label_list(open_, JURISDICTION_LABELS)}"
    )


def _licence_kinds(m: Mandate) -> frozenset[str] | None:
    return CUSTODY_LICENCE_KINDS if m.custody_authorisation else None


def _licence_kind_text(m: Mandate) -> str:
    """What the mandate's licence requirement counts, as the memo names it."""
    if m.custody_authorisation:
        return "custody authorisation, banking licence or trust charter"
    return "licence"


def _licences(p: Provider, m: Mandate) -> ProfileVerdict:
    kinds = _licence_kinds(m)
    states = {j: p.licence_in(j, kinds) for j in m.licences}
    kind = _licence_kind_text(m)
    where = label_list(m.licences, JURISDICTION_LABELS)
    absent = [j for j, s in states.items() if s == "no"]
    if absent:
        return BREACHED, (
            f"the profile's complete licence list names no {kind} in "
            f"{label_list(absent, JURISDICTION_LABELS)} ({cite(p, FactId.LICENCES)})"
        )
    open_ = [j for j, s in states.items() if s != "yes"]
    if open_:
        return UNCONFIRMED, (
            f"the profile names no {kind} in {label_list(open_, JURISDICTION_LABELS)} and its "
            f"licence list is not complete, so this is not known ({cite(p, FactId.LICENCES)})"
        )
    return MET, f"the profile names a {kind} in {where} ({cite(p, FactId.LICENCES)})"


def _standing(p: Provider, m: Mandate) -> ProfileVerdict:
    has = STANDING_LABELS.get(p.standing, p.standing)
    need = MIN_STANDING_LABELS.get(m.min_standing or "", "")
    state = p.meets_standing(m.min_standing or "any_regulated")
    if state == "yes":
        return MET, f"the profile states {has} ({cite(p, FactId.STANDING)})"
    if state == "no":
        return BREACHED, (
            f"standing is {has} but your mandate requires {need} ({cite(p, FactId.STANDING)})"
        )
    if p.standing == "unknown":
        return UNCONFIRMED, f"the profile does not state its standing ({cite(p, FactId.STANDING)})"
    return UNCONFIRMED, (
        f"the profile states {has}; the source does not rule out {need} "
        f"({cite(p, FactId.STANDING)})"
    )


def _trade_from_custody(p: Provider, m: Mandate) -> ProfileVerdict:
    state, text = _yes_no(
        FactId.TRADE_FROM_CUSTODY, "trades from custody", "does not trade from custody"
    )(p, m)
    if state == UNCONFIRMED and p.execution.integrated_trading == "no":
        return BREACHED, (
            "the profile states custody without bundled trading (no integrated trading) and "
            f"does not record trading from custody ({cite(p, FactId.INTEGRATED_TRADING)})"
        )
    return state, text


def _segregation(p: Provider, m: Mandate) -> ProfileVerdict:
    km = p.key_management
    model = getattr(km, "wallet_model", "unknown")
    per_client = m.segregation == "per_client_wallets"
    if model == "segregated_per_client" or (model == "omnibus_client_only" and not per_client):
        return (
            MET,
            f"the profile states {model.replace('_', ' ')} wallets ({cite(p, FactId.WALLET_MODEL)})",
        )
    if model in ("omnibus_client_only", "commingled"):
        return (
            BREACHED,
            f"the profile states {model.replace('_', ' ')} wallets ({cite(p, FactId.WALLET_MODEL)})",
        )
    if km.segregated_wallets == "no":
        return (
            BREACHED,
            f"the profile states client assets are not held segregated ({cite(p, FactId.SEGREGATED_WALLETS)})",
        )
    if km.segregated_wallets == "yes" and not per_client:
        return (
            MET,
            f"the profile states segregated client wallets ({cite(p, FactId.SEGREGATED_WALLETS)})",
        )
    if km.segregated_wallets == "yes":
        return UNCONFIRMED, (
            "the profile states segregated client wallets but not whether per client "
            f"({cite(p, FactId.SEGREGATED_WALLETS)})"
        )
    return (
        UNCONFIRMED,
        f"the profile does not state how client wallets are segregated ({cite(p, FactId.SEGREGATED_WALLETS)})",
    )


def _legal_segregation(p: Provider, _m: Mandate) -> ProfileVerdict:
    stated = p.bankruptcy_remote
    if stated == "yes":
        return (
            MET,
            f"the profile states legal segregation of client assets ({cite(p, FactId.LEGAL_SEGREGATION)})",
        )
    if stated == "no":
        return BREACHED, (
            "the profile states client assets are held on a contractual basis only "
            f"({cite(p, FactId.LEGAL_SEGREGATION)})"
        )
    return UNCONFIRMED, (
        "the profile does not state whether client assets are bankruptcy-remote "
        f"({cite(p, FactId.LEGAL_SEGREGATION)})"
    )


def _max_fee(p: Provider, m: Mandate) -> ProfileVerdict:
    bps = p.fees.auc_bps
    if bps == "unknown":
        return (
            UNCONFIRMED,
            f"the profile does not state its custody fee ({cite(p, FactId.AUC_BPS)})",
        )
    limit = m.max_bps or 0.0
    if bps > limit:
        return (
            BREACHED,
            f"custody fee of {bps:g} bps on AUC is above your maximum of {limit:g} bps ({cite(p, FactId.AUC_BPS)})",
        )
    return MET, f"custody fee of {bps:g} bps on AUC ({cite(p, FactId.AUC_BPS)})"


def _slashing(p: Provider, _m: Mandate) -> ProfileVerdict:
    return UNCONFIRMED, f"the profile does not state who bears slashing losses ({cite(p)})"


def _cold_storage(p: Provider, _m: Mandate) -> ProfileVerdict:
    km = p.key_management
    if km.air_gapped == "yes" or km.cold_storage == "yes":
        what = "air-gapped cold storage" if km.air_gapped == "yes" else "cold storage"
        return MET, f"the profile states {what} ({cite(p, FactId.COLD_STORAGE)})"
    if km.air_gapped == "no" and km.cold_storage == "no":
        return BREACHED, f"the profile states no cold storage ({cite(p, FactId.COLD_STORAGE)})"
    return UNCONFIRMED, f"the profile does not state cold storage ({cite(p, FactId.COLD_STORAGE)})"


# --- diligence judges ----------------------------------------------------------------------


def _number(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _yes_judge(question_id: str) -> Judge:
    def judge(values: Mapping[str, Any], _m: Mandate) -> Verdict | None:
        answer = values.get(question_id)
        if answer == "yes":
            return Verdict(MET, (question_id,))
        if answer == "no":
            return Verdict(BREACHED, (question_id,))
        return None

    return judge


def _insurance_judge(values: Mapping[str, Any], _m: Mandate) -> Verdict | None:
    if values.get("dd.insurance_certificate_seen") == "no":
        return Verdict(BREACHED, ("dd.insurance_certificate_seen",))
    if _number(values.get("dd.insurance_limit_usd_m")) == 0:
        return Verdict(BREACHED, ("dd.insurance_limit_usd_m",))
    if values.get("dd.insurance_structure") == "none":
        return Verdict(BREACHED, ("dd.insurance_structure",))
    if values.get("dd.insurance_certificate_seen") == "yes":
        return Verdict(MET, ("dd.insurance_certificate_seen",))
    return None


def _policy_judge(values: Mapping[str, Any], m: Mandate) -> Verdict | None:
    quorum = _number(values.get("dd.withdrawal_quorum"))
    if values.get("dd.allowlisting_enforced") == "no":
        return Verdict(BREACHED, ("dd.allowlisting_enforced",))
    if quorum is not None and quorum < 2:
        return Verdict(BREACHED, ("dd.withdrawal_quorum",))
    if values.get("dd.allowlisting_enforced") == "yes" and quorum is not None:
        return Verdict(MET, ("dd.allowlisting_enforced", "dd.withdrawal_quorum"))
    return None


def _segregation_judge(values: Mapping[str, Any], m: Mandate) -> Verdict | None:
    model = values.get("dd.wallet_model")
    if model == "commingled":
        return Verdict(BREACHED, ("dd.wallet_model",), Severity.CRITICAL)
    if model == "omnibus_client_only":
        if m.segregation == "per_client_wallets":
            return Verdict(BREACHED, ("dd.wallet_model",), Severity.CRITICAL)
        return Verdict(MET, ("dd.wallet_model",))
    if model == "segregated_per_client":
        return Verdict(MET, ("dd.wallet_model",))
    return None


def _bankruptcy_judge(values: Mapping[str, Any], _m: Mandate) -> Verdict | None:
    basis = values.get("dd.legal_basis")
    if basis == "contract_only":
        return Verdict(BREACHED, ("dd.legal_basis",))
    if basis in ("trust_or_statutory", "bailment"):
        return Verdict(MET, ("dd.legal_basis",))
    if values.get("dd.bankruptcy_opinion") == "yes":
        return Verdict(MET, ("dd.bankruptcy_opinion",))
    return None


def _slashing_judge(values: Mapping[str, Any], _m: Mandate) -> Verdict | None:
    treatment = values.get("dd.slashing_treatment")
    if treatment == "provider_indemnifies":
        return Verdict(MET, ("dd.slashing_treatment",))
    if treatment == "shared":
        return Verdict(BREACHED, ("dd.slashing_treatment",), Severity.MEDIUM)
    if treatment == "client_bears":
        return Verdict(BREACHED, ("dd.slashing_treatment",), Severity.HIGH)
    return None


def _cold_storage_judge(values: Mapping[str, Any], _m: Mandate) -> Verdict | None:
    pct = _number(values.get("dd.cold_storage_pct"))
    if pct is None:
        return None
    return Verdict(MET if pct >= 90 else BREACHED, ("dd.cold_storage_pct",))


def _qc_judge(values: Mapping[str, Any], m: Mandate) -> Verdict | None:
    verdict = _yes_judge("dd.qc_representation")(values, m)
    if verdict is not None and verdict.state == BREACHED:
        return Verdict(BREACHED, verdict.question_ids, Severity.CRITICAL)
    return verdict


# --- the table -----------------------------------------------------------------------------


def _const(text: str) -> Callable[[Mandate], str]:
    return lambda _m: text


def _confirm(text: str) -> Callable[[Mandate], str]:
    return lambda _m: f"Confirm with the provider: {text}"


R = RequirementId
REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        R.REGIONS,
        Topic.REGIONS,
        "client.regions",
        lambda m: bool(m.regions),
        lambda m: f"serves {m.regions_text}",
        _regions,
        lambda m: f"Confirm with the provider: that it can onboard clients in {m.regions_text}",
        narrow=_regions_to_confirm,
    ),
    Requirement(
        R.LICENCES,
        Topic.LICENCES,
        "reg.licence_required_in",
        lambda m: bool(m.licences),
        lambda m: (
            ("custody authorisation" if m.custody_authorisation else "licence")
            + f" in {label_list(m.licences, JURISDICTION_LABELS)}"
        ),
        _licences,
        lambda m: (
            "Confirm on the regulator's public register: a "
            + (
                "custody authorisation, banking licence or trust charter"
                if m.custody_authorisation
                else "licence"
            )
            + f" in {label_list(m.licences, JURISDICTION_LABELS)}"
        ),
        narrow=_licences_to_confirm,
    ),
    Requirement(
        R.QUALIFIED_CUSTODIAN,
        Topic.QUALIFIED_CUSTODIAN,
        "reg.qualified_custodian",
        lambda m: m.qualified_custodian,
        _const("qualified custodian"),
        _yes_no(
            FactId.QUALIFIED_CUSTODIAN, "is a qualified custodian", "is not a qualified custodian"
        ),
        _confirm("qualified-custodian status (a written representation)"),
        _qc_judge,
        Severity.CRITICAL,
    ),
    Requirement(
        R.MIN_STANDING,
        Topic.MIN_STANDING,
        "reg.min_standing",
        lambda m: m.min_standing_rank > 0,
        lambda m: f"standing: {MIN_STANDING_LABELS.get(m.min_standing or '', '')}",
        _standing,
        _confirm("its charter or regulatory standing"),
    ),
    Requirement(
        R.BANK_BACKED,
        Topic.BANK_BACKED,
        "reg.bank_backed",
        lambda m: m.bank_backed == "required",
        _const("bank-backed"),
        _yes_no(FactId.BANK_BACKED, "is bank-backed", "is not bank-backed"),
        _confirm("whether it is bank-backed"),
    ),
    Requirement(
        R.STAKING,
        Topic.STAKING,
        "assets.staking",
        lambda m: m.staking,
        _const("staking from custody"),
        _yes_no(FactId.STAKING, "offers staking from custody", "offers no staking from custody"),
        _confirm("staking from custody"),
    ),
    Requirement(
        R.SLASHING,
        Topic.SLASHING,
        "assets.slashing_borne_by_provider",
        lambda m: m.staking and m.slashing_borne_by_provider,
        _const("slashing losses borne by the provider"),
        _slashing,
        _confirm("that it bears slashing losses on staked assets"),
        _slashing_judge,
    ),
    Requirement(
        R.TRADE_FROM_CUSTODY,
        Topic.TRADE_FROM_CUSTODY,
        "settlement.trade_from_custody",
        lambda m: m.trade_from_custody,
        _const("trading from custody"),
        _trade_from_custody,
        _confirm("trading without moving assets out of custody"),
    ),
    Requirement(
        R.INSTANT_SETTLEMENT,
        Topic.INSTANT_SETTLEMENT,
        "settlement.instant_network",
        lambda m: m.instant_network,
        _const("24/7 instant settlement network"),
        _yes_no(
            FactId.INSTANT_SETTLEMENT,
            "offers 24/7 instant settlement",
            "offers no 24/7 instant settlement network",
        ),
        _confirm("24/7 instant settlement of fiat, crypto and stablecoins"),
    ),
    Requirement(
        R.SOC1,
        Topic.SOC1,
        "reporting.soc1",
        lambda m: m.soc1,
        _const("SOC 1 Type II report"),
        _soc(FactId.SOC1, "soc1", "SOC 1"),
        _confirm("a current SOC 1 Type II report"),
        _yes_judge("dd.soc1_type2"),
    ),
    Requirement(
        R.SOC2,
        Topic.SOC2,
        "reporting.soc2",
        lambda m: m.soc2,
        _const("SOC 2 Type II report"),
        _soc(FactId.SOC2, "soc2", "SOC 2"),
        _confirm("a current SOC 2 Type II report"),
        _yes_judge("dd.soc2_type2"),
    ),
    Requirement(
        R.INSURANCE,
        Topic.INSURANCE,
        "controls.insurance_required",
        lambda m: m.insurance,
        _const("insurance cover"),
        _yes_no(FactId.INSURANCE, "has insurance cover", "has no insurance cover"),
        _confirm("insurance cover for assets in custody (the certificate)"),
        _insurance_judge,
    ),
    Requirement(
        R.POLICY_ENGINE,
        Topic.POLICY_ENGINE,
        "controls.policy_engine",
        lambda m: m.policy_engine,
        _const("policy engine"),
        _yes_no(FactId.POLICY_ENGINE, "has a policy engine", "has no policy engine"),
        _confirm("multi-approval policies, role segregation and allowlists"),
        _policy_judge,
    ),
    Requirement(
        R.COLD_STORAGE,
        Topic.COLD_STORAGE,
        "controls.cold_storage_priority",
        lambda m: m.cold_storage_priority == "critical",
        _const("cold storage (at least 90 % offline)"),
        _cold_storage,
        _confirm("the share of client assets in cold storage (at least 90 %)"),
        _cold_storage_judge,
    ),
    Requirement(
        R.SEGREGATION,
        Topic.SEGREGATION,
        "controls.segregation_required",
        lambda m: m.segregation in ("per_client_wallets", "client_only_omnibus_ok"),
        lambda m: (
            "segregated wallets per client"
            if m.segregation == "per_client_wallets"
            else "client assets segregated (omnibus of clients only accepted)"
        ),
        _segregation,
        _confirm("how client assets are segregated on-chain"),
        _segregation_judge,
        Severity.CRITICAL,
    ),
    Requirement(
        R.BANKRUPTCY_REMOTENESS,
        Topic.BANKRUPTCY_REMOTENESS,
        "reg.bankruptcy_remoteness_required",
        lambda m: m.bankruptcy_remoteness,
        _const("bankruptcy-remote holding"),
        _legal_segregation,
        _confirm("the legal basis keeping client assets out of its estate (or a legal opinion)"),
        _bankruptcy_judge,
    ),
    Requirement(
        R.SLA,
        Topic.SLA,
        "support.sla_required",
        lambda m: m.sla_required,
        _const("contractual SLAs"),
        _yes_no(FactId.SLA, "offers contractual SLAs", "offers no contractual SLAs"),
        _confirm("contractual service levels (SLAs)"),
        _yes_judge("dd.sla_contractual"),
    ),
    Requirement(
        R.MAX_FEE,
        Topic.MAX_FEE,
        "fees.max_bps",
        lambda m: m.max_bps is not None,
        lambda m: f"custody fee at most {m.max_bps:g} bps",
        _max_fee,
        lambda m: (
            f"Confirm with the provider: the annual custody fee in bps on AUC (your maximum: {m.max_bps:g} bps)"
        ),
    ),
)
BY_ID: Mapping[RequirementId, Requirement] = {r.id: r for r in REQUIREMENTS}
QUESTION_NAMES: Mapping[str, str] = {
    "dd.soc1_type2": "SOC 1 Type II",
    "dd.soc2_type2": "SOC 2 Type II",
    "dd.insurance_certificate_seen": "Insurance certificate seen",
    "dd.insurance_limit_usd_m": "Insurance limit (USD m)",
    "dd.insurance_structure": "Insurance structure",
    "dd.allowlisting_enforced": "Withdrawal allowlisting",
    "dd.withdrawal_quorum": "Withdrawal approvals",
    "dd.wallet_model": "Wallet model",
    "dd.legal_basis": "Legal basis of custody",
    "dd.bankruptcy_opinion": "Bankruptcy-remoteness opinion",
    "dd.slashing_treatment": "Slashing treatment",
    "dd.cold_storage_pct": "Cold storage share (%)",
    "dd.qc_representation": "Qualified-custodian representation",
    "dd.sla_contractual": "Contractual SLA",
}


def active(mandate: Mandate) -> tuple[Requirement, ...]:
    """The hard requirements this mandate states, their texts formatted once per evaluation."""
    return tuple(
        replace(r, label=_const(r.label(mandate)), to_confirm=_const(r.to_confirm(mandate)))
        for r in REQUIREMENTS
        if r.applies(mandate)
    )


def diligence_questions(requirements: Sequence[Requirement]) -> frozenset[str]:
    """Diligence questions that can confirm or breach one of these requirements."""
    out: set[str] = set()
    for r in requirements:
        for fact in FACTS.values():
            if fact.requirement == r.id:
                out.update(fact.confirmed_by)
    out.discard("dd.licences_verified")  # a reviewer step, not a confirmation of a licence
    return frozenset(out)


def confirming_questions(requirement: RequirementId) -> frozenset[str]:
    """Diligence questions whose answers can confirm or breach this one requirement."""
    return diligence_questions([r for r in REQUIREMENTS if r.id == requirement])


def assess(
    provider: Provider,
    mandate: Mandate,
    requirements: Sequence[Requirement],
    *,
    answers: Mapping[str, Answer] | None = None,
    qset: QuestionnaireSet | None = None,
    settings: Settings | None = None,
    today: date | None = None,
) -> Assessment:
    """Every requirement's state for one provider. ``answers``: its applicable diligence."""
    checks: list[RequirementCheck] = []
    breaches: list[Breach] = []
    values = {qid: a.value for qid, a in answers.items()} if answers else {}
    for req in requirements:  # once per provider of the catalog: kept lean
        state, basis = req.profile(provider, mandate)
        to_confirm = ""
        if state is UNCONFIRMED:
            narrowed = req.narrow(provider, mandate) if req.narrow is not None else None
            to_confirm = narrowed or req.to_confirm(mandate)
        check = RequirementCheck(
            req.id, req.label(mandate), state, basis, to_confirm, req.question_id
        )
        if values and req.judge is not None and answers is not None:
            verdict = req.judge(values, mandate)
            if verdict is not None:
                check, breach = _apply(req, check, verdict, answers, qset, settings, today)
                if breach is not None:
                    breaches.append(breach)
        checks.append(check)
    return Assessment(tuple(checks), tuple(breaches))


def _apply(
    req: Requirement,
    check: RequirementCheck,
    verdict: Verdict,
    answers: Mapping[str, Answer],
    qset: QuestionnaireSet | None,
    settings: Settings | None,
    today: date | None,
) -> tuple[RequirementCheck, Breach | None]:
    quoted = "; ".join(
        quote(
            QUESTION_NAMES.get(qid, qid),
            qset.get(qid) if qset is not None else None,
            answers[qid],
        )
        for qid in verdict.question_ids
    )
    profile_said = f"the profile: {check.basis}"
    if verdict.state == BREACHED:
        severity = verdict.severity
        if req.breach_severity.rank > severity.rank and severity == Severity.HIGH:
            severity = req.breach_severity
        new = RequirementCheck(
            check.requirement,
            check.label,
            BREACHED,
            quoted,
            "",
            verdict.question_ids[0],
            profile_said,
            verdict.question_ids,
        )
        answer = answers[verdict.question_ids[0]]
        return new, Breach(req.id, verdict.question_ids[0], severity, answer, quoted)
    current = (
        settings is not None
        and today is not None
        and all(is_current_documentary(answers[q], settings, today) for q in verdict.question_ids)
    )
    if not current or check.state == MET:
        return check, None
    return (
        RequirementCheck(
            check.requirement,
            check.label,
            MET,
            quoted,
            check.to_confirm,
            verdict.question_ids[0],
            profile_said,
            verdict.question_ids,
        ),
        None,
    )
