"""The provider facts table: one row per profile fact the rules read.

Each row says what the fact is called, where it sits in the profile, which hard requirement it
can meet, which scoring criterion it belongs to and which diligence questions confirm it.
Eligibility (requirements), the scoring rubric and the confirmations all read this table, and
the memo and TUI can too, so a new provider fact is added here once instead of in five places.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from operator import attrgetter
from typing import Any

from ddwizard.core.provider import Provider
from ddwizard.core.results import RequirementId

UNKNOWN = "unknown"


class FactId(StrEnum):
    """A profile fact, named by its dotted path in the provider profile."""

    KIND = "kind"
    STANDING = "standing"
    QUALIFIED_CUSTODIAN = "qualified_custodian"
    BANK_BACKED = "bank_backed"
    ETF_EXPERIENCE = "etf_experience"
    GOVERNANCE = "governance"
    ASSETS = "assets"
    LICENCES = "licences"
    REGIONS = "regions.served"
    COLD_STORAGE = "key_management.cold_storage"
    AIR_GAPPED = "key_management.air_gapped"
    HSM = "key_management.hsm"
    MPC = "key_management.mpc"
    MULTISIG = "key_management.multisig"
    SEGREGATED_WALLETS = "key_management.segregated_wallets"
    POLICY_ENGINE = "key_management.policy_engine"
    LEGAL_SEGREGATION = "legal_segregation"
    BANKRUPTCY_REMOTE = "bankruptcy_remote"
    SOC1 = "audits.soc1_type2"
    SOC2 = "audits.soc2_type2"
    INSURANCE = "insurance.available"
    STAKING = "staking.available"
    STAKING_ASSETS = "staking.assets"
    INTEGRATED_TRADING = "execution.integrated_trading"
    TRADE_FROM_CUSTODY = "execution.trade_from_custody"
    PRIME_BROKERAGE = "execution.prime_brokerage"
    MARKETS_SERVICES = "execution.markets_services"
    OTC_RFQ = "execution.otc_rfq"
    SETTLEMENT_NETWORK = "execution.settlement_network"
    INSTANT_SETTLEMENT = "execution.instant_settlement"
    FEE_MODEL = "fees.model"
    AUC_BPS = "fees.auc_bps"
    PUBLISHED_SCHEDULE = "fees.published_schedule"
    NETWORK_FEES = "fees.network_fees"
    ALWAYS_ON = "support.always_on"
    WHITE_GLOVE = "support.white_glove"
    API = "support.api"
    SLA = "support.contractual_sla"
    WALLET_MODEL = "key_management.wallet_model"


@dataclass(frozen=True, slots=True)
class ProviderFact:
    """One row of the table."""

    id: FactId
    label: str
    """The fact in words, as a noun phrase ("a SOC 1 Type II report")."""
    criterion: str | None = None
    """The scoring criterion the fact belongs to (None: not scored)."""
    requirement: RequirementId | None = None
    """The hard requirement it can meet."""
    confirmed_by: tuple[str, ...] = ()
    """Diligence questions whose documentary answer confirms (or contradicts) it."""


def _row(
    fact: FactId,
    label: str,
    criterion: str | None = None,
    requirement: RequirementId | None = None,
    *confirmed_by: str,
) -> tuple[FactId, ProviderFact]:
    return fact, ProviderFact(fact, label, criterion, requirement, tuple(confirmed_by))


R = RequirementId
FACTS: Mapping[FactId, ProviderFact] = dict(
    (
        _row(FactId.KIND, "the kind of institution", "security"),
        _row(FactId.STANDING, "its regulatory standing", None, R.MIN_STANDING),
        _row(
            FactId.QUALIFIED_CUSTODIAN,
            "qualified-custodian status",
            None,
            R.QUALIFIED_CUSTODIAN,
            "dd.qc_representation",
        ),
        _row(FactId.BANK_BACKED, "bank backing", "security", R.BANK_BACKED),
        _row(FactId.ETF_EXPERIENCE, "ETF or ETP servicing experience", "support"),
        _row(FactId.GOVERNANCE, "on-chain governance and voting", "coverage"),
        _row(FactId.ASSETS, "supported asset classes", "coverage"),
        _row(FactId.LICENCES, "licences held", None, R.LICENCES, "dd.licences_verified"),
        _row(FactId.REGIONS, "regions served", None, R.REGIONS),
        _row(
            FactId.COLD_STORAGE,
            "cold storage of client keys",
            "security",
            R.COLD_STORAGE,
            "dd.cold_storage_pct",
        ),
        _row(
            FactId.BANKRUPTCY_REMOTE,
            "bankruptcy-remote holding of client assets",
            "security",
            R.BANKRUPTCY_REMOTENESS,
            "dd.legal_basis",
            "dd.bankruptcy_opinion",
        ),
        _row(
            FactId.WALLET_MODEL,
            "how client wallets are segregated",
            None,
            R.SEGREGATION,
            "dd.wallet_model",
        ),
        _row(FactId.MARKETS_SERVICES, "markets services beside custody", "liquidity"),
        _row(FactId.AIR_GAPPED, "air-gapped key storage", "security"),
        _row(FactId.HSM, "HSM key management", "security"),
        _row(FactId.MPC, "MPC key management", "security"),
        _row(FactId.MULTISIG, "multisig key management", "security"),
        _row(
            FactId.SEGREGATED_WALLETS,
            "segregated client wallets",
            "security",
            R.SEGREGATION,
            "dd.wallet_model",
        ),
        _row(
            FactId.POLICY_ENGINE,
            "a policy engine (multi-approval, role segregation, allowlists)",
            "ux",
            R.POLICY_ENGINE,
            "dd.allowlisting_enforced",
            "dd.withdrawal_quorum",
        ),
        _row(FactId.LEGAL_SEGREGATION, "the legal basis of custody"),
        _row(FactId.SOC1, "a SOC 1 Type II report", "security", R.SOC1, "dd.soc1_type2"),
        _row(FactId.SOC2, "a SOC 2 Type II report", "security", R.SOC2, "dd.soc2_type2"),
        _row(
            FactId.INSURANCE,
            "insurance cover for assets in custody",
            "security",
            R.INSURANCE,
            "dd.insurance_certificate_seen",
            "dd.insurance_limit_usd_m",
            "dd.insurance_structure",
        ),
        _row(FactId.STAKING, "staking from custody", "coverage", R.STAKING),
        _row(FactId.STAKING_ASSETS, "the assets it stakes", "coverage"),
        _row(FactId.INTEGRATED_TRADING, "integrated trading", "liquidity"),
        _row(
            FactId.TRADE_FROM_CUSTODY,
            "trading without moving assets out of custody",
            "liquidity",
            R.TRADE_FROM_CUSTODY,
        ),
        _row(FactId.PRIME_BROKERAGE, "prime brokerage and financing", "liquidity"),
        _row(FactId.OTC_RFQ, "OTC or RFQ execution", "liquidity"),
        _row(FactId.SETTLEMENT_NETWORK, "its settlement network"),
        _row(
            FactId.INSTANT_SETTLEMENT,
            "24/7 instant settlement of fiat, crypto and stablecoins",
            "liquidity",
            R.INSTANT_SETTLEMENT,
        ),
        _row(FactId.FEE_MODEL, "its billing model", "costs"),
        _row(FactId.AUC_BPS, "the custody fee in bps on AUC", "costs", R.MAX_FEE),
        _row(
            FactId.PUBLISHED_SCHEDULE,
            "a published fee schedule",
            "costs",
            None,
            "dd.fee_schedule_received",
        ),
        _row(FactId.NETWORK_FEES, "how network fees are billed", "costs"),
        _row(FactId.ALWAYS_ON, "a 24/7 operations desk", "support"),
        _row(FactId.WHITE_GLOVE, "a named account team (white-glove service)", "support"),
        _row(FactId.API, "API access for reporting and operations", "ux"),
        _row(
            FactId.SLA, "contractual service levels (SLAs)", "support", R.SLA, "dd.sla_contractual"
        ),
    )
)


FACT_GETTERS: Mapping[FactId, Callable[[Any], Any]] = {f: attrgetter(f.value) for f in FactId}
"""Reads a fact from a profile (AttributeError: the schema has no such fact)."""
_GETTERS = FACT_GETTERS


def value(provider: Provider, fact: FactId) -> Any:
    """The fact's value in the profile, ``unknown`` when the profile (or schema) has none."""
    try:
        found = _GETTERS[fact](provider)
    except AttributeError:
        return UNKNOWN
    return UNKNOWN if found is None else found


_AS_OF: dict[int, tuple[Provider, str]] = {}


def as_of(provider: Provider) -> str:
    """When the profile's facts date from: verified on a primary source, or the source's date."""
    hit = _AS_OF.get(id(provider))
    if hit is not None and hit[0] is provider:
        return hit[1]
    if len(_AS_OF) > 50_000:
        _AS_OF.clear()
    text = _as_of(provider)
    _AS_OF[id(provider)] = (provider, text)
    return text


def _as_of(provider: Provider) -> str:
    day: date | None = getattr(provider, "last_verified", None)
    if day is not None:
        return f"last verified {day.isoformat()}"
    source_date = getattr(provider, "source_date", None)
    if source_date:
        return f"source dated {source_date}, not yet verified on a primary source"
    return "not yet verified on a primary source"


_Cited = tuple[Provider, str, str, Mapping[str, str] | None]
_CITED: dict[int, _Cited] = {}
"""Per provider object: its source citation, as-of text and source sentences (profiles are
immutable)."""


def _cited(provider: Provider) -> _Cited:
    hit = _CITED.get(id(provider))
    if hit is not None and hit[0] is provider:
        return hit
    return _cite_entry(provider)


def _cite_entry(provider: Provider) -> _Cited:
    source = provider.sources[0]  # the profile's facts rest on its first source
    citation = source.citation() if hasattr(source, "citation") else f"“{source.title}”"
    day: date | None = getattr(provider, "last_verified", None)
    when = f", last verified {day.isoformat()}" if day else ", not yet verified on a primary source"
    if len(_CITED) > 50_000:
        _CITED.clear()
    sentences = getattr(provider, "source_sentences", None) or None
    entry = (provider, f"source: {citation}", when, sentences)
    _CITED[id(provider)] = entry
    return entry


_SENTENCE_KEYS: dict[FactId, tuple[str, str]] = {
    f: (f.value, f.value.removesuffix("_type2")) for f in FactId
}
"""Where a fact's source sentence may be kept: its path, or its plainer sibling (audits.soc1)."""


def states_any(provider: Provider) -> bool:
    """Whether the profile states at least one fact of the table (a placeholder profile of
    a provider the source only names states none)."""
    return any(_stated(value(provider, fact)) for fact in FACTS)


def _stated(found: Any) -> bool:
    if isinstance(found, str):
        return found != UNKNOWN
    listed = getattr(found, "listed", None)  # a licence list: stated when it names one
    if listed is not None:
        return bool(listed)
    return found is not None and found != ()


def cite(provider: Provider, fact: FactId | None = None) -> str:
    """``source: “Title”, Publisher, 2025-09, which says “…”, last verified 2025-09-30``."""
    hit = _CITED.get(id(provider))  # _cited(), inlined: called for every requirement
    if hit is None or hit[0] is not provider:
        hit = _cite_entry(provider)
    _, citation, when, sentences = hit
    if fact is not None and sentences is not None:
        path, sibling = _SENTENCE_KEYS[fact]
        sentence = sentences.get(path) or sentences.get(sibling)
        if sentence:
            return f"{citation}, which says “{sentence.strip()}”{when}"
    return citation + when
