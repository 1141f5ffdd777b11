"""The scoring rubric: which stated facts earn how many points, per criterion (DECISIONS §5).

The rubric is data (``providers/_rubric.yaml``), validated here: every criterion's items add up
to exactly 100, each fact appears once in the whole rubric, every fact is a row of the facts
table, fit adjustments are negative and name a mandate need this module knows. Scores built
from it are sums of earned points; nothing is clipped, so a rubric that could pass 100 is
refused at load time instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ddwizard.core.errors import DataError, Problem
from ddwizard.core.matching.facts import FACTS, FactId
from ddwizard.core.questionnaire import CRITERIA
from ddwizard.core.resources import bundled_dir
from ddwizard.core.yamlio import load_yaml_file, validate_model

RUBRIC_FILE = "_rubric.yaml"
CRITERION_TOTAL = 100


class Need(StrEnum):
    """A mandate preference a fit adjustment reacts to (all read from ``Mandate``)."""

    OTC_RFQ = "otc_rfq"
    PRIME_FINANCING = "prime_financing"
    KEY_TECH = "key_tech"
    COLD_STORAGE_IMPORTANT = "cold_storage_important"
    BANK_BACKED_PREFERRED = "bank_backed_preferred"
    ASSETS_REQUIRED = "assets_required"
    STAKING_ASSETS = "staking_assets"
    GOVERNANCE = "governance"
    PUBLISHED_SCHEDULE = "published_schedule"
    NETWORK_FEES_AT_COST = "network_fees_at_cost"
    API = "api"
    ALWAYS_ON = "always_on"
    WHITE_GLOVE = "white_glove"
    ETF_SERVICING = "etf_servicing"
    BRAND = "brand"


class Fit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    need: Need
    absent: int = Field(lt=0)
    """Points lost when the mandate has the need and the profile states the fact's absence
    (for list facts: per missing entry)."""


class RubricItem(BaseModel):
    """One scored fact (or group of alternatives) of a criterion."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fact: FactId | None = None
    any_of: tuple[FactId, ...] = ()
    points: int | None = Field(default=None, ge=0)
    values: dict[str, int] | None = None
    each: dict[str, int] | None = None
    stated: int | None = Field(default=None, ge=0)
    earns: str
    fit: Fit | None = None

    @model_validator(mode="after")
    def _one_form(self) -> RubricItem:
        if (self.fact is None) == (not self.any_of):
            raise ValueError("give exactly one of 'fact' or 'any_of'")
        forms = [f for f in ("points", "values", "each", "stated") if getattr(self, f) is not None]
        if len(forms) != 1:
            raise ValueError("give exactly one of 'points', 'values', 'each' or 'stated'")
        if self.any_of and self.points is None:
            raise ValueError("'any_of' takes 'points'")
        for table in (self.values, self.each):
            if table and any(v < 0 for v in table.values()):
                raise ValueError("points must not be negative")
        return self

    @property
    def facts(self) -> tuple[FactId, ...]:
        return (self.fact,) if self.fact is not None else self.any_of

    @property
    def maximum(self) -> int:
        if self.points is not None:
            return self.points
        if self.stated is not None:
            return self.stated
        if self.values is not None:
            return max(self.values.values(), default=0)
        return sum((self.each or {}).values())


class Rubric(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(pattern=r"^scoring_rubric$")
    version: str
    criteria: dict[str, tuple[RubricItem, ...]]

    @model_validator(mode="after")
    def _adds_up(self) -> Rubric:
        if set(self.criteria) != set(CRITERIA):
            raise ValueError(f"criteria must be exactly: {', '.join(CRITERIA)}")
        seen: dict[FactId, str] = {}
        for criterion, items in self.criteria.items():
            total = sum(i.maximum for i in items)
            if total != CRITERION_TOTAL:
                raise ValueError(
                    f"{criterion}: items add up to {total} points, not {CRITERION_TOTAL}"
                )
            for item in items:
                for fact in item.facts:
                    if fact in seen:
                        raise ValueError(
                            f"fact '{fact.value}' is scored twice ({seen[fact]} and {criterion}): "
                            "a fact counts once"
                        )
                    seen[fact] = criterion
                    home = FACTS[fact].criterion if fact in FACTS else None
                    if home is not None and home != criterion:
                        raise ValueError(
                            f"fact '{fact.value}' belongs to {home} in the facts table, "
                            f"not {criterion}"
                        )
        return self


def load_rubric(path: Path) -> Rubric:
    """Read and validate a rubric file; a ``DataError`` names the file, line and field."""
    return validate_model(Rubric, load_yaml_file(path, what="scoring rubric"))


def rubric_path(providers_folder: Path | None = None) -> Path:
    return (providers_folder or bundled_dir("providers")) / RUBRIC_FILE


@lru_cache(maxsize=8)
def _cached(path: str, mtime_ns: int) -> Rubric:
    return load_rubric(Path(path))


def default_rubric(providers_folder: Path | None = None) -> Rubric:
    """The rubric beside the profiles (the bundled one when the folder has none)."""
    path = rubric_path(providers_folder)
    if not path.exists():
        path = rubric_path(None)
    if not path.exists():
        raise DataError([Problem("scoring rubric not found", file=str(path))])
    return _cached(str(path), path.stat().st_mtime_ns)


def describe(rubric: Rubric) -> Mapping[str, Any]:
    """The rubric as plain data (for the memo's methodology section)."""
    return {
        c: [
            {"facts": [f.value for f in i.facts], "maximum": i.maximum, "earns": i.earns}
            for i in rubric.criteria[c]
        ]
        for c in CRITERIA
    }
