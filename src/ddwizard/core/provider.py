"""Provider profiles: what we know about each custodian, with sources, and what we do not.

``unknown`` is a first-class value: a fact the source does not state is recorded as unknown
and later becomes an open item ("verify X with the provider"), never a guess. Regions served
and licences held are closed lists: what a profile does not list is treated as not covered.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ddwizard.core.conditions import normalize_scalar
from ddwizard.core.questionnaire import CRITERIA, canonical_hash

PROVIDER_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
REGION_CODES = ("us", "eu", "uk", "ch", "sg", "hk", "uae", "apac_other", "mena_other")
JURISDICTION_CODES = ("us", "eu", "uk", "ch", "sg", "hk", "uae", "jersey", "other")
REGION_LABELS: Mapping[str, str] = {
    "us": "US",
    "eu": "EU",
    "uk": "UK",
    "ch": "CH",
    "sg": "SG",
    "hk": "HK",
    "uae": "UAE",
    "apac_other": "other APAC",
    "mena_other": "other MENA",
}
JURISDICTION_LABELS: Mapping[str, str] = {
    **REGION_LABELS,
    "jersey": "Jersey",
    "other": "another jurisdiction",
}
STAKING_ASSETS = ("eth", "sol", "dot", "atom", "ada", "avax", "other")
ASSET_CODES = (
    "btc",
    "eth",
    "sol",
    "stablecoins",
    "erc20_long_tail",
    "tokenized_securities",
    "other_l1",
)

Fact = Literal["yes", "no", "unknown"]
"""A yes/no fact that may be undisclosed. YAML booleans are accepted as yes/no."""

Standing = Literal["bank", "trust", "regulated", "unregistered", "unknown"]
"""Highest regulatory standing: bank charter > trust charter > other regulated > none."""

STANDING_RANK: Mapping[str, int] = {"bank": 3, "trust": 2, "regulated": 1, "unregistered": 0}


class _Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _bool_facts(cls, value: Any) -> Any:
        return normalize_scalar(value)


class Source(_Profile):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    publisher: str | None = None
    published: str | None = None
    url: str | None = None
    accessed: date | None = None


class Licence(_Profile):
    """A charter, licence or registration in one jurisdiction."""

    jurisdiction: str
    regulator: str
    type: str
    entity: str | None = None
    note: str | None = None
    source: str = "seed"

    @field_validator("jurisdiction")
    @classmethod
    def _known_jurisdiction(cls, value: str) -> str:
        if value not in JURISDICTION_CODES:
            raise ValueError(
                f"unknown jurisdiction code; use one of: {', '.join(JURISDICTION_CODES)}"
            )
        return value


class Regions(_Profile):
    """Closed list of region codes served, with the source's own wording and how it was mapped."""

    served: tuple[str, ...] | Literal["unknown"]
    source_text: str
    mapping_note: str

    @field_validator("served")
    @classmethod
    def _codes(cls, value: Any) -> Any:
        if value == "unknown":
            return value
        bad = [r for r in value if r not in REGION_CODES]
        if bad:
            raise ValueError(f"unknown region code(s) {bad}; use: {', '.join(REGION_CODES)}")
        return value


class KeyManagement(_Profile):
    cold_storage: Fact = "unknown"
    air_gapped: Fact = "unknown"
    hsm: Fact = "unknown"
    mpc: Fact = "unknown"
    multisig: Fact = "unknown"
    segregated_wallets: Fact = "unknown"
    policy_engine: Fact = "unknown"
    note: str | None = None


class Audits(_Profile):
    soc1_type2: Fact = "unknown"
    soc2_type2: Fact = "unknown"
    note: str | None = None


class Insurance(_Profile):
    available: Fact = "unknown"
    note: str | None = None


class Staking(_Profile):
    available: Fact = "unknown"
    assets: tuple[str, ...] | Literal["unknown"] = "unknown"
    note: str | None = None

    @field_validator("assets")
    @classmethod
    def _codes(cls, value: Any) -> Any:
        if value == "unknown":
            return value
        bad = [a for a in value if a not in STAKING_ASSETS]
        if bad:
            raise ValueError(f"unknown staking asset(s) {bad}; use: {', '.join(STAKING_ASSETS)}")
        return value


class Execution(_Profile):
    integrated_trading: Fact = "unknown"
    trade_from_custody: Fact = "unknown"
    prime_brokerage: Fact = "unknown"
    otc_rfq: Fact = "unknown"
    settlement_network: str | Literal["unknown", "none"] = "unknown"
    instant_settlement: Fact = "unknown"
    note: str | None = None


class Fees(_Profile):
    model: str = "unknown"
    auc_bps: float | Literal["unknown"] = "unknown"
    published_schedule: Fact = "unknown"
    network_fees: Literal["pass_through", "included", "unknown"] = "unknown"
    note: str | None = None


class Support(_Profile):
    always_on: Fact = "unknown"
    white_glove: Fact = "unknown"
    api: Fact = "unknown"
    note: str | None = None


class Rating(_Profile):
    """Our 0-5 assessment of one criterion from the sourced facts; null when not rateable."""

    score: float | None = Field(ge=0, le=5)
    rationale: str


class Ratings(_Profile):
    liquidity: Rating
    security: Rating
    coverage: Rating
    costs: Rating
    ux: Rating
    support: Rating

    def items(self) -> Iterator[tuple[str, Rating]]:
        for c in CRITERIA:
            yield c, getattr(self, c)


class Provider(_Profile):
    id: str = Field(pattern=PROVIDER_ID_PATTERN)
    name: str
    legal_entity: str
    parent: str
    kind: Literal["crypto_native", "traditional_finance", "bank", "unknown"]
    standing: Standing
    qualified_custodian: Fact
    bank_backed: Fact
    etf_experience: Fact = "unknown"
    governance: Fact = "unknown"
    assets: tuple[str, ...] | Literal["unknown"] = "unknown"
    licences: tuple[Licence, ...] = ()
    regions: Regions
    key_management: KeyManagement = KeyManagement()
    audits: Audits = Audits()
    insurance: Insurance = Insurance()
    staking: Staking = Staking()
    execution: Execution = Execution()
    fees: Fees = Fees()
    support: Support = Support()
    ratings: Ratings
    best_for: str
    consider_if: str
    alternatives: tuple[str, ...] = ()
    summary: str | None = None
    sources: tuple[Source, ...] = Field(min_length=1)
    last_verified: date

    @field_validator("assets")
    @classmethod
    def _asset_codes(cls, value: Any) -> Any:
        if value == "unknown":
            return value
        bad = [a for a in value if a not in ASSET_CODES]
        if bad:
            raise ValueError(f"unknown asset code(s) {bad}; use: {', '.join(ASSET_CODES)}")
        return value

    @model_validator(mode="after")
    def _sources_referenced(self) -> Provider:
        ids = {s.id for s in self.sources}
        for lic in self.licences:
            if lic.source not in ids:
                raise ValueError(f"licence source '{lic.source}' is not listed under 'sources'")
        return self

    def licensed_in(self) -> set[str]:
        return {lic.jurisdiction for lic in self.licences}

    @cached_property
    def content_hash(self) -> str:
        return canonical_hash(self.model_dump(mode="json"))


class ProviderCatalog:
    """All provider profiles in id order, with one hash over the whole data set."""

    def __init__(self, providers: list[Provider]) -> None:
        self.providers: tuple[Provider, ...] = tuple(sorted(providers, key=lambda p: p.id))
        self._index = {p.id: p for p in self.providers}

    def __iter__(self) -> Iterator[Provider]:
        return iter(self.providers)

    def __len__(self) -> int:
        return len(self.providers)

    def __contains__(self, provider_id: object) -> bool:
        return provider_id in self._index

    def get(self, provider_id: str) -> Provider | None:
        return self._index.get(provider_id)

    def __getitem__(self, provider_id: str) -> Provider:
        return self._index[provider_id]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._index)

    @cached_property
    def data_hash(self) -> str:
        return canonical_hash({p.id: p.content_hash for p in self.providers})
