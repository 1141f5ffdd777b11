"""Provider profiles: what we know about each custodian, with sources, and what we do not.

``unknown`` is a first-class value: a fact the source does not state is recorded as unknown
and later becomes an open item ("verify X with the provider"), never a guess. Lists follow the
same rule, per provider and field:

* ``unknown``: the source gives no list at all ("names no licence" never reads "holds none");
* a plain YAML list: closed, these and no others;
* ``{listed: [...], others: unknown}``: the source names these and does not say whether there
  are more, so a missing entry is unconfirmed, not absent.

Each profile cites its sources (title, author, publisher, month) apart from ``last_verified``,
the date someone checked the facts against a primary source (``unknown`` until somebody has).
``source_sentences`` keeps, per fact, the sentence of the source it rests on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

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
"""Highest regulatory standing the source states: bank charter > trust charter > other
regulated > none. A higher standing is ruled out only when ``standing_complete`` is yes."""

STANDING_RANK: Mapping[str, int] = {"bank": 3, "trust": 2, "regulated": 1, "unregistered": 0}
MIN_STANDING_RANK: Mapping[str, int] = {"any_regulated": 1, "trust_or_bank": 2, "bank": 3}
"""``reg.min_standing`` choices as a rank in ``STANDING_RANK``."""

LicenceKind = Literal[
    "custody_authorisation", "banking_licence", "trust_charter", "aml_registration", "unknown"
]
LICENCE_KINDS: tuple[str, ...] = (
    "custody_authorisation",
    "banking_licence",
    "trust_charter",
    "aml_registration",
    "unknown",
)
LICENCE_KIND_LABELS: Mapping[str, str] = {
    "custody_authorisation": "custody authorisation",
    "banking_licence": "banking licence",
    "trust_charter": "trust charter",
    "aml_registration": "AML registration",
    "unknown": "licence or registration (kind not stated)",
}
CUSTODY_LICENCE_KINDS: frozenset[str] = frozenset(
    {"custody_authorisation", "banking_licence", "trust_charter"}
)
"""Kinds that authorise custody (``reg.custody_authorisation_required``); an AML registration
does not."""

ListEnd = Literal["none", "unknown"]
"""After a list: ``none`` = the list is complete (closed); ``unknown`` = there may be more."""

LegalBasis = Literal["off_balance_sheet", "trust_or_statutory", "bailment", "contract_only"]
LEGAL_BASIS_LABELS: Mapping[str, str] = {
    "off_balance_sheet": "off the custodian's balance sheet, ring-fenced",
    "trust_or_statutory": "trust or statutory segregation",
    "bailment": "bailment",
    "contract_only": "contract only",
}
BANKRUPTCY_REMOTE_BASES: frozenset[str] = frozenset(
    {"off_balance_sheet", "trust_or_statutory", "bailment"}
)

SOURCE_DATE_PATTERN = r"^\d{4}(-\d{2}){0,2}$"


class _Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("*", mode="before")
    @classmethod
    def _bool_facts(cls, value: Any) -> Any:
        return normalize_scalar(value)


class Source(_Profile):
    """A publication the profile rests on, cited as a committee would cite it."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    author: str | None = None
    publisher: str | None = None
    source_date: str | None = Field(
        default=None,
        pattern=SOURCE_DATE_PATTERN,
        validation_alias=AliasChoices("source_date", "published"),
    )
    """As precise as the source itself: ``2025-09`` when it gives a month, never an invented day."""
    kind: Literal["primary", "secondary"] = "secondary"
    """Primary: the provider's own or a regulator's document; secondary: a third party's."""
    url: str | None = None
    accessed: date | None = None
    note: str | None = None

    @field_validator("source_date", mode="before")
    @classmethod
    def _date_text(cls, value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    @property
    def published(self) -> str | None:
        """Older name of ``source_date``."""
        return self.source_date

    def citation(self) -> str:
        """'"Title", by Author, Publisher, 2025-09'."""
        parts = [f"\u201c{self.title}\u201d"]
        if self.author:
            parts.append(f"by {self.author}")
        if self.publisher:
            parts.append(self.publisher)
        if self.source_date:
            parts.append(self.source_date)
        return ", ".join(parts)


class Licence(_Profile):
    """A charter, licence or registration in one jurisdiction."""

    jurisdiction: str
    kind: LicenceKind = "unknown"
    regulator: str = "unknown"
    """The supervisor as the source names it; ``unknown`` when it names none."""
    type: str | None = None
    """The source's own description of the permission."""
    entity: str | None = None
    note: str | None = None
    source: str = "seed"
    source_sentence: str | None = None

    @field_validator("jurisdiction")
    @classmethod
    def _known_jurisdiction(cls, value: str) -> str:
        if value not in JURISDICTION_CODES:
            raise ValueError(
                f"unknown jurisdiction code; use one of: {', '.join(JURISDICTION_CODES)}"
            )
        return value

    @property
    def authorises_custody(self) -> Fact:
        if self.kind == "unknown":
            return "unknown"
        return "yes" if self.kind in CUSTODY_LICENCE_KINDS else "no"


class Licences(_Profile):
    """The licences the source names, and whether that list is complete.

    YAML forms: ``unknown`` (no list given), a plain list (closed), or this mapping.
    """

    listed: tuple[Licence, ...] = ()
    others: ListEnd = "unknown"
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_forms(cls, value: Any) -> Any:
        if value == "unknown":
            return {"listed": (), "others": "unknown"}
        if isinstance(value, list | tuple):
            return {"listed": value, "others": "none"}
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Editors accept the three YAML forms: ``unknown``, a closed list, the mapping."""
        mapping = handler(core_schema)
        listed = handler.resolve_ref_schema(mapping)["properties"]["listed"]
        closed = {"type": "array", "items": listed["items"]}
        return {"anyOf": [{"const": "unknown"}, closed, mapping]}

    @property
    def known(self) -> bool:
        """False when the source gives no licences and does not say there are none."""
        return bool(self.listed) or self.others == "none"

    @property
    def closed(self) -> bool:
        return self.others == "none"

    def jurisdictions(self) -> set[str]:
        return {lic.jurisdiction for lic in self.listed}

    def held_in(self, jurisdiction: str, kinds: Iterable[str] | None = None) -> Fact:
        """Does the provider hold a licence in ``jurisdiction`` (of one of ``kinds``)?

        yes: a listed licence says so; no: the list is closed and none fits (a listed licence
        of an unstated kind is never a no); unknown otherwise.
        """
        wanted = None if kinds is None else frozenset(kinds)
        here = [lic for lic in self.listed if lic.jurisdiction == jurisdiction]
        if any(wanted is None or lic.kind in wanted for lic in here):
            return "yes"
        if any(lic.kind == "unknown" for lic in here):
            return "unknown"
        return "no" if self.closed else "unknown"


class Regions(_Profile):
    """Region codes served, with the source's own wording and how it was mapped."""

    served: tuple[str, ...] | Literal["unknown"]
    others: ListEnd = "none"
    """``unknown`` when the source adds "global" or "select clients" beyond the listed regions."""
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

    def serves(self, region: str) -> Fact:
        if self.served == "unknown":
            return "unknown"
        if region in self.served:
            return "yes"
        return "no" if self.others == "none" else "unknown"


class KeyManagement(_Profile):
    cold_storage: Fact = "unknown"
    air_gapped: Fact = "unknown"
    hsm: Fact = "unknown"
    mpc: Fact = "unknown"
    multisig: Fact = "unknown"
    segregated_wallets: Fact = "unknown"
    """The source says client assets are held segregated (how finely is ``wallet_model``)."""
    wallet_model: Literal[
        "segregated_per_client", "omnibus_client_only", "commingled", "unknown"
    ] = "unknown"
    """As ``dd.wallet_model``: only where the source says how wallets are segregated."""
    policy_engine: Fact = "unknown"
    note: str | None = None


class LegalSegregation(_Profile):
    """How client assets are kept out of the custodian's estate, as the source states it."""

    basis: LegalBasis
    note: str | None = None
    source_sentence: str | None = None

    @property
    def bankruptcy_remote(self) -> Fact:
        return "yes" if self.basis in BANKRUPTCY_REMOTE_BASES else "no"


class Audits(_Profile):
    soc_reports: Fact = "unknown"
    """The source mentions SOC reports of some kind."""
    soc1: Fact = "unknown"
    """A SOC 1 report is named (its type may be unstated)."""
    soc2: Fact = "unknown"
    soc1_type2: Fact = "unknown"
    """Only when the source says Type II."""
    soc2_type2: Fact = "unknown"
    note: str | None = None


class Insurance(_Profile):
    available: Fact = "unknown"
    scope: Literal["all_assets", "certain_assets", "unknown"] = "unknown"
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
    markets_services: Fact = "unknown"
    """Markets services (trading, liquidity) offered beside custody, as the source calls them."""
    otc_rfq: Fact = "unknown"
    settlement_network: str | Literal["unknown", "none"] = "unknown"
    instant_settlement: Fact = "unknown"
    note: str | None = None


NetworkFees = Literal["pass_through", "charged", "included", "unknown"]
"""``pass_through``: passed on at cost; ``charged``: the source says they apply, not how;
``included`` in the custody fee."""


class Fees(_Profile):
    model: str = "unknown"
    auc_bps: float | Literal["unknown"] = "unknown"
    published_schedule: Fact = "unknown"
    network_fees: NetworkFees = "unknown"
    note: str | None = None


class Support(_Profile):
    always_on: Fact = "unknown"
    white_glove: Fact = "unknown"
    api: Fact = "unknown"
    contractual_sla: Fact = "unknown"
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
    standing_complete: Fact = "unknown"
    """yes only when the source rules out a higher standing than ``standing``."""
    qualified_custodian: Fact
    bank_backed: Fact
    etf_experience: Fact = "unknown"
    governance: Fact = "unknown"
    assets: tuple[str, ...] | Literal["unknown"] = "unknown"
    licences: Licences = Licences()
    regions: Regions
    legal_segregation: LegalSegregation | Literal["unknown"] = "unknown"
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
    source_sentences: dict[str, str] = Field(default_factory=dict)
    """Fact path (``audits.soc1``, ``regions.served``) -> the source sentence it rests on."""
    last_verified: Annotated[
        date | None,
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string", "format": "date"},
                    {"const": "unknown"},
                    {"type": "null"},
                ]
            }
        ),
    ] = None
    """When someone checked the facts against a primary source; None (``unknown``): nobody has."""

    @field_validator("assets")
    @classmethod
    def _asset_codes(cls, value: Any) -> Any:
        if value == "unknown":
            return value
        bad = [a for a in value if a not in ASSET_CODES]
        if bad:
            raise ValueError(f"unknown asset code(s) {bad}; use: {', '.join(ASSET_CODES)}")
        return value

    @field_validator("last_verified", mode="before")
    @classmethod
    def _never_verified(cls, value: Any) -> Any:
        return None if value == "unknown" else value

    @model_validator(mode="after")
    def _sources_referenced(self) -> Provider:
        ids = {s.id for s in self.sources}
        for lic in self.licences.listed:
            if lic.source not in ids:
                raise ValueError(f"licence source '{lic.source}' is not listed under 'sources'")
        for path in self.source_sentences:
            if not _is_fact_path(self, path):
                raise ValueError(
                    f"source_sentences: '{path}' is not a fact of the profile "
                    "(use a field path such as 'audits.soc1' or 'regions.served')"
                )
        return self

    # -- questions the rules ask ---------------------------------------------------------

    def licensed_in(self) -> set[str]:
        """Jurisdictions of the licences the source names (possibly not all of them)."""
        return self.licences.jurisdictions()

    def licence_in(self, jurisdiction: str, kinds: Iterable[str] | None = None) -> Fact:
        return self.licences.held_in(jurisdiction, kinds)

    def serves(self, region: str) -> Fact:
        return self.regions.serves(region)

    def meets_standing(self, minimum: str) -> Fact:
        """``minimum`` is a ``reg.min_standing`` choice (any_regulated, trust_or_bank, bank)."""
        need = MIN_STANDING_RANK[minimum]
        if self.standing == "unknown":
            return "unknown"
        if STANDING_RANK[self.standing] >= need:
            return "yes"
        # 'unregistered' is itself a statement that no higher standing exists.
        definite = self.standing_complete == "yes" or self.standing == "unregistered"
        return "no" if definite else "unknown"

    @property
    def bankruptcy_remote(self) -> Fact:
        if self.legal_segregation == "unknown":
            return "unknown"
        return self.legal_segregation.bankruptcy_remote

    @property
    def source_date(self) -> str | None:
        """The month (or date) of the first source, as precise as the source gives it."""
        return next((s.source_date for s in self.sources if s.source_date), None)

    @property
    def facts_as_of(self) -> date | None:
        """A date for age computations only (never print it as a date of the facts): the
        verification date, else the first day of the source's month."""
        if self.last_verified is not None:
            return self.last_verified
        return month_start(self.source_date)

    def source_sentence(self, path: str) -> str | None:
        return self.source_sentences.get(path)

    @cached_property
    def content_hash(self) -> str:
        return canonical_hash(self.model_dump(mode="json"))


def month_start(text: str | None) -> date | None:
    """``2025-09`` -> 2025-09-01; ``2025`` -> 2025-01-01; a full date as is; None otherwise."""
    if not text or not re.fullmatch(SOURCE_DATE_PATTERN, text):
        return None
    parts = [int(p) for p in text.split("-")] + [1, 1]
    return date(parts[0], parts[1], parts[2])


def _is_fact_path(model: BaseModel, path: str) -> bool:
    current: Any = model
    for part in path.split("."):
        fields = type(current).model_fields if isinstance(current, BaseModel) else None
        if fields is None or part not in fields:
            return False
        current = getattr(current, part)
    return True


class ProviderCatalog:
    """All provider profiles in id order, with one hash over the whole data set."""

    def __init__(
        self,
        providers: list[Provider],
        *,
        version: str | None = None,
        description: str | None = None,
    ) -> None:
        self.providers: tuple[Provider, ...] = tuple(sorted(providers, key=lambda p: p.id))
        self._index = {p.id: p for p in self.providers}
        self.version = version
        """The data set's version from ``_catalog.yaml`` (None for a folder without one)."""
        self.description = description

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

    @property
    def version_label(self) -> str:
        """'2026.11.1 (3f9a1c2b4d5e)': the version with the start of the data hash."""
        short = self.data_hash[:12]
        return f"{self.version} ({short})" if self.version else f"unversioned ({short})"

    @property
    def sources(self) -> tuple[Source, ...]:
        """Every distinct source cited by the profiles, in first-cited order."""
        seen: dict[tuple[str, str | None, str | None], Source] = {}
        for p in self.providers:
            for s in p.sources:
                seen.setdefault((s.title, s.author, s.source_date), s)
        return tuple(seen.values())

    @property
    def verified_count(self) -> int:
        """How many profiles someone has checked against a primary source."""
        return sum(1 for p in self.providers if p.last_verified is not None)
