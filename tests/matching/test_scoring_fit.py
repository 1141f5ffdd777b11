"""The scoring rubric (DECISIONS.md §5): points from stated facts, fit adjustments, validation.

Each criterion's score is the sum of the points its stated facts earn under the written rubric
(``providers/_rubric.yaml``); an unknown earns nothing and says so; a fit adjustment is
negative, sits under the criterion of its fact and applies only when the mandate asks for a
fact the profile states is absent; hard requirements act through the tiers, never points.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ddwizard.core.errors import DataError
from ddwizard.core.matching.mandate import Mandate
from ddwizard.core.matching.rubric import CRITERION_TOTAL, default_rubric, load_rubric, rubric_path
from ddwizard.core.matching.scoring import score_provider
from ddwizard.core.provider import LegalSegregation, Provider
from ddwizard.core.questionnaire import CRITERIA, DEFAULT_WEIGHTS

RUBRIC = default_rubric()


def _with(provider: Provider, **groups: dict[str, Any]) -> Provider:
    update: dict[str, Any] = {}
    for group, facts in groups.items():
        if group == "top":
            update.update(facts)
        else:
            update[group] = getattr(provider, group).model_copy(update=facts)
    return provider.model_copy(update=update)


def _score(provider: Provider, values: dict[str, Any]) -> Any:
    return score_provider(provider, Mandate.from_values(values, DEFAULT_WEIGHTS), RUBRIC)


CASES = [
    # (mandate values, provider facts, criterion, delta, words in the reason, open item topic)
    ({"controls.key_tech": "hsm"}, {"key_management": {"hsm": "no"}}, "security", -10, "HSM", None),
    ({"controls.key_tech": "mpc"}, {"key_management": {"mpc": "yes"}}, "security", 0, None, None),
    (
        {"controls.key_tech": "multisig"},
        {"key_management": {"multisig": "unknown"}},
        "security",
        0,
        None,
        "key management",
    ),
    (
        {"controls.cold_storage_priority": "important"},
        {"key_management": {"cold_storage": "no"}},
        "security",
        -10,
        "cold or air-gapped storage",
        None,
    ),
    (
        {"controls.cold_storage_priority": "important"},
        {"key_management": {"cold_storage": "unknown"}},
        "security",
        0,
        None,
        "cold storage",
    ),
    (
        {"reg.bank_backed": "preferred"},
        {"top": {"bank_backed": "no"}},
        "security",
        -5,
        "bank",
        None,
    ),
    (
        {"reg.brand_preference": "traditional_finance"},
        {"top": {"kind": "crypto_native"}},
        "security",
        -5,
        "traditional financial institution",
        None,
    ),
    (
        {"reg.brand_preference": "crypto_native"},
        {"top": {"kind": "crypto_native"}},
        "security",
        0,
        None,
        None,
    ),
    ({"reg.etf_servicing": "yes"}, {"top": {"etf_experience": "no"}}, "support", -10, "ETF", None),
    (
        {"assets.governance": "yes"},
        {"top": {"governance": "no"}},
        "coverage",
        -10,
        "governance",
        None,
    ),
    (
        {"assets.staking": "yes", "assets.staking_assets": ["eth", "sol", "dot"]},
        {"staking": {"available": "yes", "assets": ("eth",)}},
        "coverage",
        -10,
        "SOL, DOT",
        None,
    ),
    (
        {"assets.staking": "yes", "assets.staking_assets": ["eth"]},
        {"staking": {"available": "yes", "assets": "unknown"}},
        "coverage",
        0,
        None,
        "staking assets",
    ),
    (
        {"assets.required": ["btc", "eth", "sol"]},
        {"top": {"assets": ("btc", "eth")}},
        "coverage",
        -5,
        "SOL",
        None,
    ),
    (
        {"settlement.otc_rfq": "yes"},
        {"execution": {"otc_rfq": "no"}},
        "liquidity",
        -10,
        "OTC",
        None,
    ),
    (
        {"settlement.prime_financing": "yes"},
        {"execution": {"prime_brokerage": "no"}},
        "liquidity",
        -10,
        "prime brokerage",
        None,
    ),
    (
        {"fees.published_schedule_required": "yes"},
        {"fees": {"published_schedule": "no"}},
        "costs",
        -15,
        "published fee schedule",
        None,
    ),
    (
        {"fees.network_fees_at_cost": "yes"},
        {"fees": {"network_fees": "included"}},
        "costs",
        -5,
        "at cost",
        None,
    ),
    ({"reporting.api": "yes"}, {"support": {"api": "no"}}, "ux", -10, "API", None),
    ({"support.always_on": "yes"}, {"support": {"always_on": "no"}}, "support", -15, "24/7", None),
    (
        {"support.white_glove": "yes"},
        {"support": {"white_glove": "unknown"}},
        "support",
        0,
        None,
        "account team",
    ),
]


@pytest.mark.parametrize(("values", "facts", "criterion", "delta", "words", "topic"), CASES)
def test_fit_adjustment(
    catalog: Any,
    values: dict[str, Any],
    facts: dict[str, dict[str, Any]],
    criterion: str,
    delta: int,
    words: str | None,
    topic: str | None,
) -> None:
    provider = _with(catalog["bitgo"], **facts)
    neutral = _score(provider, {})
    scored = _score(provider, values)
    index = CRITERIA.index(criterion)
    before, after = neutral.criteria[index], scored.criteria[index]
    assert after.score - before.score == delta
    adjustments = [r for r in after.reasons if r not in before.reasons]
    if words is not None:
        assert len(adjustments) == 1 and adjustments[0].startswith(f"{delta:+d} "), adjustments
        assert words in adjustments[0]
    else:
        assert adjustments == []
    if topic is not None:
        assert topic in {o.topic for o in scored.open_items}
        assert all(o.message.startswith("Confirm with the provider: ") for o in scored.open_items)
    for c_before, c_after in zip(neutral.criteria, scored.criteria, strict=True):
        if c_before.criterion != criterion:  # other criteria do not move
            assert c_before.score == c_after.score


def test_hard_requirements_never_move_points(catalog: Any) -> None:
    # a requirement the profile leaves unknown changes the tier, not the score
    provider = _with(catalog["bitgo"], audits={"soc1_type2": "unknown"})
    values = {"reporting.soc1": "yes", "reg.qualified_custodian": "yes", "assets.staking": "yes"}
    assert [c.score for c in _score(provider, values).criteria] == [
        c.score for c in _score(provider, {}).criteria
    ]


def test_a_fully_stated_provider_scores_100_and_nothing_is_clipped(catalog: Any) -> None:
    provider = _with(
        catalog["gemini"],
        key_management={
            "air_gapped": "yes",
            "cold_storage": "yes",
            "mpc": "yes",
            "segregated_wallets": "yes",
            "policy_engine": "yes",
        },
        audits={"soc1_type2": "yes", "soc2_type2": "yes"},
        insurance={"available": "yes"},
        top={"legal_segregation": LegalSegregation(basis="trust_or_statutory")},
    )
    security = _score(provider, {"controls.key_tech": "mpc"}).criteria[CRITERIA.index("security")]
    assert security.score == CRITERION_TOTAL
    assert not any("bounded" in r for r in security.reasons)


def test_unknown_earns_nothing_and_says_so(catalog: Any) -> None:
    amina = _score(catalog["amina"], {})
    for criterion in amina.criteria:
        for reason in criterion.reasons:
            if "not stated in the profile" in reason:
                assert reason.startswith("+0 ") and "an unknown earns nothing" in reason


def test_bundled_rubric_adds_up_and_scores_each_fact_once() -> None:
    seen: set[str] = set()
    for criterion in CRITERIA:
        assert sum(item.maximum for item in RUBRIC.criteria[criterion]) == CRITERION_TOTAL
        for item in RUBRIC.criteria[criterion]:
            for fact in item.facts:
                assert fact.value not in seen
                seen.add(fact.value)
    # the recorded facts no rule used before now earn points
    assert {
        "key_management.segregated_wallets",
        "key_management.air_gapped",
        "execution.prime_brokerage",
        "fees.network_fees",
    } <= seen


def _broken(tmp_path: Path, change: Any) -> Path:
    data = yaml.safe_load(rubric_path().read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "_rubric.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _more_points(data: dict[str, Any]) -> None:
    data["criteria"]["ux"][0]["points"] = 60


def _fact_twice(data: dict[str, Any]) -> None:
    data["criteria"]["ux"].append({"fact": "support.api", "points": 0, "earns": "API again"})


def _positive_fit(data: dict[str, Any]) -> None:
    data["criteria"]["ux"][0]["fit"]["absent"] = 5


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (_more_points, "add up to 110 points, not 100"),
        (_fact_twice, "scored twice"),
        (_positive_fit, "absent"),
    ],
)
def test_a_wrong_rubric_is_refused_with_its_file(tmp_path: Path, change: Any, words: str) -> None:
    path = _broken(tmp_path, change)
    with pytest.raises(DataError) as caught:
        load_rubric(path)
    text = str(caught.value)
    assert words in text and "_rubric.yaml" in text
