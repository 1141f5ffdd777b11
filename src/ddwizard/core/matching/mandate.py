"""The mandate, read once: what the client needs, derived from the applicable selection answers.

Every rule (eligibility, scoring, warnings) reads this small frozen object instead of looking
answers up per provider, so scoring 10,000 providers does the mandate work once, not 10,000
times. Values of questions whose show-condition is false never reach it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ddwizard.core.provider import REGION_LABELS
from ddwizard.core.questionnaire import CRITERIA

ASSET_LABELS: Mapping[str, str] = {
    "btc": "BTC",
    "eth": "ETH",
    "sol": "SOL",
    "stablecoins": "stablecoins",
    "erc20_long_tail": "long-tail ERC-20 tokens",
    "tokenized_securities": "tokenized securities",
    "other_l1": "other layer-1 assets",
    "dot": "DOT",
    "atom": "ATOM",
    "ada": "ADA",
    "avax": "AVAX",
    "other": "other assets",
}
MIN_STANDING_RANK: Mapping[str, int] = {"any_regulated": 1, "trust_or_bank": 2, "bank": 3}
MIN_STANDING_LABELS: Mapping[str, str] = {
    "any_regulated": "any regulated custodian",
    "trust_or_bank": "a trust company or bank",
    "bank": "a bank",
}
STANDING_LABELS: Mapping[str, str] = {
    "bank": "a bank charter",
    "trust": "a trust charter",
    "regulated": "regulated status (no trust or bank charter stated)",
    "unregistered": "no registration",
}


def label_list(codes: tuple[str, ...] | list[str], labels: Mapping[str, str]) -> str:
    return ", ".join(labels.get(c, c) for c in codes)


def verified(day: date | None) -> str:
    return f"last verified {day.isoformat()}" if day else "not yet verified on a primary source"


def _yes(values: Mapping[str, Any], qid: str) -> bool:
    return values.get(qid) == "yes"


def _choice(values: Mapping[str, Any], qid: str) -> str | None:
    value = values.get(qid)
    return value if isinstance(value, str) else None


def _multi(values: Mapping[str, Any], qid: str) -> tuple[str, ...]:
    value = values.get(qid)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return ()


@dataclass(frozen=True, slots=True)
class Mandate:
    """Needs and preferences of the client, each already reduced to what the rules test."""

    values: Mapping[str, Any]
    weights: Mapping[str, int]
    regions: tuple[str, ...]
    qualified_custodian: bool
    min_standing: str | None
    bank_backed: str | None
    licences: tuple[str, ...]
    staking: bool
    staking_assets: tuple[str, ...]
    trade_from_custody: bool
    instant_network: bool
    soc1: bool
    soc2: bool
    max_bps: float | None
    cold_storage_priority: str | None
    key_tech: str | None
    policy_engine: bool
    insurance: bool
    brand: str | None
    etf_servicing: bool
    governance: bool
    assets_required: tuple[str, ...]
    otc_rfq: bool
    fee_sensitivity: str | None
    published_schedule: bool
    api: bool
    always_on: bool
    white_glove: bool
    custody_authorisation: bool = False
    segregation: str | None = None
    bankruptcy_remoteness: bool = False
    sla_required: bool = False
    slashing_borne_by_provider: bool = False
    prime_financing: bool = False
    network_fees_at_cost: bool = False
    regions_text: str = ""
    staking_assets_text: str = ""
    assets_required_text: str = ""
    """Labels of the lists above, formatted once for the open-item messages."""

    @property
    def min_standing_rank(self) -> int:
        return MIN_STANDING_RANK.get(self.min_standing or "", 0)

    @classmethod
    def from_values(cls, values: Mapping[str, Any], weights: Mapping[str, int]) -> Mandate:
        max_bps = values.get("fees.max_bps")
        key_tech = _choice(values, "controls.key_tech")
        brand = _choice(values, "reg.brand_preference")
        regions = _multi(values, "client.regions")
        staking_assets = _multi(values, "assets.staking_assets")
        assets_required = _multi(values, "assets.required")
        return cls(
            values=dict(values),
            weights={c: int(weights.get(c, 0)) for c in CRITERIA},
            regions=regions,
            qualified_custodian=_yes(values, "reg.qualified_custodian"),
            min_standing=_choice(values, "reg.min_standing"),
            bank_backed=_choice(values, "reg.bank_backed"),
            licences=_multi(values, "reg.licence_required_in"),
            staking=_yes(values, "assets.staking"),
            staking_assets=staking_assets,
            trade_from_custody=_yes(values, "settlement.trade_from_custody"),
            instant_network=_yes(values, "settlement.instant_network"),
            soc1=_yes(values, "reporting.soc1"),
            soc2=_yes(values, "reporting.soc2"),
            max_bps=float(max_bps) if isinstance(max_bps, int | float) else None,
            cold_storage_priority=_choice(values, "controls.cold_storage_priority"),
            key_tech=None if key_tech == "no_preference" else key_tech,
            policy_engine=_yes(values, "controls.policy_engine"),
            insurance=_yes(values, "controls.insurance_required"),
            brand=None if brand == "no_preference" else brand,
            etf_servicing=_yes(values, "reg.etf_servicing"),
            governance=_yes(values, "assets.governance"),
            assets_required=assets_required,
            otc_rfq=_yes(values, "settlement.otc_rfq"),
            fee_sensitivity=_choice(values, "fees.sensitivity"),
            published_schedule=_yes(values, "fees.published_schedule_required"),
            api=_yes(values, "reporting.api"),
            always_on=_yes(values, "support.always_on"),
            white_glove=_yes(values, "support.white_glove"),
            custody_authorisation=_yes(values, "reg.custody_authorisation_required"),
            segregation=_choice(values, "controls.segregation_required"),
            bankruptcy_remoteness=_yes(values, "reg.bankruptcy_remoteness_required"),
            sla_required=_yes(values, "support.sla_required"),
            slashing_borne_by_provider=_yes(values, "assets.slashing_borne_by_provider"),
            prime_financing=_yes(values, "settlement.prime_financing"),
            network_fees_at_cost=_yes(values, "fees.network_fees_at_cost"),
            regions_text=label_list(regions, REGION_LABELS),
            staking_assets_text=label_list(staking_assets, ASSET_LABELS),
            assets_required_text=label_list(assets_required, ASSET_LABELS),
        )
